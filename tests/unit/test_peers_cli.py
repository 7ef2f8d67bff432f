"""Coding CLIs as peers against fake tools (tests/fakes/fake_cli.py) that imitate Claude
Code, Codex, aider and Gemini CLI, including each known way they fail without saying so
in their exit code. Scoring runs on an in-memory node (tests/unit/test_bench.FakeNode)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from trinity.controller import crosscheck as cc
from trinity.controller import peers
from trinity.controller.answerer import Question
from trinity.controller.bench import Plan, reported_cost, run_bench
from trinity.controller.config import parse_config
from trinity.controller.errors import ConfigError
from trinity.controller.peers import presets
from trinity.controller.peers.cli import CliBackend, prompt_text
from trinity.controller.report import summarise
from trinity.controller.scheduler import InfraError, RunKey
from trinity.controller.store import Store
from trinity.controller.suites import load_task

from tests.fakes.fake_cli import write_fake_clis
from tests.unit.test_bench import FakeNode, install

NODE = '[nodes.a]\naddress = "127.0.0.1:1"\ntoken_env = "T"\n'


@pytest.fixture
def tools(tmp_path, monkeypatch):
    """Fake claude, codex, aider and gemini first on PATH; their argv logged."""
    folder = write_fake_clis(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_CLI_LOG", str(tmp_path / "argv.jsonl"))
    monkeypatch.delenv("FAKE_CLI", raising=False)
    return folder


@pytest.fixture
def node(monkeypatch):
    fake = FakeNode("a", lambda r: None)
    install(monkeypatch, {"a": fake})
    return fake


def logged(tmp_path: Path) -> list[dict]:
    return [json.loads(line) for line in (tmp_path / "argv.jsonl").read_text().splitlines()]


def bench(peer_toml: str, tmp_path: Path, n: int = 1, retries: int = 1, task: str = "smoke/add"):
    config = parse_config(NODE + peer_toml, "models.toml", base=tmp_path)
    plan = Plan((load_task(task),), config.peers, n, (None,), 90.0, "crosscheck")
    with Store(tmp_path / "results.db") as store:
        outcome = asyncio.run(run_bench(config, store, plan, retries=retries, retry_delay_s=0))
        return store.runs(outcome.bench_run_id)


# ---------------------------------------------------------------- claude-code


def test_claude_code_that_writes_the_file_is_scored_from_the_file(
    tmp_path, tools, node, monkeypatch
):
    monkeypatch.setenv("CLAUDECODE", "1")  # as inside a Claude Code session: must be removed
    (run,) = bench('[[peers]]\npreset = "claude-code"\n', tmp_path)
    assert (run.outcome, run.score, run.extraction_rule) == ("scored", 100.0, "file")
    assert run.details["answer_source"] == "file" and run.details["preset"] == "claude-code"
    assert run.details["cost_usd"] == 0.0123 and run.details["tool_turns"] == 2
    assert (run.prompt_tokens, run.completion_tokens, run.details["cached_tokens"]) == (160, 40, 50)
    (call,) = logged(tmp_path)
    assert call["env_claudecode"] is None
    argv = call["argv"]
    assert {"-p", "--verbose", "--no-session-persistence", "--disallowedTools=Bash"} <= set(argv)
    assert argv[argv.index("--output-format") + 1] == "stream-json"
    assert argv[argv.index("--permission-mode") + 1] == "acceptEdits"
    assert "solution.py there" in argv[-1] and "`add(a, b)`" in argv[-1]


def test_claude_code_answering_only_in_its_message_is_extracted(tmp_path, tools, node, monkeypatch):
    monkeypatch.setenv("FAKE_CLI", "message_only=1")
    (run,) = bench('[[peers]]\npreset = "claude-code"\n', tmp_path)
    assert (run.outcome, run.score) == ("scored", 100.0)
    assert run.details["answer_source"] == "message" and run.extraction_rule.startswith("fence")


def test_claude_code_empty_result_falls_back_to_the_last_assistant_text(
    tmp_path, tools, node, monkeypatch
):
    monkeypatch.setenv("FAKE_CLI", "message_only=1,empty_result=1")
    (run,) = bench('[[peers]]\npreset = "claude-code"\n', tmp_path)
    assert (run.outcome, run.score) == ("scored", 100.0) and "def add" in run.response


@pytest.mark.parametrize("status", [429, 529])
def test_claude_code_api_error_reported_as_success_exit_0_is_retried_never_scored(
    tmp_path, tools, node, monkeypatch, status
):
    monkeypatch.setenv("FAKE_CLI", f"is_error={status}")
    (run,) = bench('[[peers]]\npreset = "claude-code"\n', tmp_path, retries=0)
    kind = {429: "rate_limit", 529: "overloaded"}[status]
    assert (run.outcome, run.score) == ("infra_error", None)
    assert f"claude-code: {kind}: API Error: {status}" in run.sandbox["error"]


def test_what_a_failed_attempt_cost_is_stored_and_counts_toward_max_cost(
    tmp_path, tools, node, monkeypatch
):
    """Claude Code reports total_cost_usd in an is_error result too: the attempt was paid
    for though it gave no answer, so --max-cost must see it (and resume with it)."""
    monkeypatch.setenv("FAKE_CLI", "is_error=529,cost=0.0123")
    config = parse_config(
        NODE + '[[peers]]\npreset = "claude-code"\n', "models.toml", base=tmp_path
    )
    plan = Plan((load_task("smoke/add"),), config.peers, 3, (None,), 90.0, "crosscheck", 0.02)
    with Store(tmp_path / "results.db") as store:
        outcome = asyncio.run(run_bench(config, store, plan, retries=0, retry_delay_s=0))
        runs = store.runs(outcome.bench_run_id)
        bench_run = store.bench_run(outcome.bench_run_id)
    titles = dict(bench_run.selection["columns"])
    check = cc.summarise(summarise(bench_run, runs, outcome.verdicts, titles), runs)
    assert [s.cost_usd for s in check.speed] == [pytest.approx(0.0246)], "the table shows it"
    assert len(logged(tmp_path)) == 2, "asked twice; the third run was over the budget"
    assert [r.details.get("failed_cost_usd") for r in runs] == [0.0123, 0.0123, None]
    assert runs[2].sandbox["error"].startswith("not run: --max-cost $0.02 reached ($0.02")
    assert sum(reported_cost(r.details) for r in runs) == pytest.approx(0.0246)


@pytest.mark.parametrize("broken", [1, 99])
def test_a_sandbox_failure_after_the_tool_answered_never_asks_it_again(
    tmp_path, tools, node, monkeypatch, broken
):
    """The node failed to score, not the tool: the retry scores the answer already paid
    for. Should the node never come back, that answer's cost is stored as lost."""
    execute, failures = node.execute, []

    async def execute_broken(request, timeout_s):
        if (tmp_path / "argv.jsonl").exists() and len(failures) < broken:  # after pre-flight
            failures.append(request)
            raise InfraError("node a: sandbox unreachable")
        return await execute(request, timeout_s)

    monkeypatch.setattr(node, "execute", execute_broken)
    (run,) = bench('[[peers]]\npreset = "claude-code"\n', tmp_path, retries=1)
    assert len(logged(tmp_path)) == 1, "the tool was asked once"
    if broken == 1:
        assert (run.outcome, run.score, run.attempt) == ("scored", 100.0, 2)
        assert run.details["cost_usd"] == 0.0123 and "failed_cost_usd" not in run.details
    else:
        assert (run.outcome, run.attempt) == ("infra_error", 2)
        assert run.details == {"failed_cost_usd": 0.0123}


