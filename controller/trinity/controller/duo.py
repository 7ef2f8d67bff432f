"""`trinityctl duo`: a builder and a reviewer empowered to fail it, on the tasks of a bench;
and `trinityctl duo calibrate`: a reviewer shown code whose truth the sandbox already knows.

A duo *chain* is one task and one repeat. For each turn of the task (one, unless
multi_turn) the builder answers and its code is scored in the builder node's sandbox;
the reviewer is given the task and that code (never the hidden tests, never the score)
and returns a verdict (trinity.controller.reviewer); on FAIL the builder gets its answer
back with the findings, answers again, and the new code is scored and reviewed, up to
`rounds` reviews a turn (a FAIL is always answered, so a turn's last new code may go
unreviewed). A PASS, or a reply with no readable verdict (*unparsed*: nothing to act on,
and never counted as an approval), ends the turn; the turn's last code is what the
conversation carries on from. The first answer of each turn is the *single* result, so
single and pair are compared on the very same generations; the last code is the *pair*
result (*multi-step* for multi_turn tasks).

Every step is a run in the results database: builder steps are role "builder", reviews
role "reviewer", numbered by `round` along the chain (builder rounds 0, 1, 2 …, the
review of builder round r is reviewer round r + 1), each with its parent (a review's is
the builder run it reviewed; a revision's, the review that sent it back; a new turn's,
the last builder run of the turn before). A builder run's score is the task's score so
far (earlier turns at their final code, this turn at this code), so the chain's last
builder run holds the pair result; `details` keeps the turn, the attempt within it and
the turn's own score; a review's keeps the verdict, findings, prompt and prompt hash,
and the score of the code it reviewed (the ground truth its quality is measured by).
The run that ends a chain says so (`details.last`). `--resume` replays every stored step
and makes only the missing ones.

Calibration shows the reviewer each reference (score 100) and mutant (below 100) of the
selected code tasks, comments removed, as if a builder had written it, once per prompt
and repeat. Their truth is proven first in the reviewer node's sandbox (the same
pre-flight as a bench); a task that fails it is left out. Calibration runs are role
"reviewer:PROMPT", round = the piece of code's number within its task (references first,
in file order), and keep its name and truth in `details`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from trinity.controller import bench, cluster
from trinity.controller.answerer import Answer, from_generate
from trinity.controller.bench import (
    Plan,
    Progress,
    Runner,
    recoverer,
    score_answer,
)
from trinity.controller.client import AgentClient
from trinity.controller.config import ClusterConfig, ModelConfig
from trinity.controller.errors import SelectionError
from trinity.controller.extract import split_reasoning
from trinity.controller.reviewer import (
    UNPARSED,
    Review,
    ReviewerPrompt,
    parse_review,
    without_comments,
)
from trinity.controller.scheduler import Finished, Lane, RunKey, with_retries
from trinity.controller.scoring import Score
from trinity.controller.store import RunRecord, Store, thinking_label
from trinity.controller.suites import Task
from trinity.controller.validation import validate
from trinity.v1 import agent_pb2 as pb

BUILDER, REVIEWER = "builder", "reviewer"
DEFAULT_ROUNDS = 2
FEEDBACK = """A reviewer examined your answer and failed it. What the reviewer found:

{findings}

