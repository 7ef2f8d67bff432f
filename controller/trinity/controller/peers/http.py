"""What the two HTTP peers share: reading a server-sent event stream, and turning an HTTP
status, its retry headers and the API's error body into a classified PeerUnavailable.

Statuses (both APIs): 400 invalid_request, 401 auth, 402 billing, 403 auth (permission),
404 invalid_request (no such model), 408/409 timeout, 413 invalid_request, 429
rate_limit (quota when the body says insufficient_quota: a spent account, not a pace),
5xx server, 529 overloaded. `retry-after` (seconds) or `retry-after-ms` is honoured;
`x-should-retry: false` makes any failure permanent.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
from trinity.controller.peers import PeerUnavailable, scrub

MESSAGE_CHARS = 300
BY_STATUS = {
    400: "invalid_request",
    401: "auth",
    402: "billing",
    403: "auth",
    404: "invalid_request",
    408: "timeout",
    409: "timeout",
    413: "invalid_request",
    429: "rate_limit",
    529: "overloaded",
}
# Error types an API names in its body (Anthropic's error.type, OpenAI's code/type).
_BY_TYPE = {
    "overloaded_error": "overloaded",
    "rate_limit_error": "rate_limit",
    "api_error": "server",
    "timeout_error": "timeout",
    "authentication_error": "auth",
    "permission_error": "auth",
    "billing_error": "billing",
    "invalid_request_error": "invalid_request",
    "not_found_error": "invalid_request",
    "request_too_large": "invalid_request",
    "insufficient_quota": "quota",
    "rate_limit_exceeded": "rate_limit",
    "server_error": "server",
}


async def events(response: httpx.Response) -> AsyncIterator[tuple[str, str]]:
    """(event name, data) for each server-sent event; the name is "" when none is given.
    Comment lines and events without data are skipped."""
    name, data = "", list[str]()
    async for line in response.aiter_lines():
        if not line:
            if data:
                yield name, "\n".join(data)
            name, data = "", []
        elif line.startswith(":"):
            continue
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data:
        yield name, "\n".join(data)


def parse(peer: str, data: str) -> dict[str, Any]:
    """One event's JSON object; a server sending anything else is a server failure."""
    try:
        value = json.loads(data)
    except json.JSONDecodeError:
        raise PeerUnavailable(peer, "server", f"not JSON in the stream: {data[:80]!r}") from None
    if not isinstance(value, dict):
        raise PeerUnavailable(peer, "server", f"not a JSON object in the stream: {data[:80]!r}")
    return value


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asked us to wait, if it said (retry-after-ms wins)."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) / scale)
        except ValueError:
            continue  # an HTTP date: rare enough to treat as no advice
    return None


def error_message(body: Any) -> tuple[str, str]:
    """(type, message) from an API's error body ({"error": {...}} or the error itself)."""
    error = body.get("error", body) if isinstance(body, dict) else body
    if not isinstance(error, dict):
        return "", str(error or "")
    kind = str(error.get("code") or error.get("type") or "")
    if error.get("type") == "insufficient_quota" or error.get("code") == "insufficient_quota":
        kind = "insufficient_quota"
    return kind, str(error.get("message") or "")


def failure_from_body(peer: str, body: Any, secret: str | None) -> PeerUnavailable:
    """An error payload that arrived inside a stream (after HTTP 200)."""
    kind, message = error_message(body)
    return PeerUnavailable(peer, _BY_TYPE.get(kind, "server"), _short(message or kind, secret))


def failure_from_status(
    peer: str, status: int, headers: Mapping[str, str], content: bytes, secret: str | None
) -> PeerUnavailable:
    """A failed HTTP response, classified (see the module doc)."""
    try:
        body: Any = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = content.decode("utf-8", "replace")
    named, message = error_message(body)
    kind = _BY_TYPE.get(named) if named == "insufficient_quota" else None
    kind = kind or BY_STATUS.get(status) or ("server" if status >= 500 else "invalid_request")
    if headers.get("x-should-retry") == "false" and kind not in ("auth", "billing", "quota"):
        kind = "invalid_request"
    text = f"HTTP {status}" + (f": {_short(message, secret)}" if message else "")
    return PeerUnavailable(peer, kind, text, retry_after_s=retry_after(headers))


def failure_from_transport(peer: str, exc: httpx.RequestError) -> PeerUnavailable:
    """Could not connect, the connection broke, the body did not decode: worth another try."""
    kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "network"
    return PeerUnavailable(peer, kind, f"{type(exc).__name__}: {exc}"[:MESSAGE_CHARS])


def _short(message: str, secret: str | None) -> str:
    text = " ".join(scrub(message, secret).split())
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS] + " …"
