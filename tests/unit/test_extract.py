"""Reasoning separation and code extraction on realistic model replies."""

from __future__ import annotations

import ast

import pytest
from trinity.controller.extract import (
    Block,
    Extraction,
    extract_code,
    fenced_blocks,
    split_reasoning,
)

F = "```"

# --- split_reasoning ---------------------------------------------------------------------


def test_server_reasoning_wins_and_text_is_the_answer() -> None:
    split = split_reasoning("The answer is 4.", reasoning="2 + 2 is 4 ")
    assert (split.answer, split.reasoning, split.rule) == (
        "The answer is 4.",
        "2 + 2 is 4",
        "server",
    )


def test_server_reasoning_still_strips_think_blocks_left_in_the_text() -> None:
    split = split_reasoning("<think>leftover</think>42", reasoning="server side")
    assert split.answer == "42"
    assert split.rule == "server"
    assert "server side" in split.reasoning and "leftover" in split.reasoning


def test_blank_server_reasoning_does_not_win() -> None:
    assert split_reasoning("<think>x</think>y", reasoning="  \n").rule == "think_block"


def test_several_think_blocks_any_case_and_spacing_are_removed() -> None:
    text = "<think>first</think>Hello <THINK >second\nline</Think > world"
    split = split_reasoning(text)
    assert split.answer == "Hello  world"
    assert split.reasoning == "first\nsecond\nline"
    assert split.rule == "think_block"


def test_thinking_tag_variant_is_treated_like_think() -> None:
    split = split_reasoning("<thinking>hmm</thinking>\nfinal")
    assert (split.answer, split.rule) == ("final", "think_block")


def test_unclosed_think_makes_the_rest_reasoning() -> None:
    split = split_reasoning("Sure.\n<think>Let me consider the edge cases and")
    assert split.answer == "Sure."
    assert split.reasoning == "Let me consider the edge cases and"
    assert split.rule == "unclosed_think"


def test_closed_block_then_unclosed_block_is_unclosed() -> None:
    split = split_reasoning("<think>a</think>Answer<think>b but cut")
    assert (split.answer, split.rule) == ("Answer", "unclosed_think")
    assert split.reasoning == "a\nb but cut"


def test_missing_open_tag_puts_the_prefix_in_reasoning() -> None:
    text = "Okay, the user wants a function.\nI will use a dict.\n</think>\n\nHere it is:"
    split = split_reasoning(text)
    assert split.answer == "Here it is:"
    assert split.reasoning.startswith("Okay, the user wants")
    assert split.rule == "missing_open_tag"


def test_missing_open_tag_with_a_later_block_keeps_its_rule() -> None:
    split = split_reasoning("plan</think>ans<think>more</think>wer")
    assert (split.answer, split.rule) == ("answer", "missing_open_tag")


def test_no_reasoning_leaves_the_text() -> None:
    assert split_reasoning("  just text \n") == type(split_reasoning(""))("just text", "", "none")


# --- extract_code: fences ----------------------------------------------------------------

SOLUTION = "def add(a, b):\n    return a + b"


def test_single_python_block() -> None:
    got = extract_code(f"Here you go:\n\n{F}python\n{SOLUTION}\n{F}\n\nIt adds.", ["add"])
    assert (got.code, got.rule, got.blocks) == (SOLUTION, "fence_entry_point", 1)


@pytest.mark.parametrize("lang", ["python", "py", "Python3", "PYTHON", "py3", ""])
def test_python_language_labels_are_accepted(lang: str) -> None:
    got = extract_code(f"{F}{lang}\n{SOLUTION}\n{F}", ["add"])
    assert got.code == SOLUTION


def test_non_python_blocks_are_ignored() -> None:
    reply = f"{F}bash\npip install nothing\n{F}\n{F}python\n{SOLUTION}\n{F}\n{F}json\n{{}}\n{F}"
    got = extract_code(reply, ["add"])
    assert got.code == SOLUTION
    assert got.blocks == 3