Fix every problem that is real and reply with the complete corrected {what}."""


def pick_model(config: ClusterConfig, wanted: str | None, role: str) -> ModelConfig:
    """--builder / --reviewer MODEL (NAME or NODE/NAME), else the first model whose
    `roles` in models.toml include the role."""
    if wanted is None:
        able = [m for m in config.models if role in m.roles]
        if not able:
            raise SelectionError(
                f"no {role}: no model in {config.source} has roles = [..., {role!r}]",
                hint=f"give --{role} MODEL, or add {role!r} to a model's roles",
            )
        return able[0]
    found = cluster.select(config, None, [wanted]).models
    if len(found) > 1:
        raise SelectionError(
            f"--{role} {wanted!r} names a model on several nodes "
            f"({', '.join(m.key for m in found)}); use NODE/NAME"
        )
    return found[0]


def parse_switch(value: str | None, option: str) -> bool | None:
    """--builder-thinking / --reviewer-thinking: on or off."""
    if value is None:
        return None
    words = {"on": True, "off": False}
    if value.strip().lower() not in words:
        raise SelectionError(f"{option} {value!r}: use on or off")
    return words[value.strip().lower()]


# ---------------------------------------------------------------- plans


@dataclass(frozen=True)
class DuoPlan:
    """What one duo runs; stored with it, so `--resume` runs exactly this again."""

    tasks: tuple[Task, ...]
    builder: ModelConfig
    reviewer: ModelConfig
    n: int
    prompt: ReviewerPrompt
    rounds: int = DEFAULT_ROUNDS
    builder_thinking: bool | None = None
    reviewer_thinking: bool | None = None
    threshold: float = 90.0

    @property
    def models(self) -> tuple[ModelConfig, ...]:
        return _unique((self.builder, self.reviewer))

    def bench_plan(self) -> Plan:
        return Plan(self.tasks, self.models, self.n, (None,), self.threshold)

    def chains(self) -> list[tuple[Task, int]]:
        """(task, repeat), the first repeat of everything first."""
        return [(t, r) for r in range(1, self.n + 1) for t in self.tasks]

    def selection(self) -> dict[str, Any]:
        return {
            **self.bench_plan().selection(),
            "builder": self.builder.key,
            "reviewer": self.reviewer.key,
            "rounds": self.rounds,
            "builder_thinking": thinking_label(self.builder_thinking),
            "reviewer_thinking": thinking_label(self.reviewer_thinking),
            "prompts": [_prompt_json(self.prompt)],
        }


@dataclass(frozen=True)
class CalibrationPlan:
    """A reviewer, the prompts to compare, the code tasks whose references and mutants it
    is shown, and how many times each."""

    tasks: tuple[Task, ...]
    reviewer: ModelConfig
    prompts: tuple[ReviewerPrompt, ...]
    n: int = 1
    reviewer_thinking: bool | None = None

    def bench_plan(self) -> Plan:
        return Plan(self.tasks, (self.reviewer,), self.n)

    def selection(self) -> dict[str, Any]:
        return {
            **self.bench_plan().selection(),
            "reviewer": self.reviewer.key,
            "reviewer_thinking": thinking_label(self.reviewer_thinking),
            "prompts": [_prompt_json(p) for p in self.prompts],
        }


def _unique(models: Sequence[ModelConfig]) -> tuple[ModelConfig, ...]:
    return tuple({m.key: m for m in models}.values())


def _prompt_json(prompt: ReviewerPrompt) -> dict[str, str]:
    return {"name": prompt.name, "hash": prompt.hash, "text": prompt.text}


def code_tasks(tasks: Sequence[Task]) -> tuple[Task, ...]:
    """The tasks a calibration can use: those with code to run; an error when none is."""
    kept = tuple(t for t in tasks if t.runs_code)
    if not kept:
        raise SelectionError(
            "no code task selected: calibration shows a reviewer code "
            "whose truth the sandbox knows",
            hint="e.g. coding_basics",
        )
    return kept


def stored_plan(
    config: ClusterConfig,
    kind: str,
    selection: Mapping[str, Any],
    snapshot: Mapping[str, Any] | None = None,
) -> DuoPlan | CalibrationPlan:
    """A stored duo's (or calibration's: kind) plan, checked against today's tasks and
    config, its prompts as they were stored."""
    base = bench.plan_from_selection(config, selection, snapshot)
    models = {m.key: m for m in base.models if isinstance(m, ModelConfig)}  # no peers here
    prompts = tuple(ReviewerPrompt(p["name"], p["text"]) for p in selection["prompts"])
    switch = {"on": True, "off": False}
    reviewer_thinking = switch.get(selection["reviewer_thinking"])
    if kind == "calibrate":
        return CalibrationPlan(
            base.tasks, models[selection["reviewer"]], prompts, base.n, reviewer_thinking
        )
    return DuoPlan(
        base.tasks,
        models[selection["builder"]],
        models[selection["reviewer"]],
        base.n,
        prompts[0],
        int(selection["rounds"]),
        switch.get(selection["builder_thinking"]),
        reviewer_thinking,
        base.threshold,
    )


# ---------------------------------------------------------------- running


@dataclass
class DuoOutcome:
    """A finished (or interrupted) duo or calibration."""

    bench_run_id: str
    refused: dict[str, list[str]] = field(default_factory=dict)
    ran: int = 0  # steps made this time
    skipped: int = 0  # chains (or pieces of code) finished before a resume
    failed: int = 0  # steps the infrastructure kept from happening


class ChainStopped(Exception):
    """A chain cannot go on: a step failed for infrastructure reasons (resume retries it)."""


class Steps:
    """The steps of one bench: replayed from the store when there, else made and stored."""

    def __init__(
        self,
        config: ClusterConfig,
        store: Store,
        plan: Plan,
        bench_run_id: str,
        conns: Mapping[str, AgentClient],
        progress: Progress,
        retries: int,
        retry_delay_s: float,
    ) -> None:
        self.store = store
        self.plan = plan
        self.bench_run_id = bench_run_id
        self.conns = conns
        self.runner = Runner(config, plan, bench_run_id, conns)
        self.progress = progress
        self.retries = retries
        # As in bench: a model's infrastructure failure closes its lane until the node
        # says it is ready again, so queued steps wait instead of spending their tries.
        recover = recoverer(plan.models, conns, bench.RECOVERY_WAIT_S)
        self.lanes = {m.key: Lane(m.key, m.concurrency, recover, retry_delay_s)
                      for m in plan.models}  # fmt: skip
        self.done = {r.key: r for r in store.runs(bench_run_id) if r.outcome != "infra_error"}
        self.outcome = DuoOutcome(bench_run_id)

    async def step(
        self,
        key: RunKey,
        role: str,
        round_: int,
        make: Callable[[int], Awaitable[RunRecord]],
        parent: RunRecord | None = None,
    ) -> RunRecord:
        """The stored run of this step, or a new one made (retried on InfraError) and
        stored; ChainStopped when the infrastructure kept it from happening."""
        node = key.model.split("/")[0]
        stored = self.done.get(
            (key.task, key.model, node, thinking_label(key.thinking), key.repeat, role, round_)
        )
        if stored is not None:
            return stored
        finished = await with_retries(
            key, lambda _k, attempt: make(attempt), self.lanes[key.model], self.retries
        )
        record = finished.result or self._infra(finished, role, round_, parent)
        self.store.record_run(record)
        record = self.store.run(self.bench_run_id, record.key) or record
        self.outcome.ran += 1
        if self.progress.finished:
            self.progress.finished(record)
        if record.outcome == "infra_error":
            self.outcome.failed += 1
            raise ChainStopped(record.sandbox.get("error", ""))
        return record

    def _infra(
        self, finished: Finished[RunRecord], role: str, round_: int, parent: RunRecord | None
    ) -> RunRecord:
        record = bench.infra_record(self.plan, self.bench_run_id, finished)
        return replace(record, role=role, round=round_, parent_id=parent.id if parent else None)

    def client(self, model: ModelConfig) -> AgentClient:
        return self.conns[model.node]

    async def ask(
        self, model: ModelConfig, text: str, key: RunKey
    ) -> tuple[list[tuple[str, str]], pb.GenerateResult | None]:
        """One review asked for: (messages, the reply or None on a generation timeout)."""
        messages = [("user", text)]
        seed = self.runner.seed(model, key)
        reply = await self.runner.generate(self.client(model), model, messages, key.thinking, seed)
        return messages, reply


def answer_of(record: RunRecord) -> str:
    """The answer a stored builder run gave (its reply without reasoning)."""
    return split_reasoning(record.response).answer


def task_text(task: Task, turn: int) -> str:
    """What the reviewer is told the task is: the prompt, or the requests up to this turn."""
    if not task.turns:
        return task.prompt
    asked = [p for p, _ in task.turns[:turn]]
    return "\n\n".join(
        f"Request {i} of the conversation:\n{p.strip()}" for i, p in enumerate(asked, 1)
    )


@dataclass
class Chain:
    """Where one task × repeat stands: the conversation so far, the last builder run and
    each finished turn's checks at its final code."""

    task: Task
    repeat: int
    history: list[tuple[str, str]] = field(default_factory=list)
    last: RunRecord | None = None
    finals: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # check → result
    round: int = 0  # the next builder round


