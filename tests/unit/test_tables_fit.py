"""The wide tables a person reads in a terminal (status of a three-node cluster, a bench
with a thinking A/B over three models) at the usual 80 and 120 columns: every figure
whole (nothing cut to "…"), no line past the terminal's edge."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from rich.console import Console
from trinity.controller import render
from trinity.controller import report as rep
from trinity.controller.cluster import ModelRow, NodeStatus, NodeSummary
from trinity.controller.consensus import consensus
from trinity.controller.store import RunRecord, Store, model_label

WIDTHS = [80, 120]
MODELS = (
    ("dgx1/qwen35-fp8", "DGX1 (3.5 FP8)"),
    ("dgx2/qwen36-fp8", "DGX2 (3.6 FP8)"),
    ("desktop5090/qwen36-q4", "RTX 5090 (3.6 Q4)"),
)
TASKS = (
    "coding_algorithms/lru_cache",
    "hard_systems/state_machine",
    "factual_korean/hangul_creator",
)


def rendered(renderable: object, width: int) -> str:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))
    console.print(renderable)
    return console.export_text()


def assert_fits(text: str, width: int) -> None:
    assert "…" not in text
    assert max(len(line.rstrip()) for line in text.splitlines()) <= width


def cluster() -> list[NodeStatus]:
    gpu = ("NVIDIA GB10 (unified, 119 GiB)",)
    return [
        NodeStatus(
            node,
            f"{node}.lan:50151",
            True,
            info=NodeSummary(
                f"{node}.lan",
                "0.1.0",
                gpu,
                {"llamacpp": True, "vllm": True},
                "nvml",
                "bwrap",
                20,
                128 * 2**30,
            ),
            models=(
                ModelRow(
                    node,
                    name,
                    title,
                    "vllm",
                    "Qwen/Qwen3.5-35B-A3B-FP8",
                    "unhealthy",
                    123456,
                    40123,
                    3,
                    "",
                    3600.0,
                ),
            ),
        )
        for (key, title) in MODELS
        for node, name in [key.split("/")]
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_status_of_three_nodes_fits(width: int) -> None:
    nodes = rendered(render.nodes_table(cluster()), width)
    models = rendered(render.models_table(cluster()), width)
    assert_fits(nodes + models, width)
    for text in ("desktop5090.lan:50151", "128 GiB", "llamacpp ✓", "unhealthy", "1h00m"):
        assert text in nodes + models, text
    assert "desktop5090/qwen36-q4" in models and "RTX 5090" in models


def test_wide_status_adds_host_agent_pid_and_port() -> None:
    nodes = rendered(render.nodes_table(cluster(), wide=True), 250)
    models = rendered(render.models_table(cluster(), wide=True), 250)
    assert "0.1.0" in nodes and "Host" in nodes and "123456" in models and "40123" in models
    assert "123456" not in rendered(render.models_table(cluster()), 250)


def ab_report(tmp_path: Path) -> rep.Report:
    store = Store(tmp_path / "r.db")
    titles = {
        model_label(m, t): model_label(title, t) for m, title in MODELS for t in ("on", "off")
    }
    bench = store.new_bench_run([], {"n": 3, "threshold": 90}, {})
    scores = itertools.cycle([100.0, 87.5, 50.0, 62.5, 100.0, 75.0, 12.5])
    for task, (model, _), thinking, repeat in itertools.product(TASKS, MODELS, (True, False),
                                                                (1, 2, 3)):  # fmt: skip
        store.record_run(RunRecord(bench.id, task, model, model.split("/")[0], repeat, "scored",
                                   thinking=thinking, score=next(scores), decode_tok_s=55.5))  # fmt: skip
    verdicts = consensus(store.scores(bench.id), list(titles), 3, 90.0, tasks=list(TASKS))
    return rep.summarise(store.bench_run(bench.id), store.runs(bench.id), verdicts, titles)


@pytest.mark.parametrize("width", WIDTHS)
def test_bench_table_with_a_thinking_ab_of_three_models_fits(width: int, tmp_path: Path) -> None:
    report = ab_report(tmp_path)
    text = rendered(rep.table(report), width)
    assert_fits(text, width)
    for verdict in report.verdicts:
        for stats in verdict.stats:  # every mean and std, whole, in the table
            assert f"{stats.mean:.1f}" in text and f"±{stats.std:.1f}" in text
    for task in TASKS:
        assert task.split("/")[1] in text
    assert text.count("[thinking") == 6  # each model's on and off columns


def test_bench_table_is_one_table_when_the_terminal_is_wide(tmp_path: Path) -> None:
    text = rendered(rep.table(ab_report(tmp_path)), 250)
    assert text.count("Verdict") == 1 and "coding_algorithms/lru_cache" in text


def test_a_model_has_the_same_colour_in_the_bench_report_and_the_profile(tmp_path: Path) -> None:
    from trinity.controller import profile as prof

    page = rep.html_page(ab_report(tmp_path))
    points = [prof.Point(key, title, "vllm", c, {"output_tok_s": 100.0 * c})
              for key, title in MODELS for c in (1, 4)]  # fmt: skip
    svg = prof.svg_charts(points)
    for key, _ in MODELS:
        colour = re.search(rf"<circle[^>]*fill=\"(#[0-9a-f]+)\"><title>[^<]*{re.escape(_title(key))}",
                           svg)[1]  # fmt: skip
        assert f"background:{colour}" in page, key


def _title(key: str) -> str:
    return dict(MODELS)[key]


@pytest.mark.parametrize("width", WIDTHS)
def test_validate_table_fits_with_every_count_whole(width):
    from trinity.controller.validation import Probe, TaskValidation

    tasks = ("smoke/add", "coding_debugging/fix_binary_search", "hard_parsers/expression_parser")
    results = [
        TaskValidation(task, "desktop5090", tuple(
            Probe(task, role, f"{role}{i}", 100.0 if role == "reference" else 0.0, "ok", True)
            for role, count in (("reference", 3), ("mutant", 15), ("cheat", 3))
            for i in range(count)))
        for task in tasks
    ]  # fmt: skip
    text = rendered(render.validation_table(results), width)
    assert_fits(text, width)
    assert text.count("3/3") == 6 and text.count("15/15") == 3
    if width >= 120:
        assert all(task in text for task in tasks)
