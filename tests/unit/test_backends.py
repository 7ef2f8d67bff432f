"""Backends build argv from a spec and the node's config, never from the request."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest
from trinity.agent.backends import parse_prometheus
from trinity.agent.backends.llamacpp import LlamaCpp
from trinity.agent.backends.vllm import Vllm
from trinity.agent.config import LlamaCppConfig, VllmConfig
from trinity.agent.errors import FailedPrecondition, InvalidArgument
from trinity.agent.modelpath import ModelRoots
from trinity.agent.spec import ModelSpec

from tests.fakes.fake_openai import fake_server


@pytest.fixture
def gguf(tmp_path: Path) -> str:
    path = tmp_path / "m.gguf"
    path.write_bytes(b"GGUF" + b"x" * 996)
    return str(path)


@pytest.fixture
def roots(tmp_path: Path) -> ModelRoots:
    return ModelRoots((tmp_path,))


def test_llama_server_binary_argv(tmp_path, gguf, roots):
    binary = tmp_path / "llama-server"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    backend = LlamaCpp(LlamaCppConfig(server_binary=str(binary)), roots)
    spec = ModelSpec(
        name="q",
        backend="llamacpp",
        model=gguf,
        served_name="qwen",
        context_length=4096,
        gpu_layers=99,
        extra_args=("-np", "4", "--no-mmap"),
    )
    assert backend.command(spec, 1234) == [
        str(binary),
        "-m",
        gguf,
        "--host",
        "127.0.0.1",
        "--port",
        "1234",
        "--alias",
        "qwen",
        "-ngl",
        "99",
        "--metrics",
        "-c",
        "4096",
        "-np",
        "4",
        "--no-mmap",
    ]


def test_llama_cpp_python_fallback_argv(gguf, roots, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    backend = LlamaCpp(LlamaCppConfig(python=sys.executable), roots)
    spec = ModelSpec(
        name="s", backend="llamacpp", model=gguf, context_length=2048, extra_args=("--n_threads=2",)
    )
    assert backend.command(spec, 99) == [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        gguf,
        "--host",
        "127.0.0.1",
        "--port",
        "99",
        "--model_alias",
        "s",
        "--n_gpu_layers",
        "0",
        "--interrupt_requests",
        "false",
        "--n_ctx",
        "2048",
        "--n_threads",
        "2",
    ]


def test_configured_binary_missing_is_unavailable(gguf):
    backend = LlamaCpp(LlamaCppConfig(server_binary="/opt/nope/llama-server"))
    assert not backend.info().available
    with pytest.raises(FailedPrecondition, match=r"llamacpp unavailable.*/opt/nope"):
        backend.command(ModelSpec(name="s", backend="llamacpp", model=gguf), 1)


def test_vllm_serve_takes_the_model_positionally(tmp_path):
    backend = Vllm(VllmConfig(command=[sys.executable, "serve"]))
    spec = ModelSpec(
        name="q",
        backend="vllm",
        model="Qwen/Qwen3.5-35B-A3B-FP8",
        context_length=32768,
        gpu_memory_fraction=0.85,
        quantization="fp8",
        extra_args=("--max-num-seqs=64", "--enable-prefix-caching"),
    )
    assert backend.command(spec, 8000) == [
        sys.executable,
        "serve",
        "Qwen/Qwen3.5-35B-A3B-FP8",
        "--host",
        "127.0.0.1",
        "--port",
        "8000",
        "--served-model-name",
        "q",
        "--max-model-len",
        "32768",
        "--gpu-memory-utilization",
        "0.85",
        "--quantization",
        "fp8",
        "--max-num-seqs",
        "64",
        "--enable-prefix-caching",
    ]


def test_vllm_module_launch_takes_model_flag(tmp_path, roots):
    command = [sys.executable, "-m", "vllm.entrypoints.openai.api_server"]
    backend = Vllm(VllmConfig(command=command), roots)
    argv = backend.command(ModelSpec(name="s", backend="vllm", model=str(tmp_path)), 1)
    assert argv[3:5] == ["--model", str(tmp_path)]


def test_vllm_missing_local_folder_is_refused(tmp_path, roots):
    backend = Vllm(VllmConfig(command=[sys.executable, "serve"]), roots)
    with pytest.raises(FailedPrecondition, match="model folder not found"):
        backend.command(ModelSpec(name="s", backend="vllm", model=str(tmp_path / "no")), 1)


@pytest.mark.parametrize(
    ("args", "bad"),
    [
        (("--trust-remote-code",), "--trust-remote-code"),
        (("--max-num-seqs", "--trust-remote-code"), "looks like a flag"),
        (("--max-num-seqs",), "needs a value"),
        (("; rm -rf /",), "; rm -rf /"),
        (("--dtype=--load-format=x",), "looks like a flag"),
    ],
)
def test_extra_args_outside_the_allowlist_are_refused(args, bad):
    backend = Vllm(VllmConfig(command=[sys.executable, "serve"]))
    with pytest.raises(InvalidArgument, match=bad.replace("-", r"\-")):
        backend.command(ModelSpec(name="s", backend="vllm", model="org/m", extra_args=args), 1)


def test_node_config_can_allow_more_extra_args():
    backend = Vllm(
        VllmConfig(command=[sys.executable, "serve"], allowed_extra_args=["--trust-remote-code"])
    )
    # Allowed as a flag that takes a value only: a switch must be listed as such.
    argv = backend.command(
        ModelSpec(name="s", backend="vllm", model="org/m", extra_args=("--trust-remote-code", "1")),
        1,
    )
    assert argv[-2:] == ["--trust-remote-code", "1"]


def test_negative_numbers_are_values_not_flags():
    backend = Vllm(VllmConfig(command=[sys.executable, "serve"]))
    argv = backend.command(
        ModelSpec(name="s", backend="vllm", model="org/m", extra_args=("--seed", "-1")), 1
    )
    assert argv[-2:] == ["--seed", "-1"]


def test_builtin_smollm2_resolves_to_the_packaged_gguf():
    path = ModelRoots().gguf("builtin:smollm2", "s")
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.stat().st_size > 90e6
    # Its package folder is a root of its own: the explicit path is allowed too.
    assert ModelRoots().gguf(str(path), "s") == path


def test_missing_model_file_under_a_root_names_the_path(tmp_path, roots):
    with pytest.raises(FailedPrecondition, match=r"model s: model file not found: .*x\.gguf"):
        roots.gguf(str(tmp_path / "x.gguf"), "s")


def _refusal(roots: ModelRoots, model: str) -> str:
    with pytest.raises(InvalidArgument) as info:
        roots.gguf(model, "s")
    return str(info.value)


def test_a_path_outside_the_roots_is_refused_alike_whether_it_exists_or_not(tmp_path):
    roots = ModelRoots((tmp_path / "models",))
    secret = tmp_path / "secret"
    secret.write_text("root:$6$hash\n")
    there, absent = _refusal(roots, str(secret)), _refusal(roots, str(tmp_path / "absent"))
    assert there.replace("secret", "X") == absent.replace("absent", "X")
    assert "not under this node's model roots" in there and "root:" not in there
    for model in ("/etc/shadow", "../secret", "sub/../../secret", "~/.ssh/id_rsa", "a\0b"):
        assert "not under this node's model roots" in _refusal(roots, model)


def test_a_symlink_under_a_root_is_followed_out_and_refused(tmp_path):
    (tmp_path / "models").mkdir()
    secret = tmp_path / "secret"
    secret.write_bytes(b"GGUF but secret")
    (tmp_path / "models" / "m.gguf").symlink_to(secret)
    (tmp_path / "models" / "loop.gguf").symlink_to(tmp_path / "models" / "loop.gguf")
    roots = ModelRoots((tmp_path / "models",))
    assert "not under" in _refusal(roots, str(tmp_path / "models" / "m.gguf"))
    assert "not under" in _refusal(roots, str(tmp_path / "models" / "loop.gguf"))


def test_a_relative_path_is_taken_under_the_first_root(tmp_path, gguf):
    roots = ModelRoots((tmp_path, tmp_path / "other"))
    assert roots.gguf("m.gguf", "s") == Path(gguf)


def test_a_file_that_is_not_gguf_is_refused_without_its_content(tmp_path, roots):
    (tmp_path / "notes.gguf").write_bytes(b"root:secret")
    with pytest.raises(FailedPrecondition, match="is not a GGUF file") as info:
        roots.gguf(str(tmp_path / "notes.gguf"), "s")
    assert "root" not in str(info.value).replace(str(tmp_path), "")


@pytest.mark.parametrize("model", ["../../etc/shadow", "a/b/c", "/etc/ssh", "x y", "-rf"])
def test_vllm_refuses_what_is_neither_a_hub_name_nor_under_a_root(model, roots):
    backend = Vllm(VllmConfig(command=[sys.executable, "serve"]), roots)
    with pytest.raises(InvalidArgument):
        backend.command(ModelSpec(name="s", backend="vllm", model=model), 1)


def test_memory_estimates():
    vllm = Vllm(VllmConfig(command=[sys.executable, "serve"]))
    assert vllm.required_memory(ModelSpec("a", "vllm", "m", gpu_memory_fraction=0.5), 80) == 40
    assert vllm.required_memory(ModelSpec("a", "vllm", "m"), 0) == 0  # no GPU: no estimate
    assert vllm.required_memory(ModelSpec("a", "vllm", "m", min_free_memory_bytes=7), 80) == 7


def test_llamacpp_needs_gpu_memory_only_when_layers_are_offloaded(gguf, roots):
    llama = LlamaCpp(LlamaCppConfig(), roots)
    assert llama.required_memory(ModelSpec("a", "llamacpp", gguf), 80) == 0  # CPU
    assert llama.required_memory(ModelSpec("a", "llamacpp", gguf, gpu_layers=99), 80) == 1200


def test_prometheus_counters_sum_label_variants():
    text = (
        "# HELP vllm:generation_tokens_total x\n"
        'vllm:generation_tokens_total{model_name="a"} 10.0\n'
        'vllm:generation_tokens_total{model_name="b"} 5\n'
        "llamacpp:tokens_predicted_total 7\n"
        "garbage line\n"
    )
    assert parse_prometheus(text) == {
        "vllm:generation_tokens_total": 15.0,
        "llamacpp:tokens_predicted_total": 7.0,
    }


@pytest.mark.parametrize(
    ("faults", "alive"),
    [
        ("", True),
        ("no_health=1", True),  # llama_cpp.server: no /health, /v1/models answers
        ("health_fail_after=0", False),  # llama-server says it is broken: believe it
        ("slow_start=30", False),  # 503 while loading
    ],
)
async def test_llamacpp_liveness(faults, alive):
    backend = LlamaCpp(LlamaCppConfig())
    with fake_server("llamacpp", faults=faults) as fake:
        async with httpx.AsyncClient() as client:
            assert await backend.alive(client, fake.url) is alive


async def test_vllm_readiness_needs_the_served_name_and_a_token():
    backend = Vllm(VllmConfig(command=[sys.executable, "serve"]))
    spec = ModelSpec(name="s", backend="vllm", model="org/m", served_name="smol")
    async with httpx.AsyncClient() as client:
        with fake_server("vllm", "--served-model-name", "smol") as fake:
            assert await backend.ready(client, fake.url, spec)
            assert (await backend.metrics(client, fake.url))["vllm:generation_tokens_total"] == 1
        with fake_server("vllm", "--served-model-name", "other") as fake:
            assert not await backend.ready(client, fake.url, spec)
        with fake_server("vllm", "--served-model-name", "smol", faults="http_500=1") as fake:
            assert not await backend.ready(client, fake.url, spec)
            assert await backend.alive(client, fake.url)


async def test_metrics_of_a_server_without_them_are_empty():
    async with httpx.AsyncClient() as client:
        assert await LlamaCpp(LlamaCppConfig()).metrics(client, "http://127.0.0.1:9") == {}