class Duo(Steps):
    """Runs the chains of a duo (see the module doc)."""

    def __init__(self, plan: DuoPlan, *args: Any) -> None:
        super().__init__(*args)
        self.duo = plan

    async def chain(self, task: Task, repeat: int) -> None:
        state = Chain(task, repeat)
        try:
            for turn, prompt in enumerate(task.prompts, 1):
                await self.turn(state, turn, prompt)
        except ChainStopped:
            pass

    async def turn(self, chain: Chain, turn: int, prompt: str) -> None:
        final_turn = turn == len(chain.task.prompts)
        asked = [*chain.history, ("user", prompt)]
        build = await self.build(chain, turn, 0, asked, chain.last, final_turn)
        for attempt in range(1, self.duo.rounds + 1):
            if build.outcome == "timeout":
                raise ChainStopped("the builder gave no answer")
            review = await self.review(chain, turn, build, final_turn)
            if review.details.get("verdict") != "FAIL":
                break
            again = [
                *asked,
                ("assistant", answer_of(build)),
                ("user", feedback(chain.task, review)),
            ]
            build = await self.build(chain, turn, attempt, again, review, final_turn)
        if build.outcome == "timeout":
            raise ChainStopped("the builder gave no answer")
        chain.history += [("user", prompt), ("assistant", answer_of(build))]
        chain.finals.update({c["name"]: c for c in build.details.get("turn_results", [])})
        chain.last = build

    async def build(
        self,
        chain: Chain,
        turn: int,
        attempt: int,
        messages: list[tuple[str, str]],
        parent: RunRecord | None,
        final_turn: bool,
    ) -> RunRecord:
        round_, chain.round = chain.round, chain.round + 1
        model, thinking = self.duo.builder, self.duo.builder_thinking
        key = RunKey(chain.task.id, model.key, thinking, chain.repeat)
        last_possible = final_turn and attempt == self.duo.rounds

        async def make(try_number: int) -> RunRecord:
            started = time.time()
            seed = self.runner.seed(model, key)
            result = await self.runner.generate(self.client(model), model, messages, thinking, seed)
            if result is None:
                record = self.runner.record(
                    key,
                    try_number,
                    chain.task,
                    model,
                    started,
                    messages,
                    [],
                    [],
                    [],
                    [],
                    "timeout",
                    None,
                )
                return self._built(record, chain, turn, attempt, None, parent, round_, True)
            split = split_reasoning(result.text, result.reasoning)
            checks = chain.task.turns[turn - 1][1] if chain.task.turns else ()
            answered = await score_answer(self.client(model), chain.task, split.answer, checks)
            outcome = "truncated" if result.finish_reason == "length" else "scored"
            if answered.score is None:
                outcome = "extraction_failed" if outcome == "scored" else outcome
            codes = [answered.code] if chain.task.runs_code else []
            record = self.runner.record(
                key,
                try_number,
                chain.task,
                model,
                started,
                [*messages, ("assistant", split.answer)],
                [(split.answer, split.reasoning, split.rule)],
                [from_generate(result)],
                codes,
                [answered.rule],
                outcome,
                answered.score,
            )
            return self._built(
                record, chain, turn, attempt, answered.score, parent, round_, last_possible
            )

        return await self.step(key, BUILDER, round_, make, parent)

    def _built(
        self,
        record: RunRecord,
        chain: Chain,
        turn: int,
        attempt: int,
        score: Score | None,
        parent: RunRecord | None,
        round_: int,
        last: bool,
    ) -> RunRecord:
        """A builder run as the chain keeps it: this turn's checks, the task's score so far."""
        task = chain.task
        wanted = task.turns[turn - 1][1] if task.turns else task.checks
        mine = {c.name: c for c in (score.checks if score else ())}
        turn_results: list[dict[str, Any]] = [
            {"name": n, "passed": mine[n].passed, "message": mine[n].message}
            if n in mine
            else {"name": n, "passed": False, "message": "no code to run"}
            for n in wanted
        ]
        merged: dict[str, Mapping[str, Any]] = {**chain.finals}
        merged.update({c["name"]: c for c in turn_results})
        checks = [
            merged.get(n, {"name": n, "passed": False, "message": "turn not reached"})
            for n in task.checks
        ]
        passed = sum(bool(c["passed"]) for c in checks)
        turn_passed = sum(bool(c["passed"]) for c in turn_results)
        details = {
            "turn": turn,
            "attempt": attempt,
            "turn_checks": len(wanted),
            "turn_passed": turn_passed,
            "turn_score": 100.0 * turn_passed / len(wanted),
            "turn_results": turn_results,
            "last": last,
        }
        return replace(
            record,
            role=BUILDER,
            round=round_,
            parent_id=parent.id if parent else None,
            checks=checks,
            passed=passed,
            score=100.0 * passed / len(task.checks),
            details=details,
        )

    async def review(
        self, chain: Chain, turn: int, build: RunRecord, final_turn: bool
    ) -> RunRecord:
        model, thinking, prompt = self.duo.reviewer, self.duo.reviewer_thinking, self.duo.prompt
        key = RunKey(chain.task.id, model.key, thinking, chain.repeat)
        round_ = build.round + 1
        shown = build.code or answer_of(build)

        async def make(try_number: int) -> RunRecord:
            started = time.time()
            messages, result = await self.ask(
                model, prompt.render(task_text(chain.task, turn), shown), key
            )
            review = reviewed(result)
            record = self.runner.record(
                key,
                try_number,
                chain.task,
                model,
                started,
                messages,
                *_reply(result),
                [review.rule],
                _review_outcome(result, review),
                None,
            )
            last = final_turn and not review.rejected
            details = {
                **review.as_details(),
                "prompt": prompt.name,
                "prompt_hash": prompt.hash,
                "code_score": build.details.get("turn_score"),
                "turn": turn,
                "last": last,
            }
            return replace(
                record,
                role=REVIEWER,
                round=round_,
                parent_id=build.id,
                score=None,
                code=shown,
                details=details,
            )

        return await self.step(key, REVIEWER, round_, make, build)


