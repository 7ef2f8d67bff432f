"""Soak: one real agent under sustained Generate and Execute load, watched from outside.

A real `trinity-agent serve` (in a temporary folder) runs SmolLM2 on llama.cpp (CPU); this
script keeps STREAMS Generate streams and EXECUTES sandboxed Execute calls in flight at
once for SECONDS, sampling the agent process every second (resident memory, threads, open
file descriptors), then stops the load and watches the agent settle for up to a minute.

    .venv/bin/python benchmarks/soak.py                       # 64 + 64 for 180 s
    .venv/bin/python benchmarks/soak.py --seconds 20 --streams 16 --executes 16 --json

It prints errors, RSS (start, peak, after), threads and fds (before, peak, after) and
whether each target held:
  - no errors (a Generate that ends without its final event, or any RPC error);
  - agent RSS never above 150 MiB, and within 10 MiB of its start a minute after;
  - threads and open fds back to their baseline after.
Exit code 1 when a target was missed. tests/integration/test_soak.py runs a short one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import grpc
import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from trinity.v1 import agent_pb2 as pb  # noqa: E402
from trinity.v1 import agent_pb2_grpc  # noqa: E402

from tests.integration.agent_process import AgentProcess  # noqa: E402

MIB = 2**20
RSS_LIMIT = 150 * MIB
RSS_SETTLE = 10 * MIB
SETTLE_S = 60.0
AGENT_TOML = """
[supervisor]
health_interval_s = 2.0
ready_timeout_s = 300.0

