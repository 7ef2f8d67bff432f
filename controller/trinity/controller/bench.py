"""`trinityctl bench`: every selected task, n times, on every selected model.

One run (a task, a model, a thinking switch, a repeat) goes:
  Generate on the model's node (multi_turn: one Generate per turn, the conversation kept
  here) → reasoning split from the answer → code extracted (code kinds) → Execute in the
  sandbox of the same node, or the reply matched here (answer, review, design) → score →
  one row in the results database, committed before the next run is counted done.

Outcomes besides `scored`: `truncated` (the reply hit max_tokens; whatever code it holds
is still scored, the mark says why it may be low), `extraction_failed` (no code to run:
score 0), `timeout` (the node's generation deadline passed; deadlines grow with the
model's measured tok/s, so this is the model's, not the harness's; the controller's own
deadline passing means the agent never answered, which is infrastructure) and
`infra_error` (the node could not be used after the scheduler's retries, each after the
model was ready again; left out of the scores, the model shows INCOMPLETE, and
`--resume` tries it again).

Before any model is asked, every task proves itself in the sandbox of every node taking
part (trinity.controller.validation); a task that fails is refused, and the reason shown.

Models are asked through one seam (trinity.controller.answerer): an agent's model through
its node's Generate, a peer (an HTTP API, a coding CLI; trinity.controller.peers) by the
controller itself, its answers scored in the sandbox of the node its `score_on` names.
A peer that can take no more questions (quota, billing, a refused key) and a run past
the plan's `max_cost_usd` are not asked: those runs are stored as infra_error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from trinity.controller import energy, peers
from trinity.controller.answerer import Answer, Answerer, Question, from_generate, merge_details
from trinity.controller.client import AgentClient
from trinity.controller.config import AnyModel, ClusterConfig, ModelConfig
from trinity.controller.consensus import TaskVerdict, consensus
from trinity.controller.errors import (
    AgentCallError,
    AgentDeadline,
    ModelError,
    NodeUnreachable,
    SelectionError,
    TrinityError,
)
from trinity.controller.extract import Extraction, extract_code, split_reasoning
from trinity.controller.generation import generate_request, run_seed, sampling_for
from trinity.controller.redact import scrub
from trinity.controller.scheduler import Finished, InfraError, RunKey, schedule
from trinity.controller.scoring import (
    CheckScore,
    Score,
    merge_turns,
    score_reply,
    score_solution,
)
from trinity.controller.store import (
    RunKeyTuple,
    RunRecord,
    Store,
    StoreError,
    model_label,
    thinking_label,
)
from trinity.controller.suites import Task, load_task
from trinity.controller.validation import TaskValidation, validate
from trinity.v1 import agent_pb2 as pb

log = logging.getLogger(__name__)
TIMED_OUT = "generation timed out after"  # the agent's words when the model ran out of time
CONTEXT_FULL = "does not fit the model's context window"  # the agent's words, too
RECOVERY_WAIT_S = 600.0  # how long runs wait for a model to be ready again after a failure
READY_POLL_S = 1.0


class BenchError(TrinityError):
    """A bench cannot start or resume (nothing to run, model not up, task changed)."""


@dataclass(frozen=True)
class Plan:
    """What one bench runs; stored with it, so `--resume` runs exactly this again."""

    tasks: tuple[Task, ...]
    models: tuple[AnyModel, ...]
    n: int
    thinking: tuple[bool | None, ...] = (None,)
    threshold: float = 90.0
    kind: str = "bench"  # as the results database records it: bench, crosscheck, ...
    max_cost_usd: float | None = None  # no new run once the reported cost reaches it

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
            **({} if self.max_cost_usd is None else {"max_cost_usd": self.max_cost_usd}),
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


def plan_from_selection(
    config: ClusterConfig,
    selection: Mapping[str, Any],
    snapshot: Mapping[str, Any] | None = None,
) -> Plan:
    """A stored bench's plan, checked against today's tasks and config (for --resume):
    its tasks, and (given the config `snapshot` stored with it) how its models answer."""
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
    by_key: dict[str, AnyModel] = {m.key: m for m in (*config.models, *config.peers)}
    missing = [k for k in selection["models"] if k not in by_key]
    if missing:
        raise BenchError(
            f"model {missing[0]} of this bench is no longer in {config.source}",
            hint="put it back in models.toml, or start a new bench",
        )
    if snapshot is not None:
        unchanged_since(config, selection["models"], snapshot)
    thinking = tuple({"on": True, "off": False}.get(t) for t in selection["thinking"])
    return Plan(
        tuple(tasks),
        tuple(by_key[k] for k in selection["models"]),
        int(selection["n"]),
        thinking,
        float(selection["threshold"]),
        max_cost_usd=selection.get("max_cost_usd"),
    )


# What a model may change between a bench's start and its resume: how it is shown, paced,
# paid for or reached, not what it answers (a sampling, model, quantization or thinking
# change is).
_NOT_ANSWERS = frozenset({"label", "concurrency", "roles", "gpu_layers", "gpu_memory_fraction",
                          "served_name", "timeout_s", "score_on", "api_key_env",
                          "include_usage", "max_budget_usd", "prices"})  # fmt: skip


def unchanged_since(
    config: ClusterConfig, keys: Sequence[str], snapshot: Mapping[str, Any]
) -> None:
    """BenchError when a model of the bench (or the default sampling) would now answer
    differently than when it began: the old and new runs could not be compared. Fields
    the snapshot lacks (an older version's) are not compared."""
    by_key: dict[str, AnyModel] = {m.key: m for m in (*config.models, *config.peers)}
    then = [("default sampling", snapshot.get("defaults", {}).get("sampling"),
             config.defaults.sampling.model_dump(mode="json"))]  # fmt: skip
    then += [(f"model {k}", old, by_key[k].model_dump(mode="json"))
             for k, old in zip(keys, snapshot.get("models", []), strict=False)]  # fmt: skip
    for what, old, now in then:
        if isinstance(old, Mapping) and (change := _changed(old, scrub(now))):
            raise BenchError(
                f"{what} changed since this bench began ({change}); its old and new runs "
                "cannot be compared",
                hint="put models.toml back as it was for this bench, or start a new bench",
            )


def _changed(old: Mapping[str, Any], now: Mapping[str, Any], prefix: str = "") -> str:
    """The first field that differs, as 'sampling.temperature 0.2 → 0.5', or ''."""
    for name in sorted(old.keys() & now.keys() - _NOT_ANSWERS):
        a, b = old[name], now[name]
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            if found := _changed(a, b, f"{prefix}{name}."):
                return found
        elif a != b and not (isinstance(b, tuple | list) and list(b) == a):
            return f"{prefix}{name} {a!r} → {b!r}"
    return ""


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
    failed: int = 0  # runs the infrastructure kept from being made


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


def recoverer(
    models: Sequence[AnyModel], conns: Mapping[str, AgentClient], within_s: float
) -> Callable[[str], Awaitable[None]]:
    """What the scheduler calls after a model's infrastructure failure: wait until its
    node says it is ready again (wait_ready); a peer has no node to ask: a pause only."""
    by_key = {m.key: m for m in models}

    async def recover(key: str) -> None:
        model = by_key[key]
        if isinstance(model, ModelConfig):
            await wait_ready(conns[model.node], model, within_s)

    return recover


async def wait_ready(
    client: AgentClient, model: ModelConfig, within_s: float, poll_s: float = READY_POLL_S
) -> None:
    """Return once the node says the model is ready again. InfraError when it will not come
    back by itself (failed, stopped, the token refused) or is still not back after within_s;
    an unreachable or frozen node is waited for like a model that is starting."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            statuses = {s.spec.name: s for s in await client.list_models()}
        except (NodeUnreachable, AgentCallError) as exc:
            last = str(exc)
        except TrinityError as exc:
            raise InfraError(
                f"model {model.key} cannot be asked whether it is back: {exc}"
            ) from exc
        else:
            last = _not_ready(model, statuses.get(model.name))
            if not last:
                return
        if time.monotonic() >= deadline:
            raise InfraError(f"model {model.key} not ready again within {within_s:g} s: {last}")
        await asyncio.sleep(poll_s)


def _not_ready(model: ModelConfig, status: pb.ModelStatus | None) -> str:
    """'' when ready; why not while it may still come back; InfraError when it cannot."""
    if status is None:
        raise InfraError(f"model {model.key} is no longer on its node (stopped?)")
    if status.state == pb.MODEL_STATE_READY:
        return ""
    state = pb.ModelState.Name(status.state).removeprefix("MODEL_STATE_").lower()
    why = f"{state}" + (f": {status.last_error}" if status.last_error else "")
    if status.state in (pb.MODEL_STATE_FAILED, pb.MODEL_STATE_STOPPED):
        raise InfraError(f"model {model.key} is {why}")
    return why


def refuse_all(refused: Mapping[str, list[str]], tasks: Sequence[Task]) -> None:
    """BenchError when pre-flight refused every selected task: nothing is left to run."""
    if len(refused) == len(tasks):
        first = next(iter(refused.items()))
        raise BenchError(
            f"every selected task failed its own validation; nothing to run "
            f"({first[0]} {first[1][0]})",
            hint="trinityctl validate shows why",
        )


def config_snapshot(config: ClusterConfig, models: Sequence[AnyModel]) -> dict[str, Any]:
    """What a new bench keeps of the config it ran under: its models and the defaults."""
    return {
        "models": [m.model_dump(mode="json") for m in models],
        "defaults": config.defaults.model_dump(mode="json"),
    }


def record_or_stop(store: Store, record: RunRecord) -> None:
    """Store a finished run; when the database cannot take it, stop the bench with its id
    and the command that finishes it (every run stored before stays stored)."""
    try:
        store.record_run(record)
    except StoreError as exc:
        bench_id = record.bench_run_id
        raise BenchError(
            f"bench {bench_id} stopped: {exc.message}; the runs stored before are kept",
            hint=f"when it can be written again: trinityctl bench --resume {bench_id} "
            f"--db {store.path}",
        ) from exc


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
        self,
        config: ClusterConfig,
        plan: Plan,
        bench_run_id: str,
        conns: Mapping[str, AgentClient],
        answerers: Mapping[str, Answerer] | None = None,
        meters: Mapping[str, energy.EnergyMeter] | None = None,
    ) -> None:
        self.config = config
        self.plan = plan
        self.bench_run_id = bench_run_id
        self.conns = conns
        self.tasks = {t.id: t for t in plan.tasks}
        self.models = {m.key: m for m in plan.models}
        self.tok_s: dict[str, float] = {}  # measured decode speed, for timeouts
        meters = meters or {}
        agents = {m.key: _AgentAnswerer(self, m, meters.get(m.node))
                  for m in plan.models if isinstance(m, ModelConfig)}  # fmt: skip
        self.answerers: dict[str, Answerer] = {**agents, **(answerers or {})}
        self.spent_usd = 0.0  # cost the answers reported, for plan.max_cost_usd
        # what attempts that failed (infrastructure) reported costing: paid, but no answer
        self.failed_usd: dict[RunKey, float] = {}
        # answers a failed attempt already had (each with the seconds it took), asked
        # again of no model when a later step (the node's sandbox) failed: a peer would
        # bill twice, a local model would spend the time twice
        self.kept: dict[RunKey, list[tuple[Answer, float]]] = {}

    def charge_failure(self, key: RunKey, exc: InfraError) -> None:
        """Keep what a failed attempt reported costing: it counts toward --max-cost and is
        stored with the run (failed_cost_usd), though it gave no answer."""
        cost = getattr(exc, "cost_usd", None) or 0.0
        self.spent_usd += cost
        if cost:
            self.failed_usd[key] = self.failed_usd.get(key, 0.0) + cost

    def failed_cost(self, key: RunKey) -> dict[str, float]:
        """The details entry for what this run's failed attempts cost, once: the failed
        answers, and the kept ones when the run ends without using them."""
        kept = self.kept.pop(key, [])
        lost = self.failed_usd.pop(key, 0.0) + sum(
            a.details.get("cost_usd") or 0.0 for a, _ in kept
        )
        return {"failed_cost_usd": lost} if lost else {}

    async def ask(self, key: RunKey, question: Question) -> tuple[Answer | None, float]:
        """The answer to this turn: the one a failed attempt of this run kept, with the
        seconds it took then, else asked now (0 s: this attempt's own time; a timeout is
        None, and not kept)."""
        kept = self.kept.setdefault(key, [])
        if question.turn < len(kept):
            return kept[question.turn]
        started = time.time()
        try:
            answer = await self.answerers[key.model].answer(question)
        except InfraError as exc:
            self.charge_failure(key, exc)
            raise
        if answer is None:
            return None, 0.0
        self.spent_usd += answer.details.get("cost_usd") or 0.0
        kept.append((answer, time.time() - started))
        return answer, 0.0

    def refusal(self, model: str) -> str | None:
        """Why a model's runs are not to be made (its peer stopped, the budget spent)."""
        budget = self.plan.max_cost_usd
        if budget is not None and self.spent_usd >= budget:
            return f"not run: --max-cost ${budget:g} reached (${self.spent_usd:.2f} reported)"
        return self.answerers[model].stopped

    async def __call__(self, key: RunKey, attempt: int) -> RunRecord:
        task, model = self.tasks[key.task], self.models[key.model]
        if (why := self.refusal(key.model)) is not None:
            refused: Finished[RunRecord] = Finished(key, None, why, attempts=attempt)
            return infra_record(self.plan, self.bench_run_id, refused, self.failed_cost(key))
        client = self.conns[self.config.scoring_node(model)]
        started = time.time()
        messages: list[tuple[str, str]] = []
        turns: list[Score] = []
        replies: list[tuple[str, str, str]] = []  # (answer, reasoning, reasoning rule)
        results: list[Answer] = []
        codes: list[str] = []
        rules: list[str] = []
        outcome = "scored"
        seed = self.seed(model, key)
        for index, prompt in enumerate(task.prompts):
            messages.append(("user", prompt))
            question = Question(key, task, tuple(messages), index,
                                codes[-1] if codes else "", seed)  # fmt: skip
            result, reused_s = await self.ask(key, question)
            started -= reused_s  # the run's wall time still counts what that answer took
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
            answered = await score_answer(client, task, split.answer, subset, result.solution)
            rules.append(answered.rule)
            if task.runs_code:
                codes.append(answered.code)
            if answered.score is None:
                outcome = "extraction_failed" if outcome == "scored" else outcome
                continue
            turns.append(answered.score)
        score = merge_turns(task, turns) if turns else None
        del self.kept[key]  # used: its answers are in this record
        return self.record(key, attempt, task, model, started, messages, replies, results,
                            codes, rules, outcome, score)  # fmt: skip

    async def generate(
        self,
        client: AgentClient,
        model: ModelConfig,
        messages: list[tuple[str, str]],
        thinking: bool | None,
        seed: int | None,
    ) -> pb.GenerateResult | None:
        """The reply, None when the generation deadline passed; InfraError otherwise."""
        request = generate_request(
            model,
            self.config.defaults,
            messages,
            thinking=thinking,
            measured_tok_s=self.tok_s.get(model.key),
            seed=seed,
        )
        try:
            result = await client.generate(request)
        except AgentDeadline as exc:  # the agent never answered: frozen, not slow
            raise InfraError(f"Generate: {exc}") from exc
        except (ModelError, AgentCallError) as exc:
            if TIMED_OUT in str(exc):
                return None
            # Longer than the model's context: the same again would fail the same way.
            raise InfraError(f"Generate: {exc}", retry=CONTEXT_FULL not in str(exc)) from exc
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
        model: AnyModel,
        started: float,
        messages: list[tuple[str, str]],
        replies: list[tuple[str, str, str]],
        results: list[Answer],
        codes: list[str],
        rules: list[str],
        outcome: str,
        score: Score | None,
    ) -> RunRecord:
        joined = "\n\n---\n\n".join
        rates = [r.decode_tok_s for r in results if r.decode_tok_s]
        prompt_tokens = [r.prompt_tokens for r in results if r.prompt_tokens is not None]
        completion_tokens = [
            r.completion_tokens for r in results if r.completion_tokens is not None
        ]
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
            model_config={**model.model_dump(mode="json"), **self._sampling(model)},
            attempt=attempt,
            score=score.score if score is not None else 0.0,
            checks=[_check_record(c) for c in (score.checks if score else ())],
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
            prompt_tokens=sum(prompt_tokens) if prompt_tokens else None,
            completion_tokens=sum(completion_tokens) if completion_tokens else None,
            started_at=started,
            finished_at=time.time(),
            details=merge_details([r.details for r in results]) | self.failed_cost(key),
            seed=self.seed(model, key),
        )

    def seed(self, model: AnyModel, key: RunKey) -> int | None:
        """This repeat's own seed, from the configured base (none configured: None)."""
        if isinstance(model, ModelConfig):
            base = sampling_for(model, self.config.defaults).seed
        else:
            sampling = getattr(model, "sampling", None)
            base = sampling.over(self.config.defaults.sampling).seed if sampling else None
        return run_seed(base, key.task, key.repeat)

    def _sampling(self, model: AnyModel) -> dict[str, Any]:
        """The sampling settings a model was asked with (a coding CLI has none of its own)."""
        if isinstance(model, ModelConfig):
            return {"sampling": sampling_for(model, self.config.defaults).model_dump()}
        sampling = getattr(model, "sampling", None)
        if sampling is None:
            return {}
        return {"sampling": sampling.over(self.config.defaults.sampling).model_dump()}


