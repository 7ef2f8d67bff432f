"""`duo` and `duo calibrate` against in-memory nodes whose models follow a script: the
reviewer's rates measured against what the code really scored, the builder's second
chance, unparsed verdicts, the steps' rounds and parents, multi-turn chains, resume.

Code runs either under a quick rule (smoke/add: right when it adds) or, where the truth
must be the sandbox's own (calibration, multi-turn), in the real sandbox of this machine
(trinity.agent.sandbox, in-process). The real-server runs are in
tests/integration/test_duo.py.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from trinity.agent import convert
from trinity.agent.config import SandboxConfig
from trinity.agent.sandbox import Sandbox
from trinity.controller import bench as bench_module
from trinity.controller import duo_report
from trinity.controller.config import parse_config
from trinity.controller.duo import CalibrationPlan, DuoPlan, run_calibration, run_duo
from trinity.controller.errors import ModelError, NodeUnreachable
from trinity.controller.reviewer import builtin_prompt
from trinity.controller.store import RunRecord, Store
from trinity.controller.suites import load_suite, load_task
from trinity.v1 import agent_pb2 as pb

CONFIG = """
[nodes.a]
address = "127.0.0.1:1"
token_env = "T"

[nodes.b]
address = "127.0.0.1:2"
token_env = "T"

[[models]]
name = "builder"
node = "a"
backend = "llamacpp"
model = "builtin:smollm2"
roles = ["builder"]
concurrency = 2

[[models]]
name = "reviewer"
node = "b"
backend = "llamacpp"
model = "builtin:smollm2"
roles = ["reviewer"]
"""
GOOD = "```python\ndef add(a, b):\n    return a + b\n```"
BAD = "```python\ndef add(a, b):\n    return a - b\n```"
APPROVE = '```json\n{"verdict": "PASS", "findings": []}\n```'
REJECT = (
    'Review:\n{"verdict": "FAIL", "findings": [{"line": 2, "category": "logic", '
    '"severity": "high", "message": "it subtracts"}]}'
)
FEEDBACK_MARK = "A reviewer examined your answer and failed it"
Messages = list[tuple[str, str]]
Script = Callable[[Messages], str]


def always(text: str) -> Script:
    return lambda _messages: text


def fixer(_messages: Messages) -> str:
    """A builder with a planted bug that it fixes once a reviewer says what is wrong."""
    return GOOD if FEEDBACK_MARK in _messages[-1][1] else BAD


def honest(messages: Messages) -> str:
    return REJECT if "a - b" in messages[-1][1] else APPROVE


class Node:
    """What duo needs of an AgentClient: generate answers by each model's script; execute
    runs the code in the real sandbox when given one, else by smoke/add's rule."""

    def __init__(self, name: str, scripts: dict[str, Script], sandbox: Sandbox | None = None):
        self.name = name
        self.scripts = scripts
        self.sandbox = sandbox
        self.requests: list[pb.GenerateRequest] = []
        self.executed: list[pb.ExecuteRequest] = []
        self.unreachable = False
        self.slow = False

    async def list_models(self) -> list[pb.ModelStatus]:
        return [pb.ModelStatus(spec=pb.ModelSpec(name=m), state=pb.MODEL_STATE_READY)
                for m in self.scripts]  # fmt: skip

    async def generate(self, request: pb.GenerateRequest) -> pb.GenerateResult:
        if self.unreachable:
            raise NodeUnreachable(f"node {self.name} is down")
        if self.slow:
            raise ModelError("generation timed out after 5 s")  # the agent's words
        self.requests.append(request)
        await asyncio.sleep(0)
        text = self.scripts[request.model]([(m.role, m.content) for m in request.messages])
        return pb.GenerateResult(text=text, finish_reason="stop", decode_tok_s=40.0,
                                 usage=pb.Usage(prompt_tokens=30, completion_tokens=10),
                                 usage_from_server=True)  # fmt: skip

    async def execute(self, request: pb.ExecuteRequest, timeout_s: float) -> pb.ExecuteResult:
        self.executed.append(request)
        if self.sandbox is not None:
            outcome = await self.sandbox.execute(convert.execute_spec_from_proto(request))
            return convert.execute_outcome_to_proto(outcome)
        solution = request.files[0].content
        right = solution.rstrip().endswith(b"return a + b") or b"operator.add" in solution
        return pb.ExecuteResult(
            status=pb.EXECUTE_STATUS_PASSED if right else pb.EXECUTE_STATUS_FAILED,
            checks=[pb.CheckResult(name=c, passed=right) for c in request.checks],
            sandbox="fake",
        )

    async def close(self) -> None:
        pass


