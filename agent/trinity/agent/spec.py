"""The agent's plain data: what a model is (ModelSpec), where it stands (ModelStatus),
and how to reach a ready one (Endpoint). No gRPC here; the servicer converts."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ModelState(StrEnum):
    """starting → ready ⇄ unhealthy → failed / stopped."""

    STARTING = "starting"
    READY = "ready"
    UNHEALTHY = "unhealthy"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True)
class ModelSpec:
    """A model to run on this node; mirrors trinity.v1.ModelSpec."""

    name: str
    backend: str
    model: str
    served_name: str = ""
    context_length: int = 0
    gpu_memory_fraction: float = 0.0
    quantization: str = ""
    extra_args: tuple[str, ...] = ()
    gpu_layers: int = 0
    min_free_memory_bytes: int = 0

    @property
    def api_name(self) -> str:
        """The model name the OpenAI-compatible server answers to."""
        return self.served_name or self.name


@dataclass(frozen=True)
class ModelStatus:
    """A snapshot of one supervised model; mirrors trinity.v1.ModelStatus."""

    spec: ModelSpec
    state: ModelState
    pid: int = 0
    port: int = 0
    restarts: int = 0
    last_error: str = ""
    started_at: float = 0.0
    ready_at: float = 0.0
    command: tuple[str, ...] = field(default_factory=tuple)
    exit_code: int = 0  # how the last run ended, when it ended by itself
    exit_signal: int = 0
    last_lines: tuple[str, ...] = ()
    detail: str = ""  # what the agent sees now (a start's progress)


@dataclass(frozen=True)
class Endpoint:
    """Where a ready model answers: the base URL of its OpenAI-compatible server."""

    name: str
    backend: str
    base_url: str  # e.g. http://127.0.0.1:20123 (no trailing /v1)
    served_name: str
