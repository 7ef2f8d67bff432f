"""What one stored run looks like to a person: its turns, each check with what it wanted
and what it got, and one line in plain words saying why the run failed.

`trinityctl show` and the HTML report both read runs through here, so the terminal and
the page always say the same thing. Everything comes from the results database, plus
the task as it is today (for expected values, accepted answers and rubric patterns):
when the task changed since the run (its hash differs), the view says so.

Text tasks (answer, review, design): the stored checks decide, because they are what
made the stored score. The reply is also scored again here with `scoring.score_reply`
(deterministic, nothing runs) when the task is unchanged; when today's scorer disagrees
with the stored checks, `RunView.rescored` says what it says now, so a change to the
scorer shows up as a change, not as a mystery.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from trinity.controller.errors import ConfigError, SelectionError
from trinity.controller.extract import extract_code
from trinity.controller.scoring import score_reply
from trinity.controller.store import BenchRun, RunRecord, Store, model_label, thinking_label
from trinity.controller.suites import Task, category_of, load_suite

TURN_SEPARATOR = "\n\n---\n\n"  # how bench joins the turns of a stored response and code
_IMPORT_FAILED = "import failed: "
_LINE_OF = re.compile(r"\(\S+, line (\d+)\)")
_MISSING_NAME = re.compile(r"^import failed: ImportError: cannot import name '(\w+)' from '\w+'")
_SHORT = 120  # characters of a value or message in a one-line reason


@dataclass(frozen=True)
class CheckView:
    """One check of a run: passed or not, the message, and for value checks and text
    tasks what was wanted and what came back."""

    name: str
    passed: bool
    message: str
    turn: int = 1
    expected: str | None = None  # a value check's expected JSON, or accepted answers/patterns
    got: str | None = None  # what the check returned (JSON), or what the reply said


@dataclass(frozen=True)
class TurnView:
    """One turn of the conversation: what was asked, what came back, what ran."""

    number: int
    prompt: str
    reply: str | None  # the answer with reasoning removed; None: no reply (timeout)
    code: str | None
    extraction_rule: str
    checks: tuple[CheckView, ...]


@dataclass(frozen=True)
class RunView:
    """A stored run as a person reads it."""

    run: RunRecord
    column: str  # the consensus column (model, plus thinking in an A/B)
    kind: str  # the task's kind today; "" when the task no longer exists
    turns: tuple[TurnView, ...]
    checks: tuple[CheckView, ...]
    why: str  # one line; "" when every check passed
    task_changed: bool = False
    rescored: str = ""  # text tasks: what today's scorer says, when it disagrees

    @property
    def failed(self) -> bool:
        """Lost points or did not finish: any score below 100 (infra errors included)."""
        return self.run.score is None or self.run.score < 100.0

    @property
    def category(self) -> str:
        return category_of(self.run.task.split("/", 1)[0])

    @property
    def first_failure(self) -> CheckView | None:
        return next((c for c in self.checks if not c.passed), None)

    @property
    def label(self) -> str:
        """'run 2', plus role and round when the run has them (pairs, reviews)."""
        text = f"run {self.run.repeat}"
        if self.run.role:
            text += f" {self.run.role}"
        if self.run.round:
            text += f" round {self.run.round}"
        return text


@dataclass(frozen=True)
class BenchView:
    """Every stored run of one bench, as views, in display order."""

    bench: BenchRun
    titles: Mapping[str, str]  # column → title, in configured order
    tasks: tuple[str, ...]  # in the order the bench selected them
    runs: tuple[RunView, ...]

    def title(self, column: str) -> str:
        return self.titles.get(column, column)


# ------------------------------------------------------------------ loading


def load(store: Store, bench_run_id: str) -> BenchView:
    """A bench's runs as views (a bench still running: what has finished so far)."""
    bench = store.bench_run(bench_run_id)
    runs = store.runs(bench_run_id)
    tasks = tuple(bench.selection.get("tasks") or dict.fromkeys(r.task for r in runs))
    defs = task_definitions(tasks)
    titles = {c: t for c, t in bench.selection.get("columns", [])}
    for run in runs:
        column = _column(run)
        titles.setdefault(column, column)
    order = {t: i for i, t in enumerate(tasks)}
    columns = {c: i for i, c in enumerate(titles)}
    runs.sort(key=lambda r: (order.get(r.task, len(order)), r.task, columns[_column(r)],
                             r.repeat, r.round, r.role))  # fmt: skip
    views = tuple(view(r, defs.get(r.task)) for r in runs)
    return BenchView(bench, titles, tasks, views)


