"""Ports for model servers: the node's range, less the kernel's ephemeral and reserved
ports, bind-tested."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from trinity.agent import ports
from trinity.agent.errors import FailedPrecondition


def test_the_kernels_ranges_are_read(tmp_path: Path) -> None:
    (tmp_path / "range").write_text("40000\t50000\n")
    (tmp_path / "reserved").write_text("8080,9000-9002\n")
    assert ports.ephemeral_range(tmp_path / "range") == (40000, 50000)
    assert ports.ephemeral_range(tmp_path / "absent") == ports.DEFAULT_EPHEMERAL
    assert ports.reserved_ports(tmp_path / "reserved") == {8080, 9000, 9001, 9002}
    assert ports.reserved_ports(tmp_path / "absent") == set()


def test_candidates_leave_out_the_ephemeral_and_reserved_ports(monkeypatch) -> None:
    monkeypatch.setattr(ports, "ephemeral_range", lambda: (20005, 60999))
    monkeypatch.setattr(ports, "reserved_ports", lambda: {20001})
    assert sorted(ports.candidates(20000, 20010)) == [20000, 20002, 20003, 20004]
    with pytest.raises(FailedPrecondition, match="lies inside the kernel's ephemeral range"):
        ports.candidates(30000, 30010)


def test_a_port_something_listens_on_fails_the_bind_test() -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        assert not ports.bind_test(port)
    assert ports.bind_test(port)
