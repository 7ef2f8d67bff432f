"""Each Agent RPC through a real in-process grpc.aio server and stub, over a fake
supervisor: conversion both ways, validation, AgentError → status code with the same
message, and the one-line error for a port in use."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import grpc
import httpx
import pytest
from trinity.agent import server
from trinity.agent.errors import (
    ConfigError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    Unavailable,
)
from trinity.agent.spec import ModelSpec, ModelState, ModelStatus
from trinity.v1 import agent_pb2 as pb

from tests.fakes.fake_supervisor import (
    FakeServers,
    FakeSupervisor,
    agent_config,
    running_agent,
    stub,
)

TOKEN = "server-test-token"

SPEC = pb.ModelSpec(
    name="smollm2",
    backend="llamacpp",
    model="builtin:smollm2",
    served_name="smol",
    context_length=2048,
    gpu_memory_fraction=0.5,
    quantization="Q4_1",
    extra_args=["--threads", "2"],
    gpu_layers=99,
    min_free_memory_bytes=123,
)


@pytest.fixture
async def agent(tmp_path: Path):
    async with running_agent(tmp_path, TOKEN.encode()) as running:
        agent_stub, metadata, channel = stub(running.address, TOKEN)
        async with channel:
            running.stub, running.md = agent_stub, metadata
            yield running


async def test_get_node_info_reports_host_backends_and_psutil_telemetry(agent) -> None:
    info = await agent.stub.GetNodeInfo(pb.GetNodeInfoRequest(), metadata=agent.md)
    assert info.hostname == socket.gethostname()
    assert info.agent_version == server.agent_version() != ""
    assert info.telemetry_source == "psutil" and list(info.gpus) == []
    assert info.cpu_count >= 1 and info.memory_total_bytes > 0
    backends = {b.name: b for b in info.backends}
    assert backends["llamacpp"].available and list(backends["llamacpp"].command)[1:] == [
        "-m",
        "llama_cpp.server",
    ]
    assert not backends["vllm"].available and backends["vllm"].detail == "vllm not found on PATH"
    assert info.sandbox  # "none" until the sandbox lands, its isolation name after


async def test_start_model_converts_spec_both_ways(agent) -> None:
    status = await agent.stub.StartModel(
        pb.StartModelRequest(spec=SPEC, wait_ready_s=2.5), metadata=agent.md
    )
    ((name, (spec, wait)),) = agent.supervisor.calls
    assert name == "start_model" and wait == 2.5
    assert spec == ModelSpec(
        name="smollm2",
        backend="llamacpp",
        model="builtin:smollm2",
        served_name="smol",
        context_length=2048,
        gpu_memory_fraction=0.5,
        quantization="Q4_1",
        extra_args=("--threads", "2"),
        gpu_layers=99,
        min_free_memory_bytes=123,
    )
    assert status.spec == SPEC
    assert status.state == pb.MODEL_STATE_READY
    assert (status.pid, status.port, status.started_at) == (4242, 20001, 1000.0)
    assert list(status.command) == ["llama-server", "--port", "20001"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (pb.ModelSpec(name="", backend="llamacpp", model="m"), "spec.name '' is not a valid"),
        (pb.ModelSpec(name="../x", backend="llamacpp", model="m"), "spec.name '../x' is not"),
        (pb.ModelSpec(name="m", backend="", model="m"), "model m: spec.backend is empty"),
        (pb.ModelSpec(name="m", backend="vllm", model=""), "model m: spec.model is empty"),
        (
            pb.ModelSpec(name="m", backend="vllm", model="x", gpu_memory_fraction=1.5),
            "model m: gpu_memory_fraction 1.5 is outside 0..1",
        ),
    ],
)
async def test_start_model_rejects_bad_spec_before_the_supervisor(agent, spec, message) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await agent.stub.StartModel(pb.StartModelRequest(spec=spec), metadata=agent.md)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert info.value.details().startswith(message)
    assert agent.supervisor.calls == []


async def test_start_model_without_spec_is_invalid(agent) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await agent.stub.StartModel(pb.StartModelRequest(), metadata=agent.md)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert info.value.details() == "StartModel needs a spec"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InvalidArgument("extra arg --evil is not allowed for llamacpp"), "INVALID_ARGUMENT"),
        (NotFound("model ghost is not known on this node"), "NOT_FOUND"),
        (FailedPrecondition("model file /m.gguf does not exist"), "FAILED_PRECONDITION"),
        (ResourceExhausted("needs 8.0 GiB free, 2.0 GiB free on GPU 0"), "RESOURCE_EXHAUSTED"),
        (Unavailable("model m is starting, not ready"), "UNAVAILABLE"),
    ],
)
async def test_agent_error_maps_to_its_status_code_with_the_same_message(
    agent, error, code
) -> None:
    agent.supervisor.fail = error
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await agent.stub.StartModel(pb.StartModelRequest(spec=SPEC), metadata=agent.md)
    assert info.value.code() == grpc.StatusCode[code]
    assert info.value.details() == str(error)


async def test_a_bug_is_internal_with_a_pointer_to_the_log_not_unknown(agent) -> None:
    agent.supervisor.fail = ZeroDivisionError("boom")  # type: ignore[assignment]
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await agent.stub.ListModels(pb.ListModelsRequest(), metadata=agent.md)
    assert info.value.code() == grpc.StatusCode.INTERNAL
    assert info.value.details() == (
        "internal error in ListModels: ZeroDivisionError (see the agent log)"
    )


async def test_stop_list_and_logs(agent) -> None:
    await agent.stub.StartModel(pb.StartModelRequest(spec=SPEC), metadata=agent.md)
    agent.supervisor.log_lines["smollm2"] = ["one", "two", "three"]
    agent.supervisor.log_lines["smollm2 previous"] = ["crashed"]
    listed = await agent.stub.ListModels(pb.ListModelsRequest(), metadata=agent.md)
    logs = await agent.stub.GetLogs(pb.GetLogsRequest(name="smollm2", lines=2), metadata=agent.md)
    previous = await agent.stub.GetLogs(
        pb.GetLogsRequest(name="smollm2", previous=True), metadata=agent.md
    )
    assert list(previous.lines) == ["crashed"]
    stopped = await agent.stub.StopModel(pb.StopModelRequest(name="smollm2"), metadata=agent.md)
    after = await agent.stub.ListModels(pb.ListModelsRequest(), metadata=agent.md)
    assert [m.spec.name for m in listed.models] == ["smollm2"]
    assert listed.models[0].state == pb.MODEL_STATE_STARTING
    assert list(logs.lines) == ["two", "three"]
    assert stopped.state == pb.MODEL_STATE_STOPPED and stopped.pid == 0
    assert list(after.models) == []


async def test_stop_unknown_model_is_not_found(agent) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await agent.stub.StopModel(pb.StopModelRequest(name="ghost"), metadata=agent.md)
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    assert info.value.details() == "model ghost is not known on this node"


async def test_every_model_state_converts() -> None:
    from trinity.agent.convert import STATE_TO_PROTO, status_to_proto

    spec = ModelSpec(name="m", backend="llamacpp", model="x")
    seen = {status_to_proto(ModelStatus(spec=spec, state=s)).state for s in ModelState}
    assert seen == set(STATE_TO_PROTO.values()) and pb.MODEL_STATE_UNSPECIFIED not in seen


async def test_generate_on_model_not_ready_is_unavailable(agent) -> None:
    await agent.stub.StartModel(pb.StartModelRequest(spec=SPEC), metadata=agent.md)
    request = pb.GenerateRequest(
        model="smollm2", messages=[pb.ChatMessage(role="user", content="hi")]
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for _ in agent.stub.Generate(request, metadata=agent.md):
            pass
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE
    assert info.value.details() == "model smollm2 is starting, not ready"


async def test_generate_streams_batched_deltas_then_one_final(agent) -> None:
    with FakeServers() as servers:
        agent.supervisor.endpoints["qwen"] = servers.start("vllm", name="qwen")
        request = pb.GenerateRequest(
            model="qwen",
            messages=[pb.ChatMessage(role="user", content="think about it")],
            max_tokens=40,
            enable_thinking=True,
        )
        events = [e async for e in agent.stub.Generate(request, metadata=agent.md)]
    *deltas, last = events
    assert deltas and all(e.WhichOneof("event") == "delta" for e in deltas)
    assert len(deltas) < 40  # batched, not one message per token
    final = last.final
    assert last.WhichOneof("event") == "final"
    assert final.reasoning == "think0 think1 think2 "
    assert final.text == "".join(f"tok{i} " for i in range(37))
    assert "".join(e.delta.text for e in deltas) == final.text
    assert "".join(e.delta.reasoning for e in deltas) == final.reasoning
    assert final.usage.completion_tokens == 40 and final.usage.prompt_tokens == 3
    assert final.usage_from_server and final.finish_reason == "length"
    assert final.chunks == 40 and final.ttft_s > 0 and final.total_s >= final.ttft_s
    assert agent.telemetry.rates.totals() == {"qwen": 40}


async def test_generate_final_only_sends_no_deltas_and_the_same_result(agent) -> None:
    with FakeServers() as servers:
        agent.supervisor.endpoints["qwen"] = servers.start("vllm", "tok_s=200", name="qwen")
        request = pb.GenerateRequest(model="qwen", max_tokens=20, final_only=True,
                                     messages=[pb.ChatMessage(role="user", content="hi")])  # fmt: skip
        events = [e async for e in agent.stub.Generate(request, metadata=agent.md)]
    (only,) = events  # paced at 5 ms a token: deltas would be several batches
    assert only.WhichOneof("event") == "final"
    assert only.final.text == "".join(f"tok{i} " for i in range(20))
    assert only.final.usage.completion_tokens == 20 and only.final.chunks == 20
    assert agent.telemetry.rates.totals() == {"qwen": 20}  # live tok/s still counted


async def test_cancelled_generate_closes_the_model_server_stream(agent) -> None:
    with FakeServers() as servers:
        endpoint = servers.start("vllm", "tok_s=50", name="m")
        agent.supervisor.endpoints["m"] = endpoint
        request = pb.GenerateRequest(
            model="m", messages=[pb.ChatMessage(role="user", content="x")], max_tokens=5000
        )
        call = agent.stub.Generate(request, metadata=agent.md)
        await call.read()  # streaming has begun
        assert await _running(endpoint.base_url) == 1
        call.cancel()
        for _ in range(100):  # the fake notices at its next token write (20 ms)
            if await _running(endpoint.base_url) == 0:
                break
            await asyncio.sleep(0.05)
        assert await _running(endpoint.base_url) == 0


async def test_a_load_generator_that_dies_ends_the_profile_and_its_load_at_once(agent) -> None:
    import os
    import signal
    import time

    import psutil

    with FakeServers() as servers:
        endpoint = servers.start("vllm", "tok_s=20", name="m")
        agent.supervisor.endpoints["m"] = endpoint
        slow = pb.ProfileRequest(model="m", concurrency=[2], output_tokens=2000,
                                 requests_per_level=4, processes=2)  # fmt: skip
        call = agent.stub.Profile(slow, metadata=agent.md)
        for _ in range(200):  # the load generator and its two load processes send
            if await _running(endpoint.base_url) >= 2:
                break
            await asyncio.sleep(0.05)
        (loadgen,) = [p for p in psutil.Process().children()
                      if "trinity.agent.loadgen" in p.cmdline()]  # fmt: skip
        os.kill(loadgen.pid, signal.SIGKILL)  # as the OOM killer would
        started = time.monotonic()
        with pytest.raises(grpc.aio.AioRpcError) as info:
            async for _ in call:
                pass
        assert time.monotonic() - started < 10  # the level left would take 100 s
        assert info.value.code() == grpc.StatusCode.UNAVAILABLE
        assert "the load generator failed" in info.value.details()
        for _ in range(100):
            if await _running(endpoint.base_url) == 0:
                break
            await asyncio.sleep(0.05)
        assert await _running(endpoint.base_url) == 0


async def _running(base_url: str) -> float:
    """vllm:num_requests_running from the fake vLLM server's /metrics."""
    async with httpx.AsyncClient(trust_env=False) as http:
        text = (await http.get(f"{base_url}/metrics")).text
    (line,) = [x for x in text.splitlines() if x.startswith("vllm:num_requests_running")]
    return float(line.split()[-1])


