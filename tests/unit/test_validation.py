"""Pre-flight validation: a task's references must score 100, mutants below 100, cheats 0,
every check must be failed by some mutant that ran, on a node's sandbox (a fake one here,
which decides each check from a table) or from the reply's text. The real sandbox's
pre-flight is in tests/integration/test_exec_validate.py."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import replace

import pytest
from trinity.controller.rubric import Check
from trinity.controller.suites import CHEATS, Task
from trinity.controller.validation import (
    DEFAULT_CONCURRENCY,
    Probe,
    TaskValidation,
    probe_count,
    validate,
)
from trinity.v1 import agent_pb2 as pb

# solution → (status, the checks it passes)
Verdicts = Callable[[bytes, Sequence[str]], tuple[int, set[str]]]

CODE = Task(
    suite="s",
    name="add",
    kind="code",
    prompt="write add",
    solution_file="solution.py",
    test_file="test_add.py",
    checks=("small", "floats", "zero"),
    references=(("reference_a.py", b"good a"), ("reference_b.py", b"good b")),
    mutants=(
        ("subtracts.py", b"bad floats"),
        ("crashes.py", b"bad crash"),
        ("truncates.py", b"bad ints"),
    ),
)
MULTI = replace(
    CODE,
    kind="multi_turn",
    turns=(("one", ("small",)), ("two", ("floats", "zero"))),
    turn_references=((1, "reference_turn1.py", b"turn one"),),
)
ANSWER = Task(suite="m", name="mul", kind="answer", prompt="What is 17 x 23?", solution_file="",
              test_file="", checks=("answer",), answers=("391",),
              good_replies=("391", "It is 391."), bad_replies=("392",))  # fmt: skip


def sandbox(solution: bytes, checks: Sequence[str]) -> tuple[int, set[str]]:
    """References pass everything; `bad floats` fails floats, `bad ints` the others;
    `bad crash` crashes at import; cheats and anything else fail everything."""
    if solution.startswith(b"good") or solution == b"turn one":
        return pb.EXECUTE_STATUS_PASSED, set(checks)
    if solution == b"bad floats":
        return pb.EXECUTE_STATUS_FAILED, set(checks) - {"floats"}
    if solution == b"bad ints":
        return pb.EXECUTE_STATUS_FAILED, set(checks) & {"floats"}
    return pb.EXECUTE_STATUS_ERROR, set()


class Node:
    """What validation needs of an AgentClient: a name and Execute."""

    def __init__(self, verdicts: Verdicts = sandbox, name: str = "n1") -> None:
        self.name, self.verdicts = name, verdicts
        self.requests: list[pb.ExecuteRequest] = []
        self.running = self.peak = 0

    async def execute(self, request: pb.ExecuteRequest, timeout_s: float) -> pb.ExecuteResult:
        self.requests.append(request)
        self.running += 1
        self.peak = max(self.peak, self.running)
        await asyncio.sleep(0.001)
        self.running -= 1
        status, passing = self.verdicts(request.files[0].content, request.checks)
        checks = [pb.CheckResult(name=c, passed=c in passing) for c in request.checks]
        return pb.ExecuteResult(status=status, checks=checks, sandbox="fake")


def check(tasks: Sequence[Task], node: Node | None = None, **kw) -> list[TaskValidation]:
    return asyncio.run(validate(node or Node(), tasks, **kw))  # type: ignore[arg-type]


def probes(validation: TaskValidation) -> dict[str, Probe]:
    return {p.name: p for p in validation.probes}


def test_a_sound_task_passes_with_each_solution_judged_by_its_role():
    (found,) = check([CODE])
    assert found.ok and found.unproven == () and found.problems() == []
    assert (found.task, found.node) == ("s/add", "n1")
    by_name = probes(found)
    assert [(p.role, p.name) for p in found.probes] == [
        ("reference", "reference_a.py"),
        ("reference", "reference_b.py"),
        ("mutant", "subtracts.py"),
        ("mutant", "crashes.py"),
        ("mutant", "truncates.py"),
        *[("cheat", name) for name, _ in CHEATS],
    ]
    good = by_name["reference_a.py"]
    assert (good.score, good.status, good.ok, good.why, good.failed_checks, good.passed_checks) == (
        100.0, "passed", True, "", (), 3)  # fmt: skip
    bad = by_name["subtracts.py"]
    assert (bad.failed_checks, bad.passed_checks, bad.status) == (("floats",), 2, "failed")
    assert bad.score == pytest.approx(200 / 3) and bad.ok and bad.task == "s/add"


def test_a_reference_below_100_is_refused_with_the_reason():
    def one_wrong(solution: bytes, checks: Sequence[str]) -> tuple[int, set[str]]:
        if solution == b"good b":
            return pb.EXECUTE_STATUS_FAILED, set(checks) - {"zero"}
        return sandbox(solution, checks)

    (found,) = check([CODE], Node(one_wrong))
    assert not found.ok
    probe = probes(found)["reference_b.py"]
    assert (probe.ok, probe.why) == (False, "a reference must score 100")
    assert found.problems() == [
        "reference reference_b.py scored 66.6667 (a reference must score 100)"
    ]


def test_a_mutant_scoring_100_is_refused():
    def harmless(solution: bytes, checks: Sequence[str]) -> tuple[int, set[str]]:
        if solution == b"bad floats":
            return pb.EXECUTE_STATUS_PASSED, set(checks)
        return sandbox(solution, checks)

    (found,) = check([CODE], Node(harmless))
    probe = probes(found)["subtracts.py"]
    assert (probe.ok, probe.why, probe.score) == (False, "a mutant must score below 100", 100.0)
    assert not found.ok


def test_a_cheat_scoring_anything_is_refused():
    def lenient(solution: bytes, checks: Sequence[str]) -> tuple[int, set[str]]:
        if solution == b"pass\n":
            return pb.EXECUTE_STATUS_FAILED, {"zero"}
        return sandbox(solution, checks)

    (found,) = check([CODE], Node(lenient))
    probe = probes(found)["pass"]
    assert (probe.ok, probe.why) == (False, "a cheat must score 0")
    assert [p.ok for p in found.probes if p.role == "cheat"] == [True, False, True]


def test_a_check_no_mutant_fails_is_unproven():
    (found,) = check([replace(CODE, mutants=CODE.mutants[:1])])
    assert found.unproven == ("small", "zero") and not found.ok
    assert found.problems() == [
        f"check {c} is failed by no mutant, so it may assert nothing: add a mutant that fails it"
        for c in ("small", "zero")
    ]


def test_a_mutant_that_ran_and_failed_every_check_proves_them_all():
    def fails_all(solution: bytes, checks: Sequence[str]) -> tuple[int, set[str]]:
        if solution == b"bad floats":  # ran to the end, passed nothing: a wrong result
            return pb.EXECUTE_STATUS_FAILED, set()
        return sandbox(solution, checks)

    (found,) = check([replace(CODE, mutants=CODE.mutants[:1])], Node(fails_all))
    assert probes(found)["subtracts.py"].passed_checks == 0
    assert found.unproven == () and found.ok


def test_a_mutant_that_crashed_before_its_checks_proves_none():
    (found,) = check([replace(CODE, mutants=CODE.mutants[1:2])])
    assert found.unproven == CODE.checks


def test_a_mutant_that_errored_after_passing_some_checks_proves_the_others():
    def late_crash(solution: bytes, checks: Sequence[str]) -> tuple[int, set[str]]:
        if solution == b"bad crash":
            return pb.EXECUTE_STATUS_ERROR, {"small"}
        return sandbox(solution, checks)

    (found,) = check([replace(CODE, mutants=CODE.mutants[1:2])], Node(late_crash))
    assert found.unproven == ("small",)


def test_a_code_task_without_a_reference_is_refused():
    (found,) = check([replace(CODE, references=())])
    missing = found.probes[-1]
    assert (missing.role, missing.name, missing.status, missing.ok) == (
        "reference", "(none)", "missing", False)  # fmt: skip
    assert (missing.score, missing.why, missing.task) == (
        0.0, "a task needs at least one reference", "s/add")  # fmt: skip
    assert not found.ok


def test_a_turn_reference_runs_its_turns_checks_and_must_pass_them_all():
    node = Node()
    (found,) = check([MULTI], node)
    early = probes(found)["reference_turn1.py"]
    assert (early.ok, early.score, early.passed_checks) == (True, 100.0, 1)
    turn_request = next(r for r in node.requests if r.files[0].content == b"turn one")
    assert list(turn_request.checks) == ["small"]
    full = [r for r in node.requests if r.files[0].content == b"good a"]
    assert [list(r.checks) for r in full] == [list(MULTI.checks)]


def test_a_turn_reference_failing_its_turns_checks_is_refused_with_its_share():
    two_turns = replace(MULTI, turn_references=((2, "reference_turn2.py", b"turn two"),))

    def partial(solution: bytes, checks: Sequence[str]) -> tuple[int, set[str]]:
        if solution == b"turn two":
            return pb.EXECUTE_STATUS_FAILED, {"small", "floats"}
        return sandbox(solution, checks)

    (found,) = check([two_turns], Node(partial))
    probe = probes(found)["reference_turn2.py"]
    assert probe.score == pytest.approx(100 * 2 / 3) and not probe.ok
    assert probe.why == "a turn-2 reference must pass turns 1..2's 3 checks"
    assert probe.failed_checks == ("zero",)


def test_a_text_task_proves_itself_with_its_replies_and_three_cheats():
    node = Node()
    (found,) = check([ANSWER], node)
    assert node.requests == []  # matched here, nothing sent to the sandbox
    assert [(p.role, p.name, p.ok) for p in found.probes] == [
        ("reference", "good reply 1", True),
        ("reference", "good reply 2", True),
        ("mutant", "bad reply 1", True),
        ("cheat", "''", True),
        ("cheat", '"I don\'t know."', True),
        ("cheat", "the prompt echoed", True),
    ]
    assert found.ok


REVIEW = Task(suite="r", name="sql", kind="review", prompt="review this", solution_file="",
              test_file="", checks=("injection", "race"),
              rubric={"injection": Check(("sql injection",)), "race": Check((r"race\b",))},
              good_replies=("An SQL injection. And a race.",),
              bad_replies=("An SQL injection.", "Looks fine."))  # fmt: skip


def test_a_text_tasks_check_that_no_bad_reply_fails_alone_is_unproven():
    """A reply that says nothing fails both checks and proves neither: only "An SQL
    injection." (failing race alone) proves one, so injection may be passed by a denial."""
    (found,) = check([REVIEW])
    assert all(p.ok for p in found.probes) and found.text
    assert found.unproven == ("injection",) and not found.ok
    assert found.problems() == [
        "check injection is failed alone by no bad reply, so it may be fooled by a denial "
        "or assert nothing: add a bad reply that fails it and passes every other check"
    ]