def test_prose_usage_and_test_blocks_around_the_real_solution() -> None:
    reply = f"""I'll implement `add`.

{F}python
{SOLUTION}
{F}

Example usage:

{F}python
print(add(2, 3))  # 5
{F}

And some tests:

{F}python
from solution import add

def test_add():
    assert add(1, 2) == 3
{F}
"""
    got = extract_code(reply, ["add"])
    assert (got.code, got.rule) == (SOLUTION, "fence_entry_point")


def test_last_complete_definition_wins_over_a_first_draft() -> None:
    draft = "def add(a, b):\n    return a - b"
    reply = f"First try:\n{F}python\n{draft}\n{F}\nOops, fixed:\n{F}python\n{SOLUTION}\n{F}"
    assert extract_code(reply, ["add"]).code == SOLUTION


def test_block_defining_all_entry_points_beats_a_later_partial_one() -> None:
    full = "class Stack:\n    pass\n\n\ndef make():\n    return Stack()"
    partial = "def make():\n    return None"
    reply = f"{F}python\n{full}\n{F}\n{F}python\n{partial}\n{F}"
    got = extract_code(reply, ["Stack", "make"])
    assert (got.code, got.rule) == (full, "fence_entry_point")


def test_entry_points_found_with_ast_not_text() -> None:
    # The first block mentions "def add" only inside a string; the second defines it.
    fake = 'doc = """def add(a, b): ..."""'
    reply = f"{F}python\n{fake}\n{F}\n{F}python\n{SOLUTION}\n{F}\n{F}python\nx = 1\n{F}"
    assert extract_code(reply, ["add"]).code == SOLUTION


def test_dotted_entry_point_uses_the_top_level_name() -> None:
    code = "class Cache:\n    def get(self, k):\n        return None"
    got = extract_code(f"{F}python\n{code}\n{F}\n{F}python\nc = 1\n{F}", ["Cache.get"])
    assert got.code == code


def test_lambda_assignment_defines_an_entry_point() -> None:
    got = extract_code(f"{F}python\nadd = lambda a, b: a + b\n{F}", ["add"])
    assert got.rule == "fence_entry_point"


def test_entry_points_split_across_blocks_are_merged() -> None:
    a = "def parse(s):\n    return s.split()"
    b = "def evaluate(tokens):\n    return len(tokens)"
    reply = f"Parser:\n{F}python\n{a}\n{F}\nEvaluator:\n{F}python\n{b}\n{F}\nUsage:\n{F}python\nprint(1)\n{F}"
    got = extract_code(reply, ["parse", "evaluate"])
    assert got.rule == "fence_merged"
    assert got.code == f"{a}\n\n{b}"


def test_imports_block_is_prepended_to_the_class_that_uses_it() -> None:
    imports = "from collections import OrderedDict\nimport threading"
    cls = "class LRU:\n    def __init__(self):\n        self.d = OrderedDict()\n        self.lock = threading.Lock()"
    reply = f"Imports:\n{F}python\n{imports}\n{F}\nThe class:\n{F}python\n{cls}\n{F}"
    got = extract_code(reply, ["LRU"])
    assert got.rule == "fence_entry_point"
    assert got.code == f"{imports}\n\n{cls}"
    namespace: dict[str, object] = {}
    exec(compile(got.code, "<solution>", "exec"), namespace)
    assert "LRU" in namespace


def test_unrelated_imports_block_is_not_prepended() -> None:
    reply = f"{F}python\nimport numpy as np\n{F}\n{F}python\n{SOLUTION}\n{F}"
    assert extract_code(reply, ["add"]).code == SOLUTION


def test_without_entry_points_the_longest_parsing_block_wins() -> None:
    long = "def helper(x):\n    return x * 2\n\n\ndef main():\n    print(helper(3))"
    reply = f"{F}python\nprint(1)\n{F}\n{F}python\n{long}\n{F}\n{F}python\ndef broken(:\n{F}"
    got = extract_code(reply)
    assert (got.code, got.rule) == (long, "fence_longest")


def test_entry_points_defined_nowhere_fall_back_to_the_longest() -> None:
    got = extract_code(f"{F}python\n{SOLUTION}\n{F}", ["subtract"])
    assert (got.code, got.rule) == (SOLUTION, "fence_longest")