def task_definitions(task_ids: Iterable[str]) -> dict[str, Task | None]:
    """Today's definition of each task (None: no longer exists), each suite read once."""
    suites: dict[str, dict[str, Task]] = {}
    found: dict[str, Task | None] = {}
    for task_id in task_ids:
        suite, _, name = task_id.partition("/")
        if suite not in suites:
            try:
                suites[suite] = {t.name: t for t in load_suite(suite)}
            except ConfigError:
                suites[suite] = {}
        found[task_id] = suites[suite].get(name)
    return found


def _column(run: RunRecord) -> str:
    return model_label(run.model, thinking_label(run.thinking))


# ------------------------------------------------------------------ one run


def view(run: RunRecord, task: Task | None) -> RunView:
    """A run as a person reads it; task is today's definition (None if gone)."""
    changed = task is not None and bool(run.task_hash) and task.hash != run.task_hash
    current = None if changed else task
    turn_of = _turn_of_check(task)
    checks = tuple(_check(c, current, turn_of.get(str(c.get("name")), 1)) for c in run.checks)
    turns = _turns(run, task, checks)
    rescored = _rescore(run, current, turns, checks)
    v = RunView(run, _column(run), task.kind if task else "", turns, checks, "", changed, rescored)
    return replace(v, why=why_failed(v))


def _turn_of_check(task: Task | None) -> dict[str, int]:
    if task is None or not task.turns:
        return {}
    return {check: i for i, (_, checks) in enumerate(task.turns, 1) for check in checks}


def _check(stored: Mapping[str, Any], task: Task | None, turn: int) -> CheckView:
    name, message = str(stored.get("name", "?")), str(stored.get("message", ""))
    passed = bool(stored.get("passed"))
    value = stored.get("value")
    got = value if isinstance(value, str) else None
    expected = None
    if task is not None and name in task.expected:
        expected = task.expected[name]
        prefix = f"expected {expected}, got "
        if message.startswith(prefix):
            got = message[len(prefix) :]
    elif task is not None and task.kind == "answer":
        expected = "one of: " + ", ".join(repr(a) for a in task.answers)
    elif task is not None and name in task.rubric:
        check = task.rubric[name]
        expected = "asserts any of: " + ", ".join(f"/{p}/" for p in check.asserts)
        if check.refuted_by:
            expected += "; no sentence refuting it: " + ", ".join(
                f"/{p}/" for p in check.refuted_by
            )
    if expected is None and message.startswith("expected ") and ", got " in message:
        expected, _, got = message.removeprefix("expected ").partition(", got ")
    return CheckView(name, passed, message, turn, expected, got)


def _turns(run: RunRecord, task: Task | None, checks: Sequence[CheckView]) -> tuple[TurnView, ...]:
    """User/assistant pairs of the stored conversation, each with its code and checks."""
    pairs: list[tuple[str, str | None]] = []
    for message in run.prompt:
        content = str(message.get("content", ""))
        if message.get("role") == "user":
            pairs.append((content, None))
        elif message.get("role") == "assistant" and pairs and pairs[-1][1] is None:
            pairs[-1] = (pairs[-1][0], content)
    rules = run.extraction_rule.split(",") if run.extraction_rule else []
    codes = _codes(run, task, [reply for _, reply in pairs])
    turns = []
    for number, (prompt, reply) in enumerate(pairs, 1):
        code = codes[number - 1] if number <= len(codes) else None
        rule = rules[number - 1] if number <= len(rules) else ""
        mine = tuple(c for c in checks if c.turn == number)
        turns.append(TurnView(number, prompt, reply, code, rule, mine))
    return tuple(turns)


