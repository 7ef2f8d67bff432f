"""trinity.controller.cluster against fake agents on loopback: up in parallel across
nodes where one fails, status, down, logs, and the token kept out of every output."""

from __future__ import annotations

import pytest
from rich.console import Console
from trinity.controller import cluster, render
from trinity.controller.config import load_config
from trinity.controller.demo import free_port
from trinity.controller.errors import NodeAuthError, NodeUnreachable, SelectionError

from tests.fakes.fake_agent import (
    FakeAgentServer,
    FakeBehaviour,
    self_signed_cert,
    write_cluster,
)

TOKEN_A = "tok-alpha-7Qm2xZ9pLw4R"
TOKEN_B = "tok-bravo-3Kd8vN1sYt6H"


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch):
    monkeypatch.setattr(cluster, "POLL_S", 0.05)


@pytest.fixture
def fakes():
    started: list[FakeAgentServer] = []

    def start(token: str, behaviour: FakeBehaviour | None = None) -> FakeAgentServer:
        server = FakeAgentServer(token, behaviour)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def _text(renderable) -> str:
    console = Console(width=200, record=True, file=None)
    with console.capture() as capture:
        console.print(renderable)
    return capture.get()


async def test_up_one_node_fails_the_other_is_still_ready(fakes, tmp_path):
    good = fakes(TOKEN_A)
    bad = fakes(TOKEN_B, FakeBehaviour(fail={"m2": "model file /w/m2.gguf not found"}))
    path = write_cluster(
        tmp_path,
        {"a": (good.address, TOKEN_A), "b": (bad.address, TOKEN_B)},
        [("a", "m1"), ("b", "m2")],
    )
    events: list[cluster.UpProgress] = []
    results = await cluster.up(load_config(path), timeout_s=10, progress=events.append)

    by_node = {r.node: r for r in results}
    assert by_node["a"].ok and by_node["a"].state == "ready"
    assert by_node["a"].smoke is not None and by_node["a"].smoke.decode_tok_s == 42.5
    assert by_node["a"].smoke.text == "Hello from the fake agent."
    assert not by_node["b"].ok and by_node["b"].state == "failed"
    assert "model file /w/m2.gguf not found" in by_node["b"].error
    assert "trinityctl logs b m2" in by_node["b"].error
    assert {(e.key, e.phase) for e in events} >= {("a/m1", "ready"), ("b/m2", "failed")}

    table = _text(render.up_table(results))
    assert "a/m1" in table and "b/m2" in table and "42.5" in table and "failed" in table
    for output in (table, render.dumps(results)):
        assert TOKEN_A not in output and TOKEN_B not in output


async def test_up_reports_an_unreachable_node_and_still_starts_the_rest(fakes, tmp_path):
    good = fakes(TOKEN_A)
    dead = f"127.0.0.1:{free_port()}"
    path = write_cluster(
        tmp_path,
        {"a": (good.address, TOKEN_A), "gone": (dead, TOKEN_B)},
        [("a", "m"), ("gone", "m")],
    )
    results = await cluster.up(load_config(path), timeout_s=10)
    by_node = {r.node: r for r in results}
    assert by_node["a"].ok
    assert by_node["gone"].state == "unreachable"
    assert f"node gone ({dead}) unreachable" in by_node["gone"].error


async def test_up_with_every_node_unreachable_raises_one_line(tmp_path):
    dead = f"127.0.0.1:{free_port()}"
    path = write_cluster(tmp_path, {"local": (dead, TOKEN_A)}, [("local", "m")])
    with pytest.raises(NodeUnreachable) as info:
        await cluster.up(load_config(path), timeout_s=5)
    message = str(info.value)
    assert message.startswith(f"node local ({dead}) unreachable: is trinity-agent running?")
    assert "trinity-agent serve --config" in message and "\n" not in message


async def test_wrong_token_names_the_token_file_never_the_token(fakes, tmp_path):
    server = fakes(TOKEN_A)
    path = write_cluster(tmp_path, {"a": (server.address, TOKEN_B)}, [("a", "m")])
    with pytest.raises(NodeAuthError) as info:
        await cluster.up(load_config(path), timeout_s=5)
    assert f"node a rejected the token from {tmp_path / 'a.token'}" in str(info.value)
    assert TOKEN_B not in str(info.value) and TOKEN_A not in str(info.value)


async def test_up_skips_a_model_whose_backend_the_node_lacks(fakes, tmp_path):
    server = fakes(TOKEN_A, FakeBehaviour(backends={"llamacpp": False}))
    path = write_cluster(tmp_path, {"a": (server.address, TOKEN_A)}, [("a", "m")])
    (result,) = await cluster.up(load_config(path), timeout_s=5)
    assert not result.ok
    assert "backend llamacpp is not available on node a" in result.error
    assert "StartModel" not in server.agent.calls


async def test_up_times_out_on_a_model_that_never_becomes_ready(fakes, tmp_path):
    server = fakes(TOKEN_A, FakeBehaviour(never_ready=True))
    path = write_cluster(tmp_path, {"a": (server.address, TOKEN_A)}, [("a", "m")])
    (result,) = await cluster.up(load_config(path), timeout_s=0.6)
    assert (result.ok, result.state) == (False, "starting")
    assert "not ready after 0.6 s" in result.error


