"""`trinityctl profile` against the real SmolLM2 server: the agent generates the load
next to the server, levels come back, are stored, shown again and charted; bad input
is one line. (On a GPU box: benchmarks/gpu/run.sh.)"""

from __future__ import annotations

import json

import pytest
from trinity.controller.store import Store

from tests.integration.conftest import trinityctl

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def node(llama_node):
    done = trinityctl("up", "--config", llama_node.models_toml, "--no-smoke", timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    return llama_node


def test_profile_measures_each_level_and_stores_it(node, tmp_path):
    db, page = tmp_path / "r.db", tmp_path / "p.html"
    done = trinityctl("profile", "--concurrency", "1,2", "--requests", "4", "--output-tokens",
                      "16", "--prompt-tokens", "48", "--warmup", "1", "--processes", "2",
                      "--json", "--db", str(db),
                      "--html", str(page), "--config", node.models_toml, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    report = json.loads(done.stdout)
    points = report["points"]
    assert [p["concurrency"] for p in points] == [1, 2]
    for point in points:
        m = point["metrics"]
        assert m["failed"] == 0 and m["requests"] == 4, m["errors"]
        # llama-cpp-python ignores ignore_eos? then the level would be invalid; it honours it.
        assert m["completion_tokens"] == 4 * 16 and m["valid"], m["invalid_reasons"]
        assert m["output_tok_s"] > 0 and m["decode_tok_s"] > 0
        assert 0 < m["ttft_ms"]["p50"] <= m["e2el_ms"]["p50"] <= m["e2el_ms"]["p99"]
        assert m["tokens_from_usage"] is False  # llama-cpp-python sends no usage: counted
        assert m["client_cpu_percent"] < 70
        # --processes 2: level 2's two streams ran in two load processes on the node.
        assert m["client_processes"] == point["concurrency"]
        assert m["gpu"]["energy_j"] is None  # no NVML on this machine
    with Store(db) as store:
        stored = store.profile_points(report["profile_id"])
    assert [p["concurrency"] for p in stored] == [1, 2]
    assert "<svg" in page.read_text() and "Output tok/s" in page.read_text()
    shown = trinityctl("profile", "--show", report["profile_id"], "--db", str(db))
    assert shown.returncode == 0 and "local/smollm2" in shown.stdout
    again = trinityctl("report", report["profile_id"], "--format", "json", "--db", str(db))
    assert again.returncode == 0 and json.loads(again.stdout)["points"] == points
    page = tmp_path / "again.html"
    html = trinityctl("report", report["profile_id"], "--format", "html", "-o", str(page),
                      "--db", str(db))  # fmt: skip
    assert html.returncode == 0 and page.read_text().count("<svg") == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--concurrency", "0,4"], "--concurrency '0,4': each level between 1 and 1024"),
        (["--concurrency", "x"], "--concurrency 'x': use numbers like 1,4,16,64"),
        (["--models", "ghost"], "unknown model 'ghost' in --models"),
        (["--show", "profile-nope"], "no profile 'profile-nope'"),
        (["--processes", "65"], "--processes 65: between 0"),
    ],
)
def test_profile_bad_input_is_one_line(node, tmp_path, args, message):
    done = trinityctl("profile", *args, "--db", str(tmp_path / "r.db"),
                      "--config", node.models_toml)  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr.splitlines()[0]
