"""Scoring: the Execute request a task makes, a score over the task's DECLARED checks
(whatever ran), multi-turn runs merged into one score, and replies scored from their text."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import pytest
from trinity.controller.rubric import Check
from trinity.controller.scoring import (
    RPC_SLACK_S,
    CheckScore,
    Score,
    execute_request,
    merge_turns,
    score_reply,
    score_solution,
)
from trinity.controller.suites import Task
from trinity.v1 import agent_pb2 as pb

TURNS = (("write it", ("a1", "a2")), ("extend it", ("b1", "b2", "b3")), ("fix it", ("c1",)))
MULTI = Task(
    suite="s",
    name="cart",
    kind="multi_turn",
    prompt="",
    solution_file="solution.py",
    test_file="test_cart.py",
    checks=tuple(c for _, checks in TURNS for c in checks),
    files=(("test_cart.py", b"def check_a1(): pass\n"), ("data.json", b"{}")),
    turns=TURNS,
    expected={"a2": "3", "b1": "[1]"},
    limits={"wall_s": 7.5, "memory_bytes": 1e9, "no_such_limit": 5},
)
CODE = Task(
    suite="smoke",
    name="add",
    kind="code",
    prompt="add",
    solution_file="solution.py",
    test_file="test_add.py",
    checks=("small", "negatives", "floats", "large", "zero"),
)


class FakeNode:
    """What scoring needs of an AgentClient: Execute answers with the checks it was asked
    for, passing those in `passing`, leaving out those in `silent`."""

    def __init__(self, passing: set[str], status: int = pb.EXECUTE_STATUS_FAILED,
                 silent: set[str] = frozenset()) -> None:  # fmt: skip
        self.passing, self.status, self.silent = passing, status, silent
        self.requests: list[tuple[pb.ExecuteRequest, float]] = []

    async def execute(self, request: pb.ExecuteRequest, timeout_s: float) -> pb.ExecuteResult:
        self.requests.append((request, timeout_s))
        checks = [
            pb.CheckResult(
                name=c, passed=c in self.passing, message=f"{c} said so", value_json=f'"{c}"'
            )
            for c in request.checks
            if c not in self.silent
        ]
        return pb.ExecuteResult(
            status=self.status,
            checks=checks,
            duration_s=0.5,
            peak_memory_bytes=1000 + len(request.checks),
            stdout_tail=f"out {len(request.checks)}",
            stderr_tail=f"err {len(request.checks)}",
            sandbox="bwrap",
            forged_records=1,
        )


def score(node: FakeNode, task: Task, subset: Sequence[str] = ()) -> Score:
    return asyncio.run(score_solution(node, task, b"code", subset))  # type: ignore[arg-type]


def turns(task: Task, passing: Mapping[int, set[str]], reached: int = 3) -> list[Score]:
    """Each turn reached scored on its own checks, as bench does."""
    return [
        score(FakeNode(passing.get(i, set())), task, checks)
        for i, (_, checks) in enumerate(task.turns[:reached])
    ]


# ---- merge_turns: a multi-turn run is one score over every declared check ----------


def test_a_multi_turn_run_passing_every_turn_scores_100_over_all_declared_checks():
    every = {i: set(checks) for i, (_, checks) in enumerate(TURNS)}
    merged = merge_turns(MULTI, turns(MULTI, every))
    assert merged.score == 100.0
    assert merged.passed == len(MULTI.checks) == merged.declared == 6
    assert merged.status == "failed"  # the fake node's status: the worst turn's
    assert [c.name for c in merged.checks] == list(MULTI.checks)
    assert all(c.passed for c in merged.checks)


def test_a_multi_turn_run_failing_turn_2_scores_what_the_declared_checks_say():
    passing = {0: {"a1", "a2"}, 1: {"b1"}, 2: {"c1"}}
    merged = merge_turns(MULTI, turns(MULTI, passing))
    assert merged.passed == 4
    assert merged.score == pytest.approx(100.0 * 4 / 6)
    assert [c.name for c in merged.checks if not c.passed] == ["b2", "b3"]
    assert merged.checks[3] == CheckScore("b2", False, "b2 said so", '"b2"')


def test_turns_not_reached_count_as_failed_checks():
    merged = merge_turns(MULTI, turns(MULTI, {0: {"a1", "a2"}}, reached=1))
    assert (merged.passed, merged.score) == (2, pytest.approx(100.0 * 2 / 6))
    assert [c.message for c in merged.checks[2:]] == ["turn not reached"] * 4
    assert [c.name for c in merged.checks] == list(MULTI.checks)


def test_merged_figures_add_up_over_the_turns_and_keep_the_last_turns_output():
    merged = merge_turns(MULTI, turns(MULTI, {}))
    assert merged.duration_s == pytest.approx(1.5)
    assert merged.peak_memory_bytes == 1003  # the largest turn's (3 checks)
    assert (merged.stdout_tail, merged.stderr_tail) == ("out 1", "err 1")  # turn 3's
    assert merged.sandbox == "bwrap" and merged.forged_records == 3
    assert merged.task == "s/cart"


def test_the_first_turn_that_did_not_pass_gives_the_merged_status():
    passed = score(FakeNode({"a1", "a2"}, pb.EXECUTE_STATUS_PASSED), MULTI, ("a1", "a2"))
    timeout = score(FakeNode(set(), pb.EXECUTE_STATUS_TIMEOUT), MULTI, ("b1", "b2", "b3"))
    error = score(FakeNode(set(), pb.EXECUTE_STATUS_ERROR), MULTI, ("c1",))
    assert merge_turns(MULTI, [passed, timeout, error]).status == "timeout"
    assert merge_turns(MULTI, [passed]).status == "passed"


def test_no_turn_at_all_is_an_error_scoring_zero():
    merged = merge_turns(MULTI, [])
    assert (merged.status, merged.score, merged.passed, merged.declared) == ("error", 0.0, 0, 6)
    assert (merged.duration_s, merged.peak_memory_bytes, merged.forged_records) == (0, 0, 0)
    assert (merged.stdout_tail, merged.stderr_tail, merged.sandbox) == ("", "", "")
    assert [c.message for c in merged.checks] == ["turn not reached"] * 6


# ---- score_solution: over the declared checks, whatever ran --------------------------


def test_a_subset_is_scored_over_the_tasks_declared_checks():
    node = FakeNode({"small", "zero"})
    found = score(node, CODE, ("small", "zero"))
    assert (found.score, found.passed, found.declared) == (40.0, 2, 5)
    assert [c.name for c in found.checks] == ["small", "zero"]
    assert list(node.requests[0][0].checks) == ["small", "zero"]
    assert node.requests[0][0].files[0].content == b"code"


def test_every_declared_check_runs_when_no_subset_is_given():
    node = FakeNode({"small", "negatives", "floats"})
    found = score(node, CODE)
    assert list(node.requests[0][0].checks) == list(CODE.checks)
    assert (found.score, found.passed, found.declared) == (60.0, 3, 5)
    assert found.checks[0] == CheckScore("small", True, "small said so", '"small"')


def test_a_check_the_node_did_not_report_failed():
    found = score(FakeNode(set(CODE.checks), silent={"zero"}), CODE)
    assert (found.passed, found.score) == (4, 80.0)
    assert found.checks[-1] == CheckScore("zero", False, "no result from the node")


def test_the_sandboxs_figures_come_through():
    found = score(FakeNode(set(), pb.EXECUTE_STATUS_OUT_OF_MEMORY), CODE)
    assert found.status == "out_of_memory" and found.task == "smoke/add"
    assert (found.duration_s, found.peak_memory_bytes, found.sandbox) == (0.5, 1005, "bwrap")
    assert (found.stdout_tail, found.stderr_tail, found.forged_records) == ("out 5", "err 5", 1)


@pytest.mark.parametrize(
    ("status", "word"),
    [
        (pb.EXECUTE_STATUS_PASSED, "passed"),
        (pb.EXECUTE_STATUS_FAILED, "failed"),
        (pb.EXECUTE_STATUS_ERROR, "error"),
        (pb.EXECUTE_STATUS_TIMEOUT, "timeout"),
        (pb.EXECUTE_STATUS_OUT_OF_MEMORY, "out_of_memory"),
        (pb.EXECUTE_STATUS_KILLED, "killed"),
        (0, "error"),  # unspecified: never a pass
    ],
)
def test_statuses_are_named(status, word):
    assert score(FakeNode(set(), status), CODE).status == word


def test_the_rpc_may_take_the_sandboxs_wall_limit_and_some_slack():
    node = FakeNode(set())
    score(node, MULTI, ("a1",))
    score(node, CODE)
    assert [t for _, t in node.requests] == [7.5 + RPC_SLACK_S, 10.0 + RPC_SLACK_S]


# ---- execute_request ---------------------------------------------------------------


def test_the_request_carries_the_solution_beside_the_hidden_files():
    request = execute_request(MULTI, b"class Cart: ...")
    assert [(f.path, f.content) for f in request.files] == [
        ("solution.py", b"class Cart: ..."),
        ("test_cart.py", b"def check_a1(): pass\n"),
        ("data.json", b"{}"),
    ]
    assert request.test_file == "test_cart.py"
    assert list(request.checks) == list(MULTI.checks)


def test_limits_are_typed_and_unknown_ones_left_out():
    limits = execute_request(MULTI, b"").limits
    assert limits.wall_s == 7.5 and limits.memory_bytes == 10**9  # seconds keep their fraction
    assert isinstance(limits.memory_bytes, int)
    assert not hasattr(limits, "no_such_limit")


def test_expected_values_go_only_with_the_checks_that_run():
    everything = execute_request(MULTI, b"")
    assert {(e.check, e.json) for e in everything.expected} == {("a2", "3"), ("b1", "[1]")}
    turn_one = execute_request(MULTI, b"", ("a1", "a2"))
    assert [(e.check, e.json) for e in turn_one.expected] == [("a2", "3")]


# ---- score_reply: answers and rubrics, from the reply's text -------------------------

ANSWER = Task(suite="math", name="mul", kind="answer", prompt="17 × 23?", solution_file="",
              test_file="", checks=("answer",), answers=("391",))  # fmt: skip
RUBRIC = Task(suite="review", name="r", kind="review", prompt="review this", solution_file="",
              test_file="", checks=("injection", "race"),
              rubric={"injection": Check(("sql injection", "unsanitised")),
                      "race": Check((r"race\b",))})  # fmt: skip


def test_a_right_answer_scores_100_and_says_what_matched():
    found = score_reply(ANSWER, "It is 391.")
    assert (found.score, found.passed, found.declared, found.status) == (100.0, 1, 1, "passed")
    assert found.checks[0].message.startswith("matched '391'")
    assert found.checks[0].name == "answer"
    assert (found.sandbox, found.duration_s, found.task) == ("none", 0.0, "math/mul")
    assert (found.peak_memory_bytes, found.stdout_tail, found.stderr_tail) == (0, "", "")


def test_a_wrong_answer_scores_0_and_shows_what_was_read():
    found = score_reply(ANSWER, "It is 392.")
    assert (found.score, found.passed, found.status) == (0.0, 0, "failed")
    assert found.checks[0].message.startswith("got ")
    rambling = score_reply(ANSWER, "x" * 300)
    assert rambling.checks[0].message == f"got {'x' * 200!r}"  # the first 200 characters


def test_a_numeric_answer_within_the_tasks_tolerance_passes():
    from dataclasses import replace

    assert score_reply(ANSWER, "Answer: 391.002").score == 0.0
    assert score_reply(replace(ANSWER, numeric_tolerance=0.01), "Answer: 391.002").score == 100.0


def test_an_answer_line_when_required():
    from dataclasses import replace

    strict = replace(ANSWER, answer_line_required=True)
    assert score_reply(strict, "Answer: 391").score == 100.0
    lazy = score_reply(strict, "391, I think")
    assert lazy.score == 0.0
    assert lazy.checks[0].message == "no Answer: line or boxed{} (this task requires one)"


def test_a_rubric_scores_each_finding_it_names_case_blind():
    found = score_reply(RUBRIC, "This has an SQL Injection.\nNothing else.")
    assert (found.score, found.passed, found.declared, found.status) == (50.0, 1, 2, "failed")
    assert found.checks[0] == CheckScore("injection", True, "found 'SQL Injection'")
    assert found.checks[1] == CheckScore("race", False, "not mentioned")
    both = score_reply(RUBRIC, "unsanitised input\nand a race on the counter")
    assert (both.score, both.status) == (100.0, "passed")


def test_a_rubric_pattern_matches_at_any_line_start():
    multiline = Task(suite="review", name="m", kind="review", prompt="", solution_file="",
                     test_file="", checks=("fix",), rubric={"fix": Check(("^fix:",))})  # fmt: skip
    assert score_reply(multiline, "looks fine\nFIX: lock it").score == 100.0


def test_what_a_rubric_found_is_quoted_up_to_80_characters():
    long = Task(suite="review", name="l", kind="review", prompt="", solution_file="",
                test_file="", checks=("x",), rubric={"x": Check(("x+",))})  # fmt: skip
    assert score_reply(long, "x" * 120).checks[0].message == f"found {'x' * 80!r}"


def test_an_answer_tasks_one_check_keeps_its_declared_name_whatever_the_reply():
    """Reports and consensus line checks up by name: a failed answer is still `answer`."""
    from dataclasses import replace

    strict = replace(ANSWER, answer_line_required=True)
    for reply in ("Answer: 391", "Answer: 392", "391, I think"):
        assert [c.name for c in score_reply(strict, reply).checks] == ["answer"], reply


EVEREST = Task(suite="factual", name="everest", kind="answer", prompt="", solution_file="",
               test_file="", checks=("answer",), answers=("8848.86",), numeric_tolerance=1e-3,
               unit="m", conversions={"km": 1000})  # fmt: skip


def test_a_number_in_a_unit_the_task_does_not_accept_fails_and_says_which():
    found = score_reply(EVEREST, "Answer: 8848 yards")
    assert found.checks == (
        CheckScore(
            "answer",
            False,
            "got '8848 yards' (unit 'yd' is neither the task's 'm' nor a conversion)",
        ),
    )
    assert score_reply(EVEREST, "Answer: 8,848.86 m").score == 100.0


def test_a_number_in_a_unit_the_task_converts_passes():
    assert score_reply(EVEREST, "Answer: 8.849 km").score == 100.0


BOLIVIA = Task(suite="factual", name="capital", kind="answer", prompt="", solution_file="",
               test_file="", checks=("answer",), answers=("ambiguous",),
               competing=(("sucre",), ("la paz",)), wrong=("santa cruz",))  # fmt: skip


def test_an_ambiguous_answer_must_name_every_competing_answer_and_says_which_is_missing():
    assert score_reply(BOLIVIA, "Answer: ambiguous: Sucre or La Paz").score == 100.0
    bare = score_reply(BOLIVIA, "Answer: ambiguous")
    assert (bare.score, bare.checks[0].message) == (
        0.0,
        "got 'ambiguous' (competing answer 'sucre' is not named)",
    )


def test_an_ambiguous_answer_naming_a_wrong_one_fails_and_says_which():
    found = score_reply(BOLIVIA, "Answer: ambiguous: Sucre, La Paz or Santa Cruz")
    assert (found.score, found.checks[0].message) == (
        0.0,
        "got 'ambiguous: sucre, la paz or santa cruz' (wrong answer 'santa cruz' is named)",
    )
