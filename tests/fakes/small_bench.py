"""A small results database written by hand: two tasks (a code task and a Korean answer
task) × two models × two repeats, with every kind of failure `show` must explain: code
that does not load, a wrong value, a timeout, a wrong answer holding a <script>. Used by
the `show` CLI tests and the browser test of the HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trinity.controller.scoring import score_reply
from trinity.controller.store import RunRecord, Store
from trinity.controller.suites import load_task

ROMAN = load_task("coding_basics/roman_numerals")
KOREAN = load_task("factual_korean/hangul_creator")
MODELS = ("local/smollm2", "b/qwen")
LOAD_ERROR = "import failed: SyntaxError: unmatched ')' (solution.py, line 2)"
BROKEN = "def to_roman(n):\n    return n)\n"
PASSING = "def to_roman(n):\n    return 'I' * n\n\ndef from_roman(s):\n    return len(s)\n"
WRONG = '["I", "II"]'
EVIL = "정답: 태종 <script>window.pwned = 1</script>"


def roman(model: str, repeat: int, bench_id: str) -> RunRecord:
    """smollm2: code that does not load, then a pass; qwen: a wrong value, then a timeout."""
    failing: dict[str, str] = {}
    code, outcome = PASSING, "scored"
    if (model, repeat) == ("local/smollm2", 1):
        failing, code = dict.fromkeys(ROMAN.checks, LOAD_ERROR), BROKEN
    elif (model, repeat) == ("b/qwen", 1):
        failing = {"to_roman_known": f"expected {ROMAN.expected['to_roman_known']}, got {WRONG}"}
    elif model == "b/qwen":
        outcome = "timeout"
    checks = [{"name": n, "passed": n not in failing, "message": failing.get(n, "")}
              for n in ROMAN.checks] if outcome == "scored" else []  # fmt: skip
    reply = f"Here you go:\n```python\n{code}```"
    conversation = [{"role": "user", "content": ROMAN.prompt}]
    if outcome == "scored":
        conversation.append({"role": "assistant", "content": reply})
    return _run(ROMAN, model, repeat, bench_id, outcome, checks, conversation,
                code=code if outcome == "scored" else None)  # fmt: skip


def korean(model: str, repeat: int, bench_id: str) -> RunRecord:
    """smollm2's first answer is wrong (and holds a script); every other one is right."""
    reply = EVIL if (model, repeat) == ("local/smollm2", 1) else "정답: 세종대왕"
    checks = [{"name": c.name, "passed": c.passed, "message": c.message}
              for c in score_reply(KOREAN, reply).checks]  # fmt: skip
    conversation = [{"role": "user", "content": KOREAN.prompt},
                    {"role": "assistant", "content": reply}]  # fmt: skip
    return _run(KOREAN, model, repeat, bench_id, "scored", checks, conversation)


def _run(task, model, repeat, bench_id, outcome, checks, conversation, **kw: Any) -> RunRecord:
    passed = sum(c["passed"] for c in checks)
    return RunRecord(
        bench_run_id=bench_id, task=task.id, model=model, node=model.split("/")[0],
        repeat=repeat, outcome=outcome, task_hash=task.hash, checks=checks, passed=passed,
        declared=len(task.checks), score=100.0 * passed / len(task.checks), prompt=conversation,
        response=conversation[-1]["content"] if len(conversation) > 1 else "",
        extraction_rule="fence_entry_point" if task.runs_code else "text",
        ttft_s=0.25, decode_tok_s=42.0, completion_tokens=80, prompt_tokens=300,
        started_at=1000.0, finished_at=1004.0, **kw,
    )  # fmt: skip


def write_bench(db: Path, *, status: str = "finished") -> str:
    with Store(db) as store:
        selection = {"tasks": [ROMAN.id, KOREAN.id], "models": list(MODELS), "n": 2,
                     "threshold": 90.0, "thinking": ["default"],
                     "columns": [[m, m.split("/")[1].upper()] for m in MODELS]}  # fmt: skip
        bench_id = store.new_bench_run(["bench"], selection, {}).id
        for make in (roman, korean):
            for model in MODELS:
                for repeat in (1, 2):
                    store.record_run(make(model, repeat, bench_id))
        if status != "running":
            store.set_status(bench_id, status)
    return bench_id