def reviewed(result: pb.GenerateResult | None) -> Review:
    return UNPARSED if result is None else parse_review(result.text, result.reasoning)


def _reply(
    result: pb.GenerateResult | None,
) -> tuple[list[tuple[str, str, str]], list[Answer], list[str]]:
    """What Runner.record takes for one reply: (replies, answers, codes)."""
    if result is None:
        return [], [], []
    split = split_reasoning(result.text, result.reasoning)
    return [(split.answer, split.reasoning, split.rule)], [from_generate(result)], []


def _review_outcome(result: pb.GenerateResult | None, review: Review) -> str:
    """timeout; extraction_failed when no verdict could be read (unparsed); truncated when
    one could, from a reply cut off; else scored."""
    if result is None:
        return "timeout"
    if review.unparsed:
        return "extraction_failed"
    return "truncated" if result.finish_reason == "length" else "scored"


def feedback(task: Task, review: RunRecord) -> str:
    """What the builder is told after a FAIL: the findings, then what to send back."""
    findings = review.details.get("findings") or []
    lines = [_finding_line(f) for f in findings] or ["(no specific findings were given)"]
    what = "code in one ```python block" if task.runs_code else "answer"
    return FEEDBACK.format(findings="\n".join(lines), what=what)


def _finding_line(finding: Mapping[str, Any]) -> str:
    where = f"line {finding['line']}" if finding.get("line") is not None else "general"
    tags = ", ".join(x for x in (finding.get("category"), finding.get("severity")) if x)
    return f"- {where} ({tags}): {finding.get('message') or 'no message'}"


