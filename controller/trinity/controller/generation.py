"""Asking a model: the GenerateRequest a conversation makes for one model, with its
sampling settings and thinking switch, and a timeout that grows with the completion it
may write, at the speed the model was measured at, so thinking models are not cut off.

Seeds: a configured `seed` is a base, never sent as it is. Repeat k of a task is asked
with `run_seed(base, task, k)`, a hash of the three, so a bench is reproducible (the
same base gives the same seeds, in any process, on resume too) and its repeats are
independent samples rather than one sample n times. With no base seed none is sent and
the server draws its own.
"""

from __future__ import annotations

import hashlib
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
SENT_FIELDS = ("temperature", "top_p", "top_k", "min_p", "presence_penalty")
SEED_BITS = 31  # llama.cpp takes a uint32, some servers an int32: fit both


def sampling_for(model: ModelConfig, defaults: Defaults) -> Sampling:
    """The model's own settings, each unset one taken from [defaults.sampling]."""
    merged = {
        name: getattr(model.sampling, name)
        if getattr(model.sampling, name) is not None
        else getattr(defaults.sampling, name)
        for name in SAMPLING_FIELDS
    }
    return Sampling(**merged)


def run_seed(base: int | None, task: str, repeat: int) -> int | None:
    """The seed repeat `repeat` of `task` is asked with; None without a base seed.

    sha256 rather than hash(): Python salts str hashes per process, and a resumed bench
    (another process) must ask a repeat with the seed it would have had.
    """
    if base is None:
        return None
    digest = hashlib.sha256(f"{base}\x00{task}\x00{repeat}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - SEED_BITS)


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
    seed: int | None = None,
) -> pb.GenerateRequest:
    """`thinking` overrides the model's own switch (for an on/off A/B run); `seed` is
    this run's own (`run_seed`), sent when not None; the configured base never is."""
    sampling = sampling_for(model, defaults)
    max_tokens = sampling.max_tokens or DEFAULT_MAX_TOKENS
    optional: dict[str, Any] = {
        name: getattr(sampling, name) for name in SENT_FIELDS if getattr(sampling, name) is not None
    }
    if seed is not None:
        optional["seed"] = seed
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