async def test_smoke_uses_the_model_sampling_and_a_short_answer(fakes, tmp_path):
    server = fakes(TOKEN_A)
    path = write_cluster(tmp_path, {"a": (server.address, TOKEN_A)}, [("a", "m")])
    path.write_text(
        path.read_text() + "sampling = { temperature = 0.3, seed = 7 }\nthinking = true\n"
    )
    await cluster.up(load_config(path), timeout_s=5)
    (request,) = server.agent.generate_requests
    assert request.max_tokens == cluster.SMOKE_MAX_TOKENS
    assert (request.temperature, request.seed) == (pytest.approx(0.3), 7)
    assert request.HasField("enable_thinking") and request.enable_thinking is False
    assert not request.HasField("top_p")


async def test_generate_asks_for_the_final_event_only_unless_deltas_are_wanted(fakes, tmp_path):
    from trinity.controller.client import AgentClient
    from trinity.v1 import agent_pb2 as pb

    server = fakes(TOKEN_A)
    path = write_cluster(tmp_path, {"a": (server.address, TOKEN_A)}, [("a", "m")])
    config = load_config(path)
    await cluster.up(config, timeout_s=5, smoke=False)
    request = pb.GenerateRequest(model="m", messages=[pb.ChatMessage(role="user", content="hi")])
    seen: list[str] = []

    async def on_delta(delta) -> None:
        seen.append(delta.text)

    async with AgentClient("a", config.nodes["a"]) as client:
        whole = await client.generate(request)
        streamed = await client.generate(request, on_delta)
    assert whole.text == streamed.text == "".join(seen)
    quiet, loud = server.agent.generate_requests
    assert (quiet.final_only, loud.final_only) == (True, False)
    assert not request.final_only  # the caller's request is not changed


async def test_status_lists_running_and_not_running_models(fakes, tmp_path):
    server = fakes(TOKEN_A)
    path = write_cluster(tmp_path, {"a": (server.address, TOKEN_A)}, [("a", "m1"), ("a", "m2")])
    config = load_config(path)
    await cluster.up(config, models=["m1"], timeout_s=5, smoke=False)
    (node,) = await cluster.status(config)
    assert node.ok and node.info is not None and node.info.hostname == "fakehost"
    states = {m.name: m.state for m in node.models}
    assert states == {"m1": "ready", "m2": "not running"}
    assert TOKEN_A not in render.dumps(node)


async def test_down_stops_everything_the_node_runs(fakes, tmp_path):
    server = fakes(TOKEN_A)
    path = write_cluster(tmp_path, {"a": (server.address, TOKEN_A)}, [("a", "m1"), ("a", "m2")])
    config = load_config(path)
    await cluster.up(config, timeout_s=5, smoke=False)
    results = await cluster.down(config)
    assert sorted((r.name, r.ok, r.state) for r in results) == [
        ("m1", True, "stopped"),
        ("m2", True, "stopped"),
    ]
    assert server.agent.models == {}
    (again,) = await cluster.down(config, models=["m1"])
    assert (again.ok, again.state) == (True, "not running")


async def test_logs_of_an_unknown_model_lists_the_configured_ones(fakes, tmp_path):
    server = fakes(TOKEN_A)
    path = write_cluster(tmp_path, {"a": (server.address, TOKEN_A)}, [("a", "m1")])
    config = load_config(path)
    await cluster.up(config, timeout_s=5, smoke=False)
    assert await cluster.logs(config, "a", "m1", 1) == ["slot 0: ready"]
    with pytest.raises(cluster.ModelNotFound) as info:
        await cluster.logs(config, "a", "nope")
    assert info.value.hint == "models configured on a: m1"


def test_selection_errors_list_the_valid_names(tmp_path):
    path = write_cluster(
        tmp_path, {"a": ("127.0.0.1:1", "t"), "b": ("127.0.0.1:2", "t")}, [("a", "m1"), ("b", "m2")]
    )
    config = load_config(path)
    with pytest.raises(
        SelectionError, match=r"unknown node 'c' in --nodes; configured nodes: a, b"
    ):
        cluster.select(config, ["c"])
    with pytest.raises(SelectionError, match=r"unknown model 'x' .* configured models: a/m1, b/m2"):
        cluster.select(config, None, ["x"])
    with pytest.raises(SelectionError, match=r"no configured model matches"):
        cluster.select(config, ["a"], ["m2"])
    assert [m.key for m in cluster.select(config, None, ["b/m2"]).models] == ["b/m2"]


async def test_tls_round_trip_and_a_wrong_ca_is_one_line(fakes, tmp_path):
    cert, key = self_signed_cert()
    other, _ = self_signed_cert()
    (tmp_path / "ca.pem").write_bytes(cert)
    (tmp_path / "other.pem").write_bytes(other)
    server = FakeAgentServer(TOKEN_A, tls=(cert, key))
    try:
        path = write_cluster(tmp_path, {"a": (server.address, TOKEN_A)}, [("a", "m")])
        base = path.read_text()
        path.write_text(
            base.replace("timeout_s = 5", f'timeout_s = 5\ntls_ca = "{tmp_path}/ca.pem"')
        )
        (node,) = await cluster.status(load_config(path))
        assert node.ok and node.info is not None

        path.write_text(
            base.replace("timeout_s = 5", f'timeout_s = 5\ntls_ca = "{tmp_path}/other.pem"')
        )
        (node,) = await cluster.status(load_config(path))
        assert not node.ok and not node.reachable
        assert "TLS handshake failed: CERTIFICATE_VERIFY_FAILED" in node.error

        path.write_text(base)  # plaintext client, TLS agent
        (node,) = await cluster.status(load_config(path))
        assert "closed the connection: does the agent serve TLS?" in node.error
    finally:
        server.stop()
