"""The node token: loading it safely and requiring it on every RPC but health.

Clients send gRPC metadata `authorization: Bearer <token>`. Health (`grpc.health.v1`)
stays open so load balancers and probes work without a secret. Reflection needs the
token like everything else: it describes the whole API surface, and stock tools pass
metadata anyway (`grpcurl -H 'authorization: Bearer …'`).

Rotation needs no restart (so the models keep running): the agent notices a new token
file (`trinity-agent rotate-token` writes one) within a second and from then on accepts
only the new token. A replacement it cannot use (readable by others, empty, gone) is
logged and the token it has stays in force.
"""

from __future__ import annotations

import hmac
import logging
import os
import stat
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import grpc
from trinity.agent.errors import ConfigError

log = logging.getLogger(__name__)

METADATA_KEY = "authorization"
SCHEME = "Bearer "
# Method names are "/package.Service/Method"; these prefixes need no token.
OPEN_PREFIXES = ("/grpc.health.v1.Health/",)
DENIAL_LOG_INTERVAL_S = 10.0  # a flood of bad calls is one log line per interval
RELOAD_INTERVAL_S = 1.0  # how soon a rotated token file is noticed


def load_token(path: Path) -> bytes:
    """Read the node token, refusing a file other users could read or change."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"token file {path} does not exist: create it with `trinity-agent init`"
        ) from None
    except OSError as exc:
        raise ConfigError(f"token file {path}: cannot read: {exc.strerror}") from None
    if mode & 0o077:
        raise ConfigError(
            f"token file {path} is readable by others (mode {mode:04o}): chmod 600 {path}"
        )
    token = raw.strip()
    if not token:
        raise ConfigError(f"token file {path} is empty: put the node token in it")
    return token


class TokenFile:
    """The node token as its file says now: looked at again at most once per interval."""

    def __init__(self, path: Path, interval_s: float = RELOAD_INTERVAL_S) -> None:
        self.path, self._interval_s = Path(path), interval_s
        self._token = load_token(self.path)
        self._seen = _identity(self.path)
        self._next_at = time.monotonic() + interval_s

    def current(self) -> bytes:
        now = time.monotonic()
        if now >= self._next_at:
            self._next_at = now + self._interval_s
            seen = _identity(self.path)
            if seen != self._seen:
                self._seen = seen
                self._reload()
        return self._token

    def _reload(self) -> None:
        try:
            token = load_token(self.path)
        except ConfigError as exc:
            log.error("token file changed but cannot be used, keeping the current token: %s", exc)
            return
        if token != self._token:
            self._token = token
            log.info("node token rotated path=%s", self.path)


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    """What changes when the file is replaced or rewritten (None: it is gone)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size, st.st_mode)


class TokenAuthInterceptor(grpc.aio.ServerInterceptor):
    """Rejects calls without the right bearer token with UNAUTHENTICATED. The token is
    fixed bytes (tests) or a TokenFile, read again when it changes (rotation)."""

    def __init__(self, token: bytes | TokenFile) -> None:
        self._token = token
        self._log = _DenialLog()

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        method = handler_call_details.method or ""
        if handler is None or method.startswith(OPEN_PREFIXES):
            return handler
        problem = self._check(handler_call_details.invocation_metadata or ())
        if problem is None:
            return handler
        self._log.denied(method, problem)
        return _denying_handler(handler, problem)

    def _check(self, metadata) -> str | None:
        """None when the token matches, else the one-line reason (never the token)."""
        values = [v for k, v in metadata if k == METADATA_KEY]
        if not values:
            return (
                "missing node token: send metadata 'authorization: Bearer <token>' "
                "(the token file named in the node's agent.toml)"
            )
        value = values[0]
        got = value.encode() if isinstance(value, str) else bytes(value)
        token = self._token if isinstance(self._token, bytes) else self._token.current()
        # compare_digest on bytes: time does not depend on where the first mismatch is.
        if len(values) == 1 and hmac.compare_digest(got, SCHEME.encode() + token):
            return None
        return "wrong node token"


class _DenialLog:
    """Logs the first rejected call, then one line per interval with how many more."""

    def __init__(self, interval_s: float = DENIAL_LOG_INTERVAL_S) -> None:
        self._interval_s = interval_s
        self._next_at = 0.0
        self._unlogged = 0

    def denied(self, method: str, reason: str) -> None:
        now = time.monotonic()
        if now < self._next_at:
            self._unlogged += 1
            return
        more = f" (and {self._unlogged} more since the last line)" if self._unlogged else ""
        log.warning("rejected call method=%s reason=%r%s", method, reason, more)
        self._next_at, self._unlogged = now + self._interval_s, 0


def _denying_handler(handler: grpc.RpcMethodHandler, message: str) -> grpc.RpcMethodHandler:
    """A handler that aborts with UNAUTHENTICATED without reading the request.

    Always request-streaming, whatever `handler` is: grpc.aio reads a unary request in
    full before it calls the handler (eight unauthenticated 60 MB Execute calls made the
    agent hold 700 MiB), but a streaming handler receives nothing it does not ask for,
    so the body stays in the peer's flow-control window. On the wire a status is a
    status: the client sees UNAUTHENTICATED whatever it sent.
    """

    async def deny(request_iterator, context: grpc.aio.ServicerContext):
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

    async def deny_stream(request_iterator, context: grpc.aio.ServicerContext):
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, message)
        yield  # pragma: no cover - makes this an async generator; abort always raises

    # No deserializer: an unauthenticated request's bytes are never parsed.
    if handler.response_streaming:
        return grpc.stream_stream_rpc_method_handler(deny_stream)
    return grpc.stream_unary_rpc_method_handler(deny)
