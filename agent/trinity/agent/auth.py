"""The node token: loading it safely and requiring it on every RPC but health.

Clients send gRPC metadata `authorization: Bearer <token>`. Health (`grpc.health.v1`)
stays open so load balancers and probes work without a secret. Reflection needs the
token like everything else: it describes the whole API surface, and stock tools pass
metadata anyway (`grpcurl -H 'authorization: Bearer …'`).
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


class TokenAuthInterceptor(grpc.aio.ServerInterceptor):
    """Rejects calls without the right bearer token with UNAUTHENTICATED."""

    def __init__(self, token: bytes) -> None:
        self._expected = SCHEME.encode() + token
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
        # compare_digest on bytes: time does not depend on where the first mismatch is.
        if len(values) == 1 and hmac.compare_digest(got, self._expected):
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