class Calibration(Steps):
    """Shows the reviewer each reference and mutant (see the module doc)."""

    def __init__(self, plan: CalibrationPlan, *args: Any) -> None:
        super().__init__(*args)
        self.calibration = plan

    async def item(
        self, task: Task, index: int, item: Item, prompt: ReviewerPrompt, repeat: int
    ) -> None:
        model, thinking = self.calibration.reviewer, self.calibration.reviewer_thinking
        key = RunKey(task.id, model.key, thinking, repeat)
        shown = without_comments(item.code)

        async def make(try_number: int) -> RunRecord:
            started = time.time()
            messages, result = await self.ask(
                model, prompt.render(task_text(task, len(task.prompts)), shown), key
            )
            review = reviewed(result)
            record = self.runner.record(
                key,
                try_number,
                task,
                model,
                started,
                messages,
                *_reply(result),
                [review.rule],
                _review_outcome(result, review),
                None,
            )
            details = {
                **review.as_details(),
                "prompt": prompt.name,
                "prompt_hash": prompt.hash,
                "item": item.name,
                "truth": item.truth,
                "code_score": item.score,
                "last": True,
            }
            return replace(
                record,
                role=f"{REVIEWER}:{prompt.name}",
                round=index,
                score=None,
                code=shown,
                details=details,
            )

        try:
            await self.step(key, f"{REVIEWER}:{prompt.name}", index, make)
        except ChainStopped:
            pass


