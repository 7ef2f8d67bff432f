"""The node token on a real grpc.aio server: no token, wrong token, right token, health
open without one, unsafe token files refused, TLS round trip with a throwaway cert."""

from __future__ import annotations

import os
from pathlib import Path

import grpc
import pytest
from google.protobuf import message_factory
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from trinity.agent.admission import DEFAULT_LIMIT, LIMITS, MiB
from trinity.agent.auth import load_token
from trinity.agent.config import TlsConfig
from trinity.agent.errors import ConfigError
from trinity.agent.server import tls_credentials
from trinity.v1 import agent_pb2 as pb

from tests.fakes.fake_agent import self_signed_cert
from tests.fakes.fake_supervisor import running_agent, stub

TOKEN = "s3cret-node-token-abcdefghijklmnopqrstuvwxyz"


async def _list(address: str, token: str | None) -> grpc.aio.AioRpcError | pb.ListModelsResponse:
    agent, metadata, channel = stub(address, token)
    async with channel:
        try:
            return await agent.ListModels(pb.ListModelsRequest(), metadata=metadata, timeout=10)
        except grpc.aio.AioRpcError as exc:
            return exc


async def test_call_without_token_is_unauthenticated(tmp_path: Path) -> None:
    async with running_agent(tmp_path, TOKEN.encode()) as agent:
        result = await _list(agent.address, None)
    assert isinstance(result, grpc.aio.AioRpcError)
    assert result.code() == grpc.StatusCode.UNAUTHENTICATED
    assert result.details().startswith("missing node token: ")
    assert agent.supervisor.calls == []


async def test_call_with_wrong_token_is_unauthenticated_and_not_echoed(tmp_path: Path) -> None:
    wrong = "not-the-token-" + "x" * 30
    async with running_agent(tmp_path, TOKEN.encode()) as agent:
        result = await _list(agent.address, wrong)
    assert isinstance(result, grpc.aio.AioRpcError)
    assert result.code() == grpc.StatusCode.UNAUTHENTICATED
    assert result.details() == "wrong node token"
    assert wrong not in str(result) and TOKEN not in str(result)
    assert agent.supervisor.calls == []


async def test_token_prefix_is_not_accepted(tmp_path: Path) -> None:
    async with running_agent(tmp_path, TOKEN.encode()) as agent:
        result = await _list(agent.address, TOKEN[:-1])
    assert isinstance(result, grpc.aio.AioRpcError)
    assert result.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_call_with_right_token_reaches_the_supervisor(tmp_path: Path) -> None:
    async with running_agent(tmp_path, TOKEN.encode()) as agent:
        result = await _list(agent.address, TOKEN)
    assert isinstance(result, pb.ListModelsResponse)
    assert agent.supervisor.calls == [("list_models", None)]


async def test_streaming_rpc_without_token_is_unauthenticated(tmp_path: Path) -> None:
    async with running_agent(tmp_path, TOKEN.encode()) as agent:
        agent_stub, _, channel = stub(agent.address)
        async with channel:
            call = agent_stub.WatchTelemetry(pb.WatchTelemetryRequest(count=1), timeout=10)
            with pytest.raises(grpc.aio.AioRpcError) as info:
                async for _ in call:
                    pass
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_health_answers_without_token(tmp_path: Path) -> None:
    async with running_agent(tmp_path, TOKEN.encode()) as agent:
        async with grpc.aio.insecure_channel(agent.address) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            reply = await health.Check(
                health_pb2.HealthCheckRequest(service="trinity.v1.Agent"), timeout=10
            )
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


async def _reflect(address: str, metadata) -> reflection_pb2.ServerReflectionResponse:
    async with grpc.aio.insecure_channel(address) as channel:
        reflect = reflection_pb2_grpc.ServerReflectionStub(channel)
        call = reflect.ServerReflectionInfo(metadata=metadata, timeout=10)
        await call.write(reflection_pb2.ServerReflectionRequest(list_services=""))
        await call.done_writing()
        return await call.read()


async def test_reflection_needs_the_token(tmp_path: Path) -> None:
    async with running_agent(tmp_path, TOKEN.encode()) as agent:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await _reflect(agent.address, ())
        reply = await _reflect(agent.address, (("authorization", f"Bearer {TOKEN}"),))
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
    names = {s.name for s in reply.list_services_response.service}
    assert {"trinity.v1.Agent", "grpc.health.v1.Health"} <= names


# ---------------------------------------------------------------- every RPC, generated

AGENT_METHODS = list(pb.DESCRIPTOR.services_by_name["Agent"].methods)


def _call(channel: grpc.aio.Channel, method, request: bytes, metadata, timeout: float = 10):
    """Call any method of the service by its descriptor, with raw request bytes."""
    path = f"/{method.containing_service.full_name}/{method.name}"
    kind = (
        ("stream" if method.client_streaming else "unary")
        + "_"
        + ("stream" if method.server_streaming else "unary")
    )
    reply = message_factory.GetMessageClass(method.output_type).FromString
    callable_ = getattr(channel, kind)(path, request_serializer=None, response_deserializer=reply)
    if method.client_streaming:
        return callable_(iter([request]), metadata=metadata, timeout=timeout)
    return callable_(request, metadata=metadata, timeout=timeout)


async def _status_of(call) -> grpc.StatusCode:
    try:
        if hasattr(call, "__aiter__"):
            async for _ in call:
                pass
        else:
            await call
    except grpc.aio.AioRpcError as exc:
        return exc.code()
    return grpc.StatusCode.OK


