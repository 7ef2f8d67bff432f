"""Attacks on a real agent process from clients without the token: what they can make it
hold. (Attacks on the sandbox are in test_escapes.py.)"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import psutil
import pytest
from trinity.v1 import agent_pb2 as pb
from trinity.v1 import agent_pb2_grpc

from tests.integration.agent_process import running_agent_process

pytestmark = pytest.mark.security

MiB = 1024 * 1024
CALLS, BODY_MB = 8, 60  # the adversarial pass's figures (issue #11, defect 5)


class PeakRss:
    """Samples a process's RSS in a thread; `peak` is the largest seen."""

    def __init__(self, pid: int) -> None:
        self._proc = psutil.Process(pid)
        self.start = self.peak = self._proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            time.sleep(0.01)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _unauthenticated_execute(address: str, body: pb.ExecuteRequest) -> grpc.StatusCode:
    options = [("grpc.max_send_message_length", 128 * MiB)]
    with grpc.insecure_channel(address, options=options) as channel:
        try:
            agent_pb2_grpc.AgentStub(channel).Execute(body, timeout=120)
        except grpc.RpcError as exc:
            return exc.code()
    return grpc.StatusCode.OK


def test_unauthenticated_big_requests_are_refused_without_being_held(tmp_path: Path) -> None:
    body = pb.ExecuteRequest(files=[pb.File(path="a.py", content=b"x" * BODY_MB * MiB)],
                             test_file="a.py", checks=["x"])  # fmt: skip
    with running_agent_process(tmp_path) as agent:
        assert agent.process is not None
        with PeakRss(agent.process.pid) as rss, ThreadPoolExecutor(CALLS) as pool:
            codes = list(pool.map(lambda _: _unauthenticated_execute(agent.address, body),
                                  range(CALLS)))  # fmt: skip
    assert set(codes) == {grpc.StatusCode.UNAUTHENTICATED}
    # Before: the bodies were read in full before the token was checked (+700 MiB).
    grown = (rss.peak - rss.start) / MiB
    assert grown < 32, f"the agent grew by {grown:.0f} MiB for {CALLS} refused calls"