@pytest.fixture
def config(tmp_path: Path):
    return parse_config(CONFIG, "models.toml", base=tmp_path)


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "r.db") as s:
        yield s


@pytest.fixture
def sandbox() -> Sandbox:
    """One per test: its run slots are an asyncio.Queue, bound to one test's event loop."""
    box = Sandbox(SandboxConfig())
    if box.isolation != "bwrap":
        pytest.skip(f"needs bubblewrap for the sandbox's own truth: {box.probe.detail}")
    return box


def nodes(monkeypatch, builder: Script, reviewer: Script, sandbox: Sandbox | None = None):
    a = Node("a", {"builder": builder}, sandbox)
    b = Node("b", {"reviewer": reviewer}, sandbox)

    @contextlib.asynccontextmanager
    async def fake_clients(_config, names) -> AsyncIterator[dict[str, Node]]:
        yield {n: {"a": a, "b": b}[n] for n in names}

    monkeypatch.setattr(bench_module, "clients", fake_clients)
    return a, b


def duo_plan(config, tasks=("smoke/add",), n=2, rounds=2, prompt="empowered") -> DuoPlan:
    builder, reviewer = config.models
    return DuoPlan(tuple(load_task(t) for t in tasks), builder, reviewer, n,
                   builtin_prompt(prompt), rounds, False, None, 90.0)  # fmt: skip


def go(config, store, plan, **kw):
    outcome = asyncio.run(run_duo(config, store, plan, retry_delay_s=0, **kw))
    bench = store.bench_run(outcome.bench_run_id)
    return (
        outcome,
        store.runs(outcome.bench_run_id),
        duo_report.summarise_duo(bench, store.runs(bench.id)),
    )


def chain_of(runs: list[RunRecord], repeat: int) -> list[tuple[str, int, str | None]]:
    """(role, round, verdict or builder score) of one chain, in order."""
    steps = sorted(
        (r for r in runs if r.repeat == repeat), key=lambda r: (r.round, r.role != "reviewer")
    )
    return [(r.role, r.round, r.details.get("verdict") if r.role == "reviewer" else f"{r.score:g}")
            for r in steps]  # fmt: skip


def test_always_approving_reviewer_rubber_stamps_every_failing_code(config, store, monkeypatch):
    nodes(monkeypatch, always(BAD), always(APPROVE))
    outcome, runs, summary = go(config, store, duo_plan(config, n=3))
    assert summary.reviewer.rubber_stamp == duo_report.Rate(3, 3)
    assert summary.reviewer.false_fail == duo_report.Rate(0, 0)
    assert chain_of(runs, 1) == [("builder", 0, "0"), ("reviewer", 1, "PASS")]
    single, pair = summary.modes
    assert (single.mean, pair.mean) == (0.0, 0.0) and pair.passed == duo_report.Rate(0, 3)
    assert outcome.ran == 6 and outcome.failed == 0
    assert store.bench_run(outcome.bench_run_id).kind == "duo"


def test_always_approving_reviewer_never_false_fails(config, store, monkeypatch):
    nodes(monkeypatch, always(GOOD), always(APPROVE))
    _, _runs, summary = go(config, store, duo_plan(config, n=3))
    assert summary.reviewer.false_fail == duo_report.Rate(0, 3)
    assert summary.reviewer.rubber_stamp == duo_report.Rate(0, 0)
    assert summary.modes[1].passed == duo_report.Rate(3, 3)


def test_always_rejecting_reviewer_false_fails_all_perfect_code(config, store, monkeypatch):
    a, b = nodes(monkeypatch, always(GOOD), always(REJECT))
    _, runs, summary = go(config, store, duo_plan(config, n=2, rounds=2))
    assert summary.reviewer.false_fail == duo_report.Rate(4, 4)  # two rounds, two repeats
    assert summary.reviewer.fix == duo_report.Rate(0, 4)  # 100 cannot go higher
    assert chain_of(runs, 2) == [("builder", 0, "100"), ("reviewer", 1, "FAIL"), ("builder", 1, "100"),
                                 ("reviewer", 2, "FAIL"), ("builder", 2, "100")]  # fmt: skip
    steps = {(r.repeat, r.role, r.round): r for r in runs}
    for repeat in (1, 2):
        b0, r1, b1, r2, b2 = (steps[(repeat, role, rnd)] for role, rnd in
                              (("builder", 0), ("reviewer", 1), ("builder", 1), ("reviewer", 2), ("builder", 2)))  # fmt: skip
        assert (b0.parent_id, r1.parent_id, b1.parent_id, r2.parent_id, b2.parent_id) == (
            None, b0.id, r1.id, b1.id, r2.id)  # fmt: skip
        assert [s.details["last"] for s in (b0, r1, b1, r2, b2)] == [False] * 4 + [True]
    assert b.executed == [] and len(a.executed) > 6  # code runs on the builder's node only


