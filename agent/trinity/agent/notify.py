"""systemd's readiness protocol (sd_notify) without a dependency: one datagram to the
socket named by $NOTIFY_SOCKET. Outside systemd (no variable) every call is a no-op."""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


def notify(state: str, *, environ: dict[str, str] | None = None) -> bool:
    """Send `state` (e.g. "READY=1"); True when a socket took it."""
    address = (environ if environ is not None else os.environ).get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]  # Linux abstract namespace
    elif not address.startswith("/"):
        log.warning("unsupported NOTIFY_SOCKET address=%r (only unix sockets)", address)
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(state.encode())
    except OSError as exc:
        log.warning("sd_notify failed state=%s reason=%r", state, exc.strerror or str(exc))
        return False
    return True


def ready(port: int) -> bool:
    """The gRPC port is listening: systemd may start units ordered after us."""
    return notify(f"READY=1\nSTATUS=listening on port {port}")


def stopping() -> bool:
    return notify("STOPPING=1")
