"""Repeats that really repeat, on the embedded default: a real agent, SmolLM2 on llama.cpp
(CPU), the real `trinityctl bench`. With the shipped sampling each repeat is asked with a
seed of its own (derived from the base seed) and the replies differ; with sampling the
server cannot vary (top_k = 1 at a temperature above 0) the report flags the identical
replies."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from trinity.controller.config import load_config
from trinity.controller.generation import run_seed
from trinity.controller.store import Store

from tests.integration.conftest import trinityctl

pytestmark = pytest.mark.integration

SHIPPED = Path(__file__).resolve().parents[2] / "controller/trinity/controller/models.toml"
FLAG = "identical replies: fixed seed, or the server ignores sampling"


def shipped_sampling() -> dict[str, object]:
    return load_config(SHIPPED).models[0].sampling.model_dump(exclude_none=True)


def config_with(node, folder: Path, sampling: dict[str, object]) -> str:
    """The node's models.toml with this sampling for its one model."""
    path = Path(node.write_models(folder))
    inline = ", ".join(f"{k} = {json.dumps(v)}" for k, v in sampling.items())
    path.write_text(path.read_text() + f"sampling = {{ {inline} }}\n")
    return str(path)


@pytest.fixture(scope="module")
def node(llama_node):
    done = trinityctl("up", "--config", llama_node.models_toml, "--no-smoke", timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    return llama_node


def bench(config: str, db: Path, n: int) -> dict:
    done = trinityctl("bench", "smoke", "-n", str(n), "--json", "--db", str(db),
                      "--config", config, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads(done.stdout)


def test_the_shipped_sampling_gives_five_seeds_and_replies_that_differ(node, tmp_path):
    sampling = shipped_sampling()
    assert sampling.get("seed") is not None and sampling["temperature"] > 0
    db = tmp_path / "results.db"
    report = bench(config_with(node, tmp_path, sampling), db, 5)
    with Store(db) as store:
        runs = store.runs(report["bench_run_id"])
    assert len(runs) == 5
    seeds = sorted((r.repeat, r.seed) for r in runs)
    assert seeds == [(k, run_seed(sampling["seed"], "smoke/add", k)) for k in range(1, 6)]  # type: ignore[arg-type]
    assert len({seed for _, seed in seeds}) == 5
    assert len({r.response for r in runs}) >= 2, [r.response for r in runs]
    (cell,) = report["tasks"][0]["models"].values()
    assert sorted(cell["seeds"]) == sorted(seed for _, seed in seeds)
    assert cell["identical_replies"] == 0
    stored = trinityctl("report", report["bench_run_id"], "--format", "json", "--db", str(db))
    assert json.loads(stored.stdout)["tasks"] == report["tasks"]


def test_sampling_the_server_cannot_vary_is_flagged_under_the_table(node, tmp_path):
    db = tmp_path / "results.db"
    config = config_with(node, tmp_path, {**shipped_sampling(), "top_k": 1})
    report = bench(config, db, 3)
    (cell,) = report["tasks"][0]["models"].values()
    assert cell["identical_replies"] == 3 and len(set(cell["seeds"])) == 3
    table = trinityctl("report", report["bench_run_id"], "--db", str(db))
    assert table.returncode == 0 and f"3 {FLAG}" in table.stdout and "≡" in table.stdout
    md = trinityctl("report", report["bench_run_id"], "--format", "md", "--db", str(db))
    assert f"- ≡ smoke/add, local/smollm2: 3 {FLAG}" in md.stdout
    assert re.search(r"^\| smoke/add \| \d+\.\d ≡ \| \w+ \|$", md.stdout, re.M), md.stdout