def _codes(run: RunRecord, task: Task | None, replies: Sequence[str | None]) -> list[str | None]:
    """Each turn's extracted code: the stored code, split per turn when it lines up with
    the replies; else each reply extracted again (the same deterministic rules)."""
    if run.code is None:
        return []
    answered = [r for r in replies if r is not None]
    if len(answered) <= 1:
        return [run.code or None]
    parts = run.code.split(TURN_SEPARATOR)
    if len(parts) == len(answered):
        return [p or None for p in parts]
    entry_points = task.entry_points if task else ()
    return [extract_code(r, entry_points).code if r is not None else None for r in replies]


def _rescore(
    run: RunRecord, task: Task | None, turns: Sequence[TurnView], checks: Sequence[CheckView]
) -> str:
    """Today's scorer on the stored reply, in words, when it disagrees with the stored
    checks; "" when it agrees (or cannot be asked: not a text task, task changed)."""
    if task is None or task.runs_code or not turns or turns[-1].reply is None:
        return ""
    now = score_reply(task, turns[-1].reply)
    before = {c.name: c.passed for c in checks}
    differ = [c for c in now.checks if before.get(c.name) != c.passed]
    if not differ:
        return ""
    return "today's scorer says: " + "; ".join(
        f"{c.name} {'passes' if c.passed else 'fails'} ({c.message})" for c in differ
    )


# ------------------------------------------------------------------ why it failed


def why_failed(v: RunView) -> str:
    """One line in plain words: why this run lost points ("" when it did not)."""
    run = v.run
    if run.outcome == "infra_error":
        error = str(run.sandbox.get("error", "")) or "no error recorded"
        return (f"not the model's doing: the node could not be used ({error}); left out of "
                "the scores, `bench --resume` tries it again")  # fmt: skip
    turn = _turn_prefix(v)
    if run.outcome == "timeout":
        waited = f" (after {run.finished_at - run.started_at:.0f} s)" if run.finished_at else ""
        return f"{turn}no reply: the generation deadline passed before the model finished{waited}"
    if run.outcome == "extraction_failed":
        return f"{turn}no code to run: {_no_code(v)}"
    if not v.failed:
        return ""
    reason = _check_reason(v)
    if run.outcome == "truncated":
        tokens = f" ({run.completion_tokens} tokens)" if run.completion_tokens else ""
        return f"the reply was cut off at max_tokens{tokens}; {reason}"
    return reason


def _turn_prefix(v: RunView) -> str:
    """'turn 2 of 3: ' where the run stopped, for multi-turn tasks."""
    total = len(v.turns)
    if total <= 1:
        return ""
    last = next((t for t in v.turns if t.reply is None or not t.code), v.turns[-1])
    return f"turn {last.number} of {total}: "


def _no_code(v: RunView) -> str:
    reply = next((t.reply for t in v.turns if t.reply is not None and not t.code), None)
    if not reply or not reply.strip():
        return "the reply was empty"
    return (f"the reply ({len(reply)} characters) has no ```python block and no code "
            "that parses")  # fmt: skip


def _check_reason(v: RunView) -> str:
    failed = [c for c in v.checks if not c.passed]
    if not failed:
        return f"scored {v.run.score:g} with no failed check recorded" if v.run.score else ""
    first = failed[0]
    if first.message.startswith(_IMPORT_FAILED) and all(c.message == first.message for c in failed):
        return f"{_turn_of(v, first)}{_load_reason(v, first)}; none of its {len(failed)} checks ran"
    if first.message.startswith("not run: "):
        return (
            f"{_turn_of(v, first)}the checks did not run: {first.message.removeprefix('not run: ')}"
        )
    count = f"{len(failed)} of {len(v.checks)} checks failed"
    if v.kind in ("review", "design"):
        return f"the reply does not mention {', '.join(c.name for c in failed)} ({count})"
    if v.kind == "answer":
        accepted = first.expected.removeprefix("one of: ") if first.expected else ""
        wanted = f" (accepted: {_short(accepted, 60)})" if accepted else ""
        return f"wrong answer: {_short(first.message, 100)}{wanted}"
    return f"{_turn_of(v, first)}{count}; first: {first.name}: {_what(first)}"


def _load_reason(v: RunView, check: CheckView) -> str:
    """Why the solution did not import: most often a function written under another name."""
    missing = _MISSING_NAME.search(check.message)
    if missing:
        return f"the code does not define {missing[1]}, which the task asks for"
    return f"the code does not load: {_load_error(v, check)}"