@dataclass(frozen=True)
class Item:
    """A piece of code of known truth: a reference (100) or a mutant (below 100)."""

    name: str
    truth: str  # reference | mutant
    code: str
    score: float


async def _proven_items(
    client: AgentClient, tasks: Sequence[Task], progress: Progress
) -> tuple[dict[str, list[Item]], dict[str, list[str]]]:
    """Each task's references and mutants with the score the sandbox gave them, and the
    tasks refused because their own check failed there."""
    results = await validate(client, tasks)
    if progress.validated:
        progress.validated(client.name)
    items: dict[str, list[Item]] = {}
    refused: dict[str, list[str]] = {}
    for task, result in zip(tasks, results, strict=True):
        if not result.ok:
            refused[task.id] = [f"on {client.name}: {p}" for p in result.problems()]
            continue
        scores = {(p.role, p.name): p.score for p in result.probes}
        items[task.id] = [
            Item(name, truth, code.decode(), scores[(truth, name)])
            for truth, pieces in (("reference", task.references), ("mutant", task.mutants))
            for name, code in pieces
        ]
    return items, refused


# ---------------------------------------------------------------- entry points


async def run_duo(
    config: ClusterConfig,
    store: Store,
    plan: DuoPlan,
    *,
    resume: str | None = None,
    argv: Sequence[str] = (),
    progress: Progress | None = None,
    retries: int = 2,
    retry_delay_s: float = 2.0,
) -> DuoOutcome:
    """Pre-flight on the builder's node, then every chain not already finished."""
    progress = progress or Progress()
    base = plan.bench_plan()
    async with bench.clients(config, sorted({m.node for m in plan.models})) as conns:
        await bench.check_models_ready(base, conns)
        builder_node = {plan.builder.node: conns[plan.builder.node]}
        refused = await bench.preflight(base, builder_node, progress)
        bench.refuse_all(refused, plan.tasks)
        bench_run_id = _open(store, plan, config, "duo", refused, resume, argv)
        duo = Duo(plan, config, store, base, bench_run_id, conns, progress, retries, retry_delay_s)
        duo.outcome.refused = refused
        chains = [(t, r) for t, r in plan.chains() if t.id not in refused]
        todo = [(t, r) for t, r in chains if not _chain_done(duo.done.values(), t.id, r)]
        duo.outcome.skipped = len(chains) - len(todo)
        if progress.started:
            progress.started(bench_run_id, len(todo), duo.outcome.skipped)
        await _finish(store, bench_run_id, [duo.chain(t, r) for t, r in todo])
    return duo.outcome


