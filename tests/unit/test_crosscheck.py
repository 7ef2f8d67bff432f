"""`trinityctl crosscheck` through typer's CliRunner: three fake coding CLIs as peers,
answers scored on an in-memory node; the tables, the store, report, compare, resume and
bad input. The real-server run is tests/integration/test_crosscheck.py."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from trinity.controller import cli
from trinity.controller.cli import app
from trinity.controller.store import Store
from typer.testing import CliRunner

from tests.fakes.fake_cli import write_fake_clis
from tests.unit.test_bench import FakeNode, install

runner = CliRunner()
PEERS = """
[nodes.a]
address = "127.0.0.1:1"
token_env = "T"

[[peers]]
preset = "claude-code"
label = "Claude Code"

[[peers]]
preset = "codex"

[[peers]]
preset = "aider"
"""


@pytest.fixture
def setup(tmp_path, monkeypatch):
    folder = write_fake_clis(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_CLI_CODEX", "code=operator")  # the odd one out, by structure
    monkeypatch.setenv("FAKE_CLI_AIDER", "message_only=1")
    monkeypatch.setattr(cli.out, "width", 250)
    node = FakeNode("a", lambda r: None)
    install(monkeypatch, {"a": node})
    config = tmp_path / "models.toml"
    config.write_text(PEERS)
    return config, tmp_path / "results.db", node


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_crosscheck_json_has_scores_speed_and_ast_flags(setup):
    config, db, _ = setup
    done = invoke(
        "crosscheck", "smoke", "-n", "2", "--json", "--config", str(config), "--db", str(db)
    )
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    (task,) = report["tasks"]
    assert task["verdict"] == "UNANIMOUS"
    assert set(task["models"]) == {"claude-code", "codex", "aider"}
    assert all(m["scores"] == [100.0, 100.0] for m in task["models"].values())
    speed = {s["column"]: s for s in report["speed"]}
    assert speed["codex"]["runs"] == 2 and speed["codex"]["reasoning_tokens"] == 25
    assert speed["claude-code"]["cost_usd"] == pytest.approx(2 * 0.0123)
    assert all(s["wall_s"] > 0 for s in speed.values())
    (ast,) = report["ast"]
    assert [(f["model"], f["message"]) for f in ast["flags"]] == [
        ("codex", "uses import operator where 2 of 3 do not")
    ]
    with Store(db) as store:
        bench = store.bench_run(report["bench_run_id"])
        runs = store.runs(bench.id)
    assert bench.kind == "crosscheck" and len(runs) == 6
    assert {r.details["answer_source"] for r in runs if r.model == "aider"} == {"message"}
    assert {r.details["answer_source"] for r in runs if r.model == "codex"} == {"file"}


def test_crosscheck_tables_report_compare_and_resume(setup):
    config, db, _ = setup
    done = invoke("crosscheck", "smoke", "--config", str(config), "--db", str(db))
    assert done.exit_code == 0, done.output
    text = done.stdout
    for heading in ("speed and cost (the gap at a glance)", "per task (median wall time",
                    "AST consensus", "uses import operator where 2 of 3 do not", "Claude Code"):  # fmt: skip
        assert heading in text, heading
    md = invoke("report", "last", "--format", "md", "--db", str(db))
    assert md.exit_code == 0 and "## AST consensus" in md.stdout and "| smoke/add |" in md.stdout
    html = invoke("report", "last", "--format", "html", "--db", str(db))
    assert "id=ast" in html.stdout and "id=heatmap" in html.stdout and "id=speed" in html.stdout
    with Store(db) as store:
        bench_id = store.bench_runs()[-1].id
    same = invoke("compare", bench_id, bench_id, "--db", str(db))
    assert same.exit_code == 0 and "no changes" in same.stdout
    again = invoke("crosscheck", "--resume", bench_id, "--config", str(config), "--db", str(db))
    assert again.exit_code == 0 and "0 runs this time, 3 from before" in again.stdout


def test_a_stopped_peer_is_one_line_and_exit_1(setup, monkeypatch):
    config, db, _ = setup
    monkeypatch.setenv("FAKE_CLI_CLAUDE", "is_error=402")
    done = invoke("crosscheck", "smoke", "-n", "2", "--config", str(config), "--db", str(db))
    assert done.exit_code == 1
    lines = [line for line in done.stdout.splitlines() if "claude-code stopped" in line]
    assert lines == ["claude-code stopped: billing: Credit balance is too low; its runs left are "
                     "INCOMPLETE (--resume tries them again)"]  # fmt: skip
    assert "INCOMPLETE" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--models", "ghost"],
            "unknown model or peer 'ghost' in --models; configured: claude-code, codex, aider",
        ),
        (["nosuch"], "no suite or category named 'nosuch'"),
        (["--resume", "x", "-n", "2"], "--resume runs the crosscheck exactly as it began"),
        (["--resume", "20990101-000000-0000"], "no bench run '20990101-000000-0000'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(setup, args, message):
    config, db, node = setup
    done = invoke("crosscheck", *args, "--config", str(config), "--db", str(db))
    assert done.exit_code == 2, done.output
    assert message in done.stderr.splitlines()[0]
    assert not node.executed


def test_status_lists_peers_and_what_it_could_check(setup, monkeypatch, tmp_path):
    config, _, _ = setup
    from tests.fakes.fake_agent import FakeAgentServer

    agent = FakeAgentServer("tok-x1")
    try:
        (tmp_path / "tok").write_text("tok-x1\n")
        text = config.read_text().replace(
            'address = "127.0.0.1:1"\ntoken_env = "T"',
            f'address = "{agent.address}"\ntoken_file = "tok"',
        )
        config.write_text(
            text + '\n[[peers]]\nname = "gone"\npreset = "gemini"\nexecutable = "/no/gemini"\n'
        )
        done = invoke("status", "--json", "--config", str(config))
    finally:
        agent.stop()
    assert done.exit_code == 1, done.output
    peers = {p["name"]: p for p in json.loads(done.stdout)["peers"]}
    assert peers["claude-code"]["ok"] and peers["claude-code"]["detail"].startswith("claude 9.9.9")
    assert not peers["gone"]["ok"] and "not found" in peers["gone"]["detail"]
    assert Path(config).exists()


def test_an_api_peer_without_its_key_is_one_line_exit_2_and_nothing_runs(setup, monkeypatch):
    config, db, node = setup
    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    config.write_text(config.read_text() + '\n[[peers]]\nname = "api"\nbackend = "anthropic"\n'
                      'model = "m"\napi_key_env = "NO_SUCH_KEY_VAR"\n')  # fmt: skip
    done = invoke("crosscheck", "smoke", "--models", "codex,api", "--config", str(config),
                  "--db", str(db))  # fmt: skip
    assert done.exit_code == 2
    first, hint = done.stderr.strip().splitlines()[:2]
    assert first == ("error: peer api: environment variable NO_SUCH_KEY_VAR "
                     "(peers.api.api_key_env) is not set")  # fmt: skip
    assert hint.startswith("hint: export NO_SUCH_KEY_VAR=")
    assert not node.executed
    with Store(db) as store:
        assert store.bench_runs() == [], "no bench is recorded before its peers are usable"


@pytest.mark.parametrize("width", [80, 120])
def test_the_crosscheck_tables_fit_the_terminal_with_every_figure_whole(width):
    from rich.console import Console
    from trinity.controller import crosscheck as cc
    from trinity.controller.consensus import consensus
    from trinity.controller.report import summarise
    from trinity.controller.store import BenchRun, RunRecord

    models = {"claude-code": "Claude Code (Opus)", "dgx1/qwen35-fp8": "DGX1 (3.5 FP8, thinking)",
              "desktop5090/qwen36-q4": "RTX 5090 (3.6 Q4)"}  # fmt: skip
    tasks = ["factual_english/tungsten_symbol", "crosscheck/lru_ttl_cache"]
    runs = [
        RunRecord("b", task, model, "", 1, "scored", score=100.0, started_at=0.0,
                  finished_at=1234.5, prompt_tokens=123456, completion_tokens=98765,
                  decode_tok_s=1234.5, code="import threading\nx = 1\n",
                  details={"cost_usd": 123.4567, "reasoning_tokens": 54321,
                           "energy_wh": 12.34})
        for task in tasks for model in models
    ]  # fmt: skip
    bench = BenchRun("b", 0.0, (), {"n": 1}, {}, "finished", "crosscheck")
    verdicts = consensus({(r.task, r.model): [100.0] for r in runs}, list(models), 1, tasks=tasks)
    check = cc.summarise(summarise(bench, runs, verdicts, models), runs)
    console = Console(width=width, record=True, file=open("/dev/null", "w"))
    for table in (cc.glance_table(check), cc.speed_table(check), cc.shapes_table(check)):
        console.print(table)
    text = console.export_text()
    assert "…" not in text and max(len(line.rstrip()) for line in text.splitlines()) <= width
    for figure in ("$123.46", "1234.5", "98765", "54321", "12.34", "0.0247"):
        assert figure in text, figure
