"""Loopback ports for model servers: from the node's server_ports range, outside the
kernel's ephemeral range and its reserved ports, and bind-tested before they are handed
out.

A port from the ephemeral range (what binding port 0 gives) can be taken at any moment by
any outgoing connection on the node, between our choice and the server's bind; a port
below that range is only taken by a listener. A server that still loses its port is
started again on another, which the supervisor does not count as a crash.
"""

from __future__ import annotations

import random
import socket
from collections import deque
from pathlib import Path

from trinity.agent.errors import FailedPrecondition, Unavailable

EPHEMERAL = Path("/proc/sys/net/ipv4/ip_local_port_range")
RESERVED = Path("/proc/sys/net/ipv4/ip_local_reserved_ports")
DEFAULT_EPHEMERAL = (32768, 60999)  # Linux's default
TRIES = 200

# Ports handed out recently are skipped: a server may not have bound its port yet when
# the next model asks, and the bind test would happily pass the same one again.
_recent: deque[int] = deque(maxlen=64)


def ephemeral_range(path: Path = EPHEMERAL) -> tuple[int, int]:
    try:
        low, high = (int(n) for n in path.read_text().split()[:2])
    except (OSError, ValueError):
        return DEFAULT_EPHEMERAL
    return low, high


def reserved_ports(path: Path = RESERVED) -> set[int]:
    """ip_local_reserved_ports: "8080,9000-9010"."""
    ports: set[int] = set()
    try:
        text = path.read_text().strip()
    except OSError:
        return ports
    for item in filter(None, text.split(",")):
        low, _, high = item.partition("-")
        try:
            ports.update(range(int(low), int(high or low) + 1))
        except ValueError:
            continue
    return ports


def candidates(low: int, high: int) -> list[int]:
    """The range's ports outside the ephemeral range and the reserved ones, shuffled."""
    eph_low, eph_high = ephemeral_range()
    reserved = reserved_ports()
    ports = [p for p in range(low, high + 1)
             if not eph_low <= p <= eph_high and p not in reserved]  # fmt: skip
    if not ports:
        raise FailedPrecondition(
            f"server_ports {low}-{high} lies inside the kernel's ephemeral range "
            f"{eph_low}-{eph_high} (or is reserved): set server_ports in agent.toml below it"
        )
    random.shuffle(ports)
    return ports


def bind_test(port: int, host: str = "127.0.0.1") -> bool:
    """Nothing listens on or holds the port now (no SO_REUSEADDR: a strict test)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def server_port(low: int, high: int) -> int:
    """A free port for a model server, from server_ports, bind-tested."""
    for port in candidates(low, high)[:TRIES]:
        if port not in _recent and bind_test(port):
            _recent.append(port)
            return port
    raise Unavailable(f"no free port in server_ports {low}-{high} after {TRIES} tries")


def free_port(host: str = "127.0.0.1") -> int:
    """Any port nothing listens on now (the kernel's choice), for tests and tools."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