def test_unterminated_fence_takes_the_rest_of_the_text() -> None:
    reply = f"Here:\n{F}python\ndef add(a, b):\n    # compute the sum\n    return a +"
    got = extract_code(reply, ["add"])
    assert got.rule == "fence_unclosed"
    assert got.code == "def add(a, b):\n    # compute the sum\n    return a +"


def test_unterminated_fence_defining_the_entry_point_beats_an_earlier_example() -> None:
    reply = f"{F}python\nprint('demo')\n{F}\nSolution:\n{F}python\n{SOLUTION}\n"
    got = extract_code(reply, ["add"])
    assert (got.code, got.rule) == (SOLUTION, "fence_unclosed")


def test_truncated_solution_after_an_example_is_still_the_attempt() -> None:
    reply = f"{F}python\nprint(add(1, 2))\n{F}\nNow the code:\n{F}python\ndef add(a, b):\n    return a +"
    got = extract_code(reply, ["add"])
    assert (got.code, got.rule) == ("def add(a, b):\n    return a +", "fence_unclosed")


def test_without_entry_points_a_complete_block_beats_a_truncated_one() -> None:
    reply = f"{F}python\n{SOLUTION}\n{F}\n{F}python\nprint(add(1,"
    assert extract_code(reply).rule == "fence_longest"


def test_complete_solution_beats_a_truncated_later_block() -> None:
    reply = f"{F}python\n{SOLUTION}\n{F}\nTests:\n{F}python\nassert add(1, 2) =="
    got = extract_code(reply, ["add"])
    assert (got.code, got.rule) == (SOLUTION, "fence_entry_point")


def test_only_broken_python_blocks_are_returned_for_the_sandbox_to_fail() -> None:
    reply = f"{F}python\ndef add(a, b)\n    return a + b\n{F}"
    got = extract_code(reply, ["add"])
    assert got.rule == "fence_syntax_error"
    assert got.code == "def add(a, b)\n    return a + b"


def test_tilde_fences() -> None:
    got = extract_code(f"~~~python\n{SOLUTION}\n~~~\n", ["add"])
    assert (got.code, got.rule) == (SOLUTION, "fence_entry_point")


def test_longer_fence_is_closed_only_by_one_as_long() -> None:
    inner = 'DOC = """\n```\nnot a fence end\n```\n"""\n' + SOLUTION
    got = extract_code(f"````python\n{inner}\n````", ["add"])
    assert got.code == inner


def test_windows_newlines() -> None:
    reply = f"Here:\r\n{F}python\r\n{SOLUTION}\r\n{F}\r\n".replace("\n    ", "\r\n    ")
    got = extract_code(reply, ["add"])
    assert got.code == SOLUTION


def test_fence_indented_in_a_list_item_is_dedented() -> None:
    body = "\n".join("   " + line for line in SOLUTION.split("\n"))
    reply = f"1. Define the function:\n\n   {F}python\n{body}\n   {F}\n2. Call it."
    got = extract_code(reply, ["add"])
    assert got.code == SOLUTION


def test_closing_fence_glued_to_the_last_line() -> None:
    got = extract_code(f"{F}python\n{SOLUTION}{F}\nDone.", ["add"])
    assert (got.code, got.rule) == (SOLUTION, "fence_entry_point")


def test_fence_with_info_string_after_the_language() -> None:
    got = extract_code(f'{F}python title="solution.py"\n{SOLUTION}\n{F}', ["add"])
    assert got.code == SOLUTION


# --- extract_code: no fences -------------------------------------------------------------


def test_raw_code_without_fences() -> None:
    got = extract_code(SOLUTION + "\n", ["add"])
    assert (got.code, got.rule, got.blocks) == (SOLUTION, "raw", 0)


def test_raw_code_after_prose_starts_at_the_first_def() -> None:
    reply = f"Sure! Here is the function you asked for:\n\n{SOLUTION}\n\nThis returns the sum of a and b."
    got = extract_code(reply, ["add"])
    assert (got.code, got.rule) == (SOLUTION, "raw_from_first_def")


def test_prose_line_starting_with_from_is_skipped() -> None:
    reply = f"from the prompt we need a sum.\n\nimport math\n{SOLUTION}\nThat is all."
    got = extract_code(reply, ["add"])
    assert got.rule == "raw_from_first_def"
    assert got.code == f"import math\n{SOLUTION}"


