"""`trinityctl show` and the HTML report's drill-down through typer's CliRunner, on a small
hand-written results database (tests/fakes/small_bench.py): one line per run, each run
in full, JSON, bad input, and the page's runs (escaped, linked from the heatmap, prompts
once). The page in a real browser: tests/integration/test_report_browser.py."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from trinity.controller import drilldown
from trinity.controller.cli import app, out
from trinity.controller.store import Store
from typer.testing import CliRunner

from tests.fakes.small_bench import KOREAN, PASSING, ROMAN, WRONG, roman, write_bench

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(out, "width", 400)  # one table row per run, whatever the terminal
    path = tmp_path / "results.db"
    write_bench(path)
    return path


def show(db: Path, *args: str):
    return runner.invoke(app, ["show", *args, "--db", str(db)])


def test_show_lists_every_run_with_why_it_failed(db):
    done = show(db, "last")
    assert done.exit_code == 0, done.output
    rows = [
        line for line in done.output.splitlines() if "coding_basics/" in line or "factual_" in line
    ]
    assert len(rows) == 8
    assert any("SMOLLM2" in r and "run 1" in r and "the code does not load: SyntaxError: unmatched ')'"
               " at line 2: `return n)`; none of its 9 checks ran" in r for r in rows)  # fmt: skip
    assert any("QWEN" in r and "timeout" in r and "no reply: the generation deadline passed" in r
               for r in rows)  # fmt: skip
    assert any("wrong answer: got '태종" in r for r in rows)


def test_show_failed_lists_only_the_runs_that_lost_points(db):
    done = show(db, "last", "--failed", "--json")
    assert done.exit_code == 0, done.output
    runs = json.loads(done.output)["runs"]
    assert [(r["task"], r["model"], r["repeat"]) for r in runs] == [
        (ROMAN.id, "local/smollm2", 1), (ROMAN.id, "b/qwen", 1), (ROMAN.id, "b/qwen", 2),
        (KOREAN.id, "local/smollm2", 1)]  # fmt: skip
    assert all(r["failed"] and r["why"] for r in runs)
    assert "turns" not in runs[0]  # one line each: no reply or code without a task


def test_show_task_prints_each_run_in_full(db):
    done = show(db, "last", "coding_basics/roman_numerals", "--model", "qwen", "--run", "1")
    assert done.exit_code == 0, done.output
    text = done.output
    assert "coding_basics/roman_numerals · QWEN · run 1" in text
    assert "why: 1 of 9 checks failed; first: to_roman_known: expected [" in text
    assert "extracted code (fence_entry_point):" in text and "return 'I' * n" in text
    assert "reply:" in text and "Here you go:" in text
    assert re.search(r"to_roman_known\s+FAIL\s+\[\"I\", \"III\"", text)
    assert WRONG in text
    assert "TTFT 250 ms · 42.0 tok/s" in text and "80 tokens out, 300 in" in text
    assert "prompt: " in text and "--prompt shows it" in text
    assert ROMAN.prompt.strip()[:40] not in text
    assert "SMOLLM2" not in text


def test_show_prompt_flag_prints_the_prompt(db):
    done = show(db, "last", "roman_numerals", "--model", "smollm2", "--run", "2", "--prompt")
    assert done.exit_code == 0, done.output
    assert ROMAN.prompt.strip().splitlines()[0] in done.output


def test_show_task_json_has_turns_checks_expected_and_got(db):
    done = show(db, "last", ROMAN.id, "--model", "b/qwen", "--json")
    runs = json.loads(done.output)["runs"]
    assert [r["repeat"] for r in runs] == [1, 2]
    check = runs[0]["checks"][0]
    assert check == {"name": "to_roman_known", "passed": False, "turn": 1,
                     "message": f"expected {ROMAN.expected['to_roman_known']}, got {WRONG}",
                     "expected": ROMAN.expected["to_roman_known"], "got": WRONG}  # fmt: skip
    assert runs[0]["turns"][0]["code"] == PASSING
    assert runs[1]["outcome"] == "timeout" and runs[1]["turns"][0]["reply"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope-123"], "no bench run 'nope-123'"),
        (["last", "coding_basics/nope"], "has no task 'coding_basics/nope'"),
        (["last", "--model", "gpt5"], "has no model 'gpt5'"),
        (["last", ROMAN.id, "--run", "7"], "no run 7 here (runs: 1, 2)"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(db, args, message):
    done = show(db, *args)
    assert done.exit_code == 2, done.output
    first = done.output.strip().splitlines()[0]
    assert first.startswith("error: ") and message in first


def test_show_last_with_no_bench_is_one_line_and_exit_2(tmp_path):
    done = show(tmp_path / "empty.db", "last")
    assert done.exit_code == 2 and "no benches in" in done.output


def test_show_works_on_a_bench_still_running(tmp_path, monkeypatch):
    monkeypatch.setattr(out, "width", 400)
    write_bench(tmp_path / "r.db", status="running")
    done = show(tmp_path / "r.db", "last")
    assert done.exit_code == 0 and "(running; 8 of 8 stored runs)" in done.output


def test_nothing_failed_says_so(tmp_path):
    db = tmp_path / "r.db"
    write_bench(db)
    done = show(db, "last", KOREAN.id, "--model", "qwen", "--failed")
    assert done.exit_code == 0 and "no failed runs match" in done.output


def html_report(db: Path, tmp_path: Path) -> str:
    page = tmp_path / "bench.html"
    done = runner.invoke(app, ["report", "last", "--format", "html", "-o", str(page),
                               "--db", str(db)])  # fmt: skip
    assert done.exit_code == 0, done.output
    return page.read_text()


def test_html_report_escapes_what_models_wrote(db, tmp_path):
    page = html_report(db, tmp_path)
    assert "window.pwned" in page and "<script>window.pwned" not in page
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in page
    # The only scripts that run: the report's own (the data block is JSON, each run's
    # body inert text until opened).
    kinds = re.findall(r"<script[^>]*>", page)
    assert (
        kinds.count("<script>") == 1
        and kinds.count('<script type="application/json" id=data>') == 1
    )
    assert len(kinds) == 2 + page.count("<details class=run ")
    assert set(kinds) == {"<script>", '<script type="application/json" id=data>',
                          "<script type=text/x-run>"}  # fmt: skip
    assert "http://" not in page and "https://" not in page  # nothing fetched at view time


def test_html_report_links_each_cell_to_its_runs_and_says_why(db, tmp_path):
    page = html_report(db, tmp_path)
    assert '<a href="#cell-0-0">50.0 ±50.0 ~</a>' in page  # roman × smollm2
    assert "id=cell-0-0 " in page and "id=cell-1-1 " in page
    assert page.count("<details class=run ") == 8
    assert page.count("data-failed=1") == 4
    # The prompt once per task, not once per run.
    assert page.count("Write two Python functions that convert") == 1
    assert "Why it failed (most common)" in page
    assert "code does not load (SyntaxError) (1 of 3 failed runs)" in page
    assert "<i class=k>def</i> <i class=f>to_roman</i>" in page


def test_a_long_reply_is_cut_with_the_command_that_prints_the_rest(db, tmp_path):
    with Store(db) as store:
        bench_id = store.bench_runs()[-1].id
        run = roman("b/qwen", 1, bench_id)
        long_reply = "x" * (drilldown.REPLY_CHARS + 500)
        conversation = [run.prompt[0], {"role": "assistant", "content": long_reply}]
        store.record_run(dataclasses.replace(run, repeat=3, prompt=conversation))
    page = html_report(db, tmp_path)
    assert "x" * drilldown.REPLY_CHARS in page and "x" * (drilldown.REPLY_CHARS + 1) not in page
    assert (f"500 more characters of the reply: <code>trinityctl show {bench_id} "
            f"{ROMAN.id} --model b/qwen --run 3</code>") in page  # fmt: skip


def test_a_text_task_shows_what_is_accepted_and_no_sandbox(db):
    done = show(db, "last", KOREAN.id, "--model", "smollm2", "--run", "1")
    assert done.exit_code == 0, done.output
    assert "why: wrong answer: got '태종" in done.output and "(accepted: '세종대왕'," in done.output
    assert re.search(r"answer\s+FAIL\s+one of: '세종대왕', '세종'", done.output)
    assert "sandbox:" not in done.output  # scored on the controller: nothing ran


def test_show_help_teaches_with_examples():
    done = runner.invoke(app, ["show", "--help"])
    assert done.exit_code == 0 and "Examples" in done.output
    assert "trinityctl show last --failed" in done.output


@pytest.mark.parametrize("width", [80, 120])
def test_at_terminal_width_each_why_reads_as_a_sentence(db, monkeypatch, width):
    """A why folded into the table's last column at 80 columns read one word per line;
    where the table does not fit, each run's why goes on its own line under its facts."""
    monkeypatch.setattr(out, "width", width)
    done = show(db, "last")
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert max(len(line) for line in lines) <= width
    text = " ".join(line.strip() for line in lines)
    assert "the code does not load: SyntaxError: unmatched ')' at line 2" in text
    assert "no reply: the generation deadline passed" in text
    assert sum("run 1" in line and "coding_basics/" in line for line in lines) == 2