def _turn_of(v: RunView, check: CheckView) -> str:
    return f"turn {check.turn}: " if len(v.turns) > 1 else ""


def _what(check: CheckView) -> str:
    if check.expected is not None and check.got is not None:
        return f"expected {_short(check.expected)}, got {_short(check.got)}"
    return _short(check.message) or "failed with no message"


def _load_error(v: RunView, check: CheckView) -> str:
    """The import error, with the solution's line it names quoted: 'SyntaxError: … at
    line 5: `return f"…"`'."""
    error = check.message.removeprefix(_IMPORT_FAILED)
    match = _LINE_OF.search(error)
    turn = v.turns[check.turn - 1] if 0 < check.turn <= len(v.turns) else None
    if match is None or turn is None or not turn.code:
        return error
    lines = turn.code.splitlines()
    number = int(match[1])
    if not 0 < number <= len(lines):
        return error
    quoted = _short(lines[number - 1].strip(), 80)
    return f"{error[: match.start()].rstrip()} at line {number}: `{quoted}`"


def _short(text: str, limit: int = _SHORT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ------------------------------------------------------------------ many runs


def failure_kind(v: RunView) -> str:
    """What a failed run's failure is, in a few words, for counting across runs."""
    if v.run.outcome in ("infra_error", "timeout", "extraction_failed"):
        return {"infra_error": "infrastructure error (not scored)", "timeout": "no reply in time",
                "extraction_failed": "no code in the reply"}[v.run.outcome]  # fmt: skip
    first = v.first_failure
    if first is None:
        return "no failed check recorded"
    if first.message.startswith(_IMPORT_FAILED):
        missing = _MISSING_NAME.search(first.message)
        if missing:
            return f"code does not define {missing[1]}"
        error = first.message.removeprefix(_IMPORT_FAILED).split(":", 1)[0]
        return f"code does not load ({error})"
    if first.message.startswith("not run: "):
        return "checks did not run"
    if v.kind == "answer":
        return "wrong answer"
    if v.kind in ("review", "design"):
        return f"does not mention {first.name}"
    return f"check {first.name}"


@dataclass(frozen=True)
class TaskFailure:
    """Why a task's runs failed, most often: the commonest first failure, how many of
    the failed runs it accounts for, and one such run's reason as the example."""

    kind: str
    count: int
    failed: int
    example: str

    def __str__(self) -> str:
        return f"{self.kind} ({self.count} of {self.failed} failed runs)"


def task_failure(views: Sequence[RunView]) -> TaskFailure | None:
    """A task's 'why it failed' line over its runs (None when none failed)."""
    failed = [v for v in views if v.failed]
    if not failed:
        return None
    counts = Counter(failure_kind(v) for v in failed)
    kind, count = counts.most_common(1)[0]
    example = next(v for v in failed if failure_kind(v) == kind)
    return TaskFailure(kind, count, len(failed), example.why)


def select(
    bench: BenchView,
    *,
    task: str | None = None,
    model: str | None = None,
    repeat: int | None = None,
    failed: bool = False,
) -> list[RunView]:
    """The runs `show` asked for; an unknown task, model or run number is a
    SelectionError naming the ones there are."""
    runs = list(bench.runs)
    if task is not None:
        wanted = resolve_task(bench, task)
        runs = [v for v in runs if v.run.task == wanted]
    if model is not None:
        keys = resolve_model(bench, model)
        runs = [v for v in runs if v.run.model in keys or v.column in keys]
    if repeat is not None:
        numbers = sorted({v.run.repeat for v in runs})
        if repeat not in numbers:
            raise SelectionError(f"no run {repeat} here (runs: {_listing(map(str, numbers))})")
        runs = [v for v in runs if v.run.repeat == repeat]
    return [v for v in runs if v.failed] if failed else runs


def resolve_task(bench: BenchView, value: str) -> str:
    """SUITE/TASK, or a task name that only one suite of the bench has."""
    known = list(dict.fromkeys([*bench.tasks, *(v.run.task for v in bench.runs)]))
    if value in known:
        return value
    by_name = [t for t in known if t.split("/", 1)[-1] == value]
    if len(by_name) == 1:
        return by_name[0]
    raise SelectionError(
        f"bench {bench.bench.id} has no task {value!r}", hint=f"its tasks: {_listing(known)}"
    )


def resolve_model(bench: BenchView, value: str) -> set[str]:
    """NODE/NAME, NAME, or a column label: the model keys (or columns) it means."""
    models = list(dict.fromkeys(v.run.model for v in bench.runs))
    models += [m for m in bench.bench.selection.get("models", []) if m not in models]
    if value in models or value in bench.titles:
        return {value}
    named = {m for m in models if m.split("/", 1)[-1] == value}
    titled = {c for c, t in bench.titles.items() if t == value}
    if named or titled:
        return named | titled
    raise SelectionError(
        f"bench {bench.bench.id} has no model {value!r}", hint=f"its models: {_listing(models)}"
    )


def _listing(items: Iterable[str], limit: int = 12) -> str:
    items = list(items)
    more = f", … ({len(items) - limit} more)" if len(items) > limit else ""
    return (", ".join(items[:limit]) + more) or "none"


def said_by(checks: Sequence[CheckView]) -> list[str]:
    """What each check got or said, for a table: a message the row above already shows
    (every check of code that does not load says the same) reads "same as above"."""
    out, previous = [], None
    for c in checks:
        said = c.got if c.got is not None else c.message
        out.append("same as above" if said and said == previous else said)
        previous = said
    return out


def facts(v: RunView) -> list[str]:
    """The run's figures, each a few words: outcome, score, tokens, TTFT, tok/s, time,
    node, and seed, role, round, parent and attempt where the run has them."""
    run = v.run
    score = "—" if run.score is None else f"{run.score:.1f}"
    out = [run.outcome + (f" (attempt {run.attempt})" if run.attempt > 1 else ""),
           f"score {score} ({run.passed}/{run.declared} checks)"]  # fmt: skip
    if run.completion_tokens is not None:
        prompt = "unknown" if run.prompt_tokens is None else run.prompt_tokens
        out.append(f"{run.completion_tokens} tokens out, {prompt} in")
    if run.ttft_s is not None:
        out.append(f"TTFT {seconds(run.ttft_s)}")
    if run.decode_tok_s:
        out.append(f"{run.decode_tok_s:.1f} tok/s")
    out.append(f"{seconds(run.finished_at - run.started_at)} in all")
    out.append(f"node {run.node}" + (f" ({run.backend})" if run.backend else ""))
    for name, value in (("seed", run.seed), ("role", run.role or None),
                        ("round", run.round or None), ("parent run", run.parent_id),
                        ("run id", run.id)):  # fmt: skip
        if value is not None:
            out.append(f"{name} {value}")
    return out


def seconds(value: float) -> str:
    """820 ms, 4.2 s, 41 s: a duration at the precision a person reads."""
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.1f} s" if value < 10 else f"{value:.0f} s"


