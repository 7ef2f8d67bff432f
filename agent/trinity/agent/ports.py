"""Free loopback ports for model servers."""

from __future__ import annotations

import socket
from collections import deque

# Ports handed out recently are skipped: a server may not have bound its port yet when
# the next model asks, and the kernel would happily offer the same one again.
_recent: deque[int] = deque(maxlen=64)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now and that we did not hand out recently."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port = sock.getsockname()[1]
        if port not in _recent:
            _recent.append(port)
            return port
    raise RuntimeError("no free loopback port after 100 tries")