def test_builder_that_fixes_its_bug_makes_pair_beat_single(config, store, monkeypatch):
    a, _b = nodes(monkeypatch, fixer, honest)
    _, runs, summary = go(config, store, duo_plan(config, n=2))
    assert chain_of(runs, 1) == [("builder", 0, "0"), ("reviewer", 1, "FAIL"), ("builder", 1, "100"),
                                 ("reviewer", 2, "PASS")]  # fmt: skip
    single, pair = summary.modes
    assert (single.mode, single.mean, pair.mode, pair.mean) == ("single", 0.0, "pair", 100.0)
    assert pair.passed == duo_report.Rate(2, 2) and single.passed == duo_report.Rate(0, 2)
    assert pair.extra_s is not None and pair.extra_tokens == 3 * 40  # three more steps of 40 tokens
    assert summary.reviewer.fix == duo_report.Rate(2, 2)
    assert summary.reviewer.rubber_stamp == duo_report.Rate(0, 2)
    assert summary.reviewer.false_fail == duo_report.Rate(0, 2)
    (row,) = summary.tasks
    assert (row.single, row.final, row.reviews) == ((0.0, 0.0), (100.0, 100.0), 2.0)
    assert dict(row.verdicts) == {"FAIL": 2, "PASS": 2} and dict(row.categories) == {"logic": 2}
    second_try = [r for r in a.requests if FEEDBACK_MARK in r.messages[-1].content]
    assert len(second_try) == 2
    sent = [(m.role, m.content) for m in second_try[0].messages]
    assert sent[1] == ("assistant", BAD) and "line 2 (logic, high): it subtracts" in sent[2][1]


def test_a_text_task_is_reviewed_and_answered_again_the_same_way(config, store, monkeypatch):
    def builder(messages: Messages) -> str:
        return "Answer: W" if FEEDBACK_MARK in messages[-1][1] else "Answer: Tu"

    def reviewer(messages: Messages) -> str:
        return REJECT if "Answer: Tu" in messages[-1][1] else APPROVE

    a, b = nodes(monkeypatch, builder, reviewer)
    _, runs, summary = go(
        config, store, duo_plan(config, tasks=("factual_english/tungsten_symbol",), n=1)
    )
    assert chain_of(runs, 1) == [("builder", 0, "0"), ("reviewer", 1, "FAIL"), ("builder", 1, "100"),
                                 ("reviewer", 2, "PASS")]  # fmt: skip
    assert a.executed == [] and b.executed == []  # matched on the controller, as in bench
    assert "reply with the complete corrected answer" in a.requests[1].messages[-1].content
    assert (summary.modes[0].mean, summary.modes[1].mean) == (0.0, 100.0)


def test_reviewer_sees_the_task_and_code_never_the_tests_or_the_score(config, store, monkeypatch):
    _, b = nodes(monkeypatch, fixer, honest)
    go(config, store, duo_plan(config, n=1))
    task = load_task("smoke/add")
    hidden = task.files[0][1].decode()
    for request in b.requests:
        (message,) = request.messages
        assert task.prompt.strip() in message.content and "return a" in message.content
        assert hidden not in message.content and "check_" not in message.content
        assert "score" not in message.content.lower() and "passed" not in message.content.lower()


def test_reply_without_json_is_unparsed_counted_apart_and_ends_the_turn(config, store, monkeypatch):
    nodes(monkeypatch, always(BAD), always("The code looks fine to me."))
    _, runs, summary = go(config, store, duo_plan(config, n=2))
    assert chain_of(runs, 1) == [("builder", 0, "0"), ("reviewer", 1, None)]
    review = next(r for r in runs if r.role == "reviewer")
    assert review.outcome == "extraction_failed" and review.details["unparsed"] is True
    assert review.details["prompt"] == "empowered" and review.details["prompt_hash"]
    quality = summary.reviewer
    assert (quality.unparsed, quality.reviews) == (2, 2)
    assert quality.rubber_stamp == duo_report.Rate(0, 0)  # not an approval
    assert dict(summary.tasks[0].verdicts) == {"unparsed": 2}