async def test_generate_server_error_is_unavailable_over_grpc(agent) -> None:
    with FakeServers() as servers:
        agent.supervisor.endpoints["m"] = servers.start("llamacpp", "http_500=1")
        request = pb.GenerateRequest(model="m", messages=[pb.ChatMessage(role="user", content="x")])
        with pytest.raises(grpc.aio.AioRpcError) as info:
            async for _ in agent.stub.Generate(request, metadata=agent.md):
                pass
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE
    assert info.value.details().startswith("model m: server answered HTTP 500: ")


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (pb.GenerateRequest(model="m"), "model m: messages is empty"),
        (
            pb.GenerateRequest(model="m", messages=[pb.ChatMessage(role="tool", content="x")]),
            "messages[0].role 'tool' is not one of system, user, assistant",
        ),
        (
            pb.GenerateRequest(
                model="m", messages=[pb.ChatMessage(role="user", content="x")], timeout_s=-1
            ),
            "timeout_s must be 0 or more seconds, not -1.0",
        ),
    ],
)
async def test_generate_rejects_bad_requests(agent, request_, message) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for _ in agent.stub.Generate(request_, metadata=agent.md):
            pass
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert info.value.details() == message


async def test_watch_telemetry_sends_count_samples(agent) -> None:
    call = agent.stub.WatchTelemetry(
        pb.WatchTelemetryRequest(interval_s=0.05, count=3), metadata=agent.md
    )
    samples = [s async for s in call]
    assert len(samples) == 3
    assert all(s.source == "psutil" and s.system_memory_total_bytes > 0 for s in samples)
    assert samples[0].timestamp <= samples[-1].timestamp


