"""Peers: models that run elsewhere, asked by the controller itself through the same
seam as a node's models (trinity.controller.answerer).

  anthropic  the Messages API, streamed (trinity.controller.peers.anthropic)
  openai     any OpenAI-compatible Chat Completions endpoint (.openai)
  cli        a coding tool run as a subprocess: claude-code, codex, gemini, aider, or a
             command of your own (.cli, argv and output formats in .presets)

Failures that are not the model's raise `PeerUnavailable` (an InfraError: the bench
retries the run, then stores it as infra_error, INCOMPLETE). Each is classified:
rate_limit and overloaded make the peer pause before its next request (for the
server's retry-after when it gave one, else a doubling backoff), and a permanent one
(auth, billing, quota, invalid_request, config) stops the peer: its other runs are not
made, and `stopped` says why in one line. No message here ever holds a key: errors
carry the API's own message, with any key the peer holds cut out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from trinity.controller.answerer import Answer, Question
from trinity.controller.config import (
    AnthropicPeer,
    AnyModel,
    CliPeer,
    ClusterConfig,
    ModelConfig,
    OpenAIPeer,
    Peer,
    Prices,
)
from trinity.controller.errors import ConfigError
from trinity.controller.redact import scrub_text, without_url_credentials
from trinity.controller.scheduler import InfraError

log = logging.getLogger(__name__)

PERMANENT = frozenset({"auth", "billing", "quota", "invalid_request", "config"})
BACKOFF_FIRST_S = 2.0
BACKOFF_MAX_S = 60.0
RETRY_AFTER_MAX_S = 300.0  # a server asking for longer is treated as asking for this


class PeerUnavailable(InfraError):
    """A peer could not answer, and not because of the model: see the module doc."""

    def __init__(
        self,
        peer: str,
        kind: str,
        message: str,
        *,
        retry_after_s: float | None = None,
        cost_usd: float | None = None,
    ) -> None:
        self.peer = peer
        self.kind = kind
        self.detail = message = scrub_text(message)  # whatever the tool or API echoed
        self.retry_after_s = retry_after_s
        self.cost_usd = cost_usd  # what the failed attempt reported costing (a CLI's result)
        super().__init__(f"{peer}: {kind}: {message}")

    @property
    def permanent(self) -> bool:
        return self.kind in PERMANENT


class Backend(Protocol):
    """One peer's way of answering (a backend module's class)."""

    async def answer(self, question: Question) -> Answer: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class PeerCheck:
    """What `trinityctl status` can tell about a peer without spending money."""

    name: str
    backend: str
    ok: bool
    detail: str


class Paced:
    """A peer's backend, paced: one pause shared by its runs after a rate limit or an
    overload, and no more requests once a permanent failure stopped it."""

    def __init__(self, name: str, backend: Backend) -> None:
        self.name = name
        self.backend = backend
        self.stopped: str | None = None
        self._resume_at = 0.0
        self._failures = 0

    async def answer(self, question: Question) -> Answer | None:
        if self.stopped:
            raise PeerUnavailable(self.name, "stopped", self.stopped)
        await asyncio.sleep(max(0.0, self._resume_at - time.monotonic()))
        try:
            answer = await self.backend.answer(question)
        except PeerUnavailable as exc:
            self._failed(exc)
            raise
        self._failures = 0
        return answer

    def _failed(self, exc: PeerUnavailable) -> None:
        if exc.permanent:
            if self.stopped is None:
                self.stopped = f"{self.name} stopped: {exc.kind}: {exc.detail}"
                log.warning("peer stopped peer=%s kind=%s", self.name, exc.kind)
            return
        self._failures += 1
        if exc.retry_after_s is not None:
            pause = min(exc.retry_after_s, RETRY_AFTER_MAX_S)
        elif exc.kind in ("rate_limit", "overloaded"):
            pause = min(BACKOFF_FIRST_S * 2 ** (self._failures - 1), BACKOFF_MAX_S)
        else:
            return
        self._resume_at = max(self._resume_at, time.monotonic() + pause)

    async def close(self) -> None:
        await self.backend.close()


def api_key(peer: AnthropicPeer | OpenAIPeer) -> str | None:
    """The key from the environment variable the peer names; ConfigError when unset."""
    if peer.api_key_env is None:
        return None
    value = os.environ.get(peer.api_key_env, "").strip()
    if not value:
        raise ConfigError(
            f"peer {peer.name}: environment variable {peer.api_key_env} "
            f"(peers.{peer.name}.api_key_env) is not set",
            hint=f"export {peer.api_key_env}=<your key>; the key never goes in models.toml",
        )
    return value


def scrub(text: str, *secrets: str | None) -> str:
    """Text with every secret cut out (an API echoing a key back must not store it, nor a
    CLI printing its environment's): see trinity.controller.redact."""
    return scrub_text(text, *secrets)


def cost_usd(
    prices: Prices | None, fresh_input: int | None, cached_input: int | None, output: int | None
) -> float | None:
    """What the tokens cost at the peer's configured prices; None without prices or counts."""
    if prices is None or fresh_input is None or output is None:
        return None
    cached_price = prices.cached_input_usd_per_mtok
    cached_price = prices.input_usd_per_mtok if cached_price is None else cached_price
    total = (
        fresh_input * prices.input_usd_per_mtok
        + (cached_input or 0) * cached_price
        + output * prices.output_usd_per_mtok
    )
    return total / 1e6


def decode_rate(tokens: int | None, first: float | None, last: float | None) -> float | None:
    """(tokens - 1) over the time from the first delta to the last, as the agent measures."""
    if tokens is None or tokens < 2 or first is None or last is None or last <= first:
        return None
    return (tokens - 1) / (last - first)


def backend_for(peer: Peer, config: ClusterConfig) -> Backend:
    """The backend a peer's config asks for; ConfigError when it cannot be used here."""
    if isinstance(peer, AnthropicPeer):
        from trinity.controller.peers.anthropic import AnthropicBackend

        return AnthropicBackend(peer, api_key(peer), peer.sampling.over(config.defaults.sampling))
    if isinstance(peer, OpenAIPeer):
        from trinity.controller.peers.openai import OpenAIBackend

        return OpenAIBackend(peer, api_key(peer), peer.sampling.over(config.defaults.sampling))
    from trinity.controller.peers.cli import CliBackend

    return CliBackend(peer, hidden_env(config))


def hidden_env(config: ClusterConfig) -> frozenset[str]:
    """Environment variables a coding tool never needs: the node tokens."""
    return frozenset(n.token_env for n in config.nodes.values() if n.token_env)


@contextlib.asynccontextmanager
async def answerers(
    config: ClusterConfig, models: Sequence[AnyModel]
) -> AsyncIterator[dict[str, Paced]]:
    """A paced answerer for every peer among `models`, closed on the way out. Everything
    a peer needs (its key variable set, its tool on PATH) is checked before any is made."""
    peers = [m for m in models if not isinstance(m, ModelConfig)]
    made: dict[str, Paced] = {}
    try:
        for peer in peers:
            made[peer.key] = Paced(peer.name, backend_for(peer, config))
        yield made
    finally:
        for answerer in made.values():
            await answerer.close()


def executable(peer: CliPeer) -> str:
    """The program a cli peer runs: its `executable`, else the preset's (first of command)."""
    from trinity.controller.peers.presets import PROGRAMS

    if peer.executable:
        return peer.executable
    return PROGRAMS[peer.preset] if peer.preset else peer.command[0]


def find_executable(peer: CliPeer) -> str:
    """The program's full path; ConfigError naming it when it is not there."""
    program = executable(peer)
    found = shutil.which(program)
    if found is None:
        raise ConfigError(
            f"peer {peer.name}: {program!r} not found on PATH",
            hint=f'install it, or set executable = "/path/to/{os.path.basename(program)}" '
            f"in peers.{peer.name}",
        )
    return found


async def check(peer: Peer) -> PeerCheck:
    """What can be known without asking the peer anything: its key variable is set, its
    tool is on PATH and prints a version."""
    try:
        if isinstance(peer, CliPeer):
            from trinity.controller.peers.cli import version

            detail = await version(peer)
        else:
            api_key(peer)
            detail = f"{peer.model} at {without_url_credentials(peer.base_url)}" + (
                f", key in ${peer.api_key_env}" if peer.api_key_env else ""
            )
    except ConfigError as exc:
        return PeerCheck(peer.name, peer.backend, False, exc.message)
    return PeerCheck(peer.name, peer.backend, True, detail)


async def checks(config: ClusterConfig) -> list[PeerCheck]:
    """Every configured peer's check, at once."""
    return list(await asyncio.gather(*(check(p) for p in config.peers)))
