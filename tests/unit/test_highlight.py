"""The report's Python highlighting: every character of the code kept (escaped), marks
only where they help, and code that does not tokenize still shown whole."""

from __future__ import annotations

import html
import re

import pytest
from trinity.controller.highlight import line_numbers, python_html


def plain(marked: str) -> str:
    return html.unescape(re.sub(r"</?i[^>]*>", "", marked))


@pytest.mark.parametrize(
    "code",
    [
        "def f(x):\n    return x + 1  # one\n",
        'class A:\n    """doc\n    more"""\n    s = f"{1 + 2}" + r"\\d"\n',
        "def f(:\n    x = 'unterminated\n",  # a SyntaxError the tokenizer stops at
        "if x:\n        a\n    b\n",  # a bad dedent
        "print('<script>alert(1)</script>' & 3)",  # no newline at the end
        "",
    ],
)
def test_every_character_survives(code):
    assert plain(python_html(code)) == code


def test_marks_keywords_strings_comments_numbers_definitions_and_builtins():
    marked = python_html("def area(r):\n    return 3.14 * r * r  # pi r²\nprint(len('x'))\n")
    assert "<i class=k>def</i> <i class=f>area</i>" in marked
    assert "<i class=k>return</i> <i class=m>3.14</i>" in marked
    assert "<i class=c># pi r²</i>" in marked
    assert "<i class=b>print</i>(<i class=b>len</i>(<i class=s>'x'</i>))" in marked
    assert "<i class=" not in python_html("r = x")  # plain names stay plain


def test_markup_in_code_is_escaped():
    marked = python_html("s = '<b>&'\n")
    assert "<b>" not in marked and "&lt;b&gt;&amp;" in marked


def test_what_comes_before_a_tokenizer_error_is_still_marked():
    marked = python_html("def ok():\n    pass\nx = (1,\n")
    assert marked.startswith("<i class=k>def</i> <i class=f>ok</i>")
    assert plain(marked) == "def ok():\n    pass\nx = (1,\n"


def test_line_numbers_count_every_line():
    assert line_numbers("a\nb\nc") == "1\n2\n3"
    assert line_numbers("a\n") == "1"