async def run_calibration(
    config: ClusterConfig,
    store: Store,
    plan: CalibrationPlan,
    *,
    resume: str | None = None,
    argv: Sequence[str] = (),
    progress: Progress | None = None,
    retries: int = 2,
    retry_delay_s: float = 2.0,
) -> DuoOutcome:
    """Prove every task's references and mutants on the reviewer's node, then show the
    reviewer each one not already reviewed, per prompt and repeat."""
    progress = progress or Progress()
    base = plan.bench_plan()
    async with bench.clients(config, [plan.reviewer.node]) as conns:
        await bench.check_models_ready(base, conns)
        items, refused = await _proven_items(conns[plan.reviewer.node], plan.tasks, progress)
        bench.refuse_all(refused, plan.tasks)
        pieces = {t.id: [len(t.references), len(t.mutants)] for t in plan.tasks}
        bench_run_id = _open(store, plan, config, "calibrate", refused, resume, argv, pieces)
        steps = Calibration(
            plan, config, store, base, bench_run_id, conns, progress, retries, retry_delay_s
        )
        steps.outcome.refused = refused
        work = [
            (t, i, item, p, r)
            for r in range(1, plan.n + 1)
            for t in plan.tasks
            for i, item in enumerate(items.get(t.id, []), 1)
            for p in plan.prompts
        ]
        done = {(k[0], k[4], k[5], k[6]) for k in steps.done}
        todo = [w for w in work if (w[0].id, w[4], f"{REVIEWER}:{w[3].name}", w[1]) not in done]
        steps.outcome.skipped = len(work) - len(todo)
        if progress.started:
            progress.started(bench_run_id, len(todo), steps.outcome.skipped)
        await _finish(store, bench_run_id, [steps.item(*w) for w in todo])
    return steps.outcome


def _open(
    store: Store,
    plan: DuoPlan | CalibrationPlan,
    config: ClusterConfig,
    kind: str,
    refused: Mapping[str, list[str]],
    resume: str | None,
    argv: Sequence[str],
    pieces: Mapping[str, list[int]] | None = None,
) -> str:
    """A new bench of this kind recorded as running, or the resumed one marked running.
    A calibration's selection keeps each task's [references, mutants] count."""
    if resume is not None:
        store.set_status(resume, "running")
        return resume
    selection = {**plan.selection(), "refused": dict(refused)}
    if pieces is not None:
        selection["pieces"] = dict(pieces)
    snapshot = bench.config_snapshot(config, plan.bench_plan().models)
    return store.new_bench_run(argv, selection, snapshot, kind=kind).id


async def _finish(store: Store, bench_run_id: str, work: Sequence[Awaitable[None]]) -> None:
    try:
        await asyncio.gather(*work)
    except BaseException:
        store.set_status(bench_run_id, "interrupted")
        raise
    store.set_status(bench_run_id, "finished")


def _chain_done(records: Any, task: str, repeat: int) -> bool:
    return any(r.task == task and r.repeat == repeat and r.details.get("last") for r in records)