def test_a_review_past_its_deadline_is_no_verdict_and_says_so(config, store, monkeypatch):
    _, b = nodes(monkeypatch, always(BAD), always(APPROVE))
    b.slow = True
    _, runs, summary = go(config, store, duo_plan(config, n=2))
    assert chain_of(runs, 1) == [("builder", 0, "0"), ("reviewer", 1, None)]
    assert {r.outcome for r in runs if r.role == "reviewer"} == {"timeout"}
    quality = summary.reviewer
    assert (quality.unparsed, quality.timeouts, quality.no_verdict) == (
        2,
        2,
        "2 of 2 (2 timed out)",
    )
    assert quality.rubber_stamp == duo_report.Rate(0, 0)


def test_resume_after_the_reviewer_node_failed_redoes_only_what_is_missing(
    config, store, monkeypatch
):
    a, b = nodes(monkeypatch, fixer, honest)
    b.unreachable = True
    first, runs, summary = go(config, store, duo_plan(config, n=2))
    assert first.failed == 2 and summary.chains_done == 0 and summary.unfinished == 2
    assert sorted((r.role, r.round, r.outcome) for r in runs) == [
        ("builder", 0, "scored"), ("builder", 0, "scored"),
        ("reviewer", 1, "infra_error"), ("reviewer", 1, "infra_error")]  # fmt: skip
    assert store.bench_run(first.bench_run_id).status == "finished"
    builds_before = {r.key: (r.finished_at, r.response) for r in runs if r.role == "builder"}
    b.unreachable = False
    plan = duo_plan(config, n=2)
    again, runs, summary = go(config, store, plan, resume=first.bench_run_id)
    assert again.bench_run_id == first.bench_run_id and again.skipped == 0
    assert len(a.requests) == 2 + 2  # the two first answers, then only the two fixes
    assert len(runs) == 8 and len({r.key for r in runs}) == 8
    assert all(r.outcome != "infra_error" for r in runs)
    for key, before in builds_before.items():
        kept = next(r for r in runs if r.key == key)
        assert (kept.finished_at, kept.response) == before
    assert summary.chains_done == 2 and summary.modes[1].mean == 100.0
    third, _, _ = go(config, store, plan, resume=first.bench_run_id)
    assert (third.ran, third.skipped) == (0, 2)


def test_calibrate_always_approve_on_coding_basics_rubber_stamps_every_mutant(
    config, store, monkeypatch, sandbox
):
    _, b = nodes(monkeypatch, always(GOOD), always(APPROVE), sandbox)
    tasks = tuple(load_suite("coding_basics"))
    mutants = sum(len(t.mutants) for t in tasks)
    references = sum(len(t.references) for t in tasks)
    _, reviewer = config.models
    plan = CalibrationPlan(tasks, reviewer, (builtin_prompt("verify"), builtin_prompt("empowered")))
    outcome = asyncio.run(run_calibration(config, store, plan, retry_delay_s=0))
    bench = store.bench_run(outcome.bench_run_id)
    summary = duo_report.summarise_calibration(bench, store.runs(bench.id))
    assert bench.kind == "calibrate" and outcome.refused == {}
    assert (summary.mutants, summary.references) == (mutants, references)
    assert [p.prompt for p in summary.prompts] == ["verify", "empowered"]
    for prompt in summary.prompts:
        assert prompt.rubber_stamp == duo_report.Rate(mutants, mutants)
        assert prompt.false_fail == duo_report.Rate(0, references)
        assert prompt.unparsed == 0
    assert len(b.requests) == 2 * (mutants + references) and outcome.ran == len(b.requests)
    shown = [r.messages[0].content for r in b.requests]
    assert not any("# forgot to sort" in text for text in shown)  # a mutant's own comment
    assert not any("check_" in text for text in shown)
    runs = store.runs(bench.id)
    truth = {
        (r.task, r.details["item"]): (r.details["truth"], r.details["code_score"]) for r in runs
    }
    assert all((kind == "reference") == (score == 100.0) for kind, score in truth.values())


