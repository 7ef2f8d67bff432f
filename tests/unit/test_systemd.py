"""systemd/trinity-agent.service: `systemd-analyze verify` accepts it without a warning,
and the keys that make it a safe, self-healing node service are there."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "systemd" / "trinity-agent.service"
ENV_EXAMPLE = ROOT / "systemd" / "trinity-agent.env.example"
EXEC = "/usr/local/bin/trinity-agent"


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """{section: {key: [values...]}}; systemd allows a key more than once."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


@pytest.fixture(scope="module")
def service() -> dict[str, list[str]]:
    return parse_unit(UNIT.read_text())["Service"]


def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    # verify checks that ExecStart exists: point it at a stand-in with the same argv.
    stand_in = tmp_path / "trinity-agent"
    stand_in.write_text("#!/bin/sh\nexit 0\n")
    stand_in.chmod(0o755)
    unit = tmp_path / "trinity-agent.service"
    text = UNIT.read_text()
    assert EXEC in text
    unit.write_text(text.replace(EXEC, str(stand_in)))
    result = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    # Unknown keys and bad values are warnings with exit code 0: none allowed.
    assert str(unit) not in result.stderr, result.stderr
    assert "trinity-agent.service" not in result.stderr, result.stderr


def test_unit_is_type_notify_and_restarts(service) -> None:
    assert service["Type"] == ["notify"]
    assert service["NotifyAccess"] == ["main"]
    assert service["Restart"] == ["always"]
    assert service["ExecStart"] == [f"{EXEC} serve --config ${{TRINITY_AGENT_CONFIG}}"]
    assert "-/etc/trinity/agent.env" in service["EnvironmentFile"]
    assert "TRINITY_AGENT_CONFIG=/etc/trinity/agent.toml" in service["Environment"]


def test_unit_kills_every_model_server_with_the_agent(service) -> None:
    assert service["KillMode"] == ["control-group"]
    # Longer than the agent's SIGTERM→SIGKILL grace for model servers (default 15 s).
    timeout = int(service["TimeoutStopSec"][0])
    from trinity.agent.config import SupervisorConfig

    assert timeout > SupervisorConfig().stop_grace_s + 5


def test_unit_is_hardened_but_keeps_the_gpu(service) -> None:
    assert service["NoNewPrivileges"] == ["yes"]
    assert service["ProtectSystem"] == ["strict"]
    assert service["ProtectHome"] == ["read-only"]
    assert service["PrivateTmp"] == ["yes"]
    assert service["StateDirectory"] == ["trinity"]
    assert service["ReadWritePaths"] == ["/var/lib/trinity"]
    assert service["User"] == ["trinity"]
    assert "PrivateDevices" not in service  # would hide /dev/nvidia*
    assert "DevicePolicy" not in service


def test_env_example_names_the_config_variable() -> None:
    text = ENV_EXAMPLE.read_text()
    assert "TRINITY_AGENT_CONFIG=" in text
    # Only comments and KEY=value lines: systemd reads it without a shell.
    for line in text.splitlines():
        assert not line or line.startswith("#") or "=" in line
