"""The results database: schema, run keys, resume, crash safety, secrets."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from trinity.controller import store as store_module
from trinity.controller.redact import REDACTED, scrub
from trinity.controller.store import RunRecord, Store, StoreError, new_bench_run_id

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "results.db") as s:
        yield s


def _run(bench: str, task: str = "t", repeat: int = 0, **kw: object) -> RunRecord:
    base: dict[str, object] = {
        "model": "dgx1/qwen",
        "node": "dgx1",
        "outcome": "scored",
        "score": 100.0,
    }
    return RunRecord(bench_run_id=bench, task=task, repeat=repeat, **{**base, **kw})  # type: ignore[arg-type]


def test_database_is_wal_with_foreign_keys_and_a_schema_version(db: Store) -> None:
    assert db._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.schema_version == store_module.SCHEMA_VERSION
    tables = {r[0] for r in db._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"bench_runs", "runs", "profile_points", "schema_version"} <= tables


def test_bench_run_ids_sort_by_time_and_are_unique() -> None:
    first, second = new_bench_run_id(1_700_000_000), new_bench_run_id(1_800_000_000)
    assert first < second
    assert len(first.split("-")) == 3 and len(first.split("-")[2]) == 4
    assert len({new_bench_run_id(0) for _ in range(50)}) > 1


def test_bench_run_round_trip_and_status(db: Store) -> None:
    bench = db.new_bench_run(["bench", "hard", "-n", "3"], {"suites": ["hard"], "n": 3}, {"x": 1})
    got = db.bench_run(bench.id)
    assert got == bench
    assert got.status == "running"
    db.set_status(bench.id, "interrupted")
    assert db.bench_run(bench.id).status == "interrupted"
    assert [b.id for b in db.bench_runs()] == [bench.id]
    with pytest.raises(ValueError, match="status"):
        db.set_status(bench.id, "done")


def test_unknown_bench_run_is_a_one_line_error(db: Store, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"no bench run 'nope' in .*results.db"):
        db.bench_run("nope")
    with pytest.raises(StoreError, match="no bench run"):
        db.set_status("nope", "finished")


def test_run_round_trips_every_field(db: Store) -> None:
    bench = db.new_bench_run([], {}, {})
    run = RunRecord(
        bench_run_id=bench.id,
        task="hard/btree",
        model="dgx2/qwen3.6",
        node="dgx2",
        repeat=2,
        outcome="scored",
        thinking=True,
        task_hash="abc123",
        backend="vllm",
        quant="fp8",
        model_config={"temperature": 0.6, "max_tokens": 8192},
        attempt=2,
        score=97.5,
        checks=({"name": "split", "passed": True, "message": ""},),
        declared=40,
        passed=39,
        sandbox={"status": "failed", "duration_s": 1.5},
        prompt=({"role": "user", "content": "Write a B-Tree"},),
        response="```python\nclass BTree: ...\n```",
        reasoning="think think",
        reasoning_rule="server",
        code="class BTree: ...",
        extraction_rule="fence_entry_point",
        ttft_s=0.25,
        decode_tok_s=64.8,
        prompt_tokens=300,
        completion_tokens=2000,
        started_at=1.0,
        finished_at=31.0,
    )
    assert db.record_run(run)
    assert db.runs(bench.id) == [run]


def test_same_key_twice_is_written_once_and_the_first_stands(db: Store) -> None:
    bench = db.new_bench_run([], {}, {})
    assert db.record_run(_run(bench.id, score=40.0))
    assert not db.record_run(_run(bench.id, score=100.0))
    assert [r.score for r in db.runs(bench.id)] == [40.0]


def test_default_thinking_is_not_null_so_it_cannot_duplicate(db: Store) -> None:
    bench = db.new_bench_run([], {}, {})
    assert db.record_run(_run(bench.id, thinking=None))
    assert not db.record_run(_run(bench.id, thinking=None))
    assert len(db.runs(bench.id)) == 1


def test_thinking_on_and_off_are_different_runs(db: Store) -> None:
    bench = db.new_bench_run([], {}, {})
    assert db.record_run(_run(bench.id, thinking=True, score=100.0))
    assert db.record_run(_run(bench.id, thinking=False, score=50.0))
    assert db.scores(bench.id) == {
        ("t", "dgx1/qwen [thinking on]"): [100.0],
        ("t", "dgx1/qwen [thinking off]"): [50.0],
    }


def test_infra_error_is_redone_on_resume_and_replaced(db: Store) -> None:
    bench = db.new_bench_run([], {}, {})
    db.record_run(_run(bench.id, repeat=0))
    db.record_run(_run(bench.id, repeat=1, outcome="infra_error", score=None))
    assert db.finished_keys(bench.id) == {("t", "dgx1/qwen", "dgx1", "default", 0, "", 0)}
    assert db.record_run(_run(bench.id, repeat=1, attempt=3, score=80.0))
    assert [(r.repeat, r.outcome, r.score) for r in db.runs(bench.id)] == [
        (0, "scored", 100.0),
        (1, "scored", 80.0),
    ]
    assert len(db.finished_keys(bench.id)) == 2


def test_run_key_matches_finished_keys(db: Store) -> None:
    bench = db.new_bench_run([], {}, {})
    run = _run(bench.id, thinking=False, repeat=3)
    db.record_run(run)
    assert run.key in db.finished_keys(bench.id)


def test_finished_keys_are_per_bench(db: Store) -> None:
    a, b = db.new_bench_run([], {}, {}), db.new_bench_run([], {}, {})
    db.record_run(_run(a.id))
    assert db.finished_keys(b.id) == set()
    assert db.record_run(_run(b.id))  # the same key under another bench is a new run


def test_run_without_its_bench_is_refused(db: Store) -> None:
    with pytest.raises(StoreError, match="create its bench run first"):
        db.record_run(_run("20990101-000000-0000"))


def test_unknown_outcome_is_refused(db: Store) -> None:
    bench = db.new_bench_run([], {}, {})
    with pytest.raises(ValueError, match="outcome"):
        db.record_run(_run(bench.id, outcome="great"))


def test_scores_count_every_result_but_infra_errors(db: Store) -> None:
    bench = db.new_bench_run([], {}, {})
    db.record_run(_run(bench.id, repeat=0, score=100.0))
    db.record_run(_run(bench.id, repeat=1, outcome="extraction_failed", score=None))
    db.record_run(_run(bench.id, repeat=2, outcome="timeout", score=None))
    db.record_run(_run(bench.id, repeat=3, outcome="infra_error", score=None))
    db.record_run(_run(bench.id, task="u", model="m2", node="n2"))
    assert db.scores(bench.id) == {("t", "dgx1/qwen"): [100.0, 0.0, 0.0], ("u", "m2"): [100.0]}


SECRET = "s3cr3t-Token-value-123456"


def test_scrub_redacts_secret_keys_and_values_but_keeps_the_rest() -> None:
    config = {
        "nodes": [
            {"name": "dgx1", "token": SECRET, "token_file": "/etc/trinity/token", "tokenEnv": "X"},
            {"name": "dgx2", "Authorization": f"Bearer {SECRET}", "api_key_env": "OPENAI_API_KEY"},
        ],
        "peers": [{"apiKey": SECRET, "headers": {"x-api-key": SECRET}, "note": f"Bearer {SECRET}"}],
        "sampling": {"max_tokens": 4096, "temperature": 0.7},
        "client_secret": SECRET,
        "password": SECRET,
        "hf": "hf_abcdefghijklmnop",
    }
    clean = scrub(config)
    assert SECRET not in repr(clean) and "hf_abc" not in repr(clean)
    assert clean["nodes"][0]["token"] == REDACTED
    assert clean["nodes"][0]["token_file"] == "/etc/trinity/token"
    assert clean["nodes"][1]["api_key_env"] == "OPENAI_API_KEY"
    assert clean["sampling"] == {"max_tokens": 4096, "temperature": 0.7}
    assert clean["peers"][0]["headers"]["x-api-key"] == REDACTED


def test_no_secret_reaches_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "results.db"
    with Store(path) as db:
        config = {"nodes": [{"name": "n", "token": SECRET}], "api_key": SECRET}
        bench = db.new_bench_run(["bench", "--x", "sk-abcdef" + SECRET], {}, config)
        db.record_run(_run(bench.id, model_config={"name": "m", "api_key": SECRET}))
        assert db.bench_run(bench.id).config["api_key"] == REDACTED
        assert db.runs(bench.id)[0].model_config["api_key"] == REDACTED
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert SECRET.encode() not in raw


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "results.db"
    Store(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(StoreError, match="schema version 99, newer"):
        Store(path)


def test_migration_hook_upgrades_an_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "results.db"
    Store(path).close()
    nxt = store_module.SCHEMA_VERSION + 1
    steps = {
        **store_module.MIGRATIONS,
        nxt: lambda db: db.execute("ALTER TABLE runs ADD COLUMN note TEXT"),
    }
    monkeypatch.setattr(store_module, "MIGRATIONS", steps)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", nxt)
    with Store(path) as db:
        assert db.schema_version == nxt
        columns = {r[1] for r in db._db.execute("PRAGMA table_info(runs)")}
        assert "note" in columns


def test_a_failing_migration_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "results.db"
    Store(path).close()

    def broken(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("migration bug")

    now = store_module.SCHEMA_VERSION
    monkeypatch.setattr(store_module, "MIGRATIONS", {**store_module.MIGRATIONS, now + 1: broken})
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", now + 1)
    with pytest.raises(RuntimeError, match="migration bug"):
        Store(path)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", now)
    with Store(path) as db:
        assert db.schema_version == now
        tables = {r[0] for r in db._db.execute("SELECT name FROM sqlite_master")}
        assert "half_done" not in tables


def test_a_version_1_file_keeps_its_runs_and_gains_roles_seeds_and_bench_kinds(
    tmp_path: Path,
) -> None:
    path = tmp_path / "results.db"
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    store_module._execute_all(raw, store_module._SCHEMA_V1)
    raw.execute("INSERT INTO schema_version VALUES (1)")
    raw.execute("INSERT INTO bench_runs VALUES ('old', 1.0, '[]', '{}', '{}', 'finished')")
    old_columns = [r[1] for r in raw.execute("PRAGMA table_info(runs)")][1:]
    row = {c: 0 for c in old_columns} | {
        "bench_run_id": "old", "task": "t", "task_hash": "h", "model": "dgx1/qwen",
        "node": "dgx1", "backend": "vllm", "quant": "", "model_config": "{}",
        "thinking": "default", "repeat": 1, "outcome": "scored", "score": 75.0,
        "checks": "[]", "sandbox": "{}", "prompt": "[]", "response": "r", "reasoning": "",
        "reasoning_rule": "", "code": None, "extraction_rule": "",
    }  # fmt: skip
    raw.execute(
        f"INSERT INTO runs ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        tuple(row.values()),
    )
    raw.close()
    with Store(path) as db:
        assert db.schema_version == 2
        (bench,) = db.bench_runs()
        assert (bench.id, bench.kind, bench.pid, bench.host) == ("old", "bench", None, "")
        (run,) = db.runs("old")
        assert (run.score, run.seed, run.role, run.round, run.parent_id, run.details) == (
            75.0, None, "", 0, None, {}
        )  # fmt: skip
        assert db.scores("old") == {("t", "dgx1/qwen"): [75.0]}


def test_roles_and_rounds_of_one_repeat_are_distinct_runs(db: Store) -> None:
    bench = db.new_bench_run([], {}, {}, kind="duo")
    assert (bench.kind, bench.pid) == ("duo", os.getpid())
    builder = _run(bench.id, role="builder", score=50.0)
    assert db.record_run(builder)
    first = db.runs(bench.id)[0].id
    assert db.record_run(_run(bench.id, role="reviewer", round=1, parent_id=first, score=None,
                              details={"verdict": "FAIL"}))  # fmt: skip
    assert db.record_run(_run(bench.id, role="builder", round=1, score=100.0))
    assert not db.record_run(_run(bench.id, role="builder", round=1, score=0.0))
    review = next(r for r in db.runs(bench.id) if r.role == "reviewer")
    assert (review.parent_id, review.details) == (first, {"verdict": "FAIL"})
    assert db.scores(bench.id) == {}  # no plain bench run
    assert db.scores(bench.id, role="builder") == {("t", "dgx1/qwen"): [50.0]}
    assert db.scores(bench.id, role="builder", round=None) == {("t", "dgx1/qwen"): [100.0]}


def test_a_reader_sees_committed_runs_while_the_writer_is_open(tmp_path: Path) -> None:
    path = tmp_path / "results.db"
    with Store(path) as writer, Store(path) as reader:
        bench = writer.new_bench_run([], {}, {})
        writer.record_run(_run(bench.id))
        assert len(reader.runs(bench.id)) == 1


async def test_writes_from_asyncio_through_to_thread(db: Store) -> None:
    bench = db.new_bench_run([], {}, {})
    runs = [_run(bench.id, repeat=i) for i in range(40)]
    written = await asyncio.gather(*(asyncio.to_thread(db.record_run, r) for r in runs))
    again = await asyncio.gather(*(asyncio.to_thread(db.record_run, r) for r in runs))
    assert all(written) and not any(again)
    assert sorted(r.repeat for r in db.runs(bench.id)) == list(range(40))


def test_profile_points_round_trip(db: Store) -> None:
    db.add_profile_point("p1", "dgx1", "qwen", 16, {"output_tok_s": 3012.0}, now=5.0)
    [point] = db.profile_points("p1")
    assert (point["node"], point["concurrency"], point["metrics"]) == (
        "dgx1",
        16,
        {"output_tok_s": 3012.0},
    )


WRITER = textwrap.dedent(
    """
    import sys, time
    from trinity.controller.store import RunRecord, Store
    db = Store(sys.argv[1])
    bench = sys.argv[2]
    for i in range(100_000):
        db.record_run(RunRecord(bench_run_id=bench, task="t", model="m", node="n",
                                repeat=i, outcome="scored", score=float(i % 101),
                                response="x" * 2000))
        print(i, flush=True)
    """
)


def test_killed_writer_loses_no_committed_run_and_resume_never_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "results.db"
    with Store(path) as db:
        bench = db.new_bench_run(["bench"], {}, {}).id
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(REPO / d) for d in ("controller", "agent", "protos")),
    }
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), bench], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    reported = [int(child.stdout.readline()) for _ in range(30)]
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    with Store(path) as db:
        assert db._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {r.repeat for r in db.runs(bench)}
        assert set(reported) <= stored  # everything the writer saw committed is there
        # Resume: redo what is not finished, then (a buggy resume) everything again.
        wanted = [_run(bench, repeat=i, model="m", node="n") for i in range(max(stored) + 5)]
        done = db.finished_keys(bench)
        assert sum(db.record_run(r) for r in wanted if r.key not in done) == len(wanted) - len(
            stored
        )
        assert not any(db.record_run(r) for r in wanted)
        repeats = [r.repeat for r in db.runs(bench)]
        assert sorted(repeats) == list(range(len(wanted)))