def test_calibrate_always_reject_false_fails_every_reference(config, store, monkeypatch, sandbox):
    nodes(monkeypatch, always(GOOD), always(REJECT), sandbox)
    task = load_task("smoke/add")
    _, reviewer = config.models
    plan = CalibrationPlan((task,), reviewer, (builtin_prompt("verify"),), n=2)
    outcome = asyncio.run(run_calibration(config, store, plan, retry_delay_s=0))
    summary = duo_report.summarise_calibration(store.bench_run(outcome.bench_run_id),
                                               store.runs(outcome.bench_run_id))  # fmt: skip
    (prompt,) = summary.prompts
    assert prompt.false_fail == duo_report.Rate(2 * len(task.references), 2 * len(task.references))
    assert prompt.rubber_stamp == duo_report.Rate(0, 2 * len(task.mutants))


def test_multi_turn_task_runs_the_loop_at_every_turn(config, store, monkeypatch, sandbox):
    task = load_task("coding_multiturn/inventory")
    reference = dict(task.references)["reference_dicts.py"].decode()
    stub = "class Inventory:\n    pass\n"

    def builder(messages: Messages) -> str:
        return f"```python\n{reference if FEEDBACK_MARK in messages[-1][1] else stub}```"

    def reviewer(messages: Messages) -> str:
        return REJECT if "    pass\n```" in messages[-1][1] else APPROVE

    a, b = nodes(monkeypatch, builder, reviewer, sandbox)
    _, runs, summary = go(
        config, store, duo_plan(config, tasks=("coding_multiturn/inventory",), n=1)
    )
    steps = chain_of(runs, 1)
    turns = len(task.turns)
    assert [s[:2] for s in steps] == [
        (role, rnd) for t in range(turns) for role, rnd in
        (("builder", 2 * t), ("reviewer", 2 * t + 1), ("builder", 2 * t + 1), ("reviewer", 2 * t + 2))]  # fmt: skip
    assert [s[2] for s in steps if s[0] == "reviewer"] == ["FAIL", "PASS"] * turns
    assert steps[-2][2] == "100"  # the last builder run holds the whole task at its final code
    (mode_single, mode_multi) = summary.modes
    assert (mode_multi.mode, mode_multi.mean, mode_single.mean) == ("multi-step", 100.0, 0.0)
    firsts = [r for r in a.requests if FEEDBACK_MARK not in r.messages[-1].content]
    turn2 = [(m.role, m.content) for m in firsts[1].messages]
    assert turn2[1] == ("assistant", f"```python\n{reference}```")  # the turn's final answer
    assert "Request 2 of the conversation" in b.requests[2].messages[0].content
    fixed = [r for r in runs if r.role == "builder" and r.details["attempt"] == 1]
    assert [r.details["turn"] for r in fixed] == list(range(1, turns + 1))
    assert all(r.details["turn_score"] == 100.0 for r in fixed)


def test_duo_report_renders_every_format_and_compare_reads_it(config, store, monkeypatch):
    nodes(monkeypatch, fixer, honest)
    outcome, runs, _summary = go(config, store, duo_plan(config, n=2))
    bench = store.bench_run(outcome.bench_run_id)
    md = duo_report.render(bench, runs, "md")
    assert "| pair | 1 | 2 of 2 runs (100.0 %) | 100.0 |" in md and "| rubber-stamp | 0 of 2" in md
    page = duo_report.render(bench, runs, "html")
    for anchor in ("id=heatmap", "id=duo-modes", "id=duo-tasks", "id=duo-reviewer", "smoke/add"):
        assert anchor in page
    data = duo_report.as_json(bench, runs)
    assert data["reviewer"]["fix"] == {"hits": 2, "of": 2, "rate": 100.0}
    assert [m["mode"] for m in data["modes"]] == ["single", "pair"]
    as_bench = duo_report.as_bench_report(bench, runs)
    means = {s.model: s.mean for v in as_bench.verdicts for s in v.stats}
    assert means == {"a/builder [single]": 0.0, "a/builder [pair]": 100.0}


# ---------------------------------------------------------------- the command line


