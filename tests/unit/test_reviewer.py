"""The reviewer's side of a pair: its prompts (built-in, from a file, rendered) and the
tolerant reading of its verdict, where anything unreadable is unparsed, never a PASS."""

from __future__ import annotations

from pathlib import Path

import pytest
from trinity.controller.errors import SelectionError
from trinity.controller.reviewer import (
    VERDICT_FORMAT,
    builtin_prompt,
    load_prompts,
    parse_review,
    without_comments,
)

FAIL_JSON = (
    '{"verdict": "FAIL", "findings": [{"line": 2, "category": "logic", "severity": "high", '
    '"message": "subtracts instead of adding"}]}'
)


def test_fenced_json_with_text_around_it_is_read():
    reply = f"Here is my review.\n\n```json\n{FAIL_JSON}\n```\n\nHope this helps!"
    review = parse_review(reply)
    assert (review.verdict, review.rule) == ("FAIL", "fenced_json")
    (finding,) = review.findings
    assert (finding.line, finding.category, finding.severity) == (2, "logic", "high")
    assert finding.message == "subtracts instead of adding"


def test_bare_object_in_prose_is_read():
    review = parse_review(f"My verdict: {FAIL_JSON} -- that is all.")
    assert (review.verdict, review.rule) == ("FAIL", "inline_json")


def test_reasoning_is_split_off_before_the_verdict_is_read():
    reply = '<think>At first glance {"verdict": "PASS"} but wait, the sign.</think>\n' + FAIL_JSON
    assert parse_review(reply).verdict == "FAIL"
    thought_only = parse_review('<think>I will say {"verdict": "PASS"}</think>\nIt looks fine.')
    assert thought_only.unparsed  # a verdict only thought, never given, is no approval
    server_side = parse_review(
        '{"verdict": "PASS", "findings": []}', reasoning='{"verdict": "FAIL"}'
    )
    assert server_side.verdict == "PASS"


def test_the_last_verdict_wins():
    reply = 'Example: {"verdict": "PASS", "findings": []}\nMy answer: ' + FAIL_JSON
    assert parse_review(reply).verdict == "FAIL"


def test_verdict_after_the_findings_is_found():
    reply = '{"findings": [{"line": 1, "message": "x"}], "verdict": "pass"}'
    review = parse_review(reply)
    assert review.verdict == "PASS" and len(review.findings) == 1


def test_sloppy_or_cut_off_json_is_repaired():
    assert parse_review("{'verdict': 'FAIL', findings: []}").verdict == "FAIL"
    cut = parse_review('```json\n{"verdict": "FAIL", "findings": [{"line": 3, "message": "off by')
    assert cut.verdict == "FAIL" and cut.findings[0].line == 3


def test_a_verdict_line_without_json_is_read():
    review = parse_review("The code ignores negatives.\n\n**Verdict: FAIL**")
    assert (review.verdict, review.rule, review.findings) == ("FAIL", "verdict_line", ())


@pytest.mark.parametrize(
    "reply",
    [
        "",
        "Looks good to me!",
        "```python\ndef add(a, b):\n    return a + b\n```",
        '{"verdict": "PASS or FAIL", "findings": []}',  # the format, echoed
        '{"verdict": "PASS"|"FAIL"}',
        '{"verdict": "APPROVED"}',
        '{"verdict": true}',
        "I would give it a PASS, or maybe a FAIL.",
    ],
)
def test_no_readable_verdict_is_unparsed_and_never_an_approval(reply):
    review = parse_review(reply)
    assert review.unparsed and not review.approved and not review.rejected
    assert review.as_details()["unparsed"] is True and review.as_details()["verdict"] is None


def test_malformed_findings_are_kept_with_defaults():
    review = parse_review(
        '{"verdict": "FAIL", "findings": [{"line": "7", "category": "Edge Case"}, '
        '{"line": true, "message": 5}, "not an object"]}'
    )
    first, second = review.findings
    assert (first.line, first.category, first.severity, first.message) == (7, "edge-case", "", "")
    assert (second.line, second.category, second.message) == (None, "other", "5")


def test_builtin_prompts_render_task_code_and_the_same_format():
    empowered, verify = builtin_prompt("empowered"), builtin_prompt("verify")
    assert "empowered to fail" in empowered.text and "Verify that this code works" in verify.text
    assert empowered.hash != verify.hash and len(empowered.hash) == 16
    for prompt in (empowered, verify):
        text = prompt.render("Write add(a, b).", "def add(a, b):\n    return a - b\n")
        assert (
            "Write add(a, b)." in text
            and "```python\ndef add(a, b):\n    return a - b\n```" in text
        )
        assert text.endswith(VERDICT_FORMAT) and "{task}" not in text and "{code}" not in text


def test_a_prompt_file_without_placeholders_gets_task_and_code_after_it(tmp_path: Path):
    path = tmp_path / "strict.md"
    path.write_text("Be harsh.")
    (prompt,) = load_prompts(str(path))
    assert prompt.name == "strict"
    text = prompt.render("TASK TEXT", "CODE TEXT")
    assert text.index("Be harsh.") < text.index("TASK TEXT") < text.index("CODE TEXT")


def test_several_prompts_keep_their_order():
    assert [p.name for p in load_prompts("verify, empowered")] == ["verify", "empowered"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nosuch", "--reviewer-prompt 'nosuch' is neither a built-in prompt nor a file"),
        ("verify,verify", "two prompts named 'verify'"),
        (" , ", "name a prompt"),
    ],
)
def test_bad_prompt_choices_are_one_line_errors(value, message):
    with pytest.raises(SelectionError, match=message):
        load_prompts(value)


def test_an_empty_prompt_file_is_refused(tmp_path: Path):
    path = tmp_path / "empty.md"
    path.write_text("  \n")
    with pytest.raises(SelectionError, match="the file is empty"):
        load_prompts(str(path))


def test_comments_are_removed_but_strings_and_docstrings_stay():
    code = 'def f(x):\n    """Doc # here."""\n    # forgot to sort\n    return "#x"  # off by one\n'
    assert without_comments(code) == 'def f(x):\n    """Doc # here."""\n    return "#x"\n'
    assert without_comments("def f(:\n  # broken") == "def f(:\n  # broken"