async def test_watch_telemetry_reports_generated_tokens_per_model(agent) -> None:
    call = agent.stub.WatchTelemetry(
        pb.WatchTelemetryRequest(interval_s=0.2, count=2), metadata=agent.md
    )
    first = await call.read()
    agent.telemetry.rates.add("smollm2", 50)
    second = await call.read()
    assert list(first.models) == []
    (rate,) = second.models
    assert rate.name == "smollm2" and rate.generated_tok_s > 0


ADD_TEST = b"from solution import add\n\ndef check_sum():\n    return add(2, 3)\n"


async def test_execute_scores_a_solution_in_the_sandbox(agent) -> None:
    request = pb.ExecuteRequest(
        files=[
            pb.File(path="solution.py", content=b"def add(a, b):\n    return a + b\n"),
            pb.File(path="test_add.py", content=ADD_TEST),
        ],
        test_file="test_add.py",
        checks=["sum"],
        expected=[pb.ExpectedValue(check="sum", json="5")],
    )
    result = await agent.stub.Execute(request, metadata=agent.md)
    assert result.status == pb.EXECUTE_STATUS_PASSED
    assert (result.declared, result.passed, result.score) == (1, 1, 100.0)
    assert result.sandbox in ("bwrap", "none")


async def test_execute_without_declared_checks_is_invalid(agent) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await agent.stub.Execute(pb.ExecuteRequest(test_file="t.py"), metadata=agent.md)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "no checks declared" in info.value.details()


