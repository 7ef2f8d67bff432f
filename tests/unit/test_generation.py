"""What a model is asked: its sampling, its thinking switch, a timeout that fits it."""

from __future__ import annotations

import os
import subprocess
import sys

from trinity.controller.config import Defaults, ModelConfig, Sampling
from trinity.controller.generation import (
    ASSUMED_TOK_S,
    DEFAULT_MAX_TOKENS,
    SEED_BITS,
    TIMEOUT_FLOOR_S,
    generate_request,
    run_seed,
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


def test_each_repeat_and_each_task_gets_a_seed_of_its_own():
    seeds = {run_seed(1, task, k) for task in ("smoke/add", "math/x") for k in range(1, 51)}
    assert len(seeds) == 100
    assert all(0 <= s < 2**SEED_BITS for s in seeds)  # a uint32 and an int32 both hold it
    assert run_seed(2, "smoke/add", 1) != run_seed(1, "smoke/add", 1)


def test_no_base_seed_means_no_seed():
    assert run_seed(None, "smoke/add", 1) is None
    # 0 is a base like any other, not "unset"
    assert run_seed(0, "smoke/add", 1) is not None


def test_run_seeds_are_the_same_in_another_process():
    """A resumed bench is another process: the seed of a repeat must not depend on
    Python's per-process string hashing."""
    code = "from trinity.controller.generation import run_seed; print(run_seed(7, 'smoke/add', 3))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, check=True)  # fmt: skip
    assert int(other.stdout) == run_seed(7, "smoke/add", 3)


def test_the_configured_seed_is_a_base_never_sent_as_it_is():
    defaults = Defaults(sampling=Sampling(temperature=0.7, seed=1))
    plain = generate_request(model(), defaults, [("user", "hi")])
    assert not plain.HasField("seed")
    mine = generate_request(model(), defaults, [("user", "hi")], seed=run_seed(1, "t", 2))
    assert mine.seed == run_seed(1, "t", 2) != 1
