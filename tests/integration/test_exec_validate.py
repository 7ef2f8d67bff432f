"""`trinityctl exec` and `validate` against a real agent's sandbox."""

from __future__ import annotations

import json

import pytest
from trinity.controller.suites import suite_names

from tests.integration.conftest import trinityctl

pytestmark = pytest.mark.integration


@pytest.fixture
def solution(tmp_path):
    def write(code: str):
        path = tmp_path / "answer.py"
        path.write_text(code)
        return str(path)

    return write


def test_exec_scores_a_correct_file_100(llama_node, solution):
    path = solution("def add(a, b):\n    return a + b\n")
    done = trinityctl("exec", "--node", "local", "smoke/add", path,
                      "--config", llama_node.models_toml)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "100.0 (5/5 checks, passed" in done.stdout


def test_exec_json_shows_each_failing_check_and_exits_1(llama_node, solution):
    path = solution("def add(a, b):\n    print('5 passed')\n    return a - b\n")
    done = trinityctl("exec", "--node", "local", "smoke/add", path, "--json",
                      "--config", llama_node.models_toml)  # fmt: skip
    assert done.returncode == 1
    result = json.loads(done.stdout)
    assert result["declared"] == 5 and result["passed"] < 5 and result["sandbox"] == "bwrap"
    failing = {c["name"]: c["message"] for c in result["checks"] if not c["passed"]}
    assert failing["negatives"] == "expected -5, got 1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["smoke/nope", "{sol}"], "suite smoke has no task 'nope'"),
        (["nosuite/add", "{sol}"], "no suite named 'nosuite'"),
        (["smoke/add", "/nonexistent/answer.py"], "cannot read solution /nonexistent/answer.py"),
    ],
)
def test_exec_bad_input_is_one_line(llama_node, solution, args, message):
    path = solution("def add(a, b):\n    return a + b\n")
    argv = [a.format(sol=path) for a in args]
    done = trinityctl("exec", "--node", "local", *argv, "--config", llama_node.models_toml)
    assert done.returncode == 2
    assert message in done.stderr.splitlines()[0]


def test_exec_on_an_unknown_node_names_the_nodes(llama_node, solution):
    path = solution("def add(a, b):\n    return a + b\n")
    done = trinityctl("exec", "--node", "dgx9", "smoke/add", path,
                      "--config", llama_node.models_toml)  # fmt: skip
    assert done.returncode == 2
    assert "no node named 'dgx9'" in done.stderr


def test_validate_smoke_proves_the_task(llama_node):
    done = trinityctl("validate", "smoke", "--config", llama_node.models_toml)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "smoke/add" in done.stdout and "2/2" in done.stdout and "3/3" in done.stdout


def test_every_built_in_task_proves_itself(llama_node):
    """CI validates every built-in suite: a broken task fails the build, not a model."""
    suites = [s for s in suite_names() if s != "humaneval"]  # humaneval has its own test
    done = trinityctl("validate", *suites, "--json", "--config", llama_node.models_toml,
                      timeout=300)  # fmt: skip
    report = json.loads(done.stdout)
    broken = {t["task"]: [p for p in t["probes"] if not p["ok"]] for t in report["tasks"]}
    assert done.returncode == 0 and report["ok"], {k: v for k, v in broken.items() if v}
    for task in report["tasks"]:
        roles = {p["role"] for p in task["probes"]}
        assert {"reference", "mutant", "cheat"} <= roles, task["task"]


def test_validate_humaneval_all_canonical_pass_and_all_mutants_fail(llama_node):
    done = trinityctl("validate", "humaneval", "--json", "--config", llama_node.models_toml,
                      timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    tasks = report["tasks"]
    assert report["ok"] and len(tasks) == 164
    probes = [p for t in tasks for p in t["probes"]]
    references = [p for p in probes if p["role"] == "reference"]
    mutants = [p for p in probes if p["role"] == "mutant"]
    assert len(references) == 164 and all(p["score"] == 100.0 for p in references)
    assert len(mutants) == 164 and all(p["score"] < 100.0 for p in mutants)