# ---------------------------------------------------------------- binding


def _listening_socket() -> tuple[socket.socket, int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock, sock.getsockname()[1]


async def test_port_in_use_is_a_one_line_error(tmp_path: Path) -> None:
    sock, port = _listening_socket()
    grpc_server = grpc.aio.server(options=server.SERVER_OPTIONS)
    with sock, pytest.raises(ConfigError) as info:
        server.bind(grpc_server, f"127.0.0.1:{port}", None)
    assert str(info.value) == (
        f"cannot listen on 127.0.0.1:{port}: address already in use (another trinity-agent?)"
    )


async def test_second_agent_on_the_same_port_is_refused(tmp_path: Path) -> None:
    # gRPC's default SO_REUSEPORT would let two agents share a port silently.
    async with running_agent(tmp_path, TOKEN.encode()) as first:
        second = grpc.aio.server(options=server.SERVER_OPTIONS)
        with pytest.raises(ConfigError, match="address already in use"):
            server.bind(second, first.address, None)


async def test_serve_with_port_in_use_leaves_nothing_running(tmp_path, monkeypatch) -> None:
    token = tmp_path / "token"
    token.write_text(TOKEN)
    token.chmod(0o600)
    supervisor = FakeSupervisor()
    _patch_supervisor(monkeypatch, supervisor)
    sock, port = _listening_socket()
    config = agent_config(tmp_path).model_copy(update={"listen": f"127.0.0.1:{port}"})
    with sock, pytest.raises(ConfigError, match="address already in use"):
        await server.serve(config)
    assert not supervisor.started


async def test_serve_starts_supervisor_calls_ready_and_stops_cleanly(tmp_path, monkeypatch) -> None:
    token = tmp_path / "token"
    token.write_text(TOKEN)
    token.chmod(0o600)
    supervisor = FakeSupervisor()
    _patch_supervisor(monkeypatch, supervisor)
    stop, ports = asyncio.Event(), []
    task = asyncio.create_task(server.serve(agent_config(tmp_path), ready=ports.append, stop=stop))
    for _ in range(200):
        if ports:
            break
        await asyncio.sleep(0.02)
    agent_stub, metadata, channel = stub(f"127.0.0.1:{ports[0]}", TOKEN)
    async with channel:
        listed = await agent_stub.ListModels(pb.ListModelsRequest(), metadata=metadata)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert list(listed.models) == []
    assert supervisor.started and supervisor.closed


def _patch_supervisor(monkeypatch, supervisor: FakeSupervisor) -> None:
    """serve() builds Supervisor and backends from H1's modules; swap in the fake."""
    import sys
    import types

    from tests.fakes.fake_supervisor import fake_backends

    module = types.ModuleType("trinity.agent.supervisor")
    module.Supervisor = lambda config, **kwargs: supervisor  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "trinity.agent.supervisor", module)
    import trinity.agent.backends as backends

    monkeypatch.setattr(backends, "registry", lambda config: fake_backends(), raising=False)


