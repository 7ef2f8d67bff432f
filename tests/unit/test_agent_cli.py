"""`trinity-agent`: init writes a loadable config and a 0600 token, refuses to overwrite;
serve turns a bad config into one line on stderr and exit code 2; sd_notify."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from trinity.agent import notify
from trinity.agent.auth import load_token
from trinity.agent.cli import app
from trinity.agent.config import load_config
from typer.testing import CliRunner

runner = CliRunner()


def test_init_writes_loadable_config_and_private_token(tmp_path: Path) -> None:
    folder = tmp_path / "node"
    result = runner.invoke(app, ["init", "--dir", str(folder), "--listen", "0.0.0.0:6000"])
    assert result.exit_code == 0, result.output
    token_file = folder / "token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    token = load_token(token_file)
    assert len(token) >= 40
    config = load_config(folder / "agent.toml")
    assert config.listen == "0.0.0.0:6000"
    assert config.token_file == token_file.resolve()
    assert config.state_dir == (folder / "state").resolve() and config.state_dir.is_dir()
    assert config.model_roots == [(folder / "models").resolve()]
    assert config.model_roots[0].is_dir()
    assert config.tls is None
    assert "# [tls]" in (folder / "agent.toml").read_text()
    assert str(token_file) in result.output and token.decode() not in result.output


def test_model_roots_resolve_against_the_config_folder(tmp_path: Path) -> None:
    config = tmp_path / "agent.toml"
    config.write_text('token_file = "t"\nstate_dir = "s"\nmodel_roots = ["m", "/srv/models"]\n')
    assert load_config(config).model_roots == [tmp_path / "m", Path("/srv/models")]


def test_init_makes_a_new_token_each_time(tmp_path: Path) -> None:
    runner.invoke(app, ["init", "--dir", str(tmp_path / "a")])
    runner.invoke(app, ["init", "--dir", str(tmp_path / "b")])
    assert load_token(tmp_path / "a" / "token") != load_token(tmp_path / "b" / "token")


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", "--dir", str(tmp_path)]).exit_code == 0
    before = (tmp_path / "token").read_text()
    refused = runner.invoke(app, ["init", "--dir", str(tmp_path)])
    assert refused.exit_code == 2
    assert "already exist: pass --force to replace them" in refused.output
    assert (tmp_path / "token").read_text() == before
    forced = runner.invoke(app, ["init", "--dir", str(tmp_path), "--force"])
    assert forced.exit_code == 0
    assert (tmp_path / "token").read_text() != before
    assert stat.S_IMODE((tmp_path / "token").stat().st_mode) == 0o600


def test_init_rejects_a_listen_that_is_not_host_port(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "--dir", str(tmp_path), "--listen", "50151"])
    assert result.exit_code == 2
    assert "--listen '50151' is not host:port" in result.output
    assert not (tmp_path / "agent.toml").exists()


def _serve(config: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trinity.agent", "serve", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TRINITY_DEBUG": "", **env},
    )


def test_serve_with_unknown_key_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "agent.toml"
    config.write_text('token_file = "token"\nstate_dir = "s"\nlisten_on = "x"\n')
    result = _serve(config)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"trinity-agent: error: {config}: unknown key 'listen_on'"
    ]


def test_serve_with_missing_config_file_is_one_line(tmp_path: Path) -> None:
    result = _serve(tmp_path / "nope.toml")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"trinity-agent: error: {tmp_path / 'nope.toml'}: file not found"
    ]


def test_serve_with_world_readable_token_is_one_line(tmp_path: Path) -> None:
    runner.invoke(app, ["init", "--dir", str(tmp_path)])
    token = tmp_path / "token"
    token.chmod(0o644)
    result = _serve(tmp_path / "agent.toml")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == (
        f"trinity-agent: error: token file {token.resolve()} is readable by others "
        f"(mode 0644): chmod 600 {token.resolve()}"
    )
    assert token.read_text().strip() not in result.stderr


def test_trinity_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = _serve(tmp_path / "nope.toml", TRINITY_DEBUG="1")
    assert result.returncode != 0
    assert "Traceback (most recent call last)" in result.stderr
    assert "ConfigError" in result.stderr


def test_version_prints_the_package_version() -> None:
    from importlib.metadata import version

    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0 and result.output.strip() == version("trinity")


def test_help_teaches_the_first_steps() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "trinity-agent init" in result.output and "serve" in result.output


# ---------------------------------------------------------------- sd_notify


def _datagram_socket(path: str) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(5)
    return sock


def test_notify_sends_ready_to_notify_socket(tmp_path: Path) -> None:
    path = str(tmp_path / "notify.sock")
    with _datagram_socket(path) as sock:
        assert notify.notify("READY=1", environ={"NOTIFY_SOCKET": path})
        assert sock.recv(1024) == b"READY=1"


def test_notify_supports_the_abstract_namespace() -> None:
    name = f"trinity-test-{os.getpid()}"
    with _datagram_socket("\0" + name) as sock:
        assert notify.notify("STOPPING=1", environ={"NOTIFY_SOCKET": "@" + name})
        assert sock.recv(1024) == b"STOPPING=1"


def test_notify_without_socket_is_a_no_op() -> None:
    assert notify.notify("READY=1", environ={}) is False


def test_notify_to_a_missing_socket_does_not_raise(tmp_path: Path) -> None:
    assert notify.notify("READY=1", environ={"NOTIFY_SOCKET": str(tmp_path / "gone")}) is False


@pytest.mark.parametrize("port", [50151])
def test_ready_message_carries_ready_and_the_port(tmp_path: Path, monkeypatch, port: int) -> None:
    path = str(tmp_path / "n.sock")
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    with _datagram_socket(path) as sock:
        assert notify.ready(port)
        assert sock.recv(1024).decode().splitlines() == [
            "READY=1",
            f"STATUS=listening on port {port}",
        ]
