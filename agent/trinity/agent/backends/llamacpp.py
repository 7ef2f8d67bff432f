"""llama.cpp: the `llama-server` binary when configured or on PATH, else
`python -m llama_cpp.server` from llama-cpp-python (the two take different flags)."""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys

import httpx
from trinity.agent.backends import (
    PROBE_TIMEOUT_S,
    BackendAvailability,
    ServerBackend,
    check_extra_args,
    get_ok,
    one_token_completion,
)
from trinity.agent.config import LlamaCppConfig
from trinity.agent.spec import ModelSpec

SERVER_VALUE_FLAGS = frozenset(
    {
        "--threads",
        "-t",
        "--batch-size",
        "-b",
        "--ubatch-size",
        "-ub",
        "--parallel",
        "-np",
        "--cache-type-k",
        "-ctk",
        "--cache-type-v",
        "-ctv",
        "--flash-attn",
        "-fa",
        "--threads-batch",
        "--rope-scaling",
        "--rope-freq-base",
        "--split-mode",
        "-sm",
        "--tensor-split",
        "-ts",
        "--main-gpu",
        "-mg",
        "--reasoning-format",
        "--chat-template",
    }
)
SERVER_SWITCHES = frozenset(
    {
        "--cont-batching",
        "--no-cont-batching",
        "--mlock",
        "--no-mmap",
        "--jinja",
        "--no-webui",
        "--metrics",
    }
)
PYTHON_VALUE_FLAGS = frozenset(
    {
        "--n_threads",
        "--n_threads_batch",
        "--n_batch",
        "--n_ubatch",
        "--chat_format",
        "--flash_attn",
        "--type_k",
        "--type_v",
        "--use_mlock",
        "--use_mmap",
        "--main_gpu",
        "--split_mode",
        "--rope_freq_base",
        "--offload_kqv",
        "--cache",
    }
)
# A GGUF's weights plus KV cache and compute buffers, when offloaded to the GPU.
GPU_OVERHEAD = 1.2


class LlamaCpp(ServerBackend):
    name = "llamacpp"
    _config: LlamaCppConfig

    def _binary(self) -> str | None:
        if self._config.server_binary:
            return shutil.which(self._config.server_binary) or None
        return shutil.which("llama-server")

    def info(self) -> BackendAvailability:
        binary = self._binary()
        if binary:
            return BackendAvailability(True, (binary,), "llama-server binary")
        if self._config.server_binary:
            return BackendAvailability(
                False,
                (self._config.server_binary,),
                f"server_binary {self._config.server_binary} not found or not executable",
            )
        prefix = (self._config.python, "-m", "llama_cpp.server")
        if _python_has_llama_cpp(self._config.python):
            return BackendAvailability(True, prefix, "llama-cpp-python (no llama-server on PATH)")
        return BackendAvailability(
            False,
            prefix,
            "no llama-server on PATH and llama-cpp-python is not installed for "
            f"{self._config.python}: pip install 'llama-cpp-python[server]'",
        )

    def command(self, spec: ModelSpec, port: int) -> list[str]:
        info = self.launcher(spec)
        path = str(self.roots.gguf(spec.model, spec.name))
        allowed = frozenset(self._config.allowed_extra_args)
        if info.command[-1] == "llama_cpp.server":
            argv = [
                *info.command,
                "--model",
                path,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--model_alias",
                spec.api_name,
                "--n_gpu_layers",
                str(spec.gpu_layers),
                # By default any new request (a liveness probe included) ends the stream
                # in flight with [DONE] and no finish_reason: a silently truncated answer.
                "--interrupt_requests",
                "false",
            ]
            if spec.context_length:
                argv += ["--n_ctx", str(spec.context_length)]
            extra = check_extra_args(
                spec.name, spec.extra_args, PYTHON_VALUE_FLAGS | allowed, frozenset()
            )
        else:
            argv = [
                *info.command,
                "-m",
                path,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--alias",
                spec.api_name,
                "-ngl",
                str(spec.gpu_layers),
                "--metrics",
            ]
            if spec.context_length:
                argv += ["-c", str(spec.context_length)]
            extra = check_extra_args(
                spec.name, spec.extra_args, SERVER_VALUE_FLAGS | allowed, SERVER_SWITCHES
            )
        return argv + extra

    async def ready(self, client: httpx.AsyncClient, base_url: str, spec: ModelSpec) -> bool:
        return await self.alive(client, base_url) and await one_token_completion(
            client, base_url, spec.api_name
        )

    async def alive(self, client: httpx.AsyncClient, base_url: str) -> bool:
        # llama-server has /health (503 while loading, 500 on error); llama_cpp.server has
        # none (404) and serves nothing until its model is loaded. Not /v1/models there:
        # it waits for the model's lock, so during a long generation the probe would time
        # out and the supervisor would restart a busy, healthy server.
        try:
            health = await client.get(f"{base_url}/health", timeout=PROBE_TIMEOUT_S)
        except httpx.HTTPError:
            return False
        if health.status_code != 404:
            return health.status_code == 200
        return await get_ok(client, f"{base_url}/openapi.json") is not None

    def required_memory(self, spec: ModelSpec, total_bytes: int) -> int:
        if spec.min_free_memory_bytes:
            return spec.min_free_memory_bytes
        if spec.gpu_layers <= 0:
            return 0
        return int(os.path.getsize(self.roots.gguf(spec.model, spec.name)) * GPU_OVERHEAD)


@functools.cache
def _python_has_llama_cpp(python: str) -> bool:
    if os.path.realpath(python) == os.path.realpath(sys.executable):
        return importlib.util.find_spec("llama_cpp") is not None
    try:
        done = subprocess.run(
            [
                python,
                "-c",
                "import importlib.util,sys; "
                "sys.exit(importlib.util.find_spec('llama_cpp') is None)",
            ],
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0
