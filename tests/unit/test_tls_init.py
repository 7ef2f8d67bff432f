"""`trinity-agent init --tls`: a node CA and a server certificate for its names, TLS on in
agent.toml, keys private; the controller trusting that CA talks to the agent, one
trusting another CA is refused with one line, and a reissued certificate keeps the CA so
the controller needs nothing new."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509
from trinity.agent.cli import app
from trinity.agent.config import load_config
from trinity.agent.server import tls_credentials
from trinity.controller.client import AgentClient
from trinity.controller.config import NodeConfig
from trinity.controller.errors import NodeUnreachable
from typer.testing import CliRunner

from tests.fakes.fake_supervisor import running_agent

runner = CliRunner()


def init_tls(folder: Path, *extra: str) -> str:
    result = runner.invoke(app, ["init", "--dir", str(folder), "--tls", *extra])
    assert result.exit_code == 0, result.output
    return result.output


def sans(path: Path) -> list[str]:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return [str(n.value) for n in names]


def test_init_tls_writes_a_ca_and_a_certificate_for_the_node_names(tmp_path: Path) -> None:
    output = init_tls(tmp_path, "--tls-name", "dgx1.lan", "--tls-name", "10.0.0.7")
    config = load_config(tmp_path / "agent.toml")
    assert config.tls is not None and config.tls.cert_file == (tmp_path / "agent.crt").resolve()
    for key in ("agent.key", "ca.key"):
        assert stat.S_IMODE((tmp_path / key).stat().st_mode) == 0o600
    assert sans(tmp_path / "agent.crt") == ["dgx1.lan", "10.0.0.7"]
    ca = x509.load_pem_x509_certificate((tmp_path / "ca.pem").read_bytes())
    x509.load_pem_x509_certificate((tmp_path / "agent.crt").read_bytes()).verify_directly_issued_by(
        ca
    )
    assert "tls_ca" in output and "ca.pem" in output


def test_init_tls_names_this_host_and_loopback_by_default(tmp_path: Path) -> None:
    init_tls(tmp_path, "--listen", "192.168.1.20:50151")
    names = sans(tmp_path / "agent.crt")
    assert {"localhost", "127.0.0.1", "192.168.1.20"} <= set(names)


def test_tls_name_without_tls_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "--dir", str(tmp_path), "--tls-name", "x.lan"])
    assert result.exit_code == 2 and "--tls-name needs --tls" in result.output
    assert not (tmp_path / "agent.toml").exists()


async def node_info(folder: Path, ca: Path, agent_folder: Path) -> str:
    config = load_config(agent_folder / "agent.toml")
    assert config.tls is not None
    token = (agent_folder / "token").read_text().strip()
    async with running_agent(
        folder, token.encode(), credentials=tls_credentials(config.tls)
    ) as agent:
        node = NodeConfig(address=f"localhost:{agent.port}", token_file=agent_folder / "token",
                          tls_ca=ca, timeout_s=10)  # fmt: skip
        async with AgentClient("dgx1", node) as client:
            info = await client.node_info()
    return info.agent_version


async def test_a_controller_trusting_the_node_ca_connects_and_another_ca_is_refused(
    tmp_path: Path,
) -> None:
    init_tls(tmp_path / "node")
    init_tls(tmp_path / "other")
    assert await node_info(tmp_path, tmp_path / "node" / "ca.pem", tmp_path / "node")
    with pytest.raises(NodeUnreachable) as refused:
        await node_info(tmp_path, tmp_path / "other" / "ca.pem", tmp_path / "node")
    assert "TLS handshake failed" in refused.value.message
    assert "\n" not in refused.value.message


async def test_reissuing_keeps_the_ca_so_the_controller_needs_nothing_new(tmp_path: Path) -> None:
    node = tmp_path / "node"
    init_tls(node)
    ca_before, cert_before = (node / "ca.pem").read_bytes(), (node / "agent.crt").read_bytes()
    output = init_tls(node, "--force", "--tls-name", "localhost", "--tls-name", "dgx1.lan")
    assert "kept" in output and (node / "ca.pem").read_bytes() == ca_before
    assert (node / "agent.crt").read_bytes() != cert_before
    assert await node_info(tmp_path, node / "ca.pem", node)
