"""How big a request each RPC takes, enforced before the servicer sees it.

gRPC's receive limit is one number for the whole server, so it is set to the largest
RPC's need (an Execute's files) and every other RPC is held to its own, smaller limit
here: a 10 MB StopModel is refused with RESOURCE_EXHAUSTED before it is parsed. The token
is checked before any of this (trinity.agent.auth): an unauthenticated body is not read.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import grpc

log = logging.getLogger(__name__)

KiB, MiB = 1024, 1024 * 1024
SERVICE = "/trinity.v1.Agent/"
# Generate: a whole conversation (a 128k-token context is about 0.5 MB of text).
# Execute: the solution, the hidden tests and their data (the run's /work is 64 MiB).
LIMITS = {f"{SERVICE}Generate": 8 * MiB, f"{SERVICE}Execute": 16 * MiB}
DEFAULT_LIMIT = 64 * KiB  # a spec, a name, a few numbers
MAX_RECEIVE_BYTES = max(LIMITS.values())


def limit_for(method: str) -> int:
    """The largest request `method` ("/package.Service/Method") takes, in bytes."""
    return LIMITS.get(method, DEFAULT_LIMIT)


def _size(n: int) -> str:
    return f"{n / MiB:.1f} MiB" if n >= MiB else f"{n / KiB:.0f} KiB"


class _Oversized:
    """What the deserializer hands on instead of a request over its RPC's limit."""

    def __init__(self, size: int) -> None:
        self.size = size


class RequestSizeInterceptor(grpc.aio.ServerInterceptor):
    """Holds each unary-request RPC to limit_for(method)."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or handler.request_streaming:
            return handler  # streaming requests (reflection) keep the server's limit
        method = handler_call_details.method or ""
        return _limited(handler, method, limit_for(method))


def _limited(handler: grpc.RpcMethodHandler, method: str, limit: int) -> grpc.RpcMethodHandler:
    parse = handler.request_deserializer
    message = f"{method.rsplit('/', 1)[-1]} takes requests of at most {_size(limit)}"

    def deserialize(data: bytes) -> Any:
        if len(data) > limit:
            return _Oversized(len(data))
        return parse(data) if parse is not None else data

    async def refuse(request: _Oversized, context: grpc.aio.ServicerContext) -> None:
        log.warning("request too large method=%s bytes=%d limit=%d", method, request.size, limit)
        await context.abort(
            grpc.StatusCode.RESOURCE_EXHAUSTED, f"{message}, got {_size(request.size)}"
        )

    if handler.response_streaming:
        return grpc.unary_stream_rpc_method_handler(
            _stream_behaviour(handler.unary_stream, refuse), deserialize,
            handler.response_serializer,
        )  # fmt: skip
    return grpc.unary_unary_rpc_method_handler(
        _unary_behaviour(handler.unary_unary, refuse), deserialize, handler.response_serializer
    )


def _unary_behaviour(inner: Callable[..., Any], refuse: Callable[..., Any]) -> Callable[..., Any]:
    async def behaviour(request: Any, context: grpc.aio.ServicerContext) -> Any:
        if isinstance(request, _Oversized):
            return await refuse(request, context)
        return await inner(request, context)

    return behaviour


def _stream_behaviour(inner: Callable[..., Any], refuse: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.isasyncgenfunction(inner):

        async def generator(request: Any, context: grpc.aio.ServicerContext) -> Any:
            if isinstance(request, _Oversized):
                await refuse(request, context)
                return
            async for item in inner(request, context):
                yield item

        return generator
    return _unary_behaviour(inner, refuse)  # a coroutine that writes with context.write