def test_claude_code_credit_balance_error_stops_the_peer(tmp_path, tools, node, monkeypatch):
    monkeypatch.setenv("FAKE_CLI", "is_error=402")
    runs = bench('[[peers]]\npreset = "claude-code"\n', tmp_path, n=3)
    assert len(logged(tmp_path)) == 1, "ran once, then the peer was stopped"
    assert [r.outcome for r in runs] == ["infra_error"] * 3
    assert "claude-code stopped: billing: Credit balance is too low" in runs[-1].sandbox["error"]


def test_stream_json_without_verbose_is_one_clear_stop(tmp_path, tools, node):
    command = '["claude", "-p", "--output-format", "stream-json", "{prompt}"]'
    runs = bench(f'[[peers]]\nname = "cc-raw"\ncommand = {command}\n', tmp_path, n=2)
    assert len(logged(tmp_path)) == 1
    error = runs[-1].sandbox["error"]
    assert error.startswith("cc-raw stopped: config: stream-json output needs --verbose")


# ---------------------------------------------------------------- codex


def test_codex_answer_usage_and_sandbox_flags(tmp_path, tools, node, monkeypatch):
    monkeypatch.setenv("FAKE_CLI", "code=operator")
    (run,) = bench('[[peers]]\npreset = "codex"\nmodel = "gpt-fake"\n', tmp_path)
    assert (run.outcome, run.score, run.details["answer_source"]) == ("scored", 100.0, "file")
    assert run.reasoning == "Plan it." and run.response == "I wrote solution.py."
    assert (run.prompt_tokens, run.completion_tokens) == (300, 85)
    assert (run.details["reasoning_tokens"], run.details["cached_tokens"]) == (25, 120)
    (call,) = logged(tmp_path)
    argv = call["argv"]
    assert argv[:5] == ["exec", "--json", "--skip-git-repo-check", "--ephemeral", "--sandbox"]
    assert argv[argv.index("--sandbox") + 1] == "workspace-write"
    assert argv[argv.index("-C") + 1] == call["cwd"] and argv[argv.index("-m") + 1] == "gpt-fake"
    assert not Path(call["cwd"]).exists(), "the scratch folder is removed afterwards"


