"""Peers run at the same time: a crosscheck takes about as long as its slowest peer, not
the sum of all.

    .venv/bin/python benchmarks/crosscheck_parallel.py [--peers 3] [--seconds 1] [-n 1]

Each peer is a command of its own (`sleep S; echo W`: a coding CLI that takes S seconds
to answer), run by the real crosscheck path (trinity.controller.bench.run_bench with
kind "crosscheck": the scheduler, the CLI peer's scratch folder and process group, a
SQLite commit per run) on an answer task, scored on the controller; a fake agent
(tests/fakes/fake_agent.py, real gRPC) stands in for the node. Each peer is first timed
alone (after one discarded warm-up run), then all together. Printed: the wall time together beside the slowest alone
(max) and the sum of all alone; together/max near 1 and together/sum near 1/peers is
the goal.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from trinity.controller import crosscheck  # noqa: E402
from trinity.controller.bench import run_bench  # noqa: E402
from trinity.controller.config import load_config  # noqa: E402
from trinity.controller.store import Store  # noqa: E402
from trinity.controller.suites import load_task  # noqa: E402

from tests.fakes.fake_agent import FakeAgentServer  # noqa: E402

TASK = "factual_english/tungsten_symbol"


def write_config(folder: Path, address: str, peers: int, seconds: float) -> Path:
    (folder / "token").write_text("tok\n")
    lines = [f'[nodes.local]\naddress = "{address}"\ntoken_file = "token"\n']
    for i in range(peers):
        lines.append(
            f'[[peers]]\nname = "slow{i}"\ncommand = ["sh", "-c", "sleep {seconds}; echo W"]\n'
        )
    path = folder / "models.toml"
    path.write_text("\n".join(lines))
    return path


def timed(config_path: Path, names: list[str], n: int, db: Path) -> float:
    config = load_config(config_path)
    models = crosscheck.select(config, names)
    plan = crosscheck.plan([load_task(TASK)], models, n, 90.0)
    with Store(db) as store:
        started = time.perf_counter()
        outcome = asyncio.run(run_bench(config, store, plan))
        wall = time.perf_counter() - started
        runs = store.runs(outcome.bench_run_id)
    assert len(runs) == len(names) * n and all(r.outcome == "scored" for r in runs), runs
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peers", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("-n", type=int, default=1, help="runs of the task per peer")
    args = parser.parse_args()
    agent = FakeAgentServer("tok")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            path = write_config(folder, agent.address, args.peers, args.seconds)
            os.environ.pop("TRINITY_CONFIG", None)
            names = [f"slow{i}" for i in range(args.peers)]
            timed(path, names[:1], 1, folder / "warmup.db")  # imports, first connection
            alone = [timed(path, [name], args.n, folder / f"{name}.db") for name in names]
            together = timed(path, names, args.n, folder / "all.db")
    finally:
        agent.stop()
    slowest, total = max(alone), sum(alone)
    print(f"{args.peers} peers of {args.seconds:g} s each, n={args.n} (a crosscheck of one task)")
    print(f"  alone:    {', '.join(f'{w:.2f} s' for w in alone)}")
    print(f"  together: {together:.2f} s | slowest alone (max) {slowest:.2f} s | "
          f"sum alone {total:.2f} s")  # fmt: skip
    print(f"  together / max = {together / slowest:.2f}   together / sum = {together / total:.2f}")


if __name__ == "__main__":
    main()