def test_prose_only_is_none() -> None:
    got = extract_code("I cannot help with that request, sorry.", ["add"])
    assert (got.code, got.rule) == (None, "none")


def test_empty_answer_is_none() -> None:
    assert extract_code("", ["add"]) == type(extract_code(""))(None, "none", 0)


def test_only_non_python_fences_fall_back_to_raw_rules() -> None:
    got = extract_code(f"{F}javascript\nfunction add(a, b) {{ return a + b }}\n{F}", ["add"])
    assert (got.code, got.rule) == (None, "none")


# --- whole replies -----------------------------------------------------------------------


def test_thinking_model_reply_end_to_end() -> None:
    reply = (
        "Okay, so I need to write add. Maybe:\n```python\ndef add(a, b):\n    return 0\n```\n"
        "No wait, that is wrong.\n</think>\n\n"
        f"Here is the implementation:\n\n{F}python\n{SOLUTION}\n{F}\n\n"
        f"Example:\n{F}python\n>>> add(1, 2)\n3\n{F}\n"
    )
    split = split_reasoning(reply)
    assert split.rule == "missing_open_tag"
    got = extract_code(split.answer, ["add"])
    assert (got.code, got.rule) == (SOLUTION, "fence_entry_point")


def test_smollm_style_broken_output() -> None:
    # Small models repeat fences, leave stray text in blocks and never close the last one.
    reply = (
        "```python\n```python\ndef add(a, b):\n    return a + b\n```\n"
        "```\nThe function add takes two numbers a and b and\n"
    )
    got = extract_code(reply, ["add"])
    assert got.code is not None
    ast.parse(got.code)
    assert "return a + b" in got.code


def test_missing_close_before_a_new_python_fence_starts_a_new_block() -> None:
    reply = f"{F}python\nprint('example')\n{F}python\n{SOLUTION}\n{F}\n"
    blocks = fenced_blocks(reply)
    assert [b.code for b in blocks] == ["print('example')", SOLUTION]
    assert extract_code(reply, ["add"]).code == SOLUTION


def test_fenced_blocks_reports_languages_and_closure() -> None:
    blocks = fenced_blocks(f"{F}py\nx = 1\n{F}\n{F}text\nhi\n{F}\n{F}python\ny =")
    assert [(b.lang, b.closed, b.parses) for b in blocks] == [
        ("py", True, True),
        ("text", True, True),
        ("python", False, False),
    ]


# --- edge cases the mutation score found untested (benchmarks/mutation.py) ---------------


def test_an_unclosed_think_after_a_missing_open_tag_keeps_the_first_rule() -> None:
    split = split_reasoning("plan</think>answer<think>more")
    assert (split.answer, split.reasoning, split.rule) == (
        "answer",
        "plan\nmore",
        "missing_open_tag",
    )


def test_old_mac_newlines_are_newlines() -> None:
    got = extract_code(f"{F}python\rdef add(a, b):\r    return a + b\r{F}", ["add"])
    assert (got.code, got.rule) == (SOLUTION, "fence_entry_point")


def test_a_method_entry_point_is_looked_for_as_its_class() -> None:
    code = "class Cart:\n    def total(self):\n        return 0"
    got = extract_code(f"{F}python\n{code}\n{F}", ["Cart.total"])
    assert (got.code, got.rule) == (code, "fence_entry_point")


def test_a_repeated_opener_is_one_block() -> None:
    reply = f"{F}python\n{F}python\n{SOLUTION}\n{F}"
    got = extract_code(reply, ["add"])
    assert (got.code, got.rule, got.blocks) == (SOLUTION, "fence_entry_point", 1)


def test_a_block_left_open_before_a_new_one_keeps_its_lines_and_counts_as_closed() -> None:
    first = "import math\nx = math.pi"
    (one, two) = fenced_blocks(f"{F}python\n{first}\n{F}python\n{SOLUTION}\n{F}")
    assert (one.code, one.closed, two.code, two.closed) == (first, True, SOLUTION, True)