async def test_profile_streams_a_point_per_level_from_the_load_generator(agent) -> None:
    with FakeServers() as servers:
        agent.supervisor.endpoints["m"] = servers.start("vllm", name="m")
        request = pb.ProfileRequest(model="m", concurrency=[1, 2], output_tokens=8,
                                    prompt_tokens=16, requests_per_level=4)  # fmt: skip
        points = [p async for p in agent.stub.Profile(request, metadata=agent.md)]
    assert [p.concurrency for p in points] == [1, 2]
    for point in points:
        metrics = json.loads(point.metrics_json)
        assert metrics["requests"] == 4 and metrics["failed"] == 0
        # Against a fake that answers in milliseconds the client may be the busy side.
        assert all("client CPU" in r for r in metrics["invalid_reasons"])
        assert metrics["completion_tokens"] == 32 and metrics["server"]["tokens_diff"] == 0.0
        assert point.backend == agent.supervisor.endpoints["m"].backend


@pytest.mark.parametrize(
    ("request_", "code", "message"),
    [
        (pb.ProfileRequest(model="m", concurrency=[0]), "INVALID_ARGUMENT",
         "concurrency 0 is not between 1 and 1024"),
        (pb.ProfileRequest(model="m", concurrency=[1], processes=65), "INVALID_ARGUMENT",
         "processes 65 is more than 64"),
        (pb.ProfileRequest(model="nope", concurrency=[1]), "NOT_FOUND", "nope"),
    ],
)  # fmt: skip
async def test_profile_rejects_bad_requests(agent, request_, code, message) -> None:
    with FakeServers() as servers:
        agent.supervisor.endpoints["m"] = servers.start("vllm", name="m")
        with pytest.raises(grpc.aio.AioRpcError) as info:
            async for _ in agent.stub.Profile(request_, metadata=agent.md):
                pass
    assert info.value.code().name == code and message in info.value.details()


@pytest.mark.parametrize("processes", [1, 2])  # 2: the load runs in grandchildren
async def test_one_profile_at_a_time_and_a_cancelled_one_leaves_no_load(agent, processes) -> None:
    with FakeServers() as servers:
        endpoint = servers.start("vllm", "tok_s=20", name="m")
        agent.supervisor.endpoints["m"] = endpoint
        slow = pb.ProfileRequest(model="m", concurrency=[2], output_tokens=2000,
                                 requests_per_level=4, processes=processes)  # fmt: skip
        call = agent.stub.Profile(slow, metadata=agent.md)
        for _ in range(200):  # the child process starts and sends its requests
            if await _running(endpoint.base_url) >= 2:
                break
            await asyncio.sleep(0.05)
        with pytest.raises(grpc.aio.AioRpcError) as info:
            async for _ in agent.stub.Profile(slow, metadata=agent.md):
                pass
        assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "a profile of m is already running" in info.value.details()
        call.cancel()
        for _ in range(100):  # the child is killed; the fake notices at its next write
            if await _running(endpoint.base_url) == 0:
                break
            await asyncio.sleep(0.05)
        assert await _running(endpoint.base_url) == 0