def as_json(v: RunView, *, full: bool = True) -> dict[str, Any]:
    """A run for scripts: the summary line's fields, and with full the turns and checks."""
    run = v.run
    out: dict[str, Any] = {
        "id": run.id, "task": run.task, "model": run.model, "column": v.column,
        "repeat": run.repeat, "role": run.role, "round": run.round, "parent_id": run.parent_id,
        "seed": run.seed, "thinking": thinking_label(run.thinking), "outcome": run.outcome,
        "score": run.score, "passed": run.passed, "declared": run.declared,
        "failed": v.failed, "why": v.why, "prompt_tokens": run.prompt_tokens,
        "completion_tokens": run.completion_tokens, "ttft_s": run.ttft_s,
        "decode_tok_s": run.decode_tok_s, "seconds": run.finished_at - run.started_at,
    }  # fmt: skip
    if not full:
        return out
    return {
        **out,
        "node": run.node, "backend": run.backend, "quant": run.quant, "attempt": run.attempt,
        "task_changed": v.task_changed, "rescored": v.rescored,
        "reasoning": run.reasoning, "reasoning_rule": run.reasoning_rule,
        "response": run.response, "sandbox": dict(run.sandbox), "details": dict(run.details),
        "checks": [vars(c) for c in v.checks],
        "turns": [{"number": t.number, "prompt": t.prompt, "reply": t.reply, "code": t.code,
                   "extraction_rule": t.extraction_rule} for t in v.turns],
    }  # fmt: skip