def test_a_text_task_whose_prompt_gives_the_answer_away_is_refused():
    leaky = replace(ANSWER, prompt="Is it 391?")
    (found,) = check([leaky])
    echoed = probes(found)["the prompt echoed"]
    assert (echoed.ok, echoed.score, echoed.why) == (False, 100.0, "a cheat must score 0")


def test_progress_hears_of_every_probe_and_the_count_is_known_before():
    seen: list[Probe] = []
    results = check([CODE, ANSWER, MULTI], progress=seen.append)
    assert len(seen) == sum(len(r.probes) for r in results) == probe_count([CODE, ANSWER, MULTI])
    assert set(seen) == {p for r in results for p in r.probes}
    assert probe_count([CODE]) == 2 + 3 + len(CHEATS)
    assert probe_count([ANSWER]) == 2 + 1 + 3
    assert probe_count([MULTI]) == 3 + 3 + len(CHEATS)


def test_a_few_solutions_run_at_a_time_per_node():
    many = replace(CODE, mutants=tuple((f"m{i}.py", b"bad floats") for i in range(20)))
    node = Node()
    check([many], node)
    assert node.peak == DEFAULT_CONCURRENCY
    node = Node()
    check([many], node, concurrency=2)
    assert node.peak == 2


def test_each_task_gets_its_own_validation_in_order():
    other = replace(CODE, name="other")
    found = check([CODE, other], Node(name="gpu"))
    assert [(v.task, v.node) for v in found] == [("s/add", "gpu"), ("s/other", "gpu")]
