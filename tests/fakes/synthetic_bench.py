"""A results database filled with a made-up bench over the real built-in tasks, for the
report's tests and for benchmarks/report_size.py: no model and no node involved.

Replies are built from each task's own material, so they have the sizes and shapes of
real ones: code tasks answer with a reference (passes every check) or a mutant (fails
some: value checks with "expected …, got …", asserts with the test file's own line, or
a SyntaxError at import), wrapped in prose; text tasks answer with one of their
good_replies or bad_replies and are scored by the real `score_reply`; a "thinking" model
adds several kilobytes of reasoning. Some runs end truncated, timed out, without code,
or as infrastructure errors. Everything is drawn from a seeded random generator, so the
same arguments give the same database.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Sequence
from typing import Any

from trinity.controller.scoring import score_reply
from trinity.controller.store import RunRecord, Store
from trinity.controller.suites import Task

PROSE = (
    "The approach keeps one pass over the input and handles the edge cases the prompt "
    "lists explicitly. Invalid input raises as specified, and the helper functions are "
    "kept small so that each one is easy to test on its own. "
)
THOUGHT = (
    "Let me think about what the task asks. The input may be empty, so I should check "
    "that first. Then I need to consider the ordering requirement and whether ties are "
    "broken alphabetically. Wait, the prompt says the result must be a list, not a tuple. "
)
SEPARATOR = "\n\n---\n\n"


def build(
    store: Store,
    tasks: Sequence[Task],
    models: Sequence[str] = ("local/smollm2", "dgx1/qwen3", "rtx/gemma3"),
    n: int = 3,
    *,
    seed: int = 1,
    thinking: str = "dgx1/qwen3",
    bench_id: str | None = None,
) -> str:
    """A finished bench of every task × model × repeat in store; its id."""
    rng = random.Random(seed)
    columns = [[m, m.split("/", 1)[1]] for m in models]
    selection = {"tasks": [t.id for t in tasks], "task_hashes": {t.id: t.hash for t in tasks},
                 "models": list(models), "n": n, "thinking": ["default"], "threshold": 90.0,
                 "columns": columns, "refused": {}}  # fmt: skip
    bench = store.new_bench_run(["bench", "synthetic"], selection, {}, run_id=bench_id)
    for repeat in range(1, n + 1):
        for task in tasks:
            for model in models:
                store.record_run(run_record(rng, bench.id, task, model, repeat, model == thinking))
    store.set_status(bench.id, "finished")
    return bench.id


def run_record(
    rng: random.Random, bench_id: str, task: Task, model: str, repeat: int, thinks: bool
) -> RunRecord:
    """One made-up run of task by model (see the module doc)."""
    outcome = rng.choices(["scored", "truncated", "timeout", "extraction_failed", "infra_error"],
                          [80, 6, 5, 5, 4])[0]  # fmt: skip
    started = time.time() - rng.uniform(10, 3600)
    base: dict[str, Any] = {
        "bench_run_id": bench_id, "task": task.id, "model": model, "node": model.split("/")[0],
        "repeat": repeat, "outcome": outcome, "task_hash": task.hash, "backend": "llamacpp",
        "declared": len(task.checks), "started_at": started,
        "finished_at": started + rng.uniform(2, 90), "seed": rng.randrange(2**31),
    }  # fmt: skip
    if outcome == "infra_error":
        error = "Generate: node dgx1 unreachable (connection refused) after 3 attempts"
        return RunRecord(**base, score=None, sandbox={"error": error})
    if outcome == "timeout":
        prompt = [{"role": "user", "content": task.prompts[0]}]
        return RunRecord(**base, score=0.0, prompt=prompt)
    turns = _turns(rng, task, outcome)
    reasoning = (THOUGHT * rng.randint(10, 40)) if thinks else ""
    response = SEPARATOR.join(reply for _, reply, _, _ in turns)
    checks = [c for _, _, _, turn_checks in turns for c in turn_checks]
    passed = sum(c["passed"] for c in checks)
    codes = [code for _, _, code, _ in turns]
    tokens = len(response + reasoning) // 4
    return RunRecord(
        **base,
        score=100.0 * passed / len(task.checks),
        checks=checks,
        passed=passed,
        sandbox=_sandbox(rng, checks) if task.runs_code and outcome != "extraction_failed" else {},
        prompt=_conversation(turns),
        response=response,
        reasoning=reasoning,
        reasoning_rule="think_block" if thinks else "none",
        code=SEPARATOR.join(codes) if task.runs_code and any(codes) else None,
        extraction_rule=",".join(_rule(task, code) for code in codes),
        ttft_s=rng.uniform(0.05, 2.0),
        decode_tok_s=rng.uniform(20, 150),
        prompt_tokens=len(task.prompts[0]) // 4,
        completion_tokens=tokens,
    )


def _conversation(turns: Sequence[tuple[str, str, str, Any]]) -> list[dict[str, str]]:
    out = []
    for prompt, reply, _, _ in turns:
        out += [{"role": "user", "content": prompt}, {"role": "assistant", "content": reply}]
    return out


def _rule(task: Task, code: str) -> str:
    if not task.runs_code:
        return "text"
    return "fence_entry_point" if code else "none"


def _turns(
    rng: random.Random, task: Task, outcome: str
) -> list[tuple[str, str, str, list[dict[str, Any]]]]:
    """(prompt, reply, code, checks) per turn."""
    if not task.runs_code:
        reply = rng.choice([*task.good_replies, *task.bad_replies])
        score = score_reply(task, reply)
        checks = [{"name": c.name, "passed": c.passed, "message": c.message} for c in score.checks]
        return [(task.prompt, reply, "", checks)]
    turns = []
    plan = task.turns or ((task.prompt, task.checks),)
    for number, (prompt, names) in enumerate(plan, 1):
        last = number == len(plan)
        if outcome == "extraction_failed" and last:
            reply = "I would use a dictionary keyed by the item and update it in place. " * 3
            turns.append((prompt, reply, "", [_not_run(n) for n in names]))
            continue
        good = rng.random() < 0.45
        code = _solution(rng, task, good)
        reply = f"Here is the solution.\n\n```python\n{code}\n```\n\n{PROSE * rng.randint(1, 4)}"
        turns.append((prompt, reply, code, _checks(rng, task, names, code, good)))
    return turns


def _solution(rng: random.Random, task: Task, good: bool) -> str:
    pool = task.references if good or not task.mutants else task.mutants
    return rng.choice(pool)[1].decode()


def _checks(
    rng: random.Random, task: Task, names: Sequence[str], code: str, good: bool
) -> list[dict[str, Any]]:
    if good:
        return [_passed(task, n) for n in names]
    if rng.random() < 0.15:
        line = rng.randint(1, max(1, code.count("\n")))
        message = f"import failed: SyntaxError: invalid syntax (solution.py, line {line})"
        return [{"name": n, "passed": False, "message": message} for n in names]
    asserts = _assert_lines(task)
    out = []
    for name in names:
        if rng.random() < 0.6:
            out.append(_passed(task, name))
        elif name in task.expected:
            got = task.expected[name].replace("1", "7", 1)
            out.append({"name": name, "passed": False, "value": got,
                        "message": f"expected {task.expected[name]}, got {got}"})  # fmt: skip
        else:
            line, text = rng.choice(asserts) if asserts else (1, "assert False")
            out.append({"name": name, "passed": False,
                        "message": f"AssertionError: line {line}: {text}"})  # fmt: skip
    return out


def _passed(task: Task, name: str) -> dict[str, Any]:
    check: dict[str, Any] = {"name": name, "passed": True, "message": ""}
    if name in task.expected:
        check["value"] = task.expected[name]
    return check


def _not_run(name: str) -> dict[str, Any]:
    return {"name": name, "passed": False, "message": "turn not reached"}


def _assert_lines(task: Task) -> list[tuple[int, str]]:
    source = task.files[0][1].decode() if task.files else ""
    return [(i, line.strip()) for i, line in enumerate(source.splitlines(), 1)
            if re.match(r"\s*assert ", line)]  # fmt: skip


def _sandbox(rng: random.Random, checks: Sequence[dict[str, Any]]) -> dict[str, Any]:
    failed = any(not c["passed"] for c in checks)
    loads = not any(str(c["message"]).startswith("import failed") for c in checks)
    status = "passed" if not failed else ("failed" if loads else "error")
    return {"status": status, "sandbox": "bwrap", "duration_s": rng.uniform(0.05, 0.8),
            "peak_memory_bytes": rng.randint(9, 40) * 2**20, "stdout_tail": "",
            "stderr_tail": "" if loads else "  File \"solution.py\", line 3\nSyntaxError",
            "forged_records": 0}  # fmt: skip