def test_codex_turn_failed_with_exit_0_is_infrastructure(tmp_path, tools, node, monkeypatch):
    monkeypatch.setenv("FAKE_CLI", "turn_failed=1")
    (run,) = bench('[[peers]]\npreset = "codex"\n', tmp_path, retries=0)
    assert (run.outcome, run.score) == ("infra_error", None)
    assert "codex: rate_limit: stream error: 429 Too Many Requests" in run.sandbox["error"]


def test_codex_error_event_without_a_turn_is_infrastructure(tmp_path, tools, node, monkeypatch):
    monkeypatch.setenv("FAKE_CLI", "error_event=1")
    (run,) = bench('[[peers]]\npreset = "codex"\n', tmp_path, retries=0)
    assert (
        run.outcome == "infra_error"
        and "rate_limit: You've hit your usage limit" in run.sandbox["error"]
    )


# ---------------------------------------------------------------- aider, gemini, own command


def test_aider_tokens_and_cost_come_from_its_text_line(tmp_path, tools, node):
    (run,) = bench('[[peers]]\npreset = "aider"\n', tmp_path)
    assert (run.outcome, run.score, run.details["answer_source"]) == ("scored", 100.0, "file")
    assert (run.prompt_tokens, run.completion_tokens) == (2500, 345)
    assert run.details["cost_usd"] == 0.0042 and run.details["cached_tokens"] == 1200
    argv = logged(tmp_path)[0]["argv"]
    assert argv[-1] == "solution.py" and "--no-suggest-shell-commands" in argv


def test_aider_exit_0_after_an_api_error_is_infrastructure(tmp_path, tools, node, monkeypatch):
    monkeypatch.setenv("FAKE_CLI", "api_error=RateLimitError")
    (run,) = bench('[[peers]]\npreset = "aider"\n', tmp_path, retries=0)
    assert (run.outcome, run.score) == ("infra_error", None)
    assert "aider: rate_limit: litellm.RateLimitError" in run.sandbox["error"]


def test_aider_authentication_error_stops_the_peer(tmp_path, tools, node, monkeypatch):
    monkeypatch.setenv("FAKE_CLI", "api_error=AuthenticationError")
    runs = bench('[[peers]]\npreset = "aider"\n', tmp_path, n=2)
    assert len(logged(tmp_path)) == 1 and "aider stopped: auth" in runs[-1].sandbox["error"]


def test_gemini_json_tokens_and_its_auth_exit_code(tmp_path, tools, node, monkeypatch):
    (run,) = bench('[[peers]]\npreset = "gemini"\n', tmp_path)
    assert (run.outcome, run.prompt_tokens, run.completion_tokens) == ("scored", 80, 30)
    assert run.details["reasoning_tokens"] == 12
    assert logged(tmp_path)[0]["argv"][-2:] == ["--approval-mode", "auto_edit"]
    monkeypatch.setenv("FAKE_CLI", "exit=41")
    (run,) = bench('[[peers]]\npreset = "gemini"\nname = "g2"\n', tmp_path / "again")
    assert run.outcome == "infra_error" and "g2 stopped: auth: auth failed" in run.sandbox["error"]


def test_a_command_of_your_own_answers_on_stdout(tmp_path, node):
    script = tmp_path / "answer.sh"
    script.write_text(
        "#!/bin/sh\nprintf '```python\\ndef add(a, b):\\n    return a + b\\n```\\n'\n"
    )
    script.chmod(0o755)
    (run,) = bench(
        f'[[peers]]\nname = "mine"\ncommand = ["{script}", "{{prompt_file}}"]\n', tmp_path
    )
    assert (run.outcome, run.score, run.details["preset"]) == ("scored", 100.0, "command")