@pytest.fixture
def cli(tmp_path: Path, monkeypatch):
    """Run trinityctl in-process on CONFIG with a fresh results database."""
    from trinity.controller import cli as cli_module
    from typer.testing import CliRunner

    (tmp_path / "models.toml").write_text(CONFIG)
    monkeypatch.setattr(cli_module.out, "width", 250)
    monkeypatch.delenv("TRINITY_DEBUG", raising=False)
    runner = CliRunner()
    base = ["--config", str(tmp_path / "models.toml"), "--db", str(tmp_path / "cli.db")]

    def invoke(*args: str, with_config: bool = True):
        extra = base if with_config else base[2:]
        return runner.invoke(cli_module.app, [*args, *extra])

    return invoke


def test_duo_command_prints_the_three_tables_and_report_reads_them(cli, monkeypatch, tmp_path):
    nodes(monkeypatch, fixer, honest)
    done = cli("duo", "smoke", "-n", "2")
    assert done.exit_code == 0, done.output
    for text in ("Mode", "single", "pair", "per task: single → pair", "smoke/add", "rubber-stamp",
                 "false-fail", "fix", "2 of 2 (100.0 %)", "unparsed", "2 of 2 chains finished"):  # fmt: skip
        assert text in done.stdout, text
    page = tmp_path / "duo.html"
    shown = cli("report", "last", "--format", "html", "-o", str(page), with_config=False)
    assert shown.exit_code == 0, shown.output
    assert "id=duo-reviewer" in page.read_text()
    table = cli("report", "last", with_config=False)
    assert table.exit_code == 0 and "per task: single → pair" in table.stdout
    with Store(tmp_path / "cli.db") as store:
        (duo,) = store.bench_runs()
    same = cli("compare", duo.id, duo.id, with_config=False)
    assert same.exit_code == 0 and "no changes" in same.stdout


def test_calibrate_command_prints_one_column_per_prompt(cli, monkeypatch, sandbox):
    nodes(monkeypatch, always(GOOD), always(APPROVE), sandbox)
    done = cli("duo", "calibrate", "smoke", "--reviewer", "b/reviewer", "--json")
    assert done.exit_code == 0, done.output
    import json

    data = json.loads(done.stdout)
    assert [p["prompt"] for p in data["prompts"]] == ["verify", "empowered"]
    mutants = len(load_task("smoke/add").mutants)
    assert all(
        p["rubber_stamp"] == {"hits": mutants, "of": mutants, "rate": 100.0}
        for p in data["prompts"]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["duo"], "name what to run: suites, categories or all (or `calibrate`)"),
        (["duo", "nosuch"], "no suite or category named 'nosuch'"),
        (["duo", "smoke", "--builder", "ghost"], "unknown model 'ghost' in --models"),
        (
            ["duo", "smoke", "--reviewer-prompt", "nofile.md"],
            "--reviewer-prompt 'nofile.md' is neither",
        ),
        (
            ["duo", "smoke", "--reviewer-prompt", "verify,empowered"],
            "a duo takes one --reviewer-prompt",
        ),
        (
            ["duo", "smoke", "--builder-thinking", "maybe"],
            "--builder-thinking 'maybe': use on or off",
        ),
        (["duo", "calibrate", "--builder", "a/builder"], "--builder: a calibration has no builder"),
        (["duo", "calibrate", "factual_english"], "no code task selected"),
        (
            ["duo", "smoke", "--resume", "20990101-000000-0000"],
            "--resume runs it exactly as it began",
        ),
        (["duo", "--resume", "20990101-000000-0000"], "no bench run '20990101-000000-0000'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, args, message):
    done = cli(*args)
    assert done.exit_code == 2, done.output
    first = done.stderr.strip().splitlines()[0]
    assert first.startswith("error: ") and message in first


def test_resuming_a_plain_bench_as_a_duo_is_refused(cli, tmp_path):
    with Store(tmp_path / "cli.db") as store:
        bench = store.new_bench_run([], {"tasks": []}, {})
    done = cli("duo", "--resume", bench.id)
    assert done.exit_code == 2 and f"{bench.id} is a bench, not a duo" in done.stderr


def test_without_roles_or_flags_there_is_no_builder(tmp_path, monkeypatch):
    from trinity.controller.duo import pick_model
    from trinity.controller.errors import SelectionError

    bare = parse_config(CONFIG.replace('roles = ["builder"]\n', ""), "models.toml", base=tmp_path)
    with pytest.raises(SelectionError, match=r"no builder: no model in models\.toml has roles"):
        pick_model(bare, None, "builder")
    assert pick_model(bare, None, "reviewer").key == "b/reviewer"
    assert pick_model(bare, "builder", "builder").key == "a/builder"
