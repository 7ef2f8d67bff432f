"""bench orchestration against an in-memory node: outcomes, retries, refusals, resume,
multi-turn conversations and the thinking A/B. The real-server runs are in
tests/integration/test_bench.py."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from trinity.controller import bench as bench_module
from trinity.controller.bench import BenchError, Plan, parse_thinking, run_bench
from trinity.controller.config import parse_config
from trinity.controller.consensus import Verdict
from trinity.controller.errors import AgentDeadline, ModelError, NodeUnreachable, SelectionError
from trinity.controller.generation import run_seed
from trinity.controller.redact import scrub
from trinity.controller.scheduler import InfraError
from trinity.controller.store import Store
from trinity.controller.suites import load_task
from trinity.v1 import agent_pb2 as pb

CONFIG = """
[nodes.a]
address = "127.0.0.1:1"
token_env = "T"

[nodes.b]
address = "127.0.0.1:2"
token_env = "T"

[[models]]
name = "m"
node = "a"
backend = "llamacpp"
model = "builtin:smollm2"
label = "Model A"
concurrency = 2

[[models]]
name = "m"
node = "b"
backend = "llamacpp"
model = "builtin:smollm2"
"""
GOOD = "```python\ndef add(a, b):\n    return a + b\n```"
BAD = "```python\ndef add(a, b):\n    return a - b\n```"
Reply = Callable[[pb.GenerateRequest], pb.GenerateResult]


def result(text: str, finish: str = "stop", reasoning: str = "") -> pb.GenerateResult:
    return pb.GenerateResult(
        text=text,
        reasoning=reasoning,
        finish_reason=finish,
        usage=pb.Usage(prompt_tokens=10, completion_tokens=20),
        ttft_s=0.05,
        decode_tok_s=40.0,
        usage_from_server=True,
    )


class FakeNode:
    """What bench needs of an AgentClient. Its Execute runs nothing: it passes every
    check of a solution ending in `return a + b` or using operator.add (smoke/add's
    references and a right answer), and fails everything else (the mutants, a wrong answer)."""

    def __init__(self, name: str, reply: Reply, ready: bool = True) -> None:
        self.name = name
        self.reply = reply
        self.ready = ready
        self.requests: list[pb.GenerateRequest] = []
        self.executed: list[pb.ExecuteRequest] = []
        self.broken_sandbox = False

    async def list_models(self) -> list[pb.ModelStatus]:
        state = pb.MODEL_STATE_READY if self.ready else pb.MODEL_STATE_STARTING
        return [pb.ModelStatus(spec=pb.ModelSpec(name="m"), state=state)]

    async def generate(self, request: pb.GenerateRequest) -> pb.GenerateResult:
        self.requests.append(request)
        await asyncio.sleep(0)
        return self.reply(request)

    async def execute(self, request: pb.ExecuteRequest, timeout_s: float) -> pb.ExecuteResult:
        self.executed.append(request)
        solution = request.files[0].content
        correct = solution.rstrip().endswith(b"return a + b") or b"operator.add" in solution
        if self.broken_sandbox:
            correct = False
        checks = [pb.CheckResult(name=c, passed=correct) for c in request.checks]
        return pb.ExecuteResult(
            status=pb.EXECUTE_STATUS_PASSED if correct else pb.EXECUTE_STATUS_FAILED,
            checks=checks,
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


def install(monkeypatch: pytest.MonkeyPatch, nodes: dict[str, FakeNode]) -> None:
    @contextlib.asynccontextmanager
    async def fake_clients(_config, names) -> AsyncIterator[dict[str, FakeNode]]:
        yield {n: nodes[n] for n in names}

    monkeypatch.setattr(bench_module, "clients", fake_clients)


def plan(config, tasks=("smoke/add",), n=2, thinking=(None,)) -> Plan:
    return Plan(tuple(load_task(t) for t in tasks), config.models, n, thinking, 90.0)


def go(config, store, the_plan, **kw):
    return asyncio.run(run_bench(config, store, the_plan, retry_delay_s=0, **kw))


def test_every_run_is_scored_stored_and_voted(config, store, monkeypatch):
    a = FakeNode("a", lambda r: result(GOOD))
    b = FakeNode("b", lambda r: result(BAD))
    install(monkeypatch, {"a": a, "b": b})
    out = go(config, store, plan(config))
    runs = store.runs(out.bench_run_id)
    assert len(runs) == 4 and {r.outcome for r in runs} == {"scored"}
    assert {(r.model, r.score) for r in runs} == {("a/m", 100.0), ("b/m", 0.0)}
    (verdict,) = out.verdicts
    assert verdict.verdict == Verdict.MINORITY
    assert [s.mean for s in verdict.stats] == [100.0, 0.0]
    run = next(r for r in runs if r.model == "a/m")
    assert run.code is not None and "a + b" in run.code
    assert run.extraction_rule and run.task_hash == load_task("smoke/add").hash
    assert run.prompt[0]["content"] == load_task("smoke/add").prompt
    assert run.completion_tokens == 20 and run.decode_tok_s == 40.0
    assert store.bench_run(out.bench_run_id).status == "finished"
    # Pre-flight ran the task's own solutions on both nodes before any model was asked.
    assert len(a.executed) > 2 and len(b.executed) > 2


def test_reasoning_is_removed_before_extraction(config, store, monkeypatch):
    trap = "<think>first try:\n```python\ndef add(a, b):\n    return a - b\n```\n</think>\n" + GOOD
    install(
        monkeypatch,
        {"a": FakeNode("a", lambda r: result(trap)), "b": FakeNode("b", lambda r: result(GOOD))},
    )
    out = go(config, store, plan(config, n=1))
    run = next(r for r in store.runs(out.bench_run_id) if r.model == "a/m")
    assert run.score == 100.0 and run.reasoning_rule == "think_block"
    assert "a - b" in run.reasoning and "a - b" not in (run.code or "")


def test_truncated_and_no_code_are_outcomes_of_their_own(config, store, monkeypatch):
    install(monkeypatch, {
        "a": FakeNode("a", lambda r: result("```python\ndef add(a, b):\n    return a +", "length")),
        "b": FakeNode("b", lambda r: result("I would rather not write code today.")),
    })  # fmt: skip
    out = go(config, store, plan(config, n=1))
    outcomes = {r.model: (r.outcome, r.score) for r in store.runs(out.bench_run_id)}
    assert outcomes == {"a/m": ("truncated", 0.0), "b/m": ("extraction_failed", 0.0)}


def test_generation_timeout_is_a_result_and_not_retried(config, store, monkeypatch):
    def slow(_r):
        raise ModelError("node a: model m: generation timed out after 205s")

    node = FakeNode("a", slow)
    install(monkeypatch, {"a": node, "b": FakeNode("b", lambda r: result(GOOD))})
    out = go(config, store, plan(config, n=1))
    run = next(r for r in store.runs(out.bench_run_id) if r.model == "a/m")
    assert (run.outcome, run.score) == ("timeout", 0.0)
    assert len(node.requests) == 1


def test_infra_failure_is_retried_then_stored_as_incomplete(config, store, monkeypatch):
    calls = {"n": 0}

    def flaky(_r):
        calls["n"] += 1
        if calls["n"] == 1:
            raise NodeUnreachable("node a unreachable")
        return result(GOOD)

    def down(_r):
        raise NodeUnreachable("node b unreachable")

    install(monkeypatch, {"a": FakeNode("a", flaky), "b": FakeNode("b", down)})
    out = go(config, store, plan(config, n=1))
    runs = {r.model: r for r in store.runs(out.bench_run_id)}
    assert runs["a/m"].outcome == "scored" and runs["a/m"].attempt == 2
    assert runs["b/m"].outcome == "infra_error" and runs["b/m"].attempt == 3
    assert "unreachable" in runs["b/m"].sandbox["error"]
    assert out.verdicts[0].verdict == Verdict.INCOMPLETE
    assert (out.ran, out.failed) == (2, 1)  # what makes `bench` exit 1


def test_a_sandbox_failure_after_the_answer_scores_that_answer_again_without_asking_again(
    config, store, monkeypatch
):
    """The model answered and the node's sandbox then failed: the retry scores the same
    answer (a peer would bill twice, a local model spend its time twice), and the run's
    wall time still counts what the answer took."""

    def slow(_r):
        time.sleep(0.3)
        return result(GOOD)

    node = FakeNode("a", slow)
    execute, failed = node.execute, []

    async def execute_once_broken(request, timeout_s):
        if node.requests and not failed:  # after pre-flight, the first run's scoring
            failed.append(request)
            raise NodeUnreachable("node a unreachable")
        return await execute(request, timeout_s)

    node.execute = execute_once_broken  # type: ignore[method-assign]
    install(monkeypatch, {"a": node, "b": FakeNode("b", lambda r: result(GOOD))})
    out = go(config, store, plan(config, n=1))
    run = next(r for r in store.runs(out.bench_run_id) if r.model == "a/m")
    assert (run.outcome, run.score, run.attempt) == ("scored", 100.0, 2)
    assert len(node.requests) == 1 and failed
    assert run.finished_at - run.started_at >= 0.3


def test_low_score_is_never_retried(config, store, monkeypatch):
    node = FakeNode("a", lambda r: result(BAD))
    install(monkeypatch, {"a": node, "b": FakeNode("b", lambda r: result(BAD))})
    go(config, store, plan(config, n=1))
    assert len(node.requests) == 1


def test_task_failing_its_own_validation_is_refused_with_the_reason(config, store, monkeypatch):
    a, b = FakeNode("a", lambda r: result(GOOD)), FakeNode("b", lambda r: result(GOOD))
    b.broken_sandbox = True  # references score 0 there
    install(monkeypatch, {"a": a, "b": b})
    the_plan = plan(config, tasks=("smoke/add", "factual_english/tungsten_symbol"), n=1)
    out = go(config, store, the_plan)
    assert list(out.refused) == ["smoke/add"]
    assert any("on b: reference" in p and "must score 100" in p for p in out.refused["smoke/add"])
    assert {r.task for r in store.runs(out.bench_run_id)} == {"factual_english/tungsten_symbol"}
    assert [v.task for v in out.verdicts] == ["factual_english/tungsten_symbol"]
    assert store.bench_run(out.bench_run_id).selection["refused"]["smoke/add"]


def test_nothing_runnable_is_a_one_line_error(config, store, monkeypatch):
    a, b = FakeNode("a", lambda r: result(GOOD)), FakeNode("b", lambda r: result(GOOD))
    a.broken_sandbox = True
    install(monkeypatch, {"a": a, "b": b})
    with pytest.raises(BenchError, match="every selected task failed its own validation"):
        go(config, store, plan(config))
    assert store.bench_runs() == []


def test_model_not_ready_is_refused_before_anything_runs(config, store, monkeypatch):
    a = FakeNode("a", lambda r: result(GOOD), ready=False)
    install(monkeypatch, {"a": a, "b": FakeNode("b", lambda r: result(GOOD))})
    with pytest.raises(BenchError, match=r"model a/m is not ready \(starting\)") as info:
        go(config, store, plan(config))
    assert info.value.hint == "trinityctl up --models a/m"
    assert a.requests == [] and store.bench_runs() == []


def test_resume_redoes_only_what_did_not_finish(config, store, monkeypatch):
    replies = {"n": 0}

    def counting(_r):
        replies["n"] += 1
        return result(GOOD)

    def down(_r):
        raise NodeUnreachable("node b unreachable")

    install(monkeypatch, {"a": FakeNode("a", counting), "b": FakeNode("b", down)})
    the_plan = plan(config, n=2)
    first = go(config, store, the_plan)
    assert replies["n"] == 2
    before = {r.key: r for r in store.runs(first.bench_run_id) if r.outcome == "scored"}
    # Node b is back: resume asks b twice and a never again.
    install(monkeypatch, {"a": FakeNode("a", counting), "b": FakeNode("b", counting)})
    second = go(config, store, the_plan, resume=first.bench_run_id)
    assert second.bench_run_id == first.bench_run_id
    assert replies["n"] == 4 and second.ran == 2 and second.skipped == 2
    after = {r.key: r for r in store.runs(first.bench_run_id)}
    assert len(after) == 4 and all(r.outcome == "scored" for r in after.values())
    assert all(after[k].finished_at == before[k].finished_at for k in before)
    assert second.verdicts[0].verdict == Verdict.UNANIMOUS


def test_multi_turn_keeps_the_conversation_and_scores_each_turn_on_its_checks(
    config, store, monkeypatch
):
    task = load_task("coding_multiturn/shopping_cart")
    seen: list[list[str]] = []

    def reply(request: pb.GenerateRequest) -> pb.GenerateResult:
        seen.append([m.role for m in request.messages])
        return result(f"```python\nclass Cart:\n    turn = {len(request.messages) // 2 + 1}\n```")

    node = FakeNode("a", reply)
    install(monkeypatch, {"a": node, "b": FakeNode("b", reply)})
    the_plan = Plan((task,), config.models[:1], 1)
    monkeypatch.setattr(bench_module, "preflight", _no_refusals)
    out = go(config, store, the_plan)
    assert seen == [
        ["user"],
        ["user", "assistant", "user"],
        ["user", "assistant", "user", "assistant", "user"],
    ]
    assert [list(e.checks) for e in node.executed] == [list(c) for _, c in task.turns]
    assert [e.files[0].content.decode().split("= ")[-1].strip() for e in node.executed] == [
        "1",
        "2",
        "3",
    ]
    (run,) = store.runs(out.bench_run_id)
    assert run.declared == len(task.checks) == len(run.checks)
    assert [c["name"] for c in run.checks] == list(task.checks)
    assert len(run.prompt) == 6 and run.prompt[1]["role"] == "assistant"


async def _no_refusals(*_args, **_kw):
    return {}


def test_thinking_ab_runs_both_and_gives_each_its_column(config, store, monkeypatch):
    node = FakeNode("a", lambda r: result(GOOD if r.enable_thinking else BAD))
    install(monkeypatch, {"a": node, "b": FakeNode("b", lambda r: result(GOOD))})
    the_plan = plan(config, n=1, thinking=parse_thinking("on,off"))
    out = go(config, store, the_plan)
    assert sorted(r.HasField("enable_thinking") and r.enable_thinking for r in node.requests) == [
        False,
        True,
    ]
    stats = {s.model: s.mean for s in out.verdicts[0].stats}
    assert stats == {
        "a/m [thinking on]": 100.0,
        "a/m [thinking off]": 0.0,
        "b/m [thinking on]": 100.0,
        "b/m [thinking off]": 100.0,
    }
    assert the_plan.titles()["a/m [thinking on]"] == "Model A [thinking on]"
    # Stored in configured order, which sorted JSON keys would lose (b/m before a/m...).
    stored = bench_module.stored_titles(store.bench_run(out.bench_run_id).selection)
    assert list(stored) == the_plan.columns() == list(stats)


@pytest.mark.parametrize("value", ["maybe", "on,on", ""])
def test_bad_thinking_values_are_one_line(value):
    with pytest.raises(SelectionError, match="--thinking"):
        parse_thinking(value)


def test_thinking_values_parse_in_order_and_ignore_a_trailing_comma():
    assert parse_thinking("off,on") == (False, True)
    assert parse_thinking("on,") == (True,)
    assert parse_thinking(None) == (None,)


def test_resume_refuses_a_task_that_changed(config, store, monkeypatch):
    install(
        monkeypatch,
        {"a": FakeNode("a", lambda r: result(GOOD)), "b": FakeNode("b", lambda r: result(GOOD))},
    )
    out = go(config, store, plan(config, n=1))
    selection = dict(store.bench_run(out.bench_run_id).selection)
    selection["task_hashes"] = {"smoke/add": "0000"}
    with pytest.raises(BenchError, match="task smoke/add changed since this bench began"):
        bench_module.plan_from_selection(config, selection)


@pytest.mark.parametrize(
    ("edit", "refused"),
    [
        ('label = "Model B"', None),  # how it is shown
        ("concurrency = 4", None),  # how it is paced
        ("sampling = { temperature = 0.9 }",
         "model a/m changed since this bench began (sampling.temperature None → 0.9)"),
        ("thinking = true", "model a/m changed since this bench began (thinking None → True)"),
        ('quantization = "Q8_0"',
         "model a/m changed since this bench began (quantization '' → 'Q8_0')"),
    ],
)  # fmt: skip
def test_resume_refuses_a_model_that_would_now_answer_differently(
    config, store, monkeypatch, tmp_path, edit, refused
):
    """A resumed bench whose model now samples differently would mix two benches in one
    table: refused, naming the change; a label or a concurrency may change."""
    install(monkeypatch, {n: FakeNode(n, lambda r: result(GOOD)) for n in "ab"})
    out = go(config, store, plan(config, n=1))
    stored = store.bench_run(out.bench_run_id)
    first = CONFIG.replace('label = "Model A"\nconcurrency = 2', "")  # a/m as a bare model
    first = first.replace('model = "builtin:smollm2"', 'model = "builtin:smollm2"\n' + edit, 1)
    today = parse_config(first, "models.toml", base=tmp_path)
    if refused is None:
        resumed = bench_module.plan_from_selection(today, stored.selection, stored.config)
        assert [m.key for m in resumed.models] == ["a/m", "b/m"]
    else:
        with pytest.raises(BenchError, match=re.escape(refused)):
            bench_module.plan_from_selection(today, stored.selection, stored.config)


@pytest.mark.parametrize(
    ("then", "now", "refused"),
    [
        ('api_key_env = "KEY_A"', 'api_key_env = "KEY_B"', ""),  # another account's key
        ('model = "claude-a"', 'model = "claude-b"', "model 'claude-a' → 'claude-b'"),
    ],
)
def test_resume_of_a_peer_refuses_another_model_not_another_key(tmp_path, then, now, refused):
    peer = ('[[peers]]\nname = "claude-api"\nbackend = "anthropic"\nmodel = "claude-a"\n'
            'api_key_env = "KEY_A"\n')  # fmt: skip
    before = parse_config(CONFIG + peer, "models.toml", base=tmp_path)
    snapshot = scrub(bench_module.config_snapshot(before, before.peers))
    today = parse_config(CONFIG + peer.replace(then, now), "models.toml", base=tmp_path)
    if not refused:
        bench_module.unchanged_since(today, ["claude-api"], snapshot)
        return
    with pytest.raises(BenchError, match=re.escape(refused)):
        bench_module.unchanged_since(today, ["claude-api"], snapshot)


def test_resume_refuses_a_changed_default_sampling(config, store, monkeypatch, tmp_path):
    install(monkeypatch, {n: FakeNode(n, lambda r: result(GOOD)) for n in "ab"})
    out = go(config, store, plan(config, n=1))
    stored = store.bench_run(out.bench_run_id)
    today = parse_config(CONFIG + "[defaults]\nsampling = { top_p = 0.5 }\n", "models.toml",
                         base=tmp_path)  # fmt: skip
    with pytest.raises(BenchError, match=r"default sampling changed .*top_p None → 0.5"):
        bench_module.plan_from_selection(today, stored.selection, stored.config)


def test_validation_runs_a_turn_reference_on_its_turns_checks_only():
    from dataclasses import replace

    from trinity.controller.validation import validate

    task = load_task("coding_multiturn/shopping_cart")
    first = task.turns[0][1]
    early = replace(task, references=(), mutants=(),
                    turn_references=((1, "reference_turn1_x.py", b"return a + b\n"),))  # fmt: skip
    node = FakeNode("a", lambda r: result(GOOD))
    (validation,) = asyncio.run(validate(node, [early]))
    probe = next(p for p in validation.probes if p.name == "reference_turn1_x.py")
    assert probe.ok and probe.score == 100.0
    assert list(node.executed[0].checks) == list(first)
    node.broken_sandbox = True
    (validation,) = asyncio.run(validate(node, [early]))
    probe = next(p for p in validation.probes if p.name == "reference_turn1_x.py")
    assert not probe.ok and "turn-1 reference must pass turns 1..1" in probe.why


def test_validation_refuses_a_check_that_no_mutant_fails():
    from trinity.controller.validation import validate

    task = load_task("smoke/add")
    assert len(task.checks) > 1 and task.mutants
    (proven,) = asyncio.run(validate(FakeNode("a", lambda r: result(GOOD)), [task]))
    assert proven.ok and proven.unproven == ()
    vacuous = task.checks[-1]

    class AssertsNothing(FakeNode):
        """One check passes whatever the solution: it asserts nothing."""

        async def execute(self, request, timeout_s):
            out = await super().execute(request, timeout_s)
            for check in out.checks:
                check.passed = check.passed or check.name == vacuous
            return out

    (validation,) = asyncio.run(validate(AssertsNothing("a", lambda r: result(GOOD)), [task]))
    assert validation.unproven == (vacuous,) and not validation.ok
    assert f"check {vacuous} is failed by no mutant" in " ".join(validation.problems())
    assert all(p.ok for p in validation.probes if p.role != "cheat")  # mutants still < 100


def test_a_mutant_that_crashes_before_its_checks_proves_none_of_them():
    from trinity.controller.validation import validate

    task = load_task("smoke/add")

    class CrashesAtImport(FakeNode):
        async def execute(self, request, timeout_s):
            out = await super().execute(request, timeout_s)
            if out.status == pb.EXECUTE_STATUS_FAILED:  # every mutant: an error, nothing ran
                out.status = pb.EXECUTE_STATUS_ERROR
            return out

    (validation,) = asyncio.run(validate(CrashesAtImport("a", lambda r: result(GOOD)), [task]))
    assert validation.unproven == task.checks and not validation.ok


def test_the_terminal_table_keeps_bracketed_titles(config, store, monkeypatch):
    from rich.console import Console
    from trinity.controller import report as rep

    node = FakeNode("a", lambda r: result(GOOD))
    install(monkeypatch, {"a": node, "b": FakeNode("b", lambda r: result(GOOD))})
    the_plan = plan(config, n=1, thinking=parse_thinking("on,off"))
    out = go(config, store, the_plan)
    bench = store.bench_run(out.bench_run_id)
    titles = bench_module.stored_titles(bench.selection)
    report = rep.summarise(bench, store.runs(out.bench_run_id), out.verdicts, titles)
    console = Console(width=300, record=True)
    console.print(rep.table(report))
    text = console.export_text()
    assert "Model A [thinking on]" in text and "Model A [thinking off]" in text


def test_each_check_is_stored_with_the_value_it_returned(config, store, monkeypatch):
    """So `show` can put what came back beside what was expected; None returns no value."""
    a = FakeNode("a", lambda r: result(GOOD))
    b = FakeNode("b", lambda r: result(GOOD))
    values = iter(["[1, 2]", "null"])

    async def execute(request: pb.ExecuteRequest, timeout_s: float) -> pb.ExecuteResult:
        checks = [pb.CheckResult(name=c, passed=True, value_json=next(values, ""))
                  for c in request.checks]  # fmt: skip
        return pb.ExecuteResult(status=pb.EXECUTE_STATUS_PASSED, checks=checks)

    install(monkeypatch, {"a": a, "b": b})
    the_plan = plan(config, n=1)
    monkeypatch.setattr(bench_module, "preflight", _no_preflight)
    a.execute = execute  # type: ignore[method-assign]
    out = go(config, store, dataclasses.replace(the_plan, models=the_plan.models[:1]))
    (run,) = store.runs(out.bench_run_id)
    assert dict(run.checks[0]) == {"name": "small_ints", "passed": True, "message": "",
                                   "value": "[1, 2]"}  # fmt: skip
    assert all("value" not in c for c in run.checks[1:])


async def _no_preflight(plan, conns, progress):
    return {}


# ---------------------------------------------------------------- faults (issue 11)


def test_an_agent_that_never_answers_is_infrastructure_not_the_models_timeout(
    config, store, monkeypatch
):
    calls = {"n": 0}

    def frozen_once(_r):
        calls["n"] += 1
        if calls["n"] == 1:  # the client's own deadline: the agent was frozen
            raise AgentDeadline("node a: Generate got no answer within 65 s")
        return result(GOOD)

    install(
        monkeypatch, {"a": FakeNode("a", frozen_once), "b": FakeNode("b", lambda r: result(GOOD))}
    )
    out = go(config, store, plan(config, n=1))
    run = next(r for r in store.runs(out.bench_run_id) if r.model == "a/m")
    assert (run.outcome, run.score, run.attempt) == ("scored", 100.0, 2)


def test_an_agent_frozen_for_good_is_incomplete_never_a_zero(config, store, monkeypatch):
    def frozen(_r):
        raise AgentDeadline("node a: Generate got no answer within 65 s")

    install(monkeypatch, {"a": FakeNode("a", frozen), "b": FakeNode("b", lambda r: result(GOOD))})
    out = go(config, store, plan(config, n=1))
    run = next(r for r in store.runs(out.bench_run_id) if r.model == "a/m")
    assert (run.outcome, run.score) == ("infra_error", None)
    assert out.verdicts[0].verdict == Verdict.INCOMPLETE


class Statuses(FakeNode):
    """A node whose ListModels answers from a script: a state per call, or an error."""

    def __init__(self, script: list[object]) -> None:
        super().__init__("a", lambda r: result(GOOD))
        self.script = script

    async def list_models(self) -> list[pb.ModelStatus]:
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        if step is None:
            return []
        return [pb.ModelStatus(spec=pb.ModelSpec(name="m"), state=step, last_error="boom")]


async def test_wait_ready_waits_through_an_unreachable_node_and_a_restart(config):
    node = Statuses([NodeUnreachable("node a unreachable"), AgentDeadline("no answer"),
                     pb.MODEL_STATE_STARTING, pb.MODEL_STATE_READY])  # fmt: skip
    await bench_module.wait_ready(node, config.models[0], within_s=5, poll_s=0)
    assert len(node.script) == 1


@pytest.mark.parametrize(
    ("state", "message"),
    [(pb.MODEL_STATE_FAILED, "model a/m is failed: boom"),
     (pb.MODEL_STATE_STOPPED, "model a/m is stopped: boom"),
     (None, "model a/m is no longer on its node")],
)  # fmt: skip
async def test_wait_ready_gives_up_at_once_on_a_model_that_cannot_come_back(config, state, message):
    node = Statuses([state])
    with pytest.raises(InfraError, match=message):
        await bench_module.wait_ready(node, config.models[0], within_s=60, poll_s=0)


async def test_wait_ready_gives_up_after_its_bound(config):
    node = Statuses([pb.MODEL_STATE_STARTING])
    with pytest.raises(InfraError, match=r"not ready again within 0.05 s: starting: boom"):
        await bench_module.wait_ready(node, config.models[0], within_s=0.05, poll_s=0.01)


class Crashing(FakeNode):
    """Node a: its model crashes under the first run, and its node says so (starting) for
    three status polls; a Generate meanwhile is refused, as the agent refuses it."""

    def __init__(self) -> None:
        super().__init__("a", self.answer)
        self.down_for = 0
        self.crashed = False

    def answer(self, _request: pb.GenerateRequest) -> pb.GenerateResult:
        if not self.crashed:
            self.crashed, self.down_for = True, 3
            raise ModelError("node a: model m: cannot reach its server: connection refused")
        if self.down_for:
            raise ModelError("node a: model m is starting, not ready")
        return result(GOOD)

    async def list_models(self) -> list[pb.ModelStatus]:
        state = pb.MODEL_STATE_STARTING if self.down_for else pb.MODEL_STATE_READY
        self.down_for = max(0, self.down_for - 1)
        return [pb.ModelStatus(spec=pb.ModelSpec(name="m"), state=state)]


def test_runs_queued_behind_a_crash_wait_for_the_model(config, store, monkeypatch):
    install(monkeypatch, {"a": Crashing(), "b": FakeNode("b", lambda r: result(GOOD))})
    monkeypatch.setattr(bench_module, "READY_POLL_S", 0.0)
    out = go(config, store, plan(config, n=3))
    runs = [r for r in store.runs(out.bench_run_id) if r.model == "a/m"]
    assert [r.outcome for r in runs] == ["scored"] * 3
    # a/m runs two at once: both in flight lose an attempt, the one queued behind none.
    assert sorted(r.attempt for r in runs) == [1, 2, 2]


def test_a_full_results_database_stops_the_bench_with_its_resume_command(
    config, store, monkeypatch
):
    calls = {"n": 0}

    def fill_the_disk(_r):
        calls["n"] += 1
        if calls["n"] == 3:  # the database is full from the third run on
            pages = store._db.execute("PRAGMA page_count").fetchone()[0]
            store._db.execute(f"PRAGMA max_page_count = {pages}")
        return result(GOOD + "\n" + "# padding\n" * 2000)

    install(monkeypatch, {"a": FakeNode("a", fill_the_disk), "b": FakeNode("b", fill_the_disk)})
    with pytest.raises(BenchError) as info:
        go(config, store, plan(config, n=2))
    (bench,) = store.bench_runs()
    assert str(info.value) == (
        f"bench {bench.id} stopped: results database {store.path} cannot be written: the "
        "disk is full (database or disk is full); the runs stored before are kept"
    )
    assert info.value.hint == (
        f"when it can be written again: trinityctl bench --resume {bench.id} --db {store.path}"
    )
    assert len(store.runs(bench.id)) == 2  # both runs written before the disk filled


def test_without_the_servers_usage_the_prompt_tokens_are_unknown_not_zero():
    from trinity.controller.answerer import from_generate

    counted = pb.GenerateResult(text="x", finish_reason="stop", usage_from_server=False,
                                usage=pb.Usage(prompt_tokens=0, completion_tokens=7))  # fmt: skip
    answer = from_generate(counted)
    assert (answer.prompt_tokens, answer.completion_tokens) == (None, 7)
    assert from_generate(result(GOOD)).prompt_tokens == 10


SEEDED = CONFIG + "\n[defaults]\nsampling = { temperature = 0.8, seed = 1 }\n"


def test_repeats_are_asked_with_seeds_of_their_own_and_store_them(store, monkeypatch, tmp_path):
    config = parse_config(SEEDED, "models.toml", base=tmp_path)
    a = FakeNode("a", lambda r: result(GOOD))
    install(monkeypatch, {"a": a, "b": FakeNode("b", lambda r: result(GOOD))})
    out = go(config, store, plan(config, n=3))
    sent = [r.seed for r in a.requests]
    assert len(sent) == 3 and len(set(sent)) == 3 and 1 not in sent
    runs = sorted((r for r in store.runs(out.bench_run_id) if r.model == "a/m"),
                  key=lambda r: r.repeat)  # fmt: skip
    assert [r.seed for r in runs] == [run_seed(1, "smoke/add", k) for k in (1, 2, 3)]
    assert sorted(sent) == sorted(r.seed for r in runs)


def test_two_benches_of_one_config_ask_with_the_same_seeds(store, monkeypatch, tmp_path):
    config = parse_config(SEEDED, "models.toml", base=tmp_path)
    install(monkeypatch, {"a": FakeNode("a", lambda r: result(GOOD)),
                          "b": FakeNode("b", lambda r: result(GOOD))})  # fmt: skip
    first = go(config, store, plan(config, n=2))
    second = go(config, store, plan(config, n=2))

    def seeds(bench: str) -> dict[tuple[str, int], int | None]:
        return {(r.model, r.repeat): r.seed for r in store.runs(bench)}

    assert seeds(first.bench_run_id) == seeds(second.bench_run_id)
    assert len(set(seeds(first.bench_run_id).values())) == 2  # per repeat, not per model


def test_no_configured_seed_sends_and_stores_none(config, store, monkeypatch):
    a = FakeNode("a", lambda r: result(GOOD))
    install(monkeypatch, {"a": a, "b": FakeNode("b", lambda r: result(GOOD))})
    out = go(config, store, plan(config, n=2))
    assert a.requests and not any(r.HasField("seed") for r in a.requests)
    assert {r.seed for r in store.runs(out.bench_run_id)} == {None}


def test_resume_asks_a_repeat_with_the_seed_its_key_implies(store, monkeypatch, tmp_path):
    config = parse_config(SEEDED, "models.toml", base=tmp_path)

    def down(_r):
        raise NodeUnreachable("node b unreachable")

    install(monkeypatch, {"a": FakeNode("a", lambda r: result(GOOD)), "b": FakeNode("b", down)})
    first = go(config, store, plan(config, n=2))
    b = FakeNode("b", lambda r: result(GOOD))
    install(monkeypatch, {"a": FakeNode("a", lambda r: result(GOOD)), "b": b})
    go(config, store, plan(config, n=2), resume=first.bench_run_id)
    assert sorted(r.seed for r in b.requests) == sorted(run_seed(1, "smoke/add", k) for k in (1, 2))
    stored = {(r.model, r.repeat): r.seed for r in store.runs(first.bench_run_id)}
    assert stored[("b/m", 2)] == stored[("a/m", 2)] == run_seed(1, "smoke/add", 2)


def _cells(out, store) -> dict[str, dict]:
    from trinity.controller import report as rep

    bench = store.bench_run(out.bench_run_id)
    report = rep.summarise(bench, store.runs(out.bench_run_id), out.verdicts,
                           bench_module.stored_titles(bench.selection))  # fmt: skip
    return {"json": rep.as_json(report)["tasks"][0]["models"], "md": rep.markdown(report),
            "legend": rep.legend(report), "html": rep.html_page(report)}  # fmt: skip


def test_a_model_that_always_answers_the_same_is_flagged(store, monkeypatch, tmp_path):
    config = parse_config(SEEDED, "models.toml", base=tmp_path)
    replies = iter(range(1000))
    varying = lambda r: result(GOOD + f"\n# try {next(replies)}")  # noqa: E731
    install(monkeypatch, {"a": FakeNode("a", lambda r: result(GOOD)), "b": FakeNode("b", varying)})
    out = go(config, store, plan(config, n=3))
    found = _cells(out, store)
    assert found["json"]["a/m"]["identical_replies"] == 3
    assert found["json"]["b/m"]["identical_replies"] == 0
    assert len(set(found["json"]["a/m"]["seeds"])) == 3
    flag = "smoke/add, Model A: 3 identical replies: fixed seed, or the server ignores sampling"
    assert [line for line in found["legend"] if "identical" in line] == [f"≡ {flag}"]
    assert "| 100.0 ≡ | 100.0 |" in found["md"] and flag in found["md"]
    assert "100.0 ≡</td>" in found["html"] and flag in found["html"]