class _AgentAnswerer:
    """A model an agent runs: Generate on its node (Runner.generate), and the GPU energy
    it took where the node's meter has power readings (trinity.controller.energy)."""

    stopped: str | None = None

    def __init__(
        self, runner: Runner, model: ModelConfig, meter: energy.EnergyMeter | None
    ) -> None:
        self.runner = runner
        self.model = model
        self.meter = meter

    async def answer(self, question: Question) -> Answer | None:
        client = self.runner.conns[self.model.node]
        messages = list(question.messages)
        started = self.meter.begin() if self.meter else 0.0
        try:
            result = await self.runner.generate(
                client, self.model, messages, question.key.thinking, question.seed
            )
        finally:
            joules = self.meter.end(started) if self.meter else None
        if result is None:
            return None
        answer = from_generate(result)
        return answer if joules is None else replace(answer, details={"energy_wh": joules / 3600})


def _check_record(check: CheckScore) -> dict[str, Any]:
    """A check as stored: with the value it returned (JSON) when it returned plain data,
    so `show` can put what came back beside what was expected."""
    record: dict[str, Any] = {"name": check.name, "passed": check.passed, "message": check.message}
    if check.value_json not in ("", "null"):
        record["value"] = check.value_json
    return record


@dataclass(frozen=True)
class Answered:
    """An answer scored: its score (None when no code could be taken from it), the code
    that ran ("" for text tasks) and the extraction rule."""

    score: Score | None
    code: str
    rule: str