# ---------------------------------------------------------------- the process


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_hanging_tool_is_killed_with_its_whole_group_and_is_infrastructure(
    tmp_path, tools, node, monkeypatch
):
    pids = tmp_path / "pids"
    monkeypatch.setenv("FAKE_CLI", "hang=1")
    monkeypatch.setenv("FAKE_CLI_PIDS", str(pids))
    (run,) = bench('[[peers]]\npreset = "codex"\ntimeout_s = 3\n', tmp_path, retries=0)
    assert run.outcome == "infra_error" and "timeout: no answer within 3 s" in run.sandbox["error"]
    tool, child = map(int, pids.read_text().split())
    assert not alive(tool) and not alive(child), "nothing left running"


def test_an_open_stdin_would_block_the_tool_and_ours_is_closed(tmp_path, tools, node):
    read, write = os.pipe()  # fd 0 an open pipe, as under a terminal or a pipeline
    saved = os.dup(0)
    os.dup2(read, 0)
    try:
        (run,) = bench('[[peers]]\npreset = "claude-code"\ntimeout_s = 20\n', tmp_path)
    finally:
        os.dup2(saved, 0)
        for fd in (read, write, saved):
            os.close(fd)
    assert run.outcome == "scored"


def test_a_missing_tool_is_a_one_line_error_naming_it(tmp_path, node, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConfigError, match=r"peer codex: 'codex' not found on PATH") as info:
        bench('[[peers]]\npreset = "codex"\n', tmp_path)
    assert "executable" in (info.value.hint or "")


def test_status_check_runs_the_version_and_spends_nothing(tmp_path, tools):
    config = parse_config(NODE + '[[peers]]\npreset = "claude-code"\n[[peers]]\npreset = "gemini"\n'
                          'executable = "/nowhere/gemini"\n', "m", base=tmp_path)  # fmt: skip
    ok, missing = asyncio.run(peers.checks(config))
    assert ok.ok and ok.detail.startswith("claude 9.9.9 (fake)")
    assert not missing.ok and "'/nowhere/gemini' not found" in missing.detail
    assert not (tmp_path / "argv.jsonl").exists(), "--version is all that ran"


def test_a_later_turn_gets_the_conversation_and_the_previous_file(tmp_path, tools, monkeypatch):
    monkeypatch.setenv("FAKE_CLI", "code=wrong")
    config = parse_config(NODE + '[[peers]]\npreset = "claude-code"\n', "m", base=tmp_path)
    task = load_task("smoke/add")
    messages = (("user", "Write add."), ("assistant", "done"), ("user", "Now fix it."))
    question = Question(RunKey(task.id, "claude-code", None, 1), task, messages, 1, "OLD CODE\n")
    text = prompt_text(question)
    assert text.index("Write add.") < text.index("done") < text.index("Now fix it.")
    assert "(it holds your previous answer)" in text
    answer = asyncio.run(CliBackend(config.peers[0]).answer(question))
    assert answer.solution == "def add(a, b):\n    return a - b\n"
    unchanged = Question(question.key, task, messages, 1, answer.solution)
    assert asyncio.run(CliBackend(config.peers[0]).answer(unchanged)).solution is None


# ---------------------------------------------------------------- parsers alone


def test_claude_max_turns_is_the_models_limit_not_a_failure():
    lines = [json.dumps({"type": "result", "subtype": "error_max_turns", "is_error": True,
                         "result": "partial"})]  # fmt: skip
    out = presets.parse_claude(lines, 1, "")
    assert out.failure is None and out.finish_reason == "length" and out.text == "partial"


def test_codex_reconnect_errors_before_a_completed_turn_are_not_a_failure():
    lines = [json.dumps(e) for e in (
        {"type": "error", "message": "Reconnecting... 1/5"},
        {"type": "item.completed", "item": {"type": "agent_message", "text": "ok"}},
        {"type": "turn.completed", "usage": {"input_tokens": 1, "output_tokens": 2}},
    )]  # fmt: skip
    out = presets.parse_codex(lines, 0, "", None)
    assert out.failure is None and out.text == "ok" and out.output_tokens == 2


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Your credit balance is too low to access the Anthropic API", "billing"),
        ("You exceeded your current quota, please check your plan and billing details", "billing"),
        ("Invalid API key · Please run /login", "auth"),
        ('API Error: 529 {"type":"overloaded_error"}', "overloaded"),
        (
            "Quota exceeded for quota metric 'Generate Content API requests per minute'",
            "rate_limit",
        ),
        ("Request timed out", "timeout"),
        ("something odd happened", "tool"),
    ],
)
def test_failure_words_are_classified(text, kind):
    assert presets.classify(text) == kind
