"""What a stored run looks like to a person (trinity.controller.runview): turns, checks
with expected and got, and the one line saying why it failed, for every outcome."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from trinity.controller import runview
from trinity.controller.errors import SelectionError
from trinity.controller.scoring import score_reply
from trinity.controller.store import RunRecord, Store
from trinity.controller.suites import load_task

ROMAN = load_task("coding_basics/roman_numerals")
INVENTORY = load_task("coding_multiturn/inventory")
KOREAN = load_task("factual_korean/hangul_creator")
REVIEW = load_task("hard_judgement/code_review")
SEP = "\n\n---\n\n"


def record(task, *, checks=(), code=None, replies=("ok",), outcome="scored", **kw: Any):
    prompt: list[dict[str, str]] = []
    for number, reply in enumerate(replies):
        prompt.append({"role": "user", "content": task.prompts[number]})
        if reply is not None:
            prompt.append({"role": "assistant", "content": reply})
    passed = sum(bool(c["passed"]) for c in checks)
    fields: dict[str, Any] = {
        "bench_run_id": "b1", "task": task.id, "model": "local/smollm2", "node": "local",
        "repeat": 1, "outcome": outcome, "task_hash": task.hash,
        "score": 100.0 * passed / len(task.checks), "checks": list(checks),
        "declared": len(task.checks), "passed": passed, "prompt": prompt,
        "response": SEP.join(r for r in replies if r), "code": code,
        "started_at": 1000.0, "finished_at": 1012.5, "id": 7,
    }  # fmt: skip
    fields.update(kw)
    return RunRecord(**fields)


def roman_checks(**failing: str) -> list[dict[str, Any]]:
    return [{"name": n, "passed": n not in failing, "message": failing.get(n, "")}
            for n in ROMAN.checks]  # fmt: skip


def test_a_run_that_passed_everything_has_no_reason():
    v = runview.view(record(ROMAN, checks=roman_checks(), code="x = 1"), ROMAN)
    assert not v.failed and v.why == "" and v.first_failure is None


def test_code_that_does_not_load_names_the_error_and_quotes_the_line():
    code = "def to_roman(n):\n    return f'{n'\n"
    message = "import failed: SyntaxError: f-string: expecting '}' (solution.py, line 2)"
    checks = roman_checks(**dict.fromkeys(ROMAN.checks, message))
    v = runview.view(record(ROMAN, checks=checks, code=code), ROMAN)
    assert v.why == (
        "the code does not load: SyntaxError: f-string: expecting '}' at line 2: "
        "`return f'{n'`; none of its 9 checks ran"
    )
    assert runview.failure_kind(v) == "code does not load (SyntaxError)"


def test_a_failed_value_check_shows_what_was_expected_and_what_came_back():
    expected = ROMAN.expected["to_roman_known"]
    got = '["I", "II"]'
    checks = roman_checks(to_roman_known=f"expected {expected}, got {got}")
    v = runview.view(record(ROMAN, checks=checks, code="x"), ROMAN)
    (check,) = [c for c in v.checks if not c.passed]
    assert (check.expected, check.got) == (expected, got)
    assert v.why.startswith("1 of 9 checks failed; first: to_roman_known: expected [")
    assert v.why.endswith('got ["I", "II"]')


def test_a_passed_value_check_shows_the_value_it_returned():
    checks = roman_checks()
    checks[4]["value"] = ROMAN.expected["from_roman_known"]
    v = runview.view(record(ROMAN, checks=checks, code="x"), ROMAN)
    check = v.checks[4]
    assert check.name == "from_roman_known" and check.passed
    assert check.got == check.expected == ROMAN.expected["from_roman_known"]


def test_an_assert_check_shows_its_message():
    checks = roman_checks(to_roman_all="AssertionError: to_roman(4) = 'IIII'")
    v = runview.view(record(ROMAN, checks=checks, code="x"), ROMAN)
    assert (
        v.why == "1 of 9 checks failed; first: to_roman_all: AssertionError: to_roman(4) = 'IIII'"
    )
    assert runview.failure_kind(v) == "check to_roman_all"


@pytest.mark.parametrize(
    ("outcome", "fields", "why"),
    [
        ("timeout", {"replies": (None,)},
         "no reply: the generation deadline passed before the model finished (after 12 s)"),
        ("extraction_failed", {"replies": ("I would use a dict.",)},
         "no code to run: the reply (19 characters) has no ```python block and no code that "
         "parses"),
        ("extraction_failed", {"replies": ("",)}, "no code to run: the reply was empty"),
        ("infra_error", {"replies": (), "score": None, "sandbox": {"error": "Execute: node down"}},
         "not the model's doing: the node could not be used (Execute: node down); left out of "
         "the scores, `bench --resume` tries it again"),
    ],
)  # fmt: skip
def test_each_outcome_reads_in_plain_words(outcome, fields, why):
    v = runview.view(record(ROMAN, outcome=outcome, **fields), ROMAN)
    assert v.failed and v.why == why


def test_a_truncated_reply_says_so_before_the_failed_check():
    checks = roman_checks(to_roman_all="AssertionError: boom")
    v = runview.view(record(ROMAN, checks=checks, code="x", outcome="truncated",
                            completion_tokens=512), ROMAN)  # fmt: skip
    assert v.why.startswith("the reply was cut off at max_tokens (512 tokens); 1 of 9 checks")


def test_multi_turn_runs_show_each_turn_with_its_own_code_and_checks():
    t1, t2 = INVENTORY.turns[0][1], INVENTORY.turns[1][1]
    checks = [{"name": n, "passed": True, "message": ""} for n in t1]
    checks += [{"name": t2[0], "passed": False, "message": "AssertionError: stock(' ab ') = 0"}]
    checks += [{"name": n, "passed": True, "message": ""} for n in t2[1:]]
    checks += [{"name": n, "passed": False, "message": "turn not reached"}
               for _, names in INVENTORY.turns[2:] for n in names]  # fmt: skip
    replies = ("```python\nclass Inventory: pass\n```", "```python\nclass Inventory: x = 2\n```",
               None)  # fmt: skip
    v = runview.view(record(INVENTORY, checks=checks, replies=replies, outcome="timeout",
                            code=SEP.join(["class Inventory: pass", "class Inventory: x = 2"])),
                     INVENTORY)  # fmt: skip
    assert [t.number for t in v.turns] == [1, 2, 3] and v.turns[2].reply is None
    assert (
        v.turns[0].code == "class Inventory: pass" and v.turns[1].code == "class Inventory: x = 2"
    )
    assert [c.name for c in v.turns[0].checks] == list(t1)
    assert [c.name for c in v.turns[1].checks] == list(t2)
    assert v.why == ("turn 3 of 3: no reply: the generation deadline passed before the model "
                     "finished (after 12 s)")  # fmt: skip


def test_multi_turn_failure_names_its_turn():
    t1, t2 = INVENTORY.turns[0][1], INVENTORY.turns[1][1]
    checks = [{"name": n, "passed": True, "message": ""} for n in t1]
    checks += [{"name": t2[0], "passed": False, "message": "AssertionError: stock(' ab ') = 0"}]
    checks += [{"name": n, "passed": True, "message": ""} for n in [*t2[1:], *INVENTORY.checks[len(t1) + len(t2):]]]  # fmt: skip
    replies = tuple(f"```python\nclass Inventory: x = {i}\n```" for i in range(3))
    code = SEP.join(f"class Inventory: x = {i}" for i in range(3))
    v = runview.view(record(INVENTORY, checks=checks, replies=replies, code=code), INVENTORY)
    assert len(v.turns) == 3 and v.turns[2].code == "class Inventory: x = 2"
    assert v.why == (f"turn 2: 1 of {len(INVENTORY.checks)} checks failed; first: {t2[0]}: "
                     "AssertionError: stock(' ab ') = 0")  # fmt: skip


def test_a_wrong_answer_shows_what_was_said_and_what_is_accepted():
    reply = "정답: 태종"
    score = score_reply(KOREAN, reply)
    checks = [{"name": c.name, "passed": c.passed, "message": c.message} for c in score.checks]
    v = runview.view(record(KOREAN, checks=checks, replies=(reply,)), KOREAN)
    assert v.why.startswith("wrong answer: got '태종' (accepted: '세종대왕', '세종'")
    assert v.checks[0].expected.startswith("one of: '세종대왕', '세종'")
    assert v.rescored == ""


def test_a_rubric_miss_names_the_points_not_mentioned():
    reply = "The code looks fine to me."
    score = score_reply(REVIEW, reply)
    checks = [{"name": c.name, "passed": c.passed, "message": c.message} for c in score.checks]
    v = runview.view(record(REVIEW, checks=checks, replies=(reply,)), REVIEW)
    missing = [c.name for c in score.checks if not c.passed]
    assert v.why.startswith(f"the reply does not mention {', '.join(missing)}")
    assert all(c.expected.startswith("asserts any of: /") for c in v.checks)


def test_a_text_run_that_todays_scorer_judges_differently_says_so():
    reply = "정답: 태종"  # wrong, but stored as passed: the scorer of the day said so
    checks = [{"name": "answer", "passed": True, "message": "matched '태종'"}]
    v = runview.view(record(KOREAN, checks=checks, replies=(reply,)), KOREAN)
    assert v.rescored.startswith("today's scorer says: answer fails (got '태종'")


def test_a_task_changed_since_the_run_shows_no_expected_values():
    checks = roman_checks(to_roman_known="expected [1], got [2]")
    v = runview.view(record(ROMAN, checks=checks, code="x", task_hash="0" * 16), ROMAN)
    assert v.task_changed
    # What the node compared is still shown, from its own message.
    assert (v.checks[0].expected, v.checks[0].got) == ("[1]", "[2]")
    assert v.checks[1].expected is None


def test_a_task_that_no_longer_exists_still_shows_its_run():
    checks = roman_checks(to_roman_all="AssertionError: boom")
    run = dataclasses.replace(record(ROMAN, checks=checks, code="x"), task="gone/task")
    v = runview.view(run, None)
    assert v.kind == "" and v.why.startswith("1 of 9 checks failed")


def test_task_failure_is_the_most_common_first_failure():
    load = "import failed: SyntaxError: bad (solution.py, line 1)"
    views = [
        runview.view(record(ROMAN, checks=roman_checks(**dict.fromkeys(ROMAN.checks, load)),
                            code="x"), ROMAN),
        runview.view(record(ROMAN, checks=roman_checks(to_roman_all="A"), code="x"), ROMAN),
        runview.view(record(ROMAN, checks=roman_checks(to_roman_all="B"), code="x"), ROMAN),
        runview.view(record(ROMAN, checks=roman_checks(), code="x"), ROMAN),
    ]  # fmt: skip
    failure = runview.task_failure(views)
    assert failure is not None
    assert str(failure) == "check to_roman_all (2 of 3 failed runs)"
    assert failure.example.endswith("to_roman_all: A")
    assert runview.task_failure(views[3:]) is None


@pytest.fixture
def bench(tmp_path):
    with Store(tmp_path / "r.db") as store:
        selection = {"tasks": [ROMAN.id, KOREAN.id], "models": ["local/smollm2", "b/qwen"],
                     "columns": [["local/smollm2", "SmolLM2"], ["b/qwen", "Qwen"]]}  # fmt: skip
        bench_id = store.new_bench_run([], selection, {}).id
        for model in ("local/smollm2", "b/qwen"):
            for repeat in (1, 2):
                run = record(ROMAN, checks=roman_checks(to_roman_all="A") if repeat == 2
                             else roman_checks(), code="x", id=None)  # fmt: skip
                store.record_run(dataclasses.replace(run, bench_run_id=bench_id, model=model,
                                                     node=model.split("/")[0], repeat=repeat))  # fmt: skip
        yield runview.load(store, bench_id)


def test_select_by_task_model_run_and_failed(bench):
    assert len(runview.select(bench)) == 4
    assert len(runview.select(bench, task="roman_numerals")) == 4
    assert [v.run.model for v in runview.select(bench, model="qwen")] == ["b/qwen"] * 2
    assert [v.run.repeat for v in runview.select(bench, model="SmolLM2", repeat=2)] == [2]
    assert {v.run.repeat for v in runview.select(bench, failed=True)} == {2}


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"task": "nope"}, "has no task 'nope'"),
        ({"model": "gpt"}, "has no model 'gpt'"),
        ({"repeat": 9}, "no run 9 here (runs: 1, 2)"),
    ],
)
def test_selecting_what_is_not_there_is_one_line_naming_what_is(bench, kw, message):
    with pytest.raises(
        SelectionError, match=message.replace("(", r"\(").replace(")", r"\)")
    ) as err:
        runview.select(bench, **kw)
    assert "\n" not in err.value.message
    if "task" in kw:
        assert "coding_basics/roman_numerals" in (err.value.hint or "")
    if "model" in kw:
        assert "local/smollm2, b/qwen" in (err.value.hint or "")


def test_views_come_in_task_then_configured_model_order(bench):
    assert [(v.run.model, v.run.repeat) for v in bench.runs] == [
        ("local/smollm2", 1), ("local/smollm2", 2), ("b/qwen", 1), ("b/qwen", 2)]  # fmt: skip
    assert bench.title("b/qwen") == "Qwen"


def test_a_message_the_row_above_shows_reads_same_as_above():
    message = "import failed: SyntaxError: bad (solution.py, line 1)"
    checks = roman_checks(**dict.fromkeys(ROMAN.checks[:3], message))
    v = runview.view(record(ROMAN, checks=checks, code="x"), ROMAN)
    said = runview.said_by(v.checks)
    assert said[:4] == [message, "same as above", "same as above", ""]


def test_a_function_written_under_another_name_is_named():
    message = "import failed: ImportError: cannot import name 'from_roman' from 'solution' (/work/solution.py)"
    v = runview.view(record(ROMAN, checks=roman_checks(**dict.fromkeys(ROMAN.checks, message)),
                            code="def to_roman(n): pass"), ROMAN)  # fmt: skip
    assert (
        v.why
        == "the code does not define from_roman, which the task asks for; none of its 9 checks ran"
    )
    assert runview.failure_kind(v) == "code does not define from_roman"


def stored(checks) -> list[dict[str, Any]]:
    return [{"name": c.name, "passed": c.passed, "message": c.message} for c in checks]


def test_text_tasks_count_their_failures_in_their_own_words():
    wrong = score_reply(KOREAN, "정답: 태종").checks
    v = runview.view(record(KOREAN, checks=stored(wrong), replies=("정답: 태종",)), KOREAN)
    assert runview.failure_kind(v) == "wrong answer"
    missed = score_reply(REVIEW, "Looks fine.").checks
    r = runview.view(record(REVIEW, checks=stored(missed), replies=("Looks fine.",)), REVIEW)
    assert runview.failure_kind(r) == f"does not mention {missed[0].name}"


@pytest.mark.parametrize(
    ("prompt_tokens", "said"), [(None, "unknown in"), (0, "0 in"), (312, "312 in")]
)
def test_prompt_tokens_the_server_did_not_report_read_as_unknown(prompt_tokens, said):
    """llama_cpp.server streams no usage: its runs store prompt tokens as None, which is
    not a prompt of 0 tokens."""
    run = record(ROMAN, checks=roman_checks(), completion_tokens=40, prompt_tokens=prompt_tokens)
    assert f"40 tokens out, {said}" in runview.facts(runview.view(run, ROMAN))
