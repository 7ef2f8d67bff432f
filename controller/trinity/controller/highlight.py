"""Python source as small, self-contained HTML for the report: Python's own tokenizer
(the standard library's `tokenize`) splits it, and only the kinds a reader's eye uses
(keywords, strings, comments, numbers, names being defined, builtins) get a mark, so a
report of hundreds of runs stays small and renders fast (pygments' lexer took 8 times
longer over the same 500 runs' code; the terminal's `show` still uses it, through rich).

Model-written code often does not tokenize (an unclosed bracket, a bad dedent): what
came before the error is marked, the rest is shown as plain text. The marks are
`<i class=X>` (X one of k s c m f b); the page's stylesheet colours them (`CSS`).
"""

from __future__ import annotations

import builtins
import html
import io
import keyword
import tokenize
from collections.abc import Iterator

_BUILTINS = frozenset(dir(builtins))
_DEFINES = frozenset({"def", "class"})
CSS = (
    ".code i{font-style:normal}.code .k{color:#8a2be2;font-weight:600}.code .s{color:#a3151a}"
    ".code .c{color:#6a737d;font-style:italic}.code .m{color:#0b7a75}.code .f{color:#005cc5}"
    ".code .b{color:#b35900}"
)


def python_html(code: str) -> str:
    """The code as escaped HTML with <i class=X> marks (no <pre>, no line numbers)."""
    starts = _line_starts(code)
    out: list[str] = []
    done = 0  # characters of code already written
    for start, end, mark in _marked(code):
        a, b = starts[start[0] - 1] + start[1], starts[end[0] - 1] + end[1]
        out.append(html.escape(code[done:a], quote=False))
        out.append(f"<i class={mark}>{html.escape(code[a:b], quote=False)}</i>")
        done = b
    out.append(html.escape(code[done:], quote=False))
    return "".join(out)


def _line_starts(code: str) -> list[int]:
    """Offset of each line's first character (tokenize counts rows from 1)."""
    starts = [0]
    for line in io.StringIO(code):
        starts.append(starts[-1] + len(line))
    return starts


def _marked(code: str) -> Iterator[tuple[tuple[int, int], tuple[int, int], str]]:
    """(start, end, mark) of each token worth a mark, until the tokenizer gives up."""
    previous = ""
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            mark = _mark(token, previous)
            if mark:
                yield token.start, token.end, mark
            if token.type not in (tokenize.NL, tokenize.COMMENT):
                previous = token.string
    except (tokenize.TokenError, SyntaxError):  # IndentationError is a SyntaxError
        return


def _mark(token: tokenize.TokenInfo, previous: str) -> str:
    kind, text = token.type, token.string
    if kind == tokenize.NAME:
        if previous in _DEFINES:
            return "f"
        if keyword.iskeyword(text):
            return "k"
        return "b" if text in _BUILTINS else ""
    return {tokenize.STRING: "s", tokenize.COMMENT: "c", tokenize.NUMBER: "m"}.get(kind, "")


def line_numbers(code: str) -> str:
    """'1\\n2\\n…' for a gutter beside the code (a last newline opens no line)."""
    return "\n".join(str(n) for n in range(1, code.rstrip("\n").count("\n") + 2))