async def score_answer(
    client: AgentClient,
    task: Task,
    answer: str,
    checks: Sequence[str] = (),
    solution: str | None = None,
) -> Answered:
    """Text tasks: the answer matched here. Code tasks: the code run in the node's sandbox
    against `checks` (default: all): the `solution` file a coding tool wrote, else the code
    extracted from the answer; InfraError when the node cannot run it."""
    if not task.runs_code:
        return Answered(score_reply(task, answer), "", "text")
    extraction = (
        extract_code(answer, task.entry_points)
        if solution is None
        else Extraction(solution, "file", 0)
    )
    if extraction.code is None:
        return Answered(None, "", extraction.rule)
    try:
        score = await score_solution(client, task, extraction.code.encode(), checks)
    except (NodeUnreachable, AgentCallError, ModelError) as exc:
        raise InfraError(f"Execute: {exc}") from exc
    return Answered(score, extraction.code, extraction.rule)


def infra_record(
    plan: Plan,
    bench_run_id: str,
    finished: Finished[RunRecord],
    details: Mapping[str, Any] | None = None,
) -> RunRecord:
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
        details=dict(details or {}),
    )


def reported_cost(details: Mapping[str, Any]) -> float:
    """What a stored run reported costing, its failed attempts included."""
    return (details.get("cost_usd") or 0.0) + (details.get("failed_cost_usd") or 0.0)


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
    recovery_s: float = RECOVERY_WAIT_S,
) -> Outcome:
    """Pre-flight, then every run not already finished (in the bench `resume` names, or a
    new one recorded once pre-flight passes), then consensus."""
    progress = progress or Progress()
    nodes = sorted({config.scoring_node(m) for m in plan.models})
    served = sorted({m.node for m in plan.models if isinstance(m, ModelConfig)})
    async with (
        clients(config, nodes) as conns,
        peers.answerers(config, plan.models) as asking,
        energy.meters(conns, served) as meters,
    ):
        await check_models_ready(plan, conns)
        refused = await preflight(plan, conns, progress)
        refuse_all(refused, plan.tasks)
        if resume is None:
            # Columns as a list: the store writes JSON with sorted keys, a dict would lose
            # the order models were configured in.
            columns = [[c, t] for c, t in plan.titles().items()]
            selection = {**plan.selection(), "columns": columns, "refused": refused}
            snapshot = config_snapshot(config, plan.models)
            bench_run_id = store.new_bench_run(argv, selection, snapshot, kind=plan.kind).id
        else:
            bench_run_id = resume
            store.set_status(resume, "running")
        result = Outcome(bench_run_id, plan, refused)
        done = store.finished_keys(bench_run_id)
        keys = [k for k in plan.keys() if k.task not in refused]
        todo = [k for k in keys if _stored_key(k) not in done]
        result.skipped = len(keys) - len(todo)
        runner = Runner(config, plan, bench_run_id, conns, asking, meters)
        if plan.max_cost_usd is not None:
            runner.spent_usd = sum(reported_cost(r.details) for r in store.runs(bench_run_id))

        async def finished(item: Finished[RunRecord]) -> None:
            record = item.result or infra_record(plan, bench_run_id, item,
                                                 runner.failed_cost(item.key))  # fmt: skip
            record_or_stop(store, record)
            result.ran += 1
            result.failed += record.outcome == "infra_error"
            if progress.finished:
                progress.finished(record)

        if progress.started:
            progress.started(bench_run_id, len(todo), result.skipped)
        concurrency = {m.key: m.concurrency for m in plan.models}
        try:
            await schedule(todo, runner, concurrency, on_finished=finished, retries=retries,
                           retry_delay_s=retry_delay_s,
                           recover=recoverer(plan.models, conns, recovery_s))  # fmt: skip
        except BaseException:
            with contextlib.suppress(StoreError):  # the error being raised says more
                store.set_status(bench_run_id, "interrupted")
            raise
        store.set_status(bench_run_id, "finished")
    result.verdicts = verdicts(store, bench_run_id, plan, exclude=refused)
    return result


def _stored_key(key: RunKey) -> RunKeyTuple:
    """A RunKey as Store.finished_keys spells it (a plain bench run: no role, round 0; a
    peer's key has no node/ part, and its runs no node)."""
    node = key.model.split("/")[0] if "/" in key.model else ""
    return (key.task, key.model, node, thinking_label(key.thinking), key.repeat, "", 0)


def verdicts(
    store: Store, bench_run_id: str, plan: Plan, *, exclude: Mapping[str, Any] = {}
) -> list[TaskVerdict]:
    """Consensus over the stored scores of a bench (whatever has finished so far)."""
    tasks = [t.id for t in plan.tasks if t.id not in exclude]
    return consensus(store.scores(bench_run_id), plan.columns(), plan.n, plan.threshold,
                     tasks=tasks)  # fmt: skip
