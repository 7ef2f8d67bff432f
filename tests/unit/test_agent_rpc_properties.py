"""Property tests over every RPC's request validation: whatever a client with the token
sends, the answer is a result or a one-line error with a status that names what is wrong,
never INTERNAL or UNKNOWN (a bug's traceback) and never a traceback in the agent's log.

The requests are generated from the service descriptor, field by field, so a new RPC or
a new field is covered the day it is added. The agent is a real `trinity-agent serve`
process whose backends launch /bin/false: StartModel goes the whole way (checks, launch,
a crash, failed) without a model server.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from trinity.v1 import agent_pb2 as pb

from tests.integration.agent_process import AgentProcess, running_agent_process

SERVICE = pb.DESCRIPTOR.services_by_name["Agent"]
BUGS = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN}
CALL_TIMEOUT_S = 30.0

AGENT_TOML = """
model_roots = ["models"]
[llamacpp]
server_binary = "/bin/false"
[vllm]
command = ["/bin/false"]
[supervisor]
max_restarts = 0
ready_timeout_s = 5.0
"""

TEXT = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", "m", "..", "/etc/shadow", "a\x00b", "x" * 200, "-rf", "\n"]),
)
ODD_DOUBLES = st.sampled_from([0.0, -0.0, -1.0, 1e-9, 1e300, math.inf, -math.inf, math.nan])
DOUBLES = st.one_of(st.floats(allow_nan=True, allow_infinity=True), ODD_DOUBLES, ODD_DOUBLES)


def _ints(low: int, high: int) -> st.SearchStrategy[int]:
    return st.one_of(st.integers(low, high), st.sampled_from([low, high, 0, 1]))


SCALARS: dict[int, st.SearchStrategy[Any]] = {
    FieldDescriptor.TYPE_DOUBLE: DOUBLES,
    FieldDescriptor.TYPE_FLOAT: st.floats(width=32, allow_nan=True, allow_infinity=True),
    FieldDescriptor.TYPE_INT32: _ints(-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_INT64: _ints(-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_UINT32: _ints(0, 2**32 - 1),
    FieldDescriptor.TYPE_UINT64: _ints(0, 2**64 - 1),
    FieldDescriptor.TYPE_BOOL: st.booleans(),
    FieldDescriptor.TYPE_STRING: TEXT,
    FieldDescriptor.TYPE_BYTES: st.binary(max_size=64),
}
# Values that get a request past the first checks, so the later ones are reached too.
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "trinity.v1.ModelSpec.name": st.sampled_from(["m", "smol"]),
    "trinity.v1.ModelSpec.backend": st.sampled_from(["llamacpp", "vllm"]),
    "trinity.v1.ModelSpec.model": st.sampled_from(["builtin:smollm2", "m.gguf", "org/name"]),
    "trinity.v1.ModelSpec.extra_args": st.sampled_from([[], ["--threads", "2"], ["-t"]]),
    "trinity.v1.ChatMessage.role": st.sampled_from(["user", "system", "assistant"]),
    "trinity.v1.ExecuteRequest.files": st.just(
        [pb.File(path="test_a.py", content=b"def check_a():\n    pass\n")]
    ),
    "trinity.v1.ExecuteRequest.test_file": st.just("test_a.py"),
    "trinity.v1.ExecuteRequest.checks": st.just(["a"]),
    "trinity.v1.ExecuteRequest.expected": st.just([]),
    "trinity.v1.StartModelRequest.wait_ready_s": st.floats(0, 3),
    "trinity.v1.WatchTelemetryRequest.interval_s": st.floats(0, 1),
}


def _field(field: FieldDescriptor, depth: int, plausible: bool) -> st.SearchStrategy[Any]:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        single = _message(field.message_type, depth + 1, plausible)
    elif field.type == FieldDescriptor.TYPE_ENUM:
        single = st.sampled_from([v.number for v in field.enum_type.values] + [99])
    else:
        single = SCALARS[field.type]
    if field.is_repeated:
        single = st.lists(single, min_size=int(plausible), max_size=3)
    if plausible and field.full_name in PLAUSIBLE:
        return PLAUSIBLE[field.full_name]
    return single


def _message(descriptor: Descriptor, depth: int, plausible: bool) -> st.SearchStrategy[Any]:
    """Messages of `descriptor`. Plausible ones have every field PLAUSIBLE names (and
    every sub-message) set, each other field maybe, to anything; the rest have any
    subset of their fields set to anything."""
    cls = message_factory.GetMessageClass(descriptor)
    if depth > 3:
        return st.builds(cls)
    fields = {f.name: _field(f, depth, plausible) for f in descriptor.fields}
    needed = {f.name for f in descriptor.fields if plausible and
              (f.full_name in PLAUSIBLE or f.type == FieldDescriptor.TYPE_MESSAGE)}  # fmt: skip
    required = {name: value for name, value in fields.items() if name in needed}
    optional = {name: value for name, value in fields.items() if name not in needed}

    def build(values: dict[str, Any]) -> Any:
        message = cls()
        for name, value in values.items():
            if isinstance(value, list):
                getattr(message, name).extend(value)
            elif hasattr(value, "DESCRIPTOR"):
                getattr(message, name).CopyFrom(value)
            else:
                setattr(message, name, value)
        return message

    return st.fixed_dictionaries(required, optional=optional).map(build)


def messages(descriptor: Descriptor) -> st.SearchStrategy[Any]:
    return st.one_of(_message(descriptor, 0, True), _message(descriptor, 0, False))


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentProcess]:
    folder = tmp_path_factory.mktemp("agent")
    (folder / "models").mkdir()
    (folder / "models" / "m.gguf").write_bytes(b"GGUF" + b"\0" * 64)
    with running_agent_process(folder, AGENT_TOML) as running:
        yield running
    log = running.log_tail(10**7)
    assert "Traceback" not in log and "rpc failed" not in log, log[-3000:]


def _call(agent: AgentProcess, method: Any, request: Any) -> None:
    """One call; a refusal must be a one-line error with a status that is not a bug's."""
    call = getattr(agent.stub, method.name)
    try:
        reply = call(request, metadata=agent.metadata, timeout=CALL_TIMEOUT_S)
        if method.server_streaming:
            for _ in reply:  # the first event is enough (telemetry streams on and on)
                reply.cancel()
        event("OK")
    except grpc.RpcError as exc:
        if exc.code() == grpc.StatusCode.CANCELLED:
            return
        details = exc.details() or ""
        event(f"{exc.code().name}: {details[:40]}")
        assert exc.code() not in BUGS, f"{method.name}: {exc.code()} {details}"
        assert exc.code() != grpc.StatusCode.DEADLINE_EXCEEDED, f"{method.name} hung"
        assert "\n" not in details and "Traceback" not in details, details
        assert details, f"{method.name}: {exc.code()} without a message"


@pytest.mark.parametrize("method", list(SERVICE.methods), ids=lambda m: m.name)
@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_no_request_gets_a_traceback(agent: AgentProcess, method: Any, data: st.DataObject):
    _call(agent, method, data.draw(messages(method.input_type), label="request"))


def test_the_generated_requests_reach_past_the_first_checks(agent: AgentProcess) -> None:
    """The generator is not all noise: a plausible StartModel does launch (and fail)."""
    spec = pb.ModelSpec(name="plausible", backend="llamacpp", model="m.gguf")
    status = agent.stub.StartModel(pb.StartModelRequest(spec=spec, wait_ready_s=10),
                                   metadata=agent.metadata, timeout=30)  # fmt: skip
    assert status.state == pb.MODEL_STATE_FAILED and "false" in " ".join(status.command)
    assert Path(status.command[0]).name == "false"
