"""What a model is asked: its sampling, its thinking switch, a timeout that fits it."""

from __future__ import annotations

from trinity.controller.config import Defaults, ModelConfig, Sampling
from trinity.controller.generation import (
    ASSUMED_TOK_S,
    DEFAULT_MAX_TOKENS,
    TIMEOUT_FLOOR_S,
    generate_request,
    timeout_for,
)


def model(**fields) -> ModelConfig:
    return ModelConfig(name="qwen", node="dgx1", backend="vllm", model="org/m", **fields)


def test_model_sampling_overrides_defaults_field_by_field():
    defaults = Defaults(sampling=Sampling(temperature=0.2, top_p=0.9, max_tokens=1000))
    request = generate_request(
        model(sampling=Sampling(temperature=0.7, top_k=20)), defaults, [("user", "hi")]
    )
    assert request.temperature == 0.7 and request.top_k == 20
    assert request.top_p == 0.9 and request.max_tokens == 1000
    assert not request.HasField("min_p") and not request.HasField("seed")


def test_thinking_comes_from_the_model_unless_the_run_overrides_it():
    thinking_model = model(thinking=True)
    assert generate_request(thinking_model, Defaults(), [("user", "x")]).enable_thinking
    off = generate_request(thinking_model, Defaults(), [("user", "x")], thinking=False)
    assert off.HasField("enable_thinking") and not off.enable_thinking
    unset = generate_request(model(), Defaults(), [("user", "x")])
    assert not unset.HasField("enable_thinking")  # the server's own default


def test_timeout_scales_with_max_tokens_and_measured_speed():
    assert timeout_for(32768, 65.0) > timeout_for(4096, 65.0)  # a thinking budget waits longer
    assert timeout_for(32768, 65.0) == 2 * 32768 / 65.0
    assert timeout_for(100, 1000.0) == TIMEOUT_FLOOR_S
    # unmeasured: assume a slow model rather than cut a correct one off
    assert timeout_for(DEFAULT_MAX_TOKENS, None) == 2 * DEFAULT_MAX_TOKENS / ASSUMED_TOK_S


def test_messages_and_model_name_go_through():
    request = generate_request(
        model(), Defaults(), [("system", "be brief"), ("user", "add(1, 2)?")], measured_tok_s=30
    )
    assert request.model == "qwen"
    assert [(m.role, m.content) for m in request.messages] == [
        ("system", "be brief"),
        ("user", "add(1, 2)?"),
    ]
    assert request.max_tokens == DEFAULT_MAX_TOKENS
