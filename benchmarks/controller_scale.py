"""What one controller costs per run at scale: 100 agents on loopback, 10,000 runs.

    .venv/bin/python benchmarks/controller_scale.py [--agents 100] [--runs 10000]

The agents are fakes (tests/fakes/fake_agent.py: the real gRPC contract, a fixed reply,
no model) served from one child process, so the machine's CPU goes to the controller
being measured. The bench is the real one (trinity.controller.bench.run_bench: the
scheduler, Generate over gRPC, answer matching, a SQLite commit per run, consensus) on
an answer task, whose scoring happens on the controller. Reported: controller CPU time
(user + system of this process) per run, and runs dispatched per second of wall time.
Target (issue 5): ≤ 1 ms of controller CPU per run at 100 agents.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from trinity.controller import cluster  # noqa: E402
from trinity.controller.bench import Plan, run_bench  # noqa: E402
from trinity.controller.config import load_config  # noqa: E402
from trinity.controller.store import Store  # noqa: E402
from trinity.controller.suites import load_task  # noqa: E402

from tests.fakes.fake_agent import write_cluster  # noqa: E402

TASK = "factual_english/tungsten_symbol"
SERVE = """
import json, sys, threading
from tests.fakes.fake_agent import FakeAgentServer
servers = [FakeAgentServer("tok") for _ in range(int(sys.argv[1]))]
print(json.dumps([s.address for s in servers]), flush=True)
sys.stdin.read()
"""


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--runs", type=int, default=10_000)
    args = parser.parse_args()
    n = max(1, args.runs // args.agents)
    child = subprocess.Popen([sys.executable, "-c", SERVE, str(args.agents)], cwd=REPO,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert child.stdout is not None
        addresses = json.loads(child.stdout.readline())
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            nodes = {f"n{i}": (a, "tok") for i, a in enumerate(addresses)}
            path = write_cluster(folder, nodes, [(node, "m") for node in nodes])
            os.environ.pop("TRINITY_CONFIG", None)
            config = load_config(path)
            ups = asyncio.run(cluster.up(config, None, None, timeout_s=60, smoke=False))
            assert all(u.ok for u in ups), [u for u in ups if not u.ok][:1]
            plan = Plan((load_task(TASK),), config.models, n)
            with Store(folder / "results.db") as store:
                before_cpu, before = cpu_s(), time.perf_counter()
                outcome = asyncio.run(run_bench(config, store, plan))
                cpu, wall = cpu_s() - before_cpu, time.perf_counter() - before
                runs = len(store.runs(outcome.bench_run_id))
    finally:
        child.kill()
        child.wait()
    print(f"{args.agents} agents, {runs} runs (1 task x {args.agents} models x n={n}), "
          f"every run stored")  # fmt: skip
    print(f"controller CPU per run: {cpu / runs * 1000:.3f} ms (target <= 1 ms)")
    print(f"dispatch rate: {runs / wall:.0f} runs/s ({wall:.1f} s wall, {cpu:.1f} s CPU)")


if __name__ == "__main__":
    main()
