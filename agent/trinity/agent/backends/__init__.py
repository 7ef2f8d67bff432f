"""Model server backends behind one small interface, and the registry of this node's.

Adding SGLang or Ollama later is one file with the same methods. A backend builds argv
from a ModelSpec and the node's own config (never an executable from the request),
decides readiness and liveness, and reads the server's counters.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import httpx
from prometheus_client.parser import text_string_to_metric_families
from trinity.agent.errors import FailedPrecondition, InvalidArgument
from trinity.agent.modelpath import ModelRoots
from trinity.agent.spec import ModelSpec

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from trinity.agent.config import AgentConfig, LlamaCppConfig, VllmConfig

PROBE_TIMEOUT_S = 5.0
COMPLETION_TIMEOUT_S = 60.0  # a loaded CPU node can take seconds for one token


@dataclass(frozen=True)
class BackendAvailability:
    """Whether this node can launch the backend, with what, or why not."""

    available: bool
    command: tuple[str, ...]
    detail: str


class Backend(Protocol):
    name: str

    def info(self) -> BackendAvailability: ...
    def command(self, spec: ModelSpec, port: int) -> list[str]: ...
    def env(self) -> dict[str, str]: ...
    async def ready(self, client: httpx.AsyncClient, base_url: str, spec: ModelSpec) -> bool: ...
    async def alive(self, client: httpx.AsyncClient, base_url: str) -> bool: ...
    async def metrics(self, client: httpx.AsyncClient, base_url: str) -> dict[str, float]: ...
    def required_memory(self, spec: ModelSpec, total_bytes: int) -> int: ...


class ServerBackend:
    """What every OpenAI-compatible server backend shares: node config, env, counters."""

    name = ""

    def __init__(
        self, config: LlamaCppConfig | VllmConfig, roots: ModelRoots | None = None
    ) -> None:
        self._config = config
        self.roots = roots or ModelRoots()  # no roots given: builtin models only

    def info(self) -> BackendAvailability:
        raise NotImplementedError

    def launcher(self, spec: ModelSpec) -> BackendAvailability:
        """The available launch command, or why this node cannot run the spec."""
        info = self.info()
        if not info.available:
            raise FailedPrecondition(f"model {spec.name}: {self.name} unavailable: {info.detail}")
        return info

    def env(self) -> dict[str, str]:
        return dict(self._config.env)

    async def metrics(self, client: httpx.AsyncClient, base_url: str) -> dict[str, float]:
        return await scrape_metrics(client, base_url)


def registry(config: AgentConfig) -> dict[str, Backend]:
    """The backends this agent knows, configured from the node's agent.toml."""
    from trinity.agent.backends.llamacpp import LlamaCpp
    from trinity.agent.backends.vllm import Vllm

    roots = ModelRoots(tuple(config.model_roots))
    return {"llamacpp": LlamaCpp(config.llamacpp, roots), "vllm": Vllm(config.vllm, roots)}


def check_extra_args(
    name: str, args: tuple[str, ...], takes_value: frozenset[str], switches: frozenset[str]
) -> list[str]:
    """Allow only listed flags; a flag's value may not itself look like a flag."""
    checked: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        flag, has_inline, value = arg.partition("=")
        if flag in switches and not has_inline:
            checked.append(arg)
            i += 1
            continue
        if flag not in takes_value:
            raise InvalidArgument(
                f"model {name}: extra arg {arg!r} is not allowed on this node "
                "(add it to allowed_extra_args in agent.toml if it is safe)"
            )
        if not has_inline:
            if i + 1 >= len(args):
                raise InvalidArgument(f"model {name}: extra arg {arg!r} needs a value")
            value = args[i + 1]
            i += 1
        if value.startswith("-") and not _is_number(value):
            raise InvalidArgument(
                f"model {name}: value {value!r} of extra arg {flag!r} looks like a flag"
            )
        checked.extend([flag, value])
        i += 1
    return checked


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def parse_prometheus(text: str) -> dict[str, float]:
    """Sum every sample of each sample name over its label variants (prometheus_client's
    parser); a malformed line ends the reading there, keeping what came before it."""
    values: dict[str, float] = {}
    try:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                values[sample.name] = values.get(sample.name, 0.0) + sample.value
    except ValueError as exc:
        log.debug("unreadable metrics line error=%s", exc)
    return values


async def get_ok(client: httpx.AsyncClient, url: str) -> httpx.Response | None:
    """GET that returns the response when it is 200, else None (errors included)."""
    try:
        response = await client.get(url, timeout=PROBE_TIMEOUT_S)
    except httpx.HTTPError:
        return None
    return response if response.status_code == 200 else None


async def one_token_completion(client: httpx.AsyncClient, base_url: str, served: str) -> bool:
    """The last step of readiness: the model really generates."""
    body = {
        "model": served,
        "messages": [{"role": "user", "content": "Hi"}],
        "max_tokens": 1,
        "temperature": 0,
    }
    try:
        response = await client.post(
            f"{base_url}/v1/chat/completions", json=body, timeout=COMPLETION_TIMEOUT_S
        )
    except httpx.HTTPError:
        return False
    return response.status_code == 200


async def probe_completion(
    client: httpx.AsyncClient, base_url: str, served: str, timeout_s: float
) -> str | None:
    """A 1-token completion as a liveness probe: None when answered, else what failed."""
    body = {"model": served, "messages": [{"role": "user", "content": "Hi"}],
            "max_tokens": 1, "temperature": 0}  # fmt: skip
    try:
        response = await client.post(
            f"{base_url}/v1/chat/completions", json=body, timeout=timeout_s
        )
    except httpx.TimeoutException:
        return f"a 1-token completion got no answer in {timeout_s:g} s"
    except httpx.HTTPError as exc:
        return f"a 1-token completion failed: {type(exc).__name__}"
    if response.status_code != 200:
        return f"a 1-token completion answered HTTP {response.status_code}"
    return None


# Prometheus counters that move while a server makes tokens for anyone (vLLM's per
# scheduler step; llama-server's n_decode_total per batch, its token counts per request).
PROGRESS_WORDS = ("tokens", "n_decode")


def token_progress(metrics: dict[str, float]) -> float:
    """The sum of a server's token counters (counters only: a gauge may fall)."""
    return sum(v for k, v in metrics.items()
               if k.endswith("_total") and any(word in k for word in PROGRESS_WORDS))  # fmt: skip


async def scrape_metrics(client: httpx.AsyncClient, base_url: str) -> dict[str, float]:
    response = await get_ok(client, f"{base_url}/metrics")
    return parse_prometheus(response.text) if response is not None else {}
