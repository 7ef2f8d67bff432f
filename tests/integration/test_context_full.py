"""A conversation longer than the model's context window, against the real llama.cpp
server (llama_cpp.server says so only in its log and cuts the stream off): the agent
answers INVALID_ARGUMENT saying the conversation does not fit, not a retryable cut-off."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest
from trinity.agent.generate import CONTEXT_FULL
from trinity.v1 import agent_pb2 as pb

from tests.integration.agent_process import running_agent_process

pytestmark = pytest.mark.integration


def test_a_conversation_longer_than_the_context_says_so(tmp_path: Path) -> None:
    with running_agent_process(tmp_path) as agent:
        spec = pb.ModelSpec(name="smollm2", backend="llamacpp", model="builtin:smollm2",
                            context_length=512)  # fmt: skip
        status = agent.stub.StartModel(pb.StartModelRequest(spec=spec, wait_ready_s=300),
                                       metadata=agent.metadata, timeout=330)  # fmt: skip
        assert status.state == pb.MODEL_STATE_READY, status.last_error
        # Just over (the server cuts the stream off) and far over (it drops the connection).
        refusals = []
        for words in (60, 120):
            long = "Summarise this: " + "the quick brown fox jumps over the lazy dog " * words
            with pytest.raises(grpc.RpcError) as refused:
                agent.generate("smollm2", long, max_tokens=16)
            refusals.append(refused.value)
        short = agent.generate("smollm2", "Say hi.", max_tokens=4)  # the model is fine
    for refused in refusals:
        assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT, refused.details()
        assert CONTEXT_FULL in refused.details() and "larger context_length" in refused.details()
    assert short.finish_reason