[sandbox]
max_concurrent = 4
"""
SOLUTION = b"def add(a, b):\n    return a + b\n"
TESTS = b"from solution import add\n\ndef check_add():\n    return add(2, 3)\n"


@dataclass
class Sample:
    t: float
    rss: int
    threads: int
    fds: int


@dataclass
class Report:
    seconds: float
    streams: int
    executes: int
    generations: int = 0
    executions: int = 0
    errors: list[str] = field(default_factory=list)
    before: Sample | None = None
    peak_rss: int = 0
    peak_threads: int = 0
    peak_fds: int = 0
    after: Sample | None = None
    settle_s: float | None = None

    def misses(self) -> list[str]:
        assert self.before is not None and self.after is not None
        out = [f"{len(self.errors)} errors (first: {self.errors[0]})"] if self.errors else []
        if self.peak_rss > RSS_LIMIT:
            out.append(f"agent RSS peaked at {self.peak_rss / MIB:.0f} MiB (> 150)")
        if self.settle_s is None:
            out.append(f"agent RSS {self.after.rss / MIB:.0f} MiB a minute after, "
                       f"start {self.before.rss / MIB:.0f} MiB (> 10 MiB apart)")  # fmt: skip
        if self.after.threads > self.before.threads:
            out.append(f"threads {self.before.threads} before, {self.after.threads} after")
        if self.after.fds > self.before.fds:
            out.append(f"open fds {self.before.fds} before, {self.after.fds} after")
        return out


def sample(process: psutil.Process, start: float) -> Sample:
    with process.oneshot():
        return Sample(round(time.monotonic() - start, 1), process.memory_info().rss,
                      process.num_threads(), process.num_fds())  # fmt: skip


async def start_model(stub: agent_pb2_grpc.AgentStub, metadata: tuple) -> None:
    spec = pb.ModelSpec(name="smollm2", backend="llamacpp", model="builtin:smollm2",
                        context_length=2048)  # fmt: skip
    status = await stub.StartModel(pb.StartModelRequest(spec=spec, wait_ready_s=300),
                                   metadata=metadata, timeout=330)  # fmt: skip
    if status.state != pb.MODEL_STATE_READY:
        raise SystemExit(f"soak: model not ready: {status.last_error}")


async def generate_loop(stub, metadata, until: float, report: Report, n: int) -> None:
    request = pb.GenerateRequest(model="smollm2", max_tokens=16, temperature=0.8, seed=n,
                                 messages=[pb.ChatMessage(role="user", content=f"Count to {n}.")])  # fmt: skip
    while time.monotonic() < until:
        try:
            finals = [e async for e in stub.Generate(request, metadata=metadata, timeout=600)
                      if e.HasField("final")]  # fmt: skip
            if len(finals) != 1:
                report.errors.append("a Generate stream ended without its final event")
            report.generations += 1
        except grpc.aio.AioRpcError as exc:
            report.errors.append(f"Generate {exc.code().name}: {exc.details()}")


async def execute_loop(stub, metadata, until: float, report: Report) -> None:
    request = pb.ExecuteRequest(
        files=[pb.File(path="solution.py", content=SOLUTION),
               pb.File(path="test_add.py", content=TESTS)],
        test_file="test_add.py", checks=["add"],
        expected=[pb.ExpectedValue(check="add", json="5")],
    )  # fmt: skip
    while time.monotonic() < until:
        try:
            result = await stub.Execute(request, metadata=metadata, timeout=600)
            if result.status != pb.EXECUTE_STATUS_PASSED:
                report.errors.append(f"Execute {pb.ExecuteStatus.Name(result.status)}")
            report.executions += 1
        except grpc.aio.AioRpcError as exc:
            report.errors.append(f"Execute {exc.code().name}: {exc.details()}")


async def watch(process: psutil.Process, start: float, stop: asyncio.Event, report: Report) -> None:
    while not stop.is_set():
        now = sample(process, start)
        report.peak_rss = max(report.peak_rss, now.rss)
        report.peak_threads = max(report.peak_threads, now.threads)
        report.peak_fds = max(report.peak_fds, now.fds)
        await asyncio.sleep(1.0)


async def settle(process: psutil.Process, start: float, report: Report) -> None:
    """Up to a minute for RSS to come within 10 MiB of its start, threads and fds back."""
    assert report.before is not None
    began = time.monotonic()
    while True:
        report.after = sample(process, start)
        back = (abs(report.after.rss - report.before.rss) <= RSS_SETTLE
                and report.after.threads <= report.before.threads
                and report.after.fds <= report.before.fds)  # fmt: skip
        if back or time.monotonic() - began > SETTLE_S:
            report.settle_s = round(time.monotonic() - began, 1) if back else None
            return
        await asyncio.sleep(2.0)


async def soak(agent: AgentProcess, args: argparse.Namespace) -> Report:
    assert agent.process is not None
    process = psutil.Process(agent.process.pid)
    report = Report(args.seconds, args.streams, args.executes)
    async with grpc.aio.insecure_channel(agent.address) as channel:
        stub = agent_pb2_grpc.AgentStub(channel)
        await start_model(stub, agent.metadata)
        await stub.Generate(pb.GenerateRequest(model="smollm2", max_tokens=4, messages=[
            pb.ChatMessage(role="user", content="Hi")]), metadata=agent.metadata).read()  # fmt: skip
        start = time.monotonic()
        report.before = sample(process, start)
        until, stop = start + args.seconds, asyncio.Event()
        watcher = asyncio.create_task(watch(process, start, stop, report))
        await asyncio.gather(
            *(generate_loop(stub, agent.metadata, until, report, n) for n in range(args.streams)),
            *(execute_loop(stub, agent.metadata, until, report) for _ in range(args.executes)),
        )
        stop.set()
        await watcher
    await settle(process, start, report)
    return report


def show(report: Report) -> None:
    assert report.before is not None and report.after is not None
    b, a = report.before, report.after
    print(f"soak: {report.streams} Generate streams + {report.executes} Execute calls in "
          f"flight for {report.seconds:.0f} s: {report.generations} generations, "
          f"{report.executions} executions, {len(report.errors)} errors")  # fmt: skip
    print(f"  agent RSS   start {b.rss / MIB:6.1f} MiB  peak {report.peak_rss / MIB:6.1f} MiB"
          f"  after {a.rss / MIB:6.1f} MiB"
          + (f" (back in {report.settle_s:.0f} s)" if report.settle_s is not None else ""))  # fmt: skip
    print(
        f"  threads     before {b.threads:4d}  peak {report.peak_threads:4d}  after {a.threads:4d}"
    )
    print(f"  open fds    before {b.fds:4d}  peak {report.peak_fds:4d}  after {a.fds:4d}")
    misses = report.misses()
    print("  targets: " + ("all held" if not misses else "MISSED: " + "; ".join(misses)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--streams", type=int, default=64)
    parser.add_argument("--executes", type=int, default=64)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        agent = AgentProcess(Path(folder), AGENT_TOML)
        agent.write_config()
        agent.start()
        try:
            report = asyncio.run(soak(agent, args))
        finally:
            agent.stop()
    if args.json:
        print(json.dumps({**asdict(report), "errors": report.errors[:20],
                          "error_count": len(report.errors), "misses": report.misses()}))  # fmt: skip
    else:
        show(report)
    sys.exit(1 if report.misses() else 0)


if __name__ == "__main__":
    main()
