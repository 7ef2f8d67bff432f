"""`trinityctl bench` end to end on the embedded default: a real agent, SmolLM2 on
llama.cpp (CPU), the real sandbox, a real results database; then report, compare, bad
input, and a controller SIGKILLed mid-bench and resumed with no run lost or doubled.

SmolLM2-135M fails most tasks: these tests check the harness (every run made, stored,
scored and voted on), never the model's scores.
"""

from __future__ import annotations

import html
import json
import os
import signal
import subprocess
import sys

import pytest
from trinity.controller.store import Store

from tests.integration.conftest import trinityctl
from tests.procs import wait_for_runs

pytestmark = pytest.mark.integration

SELECTION = ["smoke", "factual_english/tungsten_symbol", "coding_basics/word_frequency"]


@pytest.fixture(scope="module")
def node(llama_node):
    done = trinityctl("up", "--config", llama_node.models_toml, "--no-smoke", timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    return llama_node


@pytest.fixture(scope="module")
def first_bench(node, tmp_path_factory):
    db = tmp_path_factory.mktemp("bench") / "results.db"
    done = trinityctl("bench", *SELECTION, "-n", "2", "--json", "--db", str(db),
                      "--config", node.models_toml, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return db, json.loads(done.stdout)


def test_bench_n2_gives_a_complete_table_and_stores_every_run(first_bench):
    db, report = first_bench
    tasks = {t["task"]: t for t in report["tasks"]}
    assert set(tasks) == {"smoke/add", "factual_english/tungsten_symbol",
                          "coding_basics/word_frequency"}  # fmt: skip
    for task in tasks.values():
        (stats,) = task["models"].values()
        assert len(stats["scores"]) == 2 and stats["complete"], task
        assert task["verdict"] in ("UNANIMOUS", "MAJORITY", "MINORITY", "ALL_FAIL")
        assert stats["min"] <= stats["mean"] <= stats["max"]
    assert report["refused"] == {}
    (model,) = report["models"]
    assert model["runs"] == 6 and model["decode_tok_s"] > 0
    with Store(db) as store:
        runs = store.runs(report["bench_run_id"])
        assert store.bench_run(report["bench_run_id"]).status == "finished"
    assert len(runs) == 6 and len({r.key for r in runs}) == 6
    for run in runs:
        assert run.outcome in ("scored", "truncated", "extraction_failed"), run.outcome
        assert run.response.strip() and run.prompt and run.task_hash
        assert run.model_config["backend"] == "llamacpp" and run.completion_tokens
        assert run.score is not None and run.declared > 0
    code_runs = [r for r in runs if r.task == "smoke/add" and r.code]
    assert all(r.sandbox.get("sandbox") == "bwrap" for r in code_runs)


def test_report_formats_read_the_stored_bench(first_bench, tmp_path):
    db, report = first_bench
    bench_id = report["bench_run_id"]
    md = trinityctl("report", bench_id, "--format", "md", "--db", str(db))
    assert md.returncode == 0 and "| smoke/add |" in md.stdout and "decode tok/s" in md.stdout
    page = tmp_path / "bench.html"
    html = trinityctl("report", "last", "--format", "html", "-o", str(page), "--db", str(db))
    assert html.returncode == 0, html.stderr
    text = page.read_text()
    assert "id=heatmap" in text and "coding_basics/word_frequency" in text and "tok/s" in text
    stored = trinityctl("report", bench_id, "--format", "json", "--db", str(db))
    assert json.loads(stored.stdout)["tasks"] == report["tasks"]
    same = trinityctl("compare", bench_id, bench_id, "--db", str(db))
    assert same.returncode == 0 and "no changes" in same.stdout


def test_show_says_why_each_stored_run_failed_and_the_page_says_the_same(first_bench, tmp_path):
    db, report = first_bench
    listed = trinityctl("show", report["bench_run_id"], "--json", "--db", str(db))
    assert listed.returncode == 0, listed.stderr
    runs = json.loads(listed.stdout)["runs"]
    assert len(runs) == 6
    for run in runs:
        assert bool(run["why"]) == run["failed"], run
        assert "no failed check recorded" not in run["why"]
    failed = trinityctl("show", "last", "--failed", "--json", "--db", str(db))
    assert [r["id"] for r in json.loads(failed.stdout)["runs"]] == [
        r["id"] for r in runs if r["failed"]
    ]
    task = "coding_basics/word_frequency"
    full = trinityctl("show", "last", task, "--db", str(db))
    assert full.returncode == 0, full.stderr
    assert full.stdout.count(f"{task} · ") == 2 and "reply:" in full.stdout
    for check in ("basic", "case_insensitive", "ties_alphabetical"):
        assert check in full.stdout
    page = tmp_path / "bench.html"
    done = trinityctl("report", "last", "--format", "html", "-o", str(page), "--db", str(db))
    assert done.returncode == 0, done.stderr
    text = page.read_text()
    assert text.count("<details class=run ") == 6
    for run in runs:
        if run["failed"]:
            assert html.escape(run["why"]) in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "nope"], "no bench run 'nope'"),
        (["bench", "nosuch"], "no suite or category named 'nosuch'"),
        (["bench", "smoke", "--thinking", "maybe"], "--thinking 'maybe': use on, off or on,off"),
        (["bench", "smoke", "--models", "ghost"], "unknown model 'ghost' in --models"),
        (["bench", "--resume", "20990101-000000-0000"], "no bench run '20990101-000000-0000'"),
        (["report", "nope"], "no bench run 'nope'"),
        (["report", "last", "--format", "pdf"], "--format 'pdf': use one of table, md, json, html"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(node, tmp_path, args, message):
    done = trinityctl(*args, "--db", str(tmp_path / "r.db"), *(["--config", node.models_toml]
                      if args[0] == "bench" else []))  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr.splitlines()[0]


def test_killed_controller_loses_nothing_and_resume_redoes_nothing(node, tmp_path):
    db = tmp_path / "results.db"
    argv = [sys.executable, "-m", "trinity.controller", "bench", "smoke",
            "factual_english/tungsten_symbol", "-n", "3", "--db", str(db),
            "--config", node.models_toml]  # fmt: skip
    bench = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             stdin=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "200"})  # fmt: skip
    try:
        wait_for_runs(bench, db, 2, within_s=300)
    finally:
        bench.send_signal(signal.SIGKILL)
        bench.wait()
    with Store(db) as store:
        (killed,) = store.bench_runs()
        before = {r.key: r for r in store.runs(killed.id)}
    assert killed.status == "running" and 2 <= len(before) < 6
    listing = trinityctl("runs", "--db", str(db))  # its controller is gone: it says so
    assert listing.returncode == 0 and "interrupted (controller gone)" in listing.stdout
    done = trinityctl("bench", "--resume", killed.id, "--json", "--db", str(db),
                      "--config", node.models_toml, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    with Store(db) as store:
        after = store.runs(killed.id)
        assert store.bench_run(killed.id).status == "finished"
    keys = [r.key for r in after]
    assert len(after) == 6 and len(set(keys)) == 6
    for key, run in before.items():  # the runs from before the kill, untouched
        match = next(r for r in after if r.key == key)
        assert (match.finished_at, match.response) == (run.finished_at, run.response)
    report = json.loads(done.stdout)
    assert all(len(s["scores"]) == 3 for t in report["tasks"] for s in t["models"].values())
