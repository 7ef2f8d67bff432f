"""AgentClient against real gRPC servers on loopback when the agent misbehaves (issue 11):
frozen past the controller's deadline, killed mid-call, asked with an enormous deadline."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import grpc
import pytest
from trinity.agent.ports import free_port
from trinity.controller.client import MAX_DEADLINE_S, AgentClient
from trinity.controller.config import NodeConfig
from trinity.controller.errors import AgentCallError, AgentDeadline, NodeUnreachable
from trinity.v1 import agent_pb2 as pb
from trinity.v1 import agent_pb2_grpc as pb_grpc

TOKEN = "tok-client-7Hq2Lm9Xw4"


class Slow(pb_grpc.AgentServicer):
    """ListModels never answers in time; Generate answers at once, whatever its deadline."""

    async def ListModels(self, request, context):
        await asyncio.sleep(30)
        return pb.ListModelsReply()

    async def Generate(self, request, context):
        yield pb.GenerateEvent(final=pb.GenerateResult(text="hi", finish_reason="stop"))


@pytest.fixture
async def slow_agent() -> AsyncIterator[str]:
    server = grpc.aio.server()
    pb_grpc.add_AgentServicer_to_server(Slow(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    yield f"127.0.0.1:{port}"
    await server.stop(0)


def node(address: str, tmp_path: Path, timeout_s: float = 1.0) -> NodeConfig:
    token = tmp_path / "token"
    token.write_text(TOKEN)
    return NodeConfig(address=address, token_file=token, timeout_s=timeout_s)


async def test_no_answer_within_the_deadline_is_an_agent_deadline(slow_agent, tmp_path):
    async with AgentClient("a", node(slow_agent, tmp_path)) as client:
        with pytest.raises(AgentDeadline, match=r"node a: ListModels got no answer within 1 s"):
            await client.list_models()
    assert issubclass(AgentDeadline, AgentCallError)  # callers that catch the parent still do


async def test_an_enormous_deadline_is_capped_instead_of_expiring_at_once(slow_agent, tmp_path):
    # A huge max_tokens at a slow measured speed: gRPC took 1e12 s as already expired.
    request = pb.GenerateRequest(model="m", max_tokens=2**32 - 1, timeout_s=1e12)
    async with AgentClient("a", node(slow_agent, tmp_path)) as client:
        result = await client.generate(request)
    assert result.text == "hi" and MAX_DEADLINE_S < 1e9


# A real agent process is heavy to start; this one streams telemetry until it is killed.
STREAMER = """
import asyncio, sys
import grpc
from trinity.v1 import agent_pb2 as pb, agent_pb2_grpc as pb_grpc

class Streamer(pb_grpc.AgentServicer):
    async def WatchTelemetry(self, request, context):
        while True:
            yield pb.TelemetrySample()
            await asyncio.sleep(0.05)

async def main():
    server = grpc.aio.server()
    pb_grpc.add_AgentServicer_to_server(Streamer(), server)
    server.add_insecure_port("127.0.0.1:" + sys.argv[1])
    await server.start()
    print("serving", flush=True)
    await server.wait_for_termination()

asyncio.run(main())
"""


@pytest.fixture
def streamer() -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", STREAMER, str(port)],
                               stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert process.stdout is not None and process.stdout.readline().strip() == "serving"
    yield process, f"127.0.0.1:{port}"
    process.kill()
    process.wait()


async def test_an_agent_killed_mid_call_is_a_dropped_connection_not_a_tls_question(
    streamer, tmp_path
):
    process, address = streamer
    async with AgentClient("a", node(address, tmp_path)) as client:
        with pytest.raises(NodeUnreachable) as info:
            async for _sample in client.watch_telemetry(interval_s=0.05):
                process.send_signal(signal.SIGKILL)
    message = str(info.value)
    assert message.startswith(f"node a ({address}) dropped the connection mid-call:"), message
    assert "TLS" not in message and "tls" not in message


async def test_an_agent_that_is_not_running_is_still_unreachable(tmp_path):
    async with AgentClient("a", node(f"127.0.0.1:{free_port()}", tmp_path)) as client:
        with pytest.raises(NodeUnreachable, match=r"unreachable: is trinity-agent running\?"):
            await client.list_models()
