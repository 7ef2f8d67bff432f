"""`trinityctl duo` end to end on the embedded default: a real agent, SmolLM2 on llama.cpp
(CPU) as both builder and reviewer, the real sandbox, a real results database; then the
report in every format, compare, `duo calibrate`, and a controller SIGKILLed mid-duo and
resumed with no step lost or doubled.

SmolLM2-135M rarely writes a readable verdict: these tests check the harness (every step
made, stored, linked and counted), never the model's scores or verdicts.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from trinity.controller.store import RunRecord, Store

from tests.integration.conftest import trinityctl
from tests.procs import wait_for_runs

pytestmark = pytest.mark.integration

SELECTION = ["smoke", "coding_basics"]
ROLES = ["--builder", "local/smollm2", "--reviewer", "local/smollm2"]


@pytest.fixture(scope="module")
def node(llama_node):
    """The agent with SmolLM2 up, in a models.toml where it may play both roles."""
    text = Path(llama_node.models_toml).read_text()
    both = Path(llama_node.folder) / "duo-models.toml"
    # Replies capped (the shipped default would let SmolLM2 ramble to its context's end):
    # a CI run of every step stays minutes, not most of an hour.
    both.write_text(text + 'roles = ["builder", "reviewer"]\n'
                    "sampling = { temperature = 0.5, max_tokens = 192 }\n")  # fmt: skip
    done = trinityctl("up", "--config", str(both), "--no-smoke", timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    return both


@pytest.fixture(scope="module")
def first_duo(node, tmp_path_factory):
    db = tmp_path_factory.mktemp("duo") / "results.db"
    done = trinityctl("duo", *SELECTION, *ROLES, "-n", "2", "--json", "--db", str(db),
                      "--config", str(node), timeout=3600)  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return db, json.loads(done.stdout)


def test_duo_n2_gives_complete_tables_and_stores_every_step(first_duo):
    db, report = first_duo
    tasks = ["smoke/add", "coding_basics/interval_merge", "coding_basics/roman_numerals",
             "coding_basics/word_frequency"]  # fmt: skip
    assert report["chains"] == {"finished": 8, "expected": 8, "unfinished": 0}
    modes = {m["mode"]: m for m in report["modes"]}
    assert set(modes) == {"single", "pair"}
    for mode in modes.values():
        assert (mode["tasks"], mode["runs"], mode["pass"]["of"]) == (4, 8, 8)
        assert len(mode["repeat_means"]) == 2 and mode["mean"] is not None
        assert mode["seconds_per_run"] > 0 and mode["tokens_per_run"] > 0
    assert modes["pair"]["extra_seconds_per_run"] > 0  # a review is never free
    assert [t["task"] for t in report["tasks"]] == tasks
    assert all(len(t["single"]) == len(t["final"]) == 2 for t in report["tasks"])
    with Store(db) as store:
        runs = store.runs(report["bench_run_id"])
        assert store.bench_run(report["bench_run_id"]).status == "finished"
    reviews = [r for r in runs if r.role == "reviewer"]
    quality = report["reviewer"]
    assert quality["reviews"] == len(reviews) >= 8
    read = quality["reviews"] - quality["unparsed"]
    assert quality["rubber_stamp"]["of"] + quality["false_fail"]["of"] <= read
    _every_chain_is_whole(runs)


def _every_chain_is_whole(runs: list[RunRecord]) -> None:
    """Each chain: builder round 0 first, each review's parent the builder run before it,
    each revision's parent a FAIL review, one last step, nothing infra_error or doubled."""
    assert len({r.key for r in runs}) == len(runs)
    by_id = {r.id: r for r in runs}
    chains: dict[tuple[str, int], list[RunRecord]] = {}
    for run in runs:
        assert run.outcome in ("scored", "truncated", "extraction_failed", "timeout"), run.outcome
        chains.setdefault((run.task, run.repeat), []).append(run)
    for steps in chains.values():
        assert sum(bool(s.details.get("last")) for s in steps) == 1
        first = next(s for s in steps if s.role == "builder" and s.round == 0)
        assert first.parent_id is None
        assert first.outcome == "timeout" or (first.response.strip() and first.completion_tokens)
        for step in steps:
            parent = by_id.get(step.parent_id)
            if step.role == "reviewer":
                assert (
                    parent is not None
                    and parent.role == "builder"
                    and parent.round == step.round - 1
                )
                assert step.details["prompt"] == "empowered" and step.details["prompt_hash"]
                assert step.details["code_score"] == parent.details["turn_score"]
            elif step.round:
                assert parent is not None and parent.details["verdict"] == "FAIL"
            if step.role == "builder" and step.code:
                assert step.sandbox.get("sandbox") == "bwrap"