@pytest.mark.parametrize("method", AGENT_METHODS, ids=lambda m: m.name)
@pytest.mark.parametrize("token", [None, "wrong-token", ""], ids=["missing", "wrong", "empty"])
async def test_every_rpc_refuses_a_call_without_the_token(tmp_path: Path, method, token) -> None:
    """Generated from the service descriptor: a new RPC cannot be left open."""
    empty = message_factory.GetMessageClass(method.input_type)().SerializeToString()
    async with running_agent(tmp_path, TOKEN.encode()) as agent:
        _, metadata, channel = stub(agent.address, token)
        async with channel:
            code = await _status_of(_call(channel, method, empty, metadata))
    assert code == grpc.StatusCode.UNAUTHENTICATED
    assert agent.supervisor.calls == []


@pytest.mark.parametrize("method", AGENT_METHODS, ids=lambda m: m.name)
async def test_every_rpc_refuses_a_request_over_its_own_size_limit(tmp_path: Path, method) -> None:
    limit = LIMITS.get(f"/trinity.v1.Agent/{method.name}", DEFAULT_LIMIT)
    # Field 15 is unused by every request: the bytes are well formed, only too many.
    padding = b"\x7a" + _varint(limit + 1) + b"x" * (limit + 1)
    async with running_agent(tmp_path, TOKEN.encode()) as agent:
        _, metadata, channel = stub(agent.address, TOKEN)
        async with channel:
            call = _call(channel, method, padding, metadata)
            with pytest.raises(grpc.aio.AioRpcError) as info:
                await _drain(call)
    assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    # The largest RPC's limit is gRPC's own, which words it so.
    ours = f"{method.name} takes requests of at most"
    assert ours in info.value.details() or "larger than max" in info.value.details()
    assert agent.supervisor.calls == []


async def _drain(call) -> None:
    if hasattr(call, "__aiter__"):
        async for _ in call:
            pass
    else:
        await call


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


async def test_an_execute_of_a_few_megabytes_is_taken(tmp_path: Path) -> None:
    request = pb.ExecuteRequest(files=[pb.File(path="a.py", content=b"#" * 4 * MiB)],
                                test_file="a.py")  # fmt: skip
    async with running_agent(tmp_path, TOKEN.encode()) as agent:
        agent_stub, metadata, channel = stub(agent.address, TOKEN)
        async with channel:
            with pytest.raises(grpc.aio.AioRpcError) as info:
                await agent_stub.Execute(request, metadata=metadata, timeout=30)
    # It reached the servicer, which found no declared checks: not a size refusal.
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "no checks declared" in info.value.details()


# ---------------------------------------------------------------- token files


def _token_file(tmp_path: Path, content: str, mode: int) -> Path:
    path = tmp_path / "token"
    path.write_text(content)
    os.chmod(path, mode)
    return path


def test_load_token_strips_whitespace(tmp_path: Path) -> None:
    assert load_token(_token_file(tmp_path, f"  {TOKEN}\n", 0o600)) == TOKEN.encode()


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o602])
def test_load_token_refuses_file_others_can_read_or_write(tmp_path: Path, mode: int) -> None:
    path = _token_file(tmp_path, TOKEN, mode)
    with pytest.raises(ConfigError) as info:
        load_token(path)
    message = str(info.value)
    assert message == (
        f"token file {path} is readable by others (mode {mode:04o}): chmod 600 {path}"
    )
    assert TOKEN not in message


def test_load_token_refuses_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is empty"):
        load_token(_token_file(tmp_path, " \n", 0o600))


def test_load_token_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist: create it with `trinity-agent init`"):
        load_token(tmp_path / "nope")


# ---------------------------------------------------------------- TLS


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A throwaway certificate and key for localhost/127.0.0.1, written as PEM files."""
    cert, key = self_signed_cert()
    cert_file, key_file = tmp_path / "agent.crt", tmp_path / "agent.key"
    cert_file.write_bytes(cert)
    key_file.write_bytes(key)
    return cert_file, key_file


async def test_tls_round_trip_with_throwaway_certificate(tmp_path: Path) -> None:
    cert_file, key_file = _self_signed(tmp_path)
    credentials = tls_credentials(TlsConfig(cert_file=cert_file, key_file=key_file))
    client_creds = grpc.ssl_channel_credentials(root_certificates=cert_file.read_bytes())
    async with running_agent(tmp_path, TOKEN.encode(), credentials=credentials) as agent:
        channel = grpc.aio.secure_channel(agent.address, client_creds)
        agent_stub, metadata, _ = stub(agent.address, TOKEN, channel)
        async with channel:
            info = await agent_stub.GetNodeInfo(
                pb.GetNodeInfoRequest(), metadata=metadata, timeout=10
            )
        # A plaintext client cannot talk to the TLS port.
        plain_stub, metadata, plain = stub(agent.address, TOKEN)
        async with plain:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await plain_stub.GetNodeInfo(pb.GetNodeInfoRequest(), metadata=metadata, timeout=5)
    assert info.agent_version
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


def test_tls_missing_cert_is_one_line_error(tmp_path: Path) -> None:
    _, key_file = _self_signed(tmp_path)
    missing = tmp_path / "nope.crt"
    with pytest.raises(ConfigError) as info:
        tls_credentials(TlsConfig(cert_file=missing, key_file=key_file))
    assert str(info.value) == f"tls.cert_file {missing} does not exist: fix the path in agent.toml"


def test_tls_key_that_is_not_pem_is_refused(tmp_path: Path) -> None:
    cert_file, _ = _self_signed(tmp_path)
    bad = tmp_path / "bad.key"
    bad.write_text("not a key")
    with pytest.raises(ConfigError, match=r"tls.key_file .* is not a PEM file"):
        tls_credentials(TlsConfig(cert_file=cert_file, key_file=bad))
