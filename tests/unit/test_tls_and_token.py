"""`trinity-agent init --tls`: a node CA and a server certificate for its names, TLS on in
agent.toml, keys private; the controller trusting that CA talks to the agent, one
trusting another CA is refused with one line, and a reissued certificate keeps the CA so
the controller needs nothing new. `trinity-agent rotate-token`: the running agent takes
the new token at once and refuses the old one, without a restart."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from trinity.agent import auth
from trinity.agent.cli import app
from trinity.agent.config import load_config
from trinity.agent.server import AgentServicer, bind, build_server, set_serving, tls_credentials
from trinity.agent.telemetry import Telemetry
from trinity.controller.client import AgentClient
from trinity.controller.config import NodeConfig
from trinity.controller.errors import NodeUnreachable
from trinity.v1 import agent_pb2 as pb
from typer.testing import CliRunner

from tests.fakes.fake_supervisor import FakeSupervisor, agent_config, fake_backends, running_agent
from tests.fakes.fake_supervisor import stub as agent_stub

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


# ---------------------------------------------------------------- token rotation


async def test_a_rotated_token_is_used_at_once_without_a_restart(tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", "--dir", str(tmp_path)]).exit_code == 0
    old = (tmp_path / "token").read_text().strip()
    token = auth.TokenFile(tmp_path / "token", interval_s=0.0)
    async with httpx.AsyncClient(trust_env=False) as http:
        servicer = AgentServicer(agent_config(tmp_path), FakeSupervisor(),
                                 Telemetry(use_nvml=False), fake_backends(), http)  # fmt: skip
        server, health = build_server(servicer, token)
        port = bind(server, "127.0.0.1:0", None)
        await server.start()
        await set_serving(health, True)
        try:

            async def listed(secret: str) -> bool:
                agent, metadata, channel = agent_stub(f"127.0.0.1:{port}", secret)
                async with channel:
                    try:
                        await agent.ListModels(pb.ListModelsRequest(), metadata=metadata, timeout=5)
                    except Exception:
                        return False
                return True

            assert await listed(old)
            rotated = runner.invoke(app, ["rotate-token", "--config", str(tmp_path / "agent.toml")])
            assert rotated.exit_code == 0, rotated.output
            new = (tmp_path / "token").read_text().strip()
            assert new != old and new not in rotated.output
            assert stat.S_IMODE((tmp_path / "token").stat().st_mode) == 0o600
            assert await listed(new) and not await listed(old)
            (tmp_path / "token").chmod(0o644)  # a replacement it cannot use: keep the token
            (tmp_path / "token").write_text("x" * 40 + "\n")
            assert await listed(new)
        finally:
            await server.stop(None)


def test_rotate_token_with_a_broken_config_is_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["rotate-token", "--config", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
