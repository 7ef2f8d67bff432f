"""`trinityctl bench`: every selected task, n times, on every selected model.

One run (a task, a model, a thinking switch, a repeat) goes:
  Generate on the model's node (multi_turn: one Generate per turn, the conversation kept
  here) → reasoning split from the answer → code extracted (code kinds) → Execute in the
  sandbox of the same node, or the reply matched here (answer, review, design) → score →
  one row in the results database, committed before the next run is counted done.

Outcomes besides `scored`: `truncated` (the reply hit max_tokens; whatever code it holds
is still scored, the mark says why it may be low), `extraction_failed` (no code to run:
score 0), `timeout` (the node's generation deadline passed; deadlines grow with the
model's measured tok/s, so this is the model's, not the harness's) and `infra_error`
(the node could not be used after the scheduler's retries; left out of the scores, the
model shows INCOMPLETE, and `--resume` tries it again).

Before any model is asked, every task proves itself in the sandbox of every node taking
part (trinity.controller.validation); a task that fails is refused, and the reason shown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from trinity.controller.client import AgentClient
from trinity.controller.config import ClusterConfig, ModelConfig
from trinity.controller.consensus import TaskVerdict, consensus
from trinity.controller.errors import (
    AgentCallError,
    ModelError,
    NodeUnreachable,
    SelectionError,
    TrinityError,
)
from trinity.controller.extract import extract_code, split_reasoning
from trinity.controller.generation import generate_request, sampling_for
from trinity.controller.scheduler import Finished, InfraError, RunKey, schedule
from trinity.controller.scoring import Score, merge_turns, score_reply, score_solution
from trinity.controller.store import RunKeyTuple, RunRecord, Store, model_label, thinking_label
from trinity.controller.suites import Task, load_task
from trinity.controller.validation import TaskValidation, validate
from trinity.v1 import agent_pb2 as pb

log = logging.getLogger(__name__)
TIMED_OUT = "timed out after"  # the agent's words when a generation deadline passes


class BenchError(TrinityError):
    """A bench cannot start or resume (nothing to run, model not up, task changed)."""


@dataclass(frozen=True)
class Plan:
    """What one bench runs; stored with it, so `--resume` runs exactly this again."""

    tasks: tuple[Task, ...]
    models: tuple[ModelConfig, ...]
    n: int
    thinking: tuple[bool | None, ...] = (None,)
    threshold: float = 90.0

    def keys(self) -> list[RunKey]:
        """Every run, repeats interleaved so the first repeat of everything comes first."""
        return [
            RunKey(task.id, model.key, thinking, repeat)
            for repeat in range(1, self.n + 1)
            for task in self.tasks
            for model in self.models
            for thinking in self.thinking
        ]

    def columns(self) -> list[str]:
        """Consensus columns: a model, or a model × thinking switch in an A/B."""
        return list(self.titles())

    def titles(self) -> dict[str, str]:
        """Column → what the table calls it (the model's label), in configured order."""
        return {
            model_label(model.key, thinking_label(t)): model_label(
                model.display_label, thinking_label(t)
            )
            for model in self.models
            for t in self.thinking
        }

    def selection(self) -> dict[str, Any]:
        return {
            "tasks": [t.id for t in self.tasks],
            "task_hashes": {t.id: t.hash for t in self.tasks},
            "models": [m.key for m in self.models],
            "n": self.n,
            "thinking": [thinking_label(t) for t in self.thinking],
            "threshold": self.threshold,
        }


def parse_thinking(value: str | None) -> tuple[bool | None, ...]:
    """--thinking on | off | on,off (an A/B: every run both ways)."""
    if value is None:
        return (None,)
    words = {"on": True, "off": False}
    parts = [p.strip().lower() for p in value.split(",") if p.strip()]
    bad = [p for p in parts if p not in words]
    if bad or not parts or len(set(parts)) != len(parts):
        raise SelectionError(f"--thinking {value!r}: use on, off or on,off")
    return tuple(words[p] for p in parts)


def stored_titles(selection: Mapping[str, Any]) -> dict[str, str]:
    """A stored bench's consensus columns → titles, in the order they were configured."""
    return {column: title for column, title in selection["columns"]}


def plan_from_selection(config: ClusterConfig, selection: Mapping[str, Any]) -> Plan:
    """A stored bench's plan, checked against today's tasks and config (for --resume)."""
    tasks = []
    for task_id in selection["tasks"]:
        task = load_task(task_id)
        if task.hash != selection["task_hashes"].get(task_id):
            raise BenchError(
                f"task {task_id} changed since this bench began (hash {task.hash}, was "
                f"{selection['task_hashes'].get(task_id)}); its old and new runs cannot be "
                "compared",
                hint="start a new bench",
            )
        tasks.append(task)
    by_key = {m.key: m for m in config.models}
    missing = [k for k in selection["models"] if k not in by_key]
    if missing:
        raise BenchError(
            f"model {missing[0]} of this bench is no longer in {config.source}",
            hint="put it back in models.toml, or start a new bench",
        )
    thinking = tuple({"on": True, "off": False}.get(t) for t in selection["thinking"])
    return Plan(
        tuple(tasks),
        tuple(by_key[k] for k in selection["models"]),
        int(selection["n"]),
        thinking,
        float(selection["threshold"]),
    )


@dataclass
class Progress:
    """What a progress display is told; every callback is optional."""

    validated: Callable[[str], None] | None = None  # a node finished pre-flight
    started: Callable[[str, int, int], None] | None = None  # bench id, runs to do, skipped
    finished: Callable[[RunRecord], None] | None = None


@dataclass
class Outcome:
    """A finished (or interrupted) bench: its id, what was refused, the verdicts."""

    bench_run_id: str
    plan: Plan
    refused: dict[str, list[str]] = field(default_factory=dict)  # task → problems
    verdicts: list[TaskVerdict] = field(default_factory=list)
    ran: int = 0
    skipped: int = 0  # finished before a resume


@contextlib.asynccontextmanager
async def clients(
    config: ClusterConfig, nodes: Sequence[str]
) -> AsyncIterator[dict[str, AgentClient]]:
    opened = {name: AgentClient(name, config.nodes[name]) for name in nodes}
    try:
        yield opened
    finally:
        for client in opened.values():
            await client.close()


async def check_models_ready(plan: Plan, conns: Mapping[str, AgentClient]) -> None:
    """Every model of the plan is ready on its node; else one line saying `trinityctl up`."""
    for node, client in conns.items():
        statuses = {s.spec.name: s for s in await client.list_models()}
        for model in (m for m in plan.models if m.node == node):
            status = statuses.get(model.name)
            if status is None or status.state != pb.MODEL_STATE_READY:
                state = "not started" if status is None else pb.ModelState.Name(status.state)
                raise BenchError(
                    f"model {model.key} is not ready ({state.removeprefix('MODEL_STATE_').lower()})",
                    hint=f"trinityctl up --models {model.key}",
                )


async def preflight(
    plan: Plan, conns: Mapping[str, AgentClient], progress: Progress
) -> dict[str, list[str]]:
    """Validate every task on every node taking part, the nodes at once; task → problems
    for those refused."""

    async def one(node: str, client: AgentClient) -> list[TaskValidation]:
        results = await validate(client, plan.tasks)
        if progress.validated:
            progress.validated(node)
        return results

    per_node = await asyncio.gather(*(one(n, c) for n, c in conns.items()))
    refused: dict[str, list[str]] = {}
    for node, results in zip(conns, per_node, strict=True):
        for result in results:
            if not result.ok:
                refused.setdefault(result.task, []).extend(
                    f"on {node}: {p}" for p in result.problems()
                )
    return refused


class Runner:
    """Runs one key: conversation, extraction, scoring, the record."""

    def __init__(
        self, config: ClusterConfig, plan: Plan, bench_run_id: str, conns: Mapping[str, AgentClient]
    ) -> None:
        self.config = config
        self.plan = plan
        self.bench_run_id = bench_run_id
        self.conns = conns
        self.tasks = {t.id: t for t in plan.tasks}
        self.models = {m.key: m for m in plan.models}
        self.tok_s: dict[str, float] = {}  # measured decode speed, for timeouts

    async def __call__(self, key: RunKey, attempt: int) -> RunRecord:
        task, model = self.tasks[key.task], self.models[key.model]
        client = self.conns[model.node]
        started = time.time()
        messages: list[tuple[str, str]] = []
        turns: list[Score] = []
        replies: list[tuple[str, str, str]] = []  # (answer, reasoning, reasoning rule)
        results: list[pb.GenerateResult] = []
        codes: list[str] = []
        rules: list[str] = []
        outcome = "scored"
        for index, prompt in enumerate(task.prompts):
            messages.append(("user", prompt))
            result = await self.generate(client, model, messages, key.thinking)
            if result is None:
                outcome = "timeout"
                break
            results.append(result)
            split = split_reasoning(result.text, result.reasoning)
            replies.append((split.answer, split.reasoning, split.rule))
            messages.append(("assistant", split.answer))
            if result.finish_reason == "length":
                outcome = "truncated"
            subset = task.turns[index][1] if task.turns else ()
            answered = await score_answer(client, task, split.answer, subset)
            rules.append(answered.rule)
            if task.runs_code:
                codes.append(answered.code)
            if answered.score is None:
                outcome = "extraction_failed" if outcome == "scored" else outcome
                continue
            turns.append(answered.score)
        score = merge_turns(task, turns) if turns else None
        return self.record(key, attempt, task, model, started, messages, replies, results,
                            codes, rules, outcome, score)  # fmt: skip

    async def generate(
        self,
        client: AgentClient,
        model: ModelConfig,
        messages: list[tuple[str, str]],
        thinking: bool | None,
    ) -> pb.GenerateResult | None:
        """The reply, None when the generation deadline passed; InfraError otherwise."""
        request = generate_request(
            model,
            self.config.defaults,
            messages,
            thinking=thinking,
            measured_tok_s=self.tok_s.get(model.key),
        )
        try:
            result = await client.generate(request)
        except (ModelError, AgentCallError) as exc:
            if TIMED_OUT in str(exc) or "got no answer within" in str(exc):
                return None
            raise InfraError(f"Generate: {exc}") from exc
        except NodeUnreachable as exc:
            raise InfraError(f"Generate: {exc}") from exc
        if result.decode_tok_s > 0:
            seen = self.tok_s.get(model.key)
            # The slowest speed seen: a timeout too long only costs waiting.
            self.tok_s[model.key] = min(seen, result.decode_tok_s) if seen else result.decode_tok_s
        return result

    def record(
        self,
        key: RunKey,
        attempt: int,
        task: Task,
        model: ModelConfig,
        started: float,
        messages: list[tuple[str, str]],
        replies: list[tuple[str, str, str]],
        results: list[pb.GenerateResult],
        codes: list[str],
        rules: list[str],
        outcome: str,
        score: Score | None,
    ) -> RunRecord:
        joined = "\n\n---\n\n".join
        usage = [r.usage for r in results]
        rates = [r.decode_tok_s for r in results if r.decode_tok_s > 0]
        sampling = sampling_for(model, self.config.defaults)
        return RunRecord(
            bench_run_id=self.bench_run_id,
            task=task.id,
            model=model.key,
            node=model.node,
            repeat=key.repeat,
            outcome=outcome,
            thinking=key.thinking,
            task_hash=task.hash,
            backend=model.backend,
            quant=model.quantization,
            model_config={**model.model_dump(mode="json"), "sampling": sampling.model_dump()},
            attempt=attempt,
            score=score.score if score is not None else 0.0,
            checks=[
                {"name": c.name, "passed": c.passed, "message": c.message}
                for c in (score.checks if score else ())
            ],
            declared=len(task.checks),
            passed=score.passed if score else 0,
            sandbox={}
            if score is None
            else {
                "status": score.status,
                "sandbox": score.sandbox,
                "duration_s": score.duration_s,
                "peak_memory_bytes": score.peak_memory_bytes,
                "stdout_tail": score.stdout_tail,
                "stderr_tail": score.stderr_tail,
                "forged_records": score.forged_records,
            },
            prompt=[{"role": role, "content": text} for role, text in messages],
            response=joined(r.text for r in results),
            reasoning=joined(r[1] for r in replies if r[1]),
            reasoning_rule=",".join(r[2] for r in replies),
            code=joined(codes) if task.runs_code and any(codes) else None,
            extraction_rule=",".join(rules),
            ttft_s=results[0].ttft_s if results else None,
            decode_tok_s=sum(rates) / len(rates) if rates else None,
            prompt_tokens=sum(u.prompt_tokens for u in usage) if usage else None,
            completion_tokens=sum(u.completion_tokens for u in usage) if usage else None,
            started_at=started,
            finished_at=time.time(),
        )


@dataclass(frozen=True)
class Answered:
    """An answer scored: its score (None when no code could be taken from it), the code
    that ran ("" for text tasks) and the extraction rule."""

    score: Score | None
    code: str
    rule: str


async def score_answer(
    client: AgentClient, task: Task, answer: str, checks: Sequence[str] = ()
) -> Answered:
    """Text tasks: the answer matched here. Code tasks: its code extracted and run in the
    node's sandbox against `checks` (default: all); InfraError when the node cannot."""
    if not task.runs_code:
        return Answered(score_reply(task, answer), "", "text")
    extraction = extract_code(answer, task.entry_points)
    if extraction.code is None:
        return Answered(None, "", extraction.rule)
    try:
        score = await score_solution(client, task, extraction.code.encode(), checks)
    except (NodeUnreachable, AgentCallError, ModelError) as exc:
        raise InfraError(f"Execute: {exc}") from exc
    return Answered(score, extraction.code, extraction.rule)


def infra_record(plan: Plan, bench_run_id: str, finished: Finished[RunRecord]) -> RunRecord:
    """What is stored for a run the infrastructure kept from happening."""
    task = next(t for t in plan.tasks if t.id == finished.key.task)
    model = next(m for m in plan.models if m.key == finished.key.model)
    now = time.time()
    return RunRecord(
        bench_run_id=bench_run_id,
        task=task.id,
        model=model.key,
        node=model.node,
        repeat=finished.key.repeat,
        outcome="infra_error",
        thinking=finished.key.thinking,
        task_hash=task.hash,
        backend=model.backend,
        quant=model.quantization,
        attempt=finished.attempts,
        score=None,
        declared=len(task.checks),
        sandbox={"error": finished.error},
        started_at=now,
        finished_at=now,
    )


async def run_bench(
    config: ClusterConfig,
    store: Store,
    plan: Plan,
    *,
    resume: str | None = None,
    argv: Sequence[str] = (),
    progress: Progress | None = None,
    retries: int = 2,
    retry_delay_s: float = 2.0,
) -> Outcome:
    """Pre-flight, then every run not already finished (in the bench `resume` names, or a
    new one recorded once pre-flight passes), then consensus."""
    progress = progress or Progress()
    nodes = sorted({m.node for m in plan.models})
    async with clients(config, nodes) as conns:
        await check_models_ready(plan, conns)
        refused = await preflight(plan, conns, progress)
        if len(refused) == len(plan.tasks):
            first = next(iter(refused.items()))
            raise BenchError(
                f"every selected task failed its own validation; nothing to run "
                f"({first[0]} {first[1][0]})",
                hint="trinityctl validate shows why",
            )
        if resume is None:
            # Columns as a list: the store writes JSON with sorted keys, a dict would lose
            # the order models were configured in.
            columns = [[c, t] for c, t in plan.titles().items()]
            selection = {**plan.selection(), "columns": columns, "refused": refused}
            snapshot = {"models": [m.model_dump(mode="json") for m in plan.models],
                        "defaults": config.defaults.model_dump(mode="json")}  # fmt: skip
            bench_run_id = store.new_bench_run(argv, selection, snapshot).id
        else:
            bench_run_id = resume
            store.set_status(resume, "running")
        result = Outcome(bench_run_id, plan, refused)
        done = store.finished_keys(bench_run_id)
        keys = [k for k in plan.keys() if k.task not in refused]
        todo = [k for k in keys if _stored_key(k) not in done]
        result.skipped = len(keys) - len(todo)
        runner = Runner(config, plan, bench_run_id, conns)

        async def finished(item: Finished[RunRecord]) -> None:
            record = item.result or infra_record(plan, bench_run_id, item)
            store.record_run(record)
            result.ran += 1
            if progress.finished:
                progress.finished(record)

        if progress.started:
            progress.started(bench_run_id, len(todo), result.skipped)
        concurrency = {m.key: m.concurrency for m in plan.models}
        try:
            await schedule(todo, runner, concurrency, on_finished=finished, retries=retries,
                           retry_delay_s=retry_delay_s)  # fmt: skip
        except BaseException:
            store.set_status(bench_run_id, "interrupted")
            raise
        store.set_status(bench_run_id, "finished")
    result.verdicts = verdicts(store, bench_run_id, plan, exclude=refused)
    return result


def _stored_key(key: RunKey) -> RunKeyTuple:
    """A RunKey as Store.finished_keys spells it (a plain bench run: no role, round 0)."""
    node = key.model.split("/")[0]
    return (key.task, key.model, node, thinking_label(key.thinking), key.repeat, "", 0)


def verdicts(
    store: Store, bench_run_id: str, plan: Plan, *, exclude: Mapping[str, Any] = {}
) -> list[TaskVerdict]:
    """Consensus over the stored scores of a bench (whatever has finished so far)."""
    tasks = [t.id for t in plan.tasks if t.id not in exclude]
    return consensus(store.scores(bench_run_id), plan.columns(), plan.n, plan.threshold,
                     tasks=tasks)  # fmt: skip