def test_a_glued_close_is_followed_by_the_next_line() -> None:
    reply = f"{F}python\ndef a():\n    return 1{F}\n{F}python\ndef b():\n    return 2\n{F}"
    blocks = fenced_blocks(reply)
    assert [(b.code, b.closed) for b in blocks] == [
        ("def a():\n    return 1", True),
        ("def b():\n    return 2", True),
    ]


def test_a_block_keeps_its_code_exactly_less_the_blank_lines_around_it() -> None:
    (block,) = fenced_blocks(f"{F}python\n\n    X = 1\nY = X  \n\n{F}")
    assert block.code == "    X = 1\nY = X  "


def test_what_a_block_defines_and_imports() -> None:
    code = "import os.path\nfrom a import b as c\nx: int = 1\ny = z = 2\nclass K:\n    pass"
    (block,) = fenced_blocks(f"{F}python\n{code}\n{F}")
    assert (block.parses, block.imports_only) == (True, False)
    assert block.defines == {"x", "y", "z", "K"}
    assert block.imports == {"os", "c"}
    (only,) = fenced_blocks(f"{F}python\nimport os\n{F}")
    assert only.imports_only
    (comment,) = fenced_blocks(f"{F}python\n# nothing yet\n{F}")
    assert comment.parses and not comment.imports_only


def test_a_block_that_does_not_parse_defines_and_imports_nothing() -> None:
    (block,) = fenced_blocks(f"{F}py\nimport os\ndef broken(:\n{F}")
    assert block == Block("py", "import os\ndef broken(:", True, False, frozenset(),
                          frozenset(), False)  # fmt: skip


def test_without_entry_points_an_unclosed_block_is_taken_when_nothing_complete_parses() -> None:
    reply = f"{F}python\nimport math\n{F}\n{F}python\ndef area(r):\n    return math.pi * r * r"
    got = extract_code(f"{F}python\ndef broken(:\n{F}\n" + reply)
    assert got.rule == "fence_longest"  # the import block parses and is complete
    got = extract_code(f"{F}python\ndef broken(:\n{F}\n{F}python\ndef area(r):\n    return r")
    assert (got.code, got.rule) == ("def area(r):\n    return r", "fence_unclosed")


def test_an_unclosed_attempt_gets_the_imports_it_uses() -> None:
    attempt = "def area(r):\n    return math.pi * r"  # cut off after a whole line
    reply = f"{F}python\nimport math\n{F}\n{F}python\n{attempt}"
    got = extract_code(reply, ["area"])
    assert (got.code, got.rule) == (f"import math\n\n{attempt}", "fence_unclosed")


def test_merged_blocks_get_only_the_imports_they_use() -> None:
    a = "def area(r):\n    return math.pi * r * r"
    b = "def perimeter(r):\n    return 2 * math.pi * r"
    reply = (f"{F}python\nimport os\n{F}\n{F}python\nimport math\n{F}\n"
             f"{F}python\n{a}\n{F}\n{F}python\n{b}\n{F}")  # fmt: skip
    got = extract_code(reply, ["area", "perimeter"])
    assert got.rule == "fence_merged"
    assert got.code == f"import math\n\n{a}\n\n{b}"


def test_a_one_line_block_glued_to_its_close() -> None:
    (block,) = fenced_blocks(f"{F}python\nadd = lambda a, b: a + b{F}\nDone.")
    assert (block.code, block.closed) == ("add = lambda a, b: a + b", True)


def test_code_keeps_its_own_characters_at_both_ends() -> None:
    (block,) = fenced_blocks(f"{F}python\nX = 1\nY = X\n{F}")
    assert block.code == "X = 1\nY = X"


@pytest.mark.parametrize("code", ["X = 1  ", "Y = 2\nX = Y"])
def test_raw_code_keeps_its_own_characters_at_both_ends(code: str) -> None:
    assert extract_code(f"\n{code}\n") == Extraction(code, "raw", 0)


@pytest.mark.parametrize("code", ["def f(): return 1   ", "def f(): return X"])
def test_raw_code_can_be_the_one_line_after_the_prose(code: str) -> None:
    got = extract_code(f"Here it is:\n{code}\nThat's all, folks (really).")
    assert (got.code, got.rule) == (code, "raw_from_first_def")
