"""Asking a model: the GenerateRequest a conversation makes for one model, with its
sampling settings and thinking switch, and a timeout that grows with the completion it
may write, at the speed the model was measured at, so thinking models are not cut off.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trinity.controller.config import Defaults, ModelConfig, Sampling
from trinity.v1 import agent_pb2 as pb

DEFAULT_MAX_TOKENS = 4096
# Until a model is measured, assume it is slow: a timeout too long costs only waiting,
# one too short scores a correct-but-slow model 0.
ASSUMED_TOK_S = 5.0
TIMEOUT_FACTOR = 2.0  # room for a loaded node and a long prompt
TIMEOUT_FLOOR_S = 60.0
SAMPLING_FIELDS = tuple(Sampling.model_fields)


def sampling_for(model: ModelConfig, defaults: Defaults) -> Sampling:
    """The model's own settings, each unset one taken from [defaults.sampling]."""
    merged = {
        name: getattr(model.sampling, name)
        if getattr(model.sampling, name) is not None
        else getattr(defaults.sampling, name)
        for name in SAMPLING_FIELDS
    }
    return Sampling(**merged)


def timeout_for(max_tokens: int, measured_tok_s: float | None) -> float:
    """Seconds a request may take: max_tokens at the measured (or assumed) speed, doubled."""
    rate = measured_tok_s if measured_tok_s and measured_tok_s > 0 else ASSUMED_TOK_S
    return max(TIMEOUT_FLOOR_S, TIMEOUT_FACTOR * max_tokens / rate)


def generate_request(
    model: ModelConfig,
    defaults: Defaults,
    messages: Sequence[tuple[str, str]],
    *,
    thinking: bool | None = None,
    measured_tok_s: float | None = None,
) -> pb.GenerateRequest:
    """`thinking` overrides the model's own switch (for an on/off A/B run)."""
    sampling = sampling_for(model, defaults)
    max_tokens = sampling.max_tokens or DEFAULT_MAX_TOKENS
    optional: dict[str, Any] = {
        name: getattr(sampling, name)
        for name in ("temperature", "top_p", "top_k", "min_p", "presence_penalty", "seed")
        if getattr(sampling, name) is not None
    }
    enable = model.thinking if thinking is None else thinking
    if enable is not None:
        optional["enable_thinking"] = enable
    return pb.GenerateRequest(
        model=model.name,
        messages=[pb.ChatMessage(role=role, content=content) for role, content in messages],
        max_tokens=max_tokens,
        timeout_s=timeout_for(max_tokens, measured_tok_s),
        **optional,
    )