def test_report_formats_and_compare_read_the_stored_duo(first_duo, tmp_path):
    db, report = first_duo
    duo_id = report["bench_run_id"]
    page = tmp_path / "duo.html"
    html = trinityctl("report", duo_id, "--format", "html", "-o", str(page), "--db", str(db))
    assert html.returncode == 0, html.stderr
    text = page.read_text()
    for anchor in ("id=heatmap", "id=duo-modes", "id=duo-tasks", "id=duo-reviewer",
                   "coding_basics/word_frequency", "rubber-stamp"):  # fmt: skip
        assert anchor in text, anchor
    md = trinityctl("report", duo_id, "--format", "md", "--db", str(db))
    assert md.returncode == 0 and "| single | 4 |" in md.stdout and "| false-fail |" in md.stdout
    table = trinityctl("report", "last", "--db", str(db))
    assert table.returncode == 0 and "per task: single → pair" in table.stdout
    stored = json.loads(trinityctl("report", duo_id, "--format", "json", "--db", str(db)).stdout)
    assert stored["modes"] == report["modes"] and stored["reviewer"] == report["reviewer"]
    same = trinityctl("compare", duo_id, duo_id, "--db", str(db))
    assert same.returncode == 0 and "no changes" in same.stdout


def test_calibrate_shows_the_reviewer_every_reference_and_mutant(node, tmp_path):
    db = tmp_path / "results.db"
    done = trinityctl("duo", "calibrate", "smoke", "--reviewer", "local/smollm2",
                      "--reviewer-prompt", "verify", "--json", "--db", str(db),
                      "--config", str(node), timeout=1800)  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    report = json.loads(done.stdout)
    (prompt,) = report["prompts"]
    assert (report["mutants"], report["references"]) == (3, 2)
    assert prompt["prompt"] == "verify" and prompt["reviews"] == report["expected_reviews"] == 5
    assert prompt["rubber_stamp"]["of"] + prompt["false_fail"]["of"] + prompt["unparsed"] == 5
    with Store(db) as store:
        runs = store.runs(report["bench_run_id"])
    assert sorted((r.round, r.details["truth"]) for r in runs) == [
        (1, "reference"), (2, "reference"), (3, "mutant"), (4, "mutant"), (5, "mutant")]  # fmt: skip
    assert all(r.role == "reviewer:verify" and "#" not in (r.code or "") for r in runs)


def test_killed_controller_loses_nothing_and_resume_redoes_nothing(node, tmp_path):
    db = tmp_path / "results.db"
    argv = [sys.executable, "-m", "trinity.controller", "duo", "smoke", *ROLES, "-n", "3",
            "--db", str(db), "--config", str(node)]  # fmt: skip
    duo = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           stdin=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "200"})  # fmt: skip
    try:
        wait_for_runs(duo, db, 2, within_s=900)
    finally:
        duo.send_signal(signal.SIGKILL)
        duo.wait()
    with Store(db) as store:
        (killed,) = store.bench_runs()
        before = {r.key: r for r in store.runs(killed.id)}
    assert killed.status == "running" and killed.kind == "duo" and len(before) >= 2
    done = trinityctl("duo", "--resume", killed.id, "--json", "--db", str(db), "--config",
                      str(node), timeout=1800)  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    with Store(db) as store:
        after = store.runs(killed.id)
        assert store.bench_run(killed.id).status == "finished"
    _every_chain_is_whole(after)
    assert sorted(r.repeat for r in after if r.role == "builder" and r.round == 0) == [1, 2, 3]
    for key, run in before.items():  # the steps from before the kill, untouched
        match = next(r for r in after if r.key == key)
        assert (match.finished_at, match.response, match.id) == (
            run.finished_at,
            run.response,
            run.id,
        )
    report = json.loads(done.stdout)
    assert report["chains"] == {"finished": 3, "expected": 3, "unfinished": 0}
