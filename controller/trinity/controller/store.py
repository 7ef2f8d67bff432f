"""The results database: one SQLite file holding every bench and every run it made.

Durability: WAL journal with synchronous=FULL, and `record_run` commits each run by
itself, so a run that `record_run` returned for survives the controller being killed (or
the machine losing power). Foreign keys are on; a schema_version table and MIGRATIONS
carry old files forward, and a file newer than this code is refused.

Concurrency: one writer (the bench) and any number of readers (report, compare, a
second terminal) at once; WAL lets readers see the last committed run while the bench
writes, and busy_timeout rides out the brief write locks. A Store is one connection
guarded by a lock, so an asyncio program may call it from `asyncio.to_thread`; a write is
one small INSERT plus an fsync, about a millisecond on an SSD, against runs that take
seconds, so calling it straight from the event loop is also acceptable.

Run keys: (bench_run_id, task, model, node, thinking, repeat, role, round) is UNIQUE
(role and round tell apart the steps of one repeat: a pair's builder and reviewer rounds;
a plain bench run is role "" round 0). thinking is
stored as "on"/"off"/"default" (never NULL: SQLite treats NULLs as distinct in UNIQUE,
which would let a resumed bench write the same run twice). Re-recording a key is
idempotent: the first record stands and `record_run` returns False, except that a run
whose outcome was infra_error is replaced by the next record of its key, because an
infrastructure failure is not a result; `finished_keys` leaves such runs out, so
`--resume` tries them again and redoes nothing else.

Since schema 2 a run also keeps the seed it was generated with, its role, round and
parent run (the run it answers: a review's parent is the code it reviewed), and `details`,
a JSON object for what only some runs have (a peer's tokens and cost, a reviewer's
verdict). A bench records its kind (bench, crosscheck, duo, calibrate) and the pid and
host of the controller that runs it, so a bench whose controller is gone can say so.

Secrets: no token or API key is ever stored. Config snapshots are scrubbed: a value whose
key names a secret (token, key, secret, password, authorization, credential, cookie —
as a whole word of the key, so max_tokens stays; a key ending in _file/_env/_path names
where a secret lives and stays) becomes "[redacted]", and so does any string that looks
like one (a "Bearer …" value or a well-known API key prefix).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trinity.controller.errors import TrinityError

SCHEMA_VERSION = 2
OUTCOMES = ("scored", "truncated", "extraction_failed", "infra_error", "timeout")
STATUSES = ("running", "finished", "interrupted")
REDACTED = "[redacted]"
_SECRET_WORDS = {
    "token",
    "key",
    "apikey",
    "secret",
    "password",
    "passwd",
    "authorization",
    "auth",
    "credential",
    "credentials",
    "cookie",
}
_PLACE_SUFFIXES = ("file", "env", "path", "dir")
_SECRET_VALUE = re.compile(
    r"^(?:bearer\s+\S+|sk-|sk_|ghp_|github_pat_|hf_|xai-|AIza|gsk_|xox[abp]-)", re.IGNORECASE
)
_BUSY_TIMEOUT_MS = 10_000


RunKeyTuple = tuple[str, str, str, str, int, str, int]


class StoreError(TrinityError):
    """The results database cannot be used (newer schema, unknown run, bad record)."""


@dataclass(frozen=True)
class BenchRun:
    """One `trinityctl bench` invocation."""

    id: str
    created_at: float
    argv: tuple[str, ...]
    selection: Mapping[str, Any]
    config: Mapping[str, Any]
    status: str
    kind: str = "bench"
    pid: int | None = None
    host: str = ""


@dataclass(frozen=True)
class RunRecord:
    """One finished run: a task, a model, one repeat; everything needed to judge it later."""

    bench_run_id: str
    task: str
    model: str
    node: str
    repeat: int
    outcome: str
    thinking: bool | None = None
    task_hash: str = ""
    backend: str = ""
    quant: str = ""
    model_config: Mapping[str, Any] = field(default_factory=dict)
    attempt: int = 1
    score: float | None = None
    checks: Sequence[Mapping[str, Any]] = ()
    declared: int = 0
    passed: int = 0
    sandbox: Mapping[str, Any] = field(default_factory=dict)
    prompt: Sequence[Mapping[str, Any]] = ()
    response: str = ""
    reasoning: str = ""
    reasoning_rule: str = ""
    code: str | None = None
    extraction_rule: str = ""
    ttft_s: float | None = None
    decode_tok_s: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    started_at: float = 0.0
    finished_at: float = 0.0
    seed: int | None = None
    role: str = ""
    round: int = 0
    parent_id: int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    id: int | None = field(default=None, compare=False)  # the row's id once stored

    @property
    def key(self) -> RunKeyTuple:
        """As in `Store.finished_keys`: (task, model, node, thinking label, repeat, role, round)."""
        return (self.task, self.model, self.node, thinking_label(self.thinking), self.repeat,
                self.role, self.round)  # fmt: skip


_SCHEMA_V1 = """
CREATE TABLE bench_runs (
    id TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    argv TEXT NOT NULL,
    selection TEXT NOT NULL,
    config TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'interrupted'))
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    bench_run_id TEXT NOT NULL REFERENCES bench_runs(id) ON DELETE CASCADE,
    task TEXT NOT NULL,
    task_hash TEXT NOT NULL,
    model TEXT NOT NULL,
    node TEXT NOT NULL,
    backend TEXT NOT NULL,
    quant TEXT NOT NULL,
    model_config TEXT NOT NULL,
    thinking TEXT NOT NULL CHECK (thinking IN ('on', 'off', 'default')),
    repeat INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN
        ('scored', 'truncated', 'extraction_failed', 'infra_error', 'timeout')),
    score REAL,
    checks TEXT NOT NULL,
    declared INTEGER NOT NULL,
    passed INTEGER NOT NULL,
    sandbox TEXT NOT NULL,
    prompt TEXT NOT NULL,
    response TEXT NOT NULL,
    reasoning TEXT NOT NULL,
    reasoning_rule TEXT NOT NULL,
    code TEXT,
    extraction_rule TEXT NOT NULL,
    ttft_s REAL,
    decode_tok_s REAL,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    started_at REAL NOT NULL,
    finished_at REAL NOT NULL,
    UNIQUE (bench_run_id, task, model, node, thinking, repeat)
);
CREATE INDEX runs_by_task_model ON runs (bench_run_id, task, model);
CREATE TABLE profile_points (
    id INTEGER PRIMARY KEY,
    profile_run_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    node TEXT NOT NULL,
    model TEXT NOT NULL,
    concurrency INTEGER NOT NULL,
    metrics TEXT NOT NULL
);
"""

# Schema 2: seed, role, round, parent and details per run (role and round in the run key,
# which SQLite can only change by rebuilding the table); kind, pid and host per bench.
_RUNS_V2 = _SCHEMA_V1[_SCHEMA_V1.index("CREATE TABLE runs") : _SCHEMA_V1.index("CREATE INDEX")]
_RUNS_V2 = _RUNS_V2.replace("CREATE TABLE runs", "CREATE TABLE runs_v2").replace(
    "    UNIQUE (bench_run_id, task, model, node, thinking, repeat)",
    "    seed INTEGER,\n"
    "    role TEXT NOT NULL DEFAULT '',\n"
    "    round INTEGER NOT NULL DEFAULT 0,\n"
    "    parent_id INTEGER REFERENCES runs(id),\n"
    "    details TEXT NOT NULL DEFAULT '{}',\n"
    "    UNIQUE (bench_run_id, task, model, node, thinking, repeat, role, round)",
)
_SCHEMA_V2 = f"""
ALTER TABLE bench_runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'bench';
ALTER TABLE bench_runs ADD COLUMN pid INTEGER;
ALTER TABLE bench_runs ADD COLUMN host TEXT NOT NULL DEFAULT '';
{_RUNS_V2};
INSERT INTO runs_v2 SELECT *, NULL, '', 0, NULL, '{{}}' FROM runs;
DROP INDEX runs_by_task_model;
DROP TABLE runs;
ALTER TABLE runs_v2 RENAME TO runs;
CREATE INDEX runs_by_task_model ON runs (bench_run_id, task, model);
"""

# version -> step that brings a file at version-1 to it. Each runs inside the migration's
# transaction (statements one by one: executescript would commit half-way).
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: lambda db: _execute_all(db, _SCHEMA_V1),
    2: lambda db: _execute_all(db, _SCHEMA_V2),
}


def _execute_all(db: sqlite3.Connection, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


_RUN_COLUMNS = (
    "bench_run_id task task_hash model node backend quant model_config thinking repeat "
    "attempt outcome score checks declared passed sandbox prompt response reasoning "
    "reasoning_rule code extraction_rule ttft_s decode_tok_s prompt_tokens "
    "completion_tokens started_at finished_at seed role round parent_id details"
).split()
_KEY_COLUMNS = ("bench_run_id", "task", "model", "node", "thinking", "repeat", "role", "round")


def thinking_label(thinking: bool | None) -> str:
    """How a run's thinking switch is stored: on, off, or default (the model's own)."""
    return "default" if thinking is None else ("on" if thinking else "off")


def model_label(model: str, thinking: str) -> str:
    """The consensus column for a model: its name, plus the switch in a thinking A/B."""
    return model if thinking == "default" else f"{model} [thinking {thinking}]"


def new_bench_run_id(now: float | None = None) -> str:
    """'20261124-153012-ab12': sortable by time, unique by a random suffix."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(time.time() if now is None else now))
    return f"{stamp}-{secrets.token_hex(2)}"


def scrub(value: Any) -> Any:
    """A copy of a config snapshot with every secret replaced (see the module doc)."""
    if isinstance(value, Mapping):
        return {str(k): REDACTED if _secret_key(str(k)) else scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    if isinstance(value, str) and _SECRET_VALUE.match(value.strip()):
        return REDACTED
    return value


def _secret_key(name: str) -> bool:
    words = [
        w for w in re.split(r"[^a-z0-9]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()) if w
    ]
    if not words or words[-1] in _PLACE_SUFFIXES:
        return False
    return any(w in _SECRET_WORDS for w in words)


class Store:
    """One results database file; see the module doc for durability and concurrency."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            self.path,
            timeout=_BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
            isolation_level=None,
        )
        self._db.row_factory = sqlite3.Row
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        self._migrate()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return _version(self._db)

    def _migrate(self) -> None:
        with self._lock:
            self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            current = _version(self._db)
            if current > SCHEMA_VERSION:
                raise StoreError(
                    f"results database {self.path} is schema version {current}, newer than "
                    f"this trinityctl understands ({SCHEMA_VERSION}); upgrade trinityctl"
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    MIGRATIONS[version](self._db)
                    self._db.execute("DELETE FROM schema_version")
                    self._db.execute("INSERT INTO schema_version VALUES (?)", (version,))
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise

    # --- bench runs ------------------------------------------------------------------

    def new_bench_run(
        self,
        argv: Sequence[str],
        selection: Mapping[str, Any],
        config: Mapping[str, Any],
        *,
        run_id: str | None = None,
        now: float | None = None,
        kind: str = "bench",
    ) -> BenchRun:
        """Record a bench as running, by this process on this host; argv, selection and
        config are scrubbed of secrets."""
        created = time.time() if now is None else now
        bench = BenchRun(
            run_id or new_bench_run_id(created),
            created,
            tuple(scrub(list(argv))),
            scrub(selection),
            scrub(config),
            "running",
            kind,
            os.getpid(),
            socket.gethostname(),
        )
        row = (
            bench.id,
            created,
            _json(list(bench.argv)),
            _json(bench.selection),
            _json(bench.config),
            bench.kind,
            bench.pid,
            bench.host,
        )
        with self._lock:
            self._db.execute(
                "INSERT INTO bench_runs (id, created_at, argv, selection, config, status, kind, "
                "pid, host) VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?)",
                row,
            )
        return bench

    def set_status(self, bench_run_id: str, status: str) -> None:
        """Mark a bench finished or interrupted (or running again, on resume)."""
        if status not in STATUSES:
            raise ValueError(f"bench status must be one of {STATUSES}, not {status!r}")
        with self._lock:
            cursor = self._db.execute(
                "UPDATE bench_runs SET status = ? WHERE id = ?", (status, bench_run_id)
            )
        if cursor.rowcount == 0:
            raise _unknown(bench_run_id, self.path)

    def bench_run(self, bench_run_id: str) -> BenchRun:
        """A bench by id; StoreError naming the file when there is none."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM bench_runs WHERE id = ?", (bench_run_id,)
            ).fetchone()
        if row is None:
            raise _unknown(bench_run_id, self.path)
        return _bench(row)

    def bench_runs(self) -> list[BenchRun]:
        """Every bench, oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM bench_runs ORDER BY created_at, id").fetchall()
        return [_bench(r) for r in rows]

    # --- runs ------------------------------------------------------------------------

    def record_run(self, run: RunRecord) -> bool:
        """Write one finished run and commit it; False when its key was already recorded.

        A key already holding an infra_error run is overwritten instead (see module doc).
        """
        if run.outcome not in OUTCOMES:
            raise ValueError(f"run outcome must be one of {OUTCOMES}, not {run.outcome!r}")
        values = _run_row(run)
        columns = ", ".join(_RUN_COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in _RUN_COLUMNS if c not in _KEY_COLUMNS)
        sql = (
            f"INSERT INTO runs ({columns}) VALUES ({', '.join('?' * len(_RUN_COLUMNS))}) "
            f"ON CONFLICT ({', '.join(_KEY_COLUMNS)}) DO UPDATE SET {updates} "
            "WHERE runs.outcome = 'infra_error'"
        )
        with self._lock:
            try:
                cursor = self._db.execute(sql, values)
            except sqlite3.IntegrityError as exc:
                raise StoreError(
                    f"run {run.task}/{run.model} cannot be recorded in {self.path}: {exc}; "
                    "create its bench run first"
                ) from exc
        return cursor.rowcount > 0

    def finished_keys(self, bench_run_id: str) -> set[RunKeyTuple]:
        """(task, model, node, thinking label, repeat, role, round) of every run not to
        redo on resume."""
        with self._lock:
            rows = self._db.execute(
                "SELECT task, model, node, thinking, repeat, role, round FROM runs "
                "WHERE bench_run_id = ? AND outcome != 'infra_error'",
                (bench_run_id,),
            ).fetchall()
        return {tuple(r) for r in rows}  # type: ignore[misc]

    def runs(self, bench_run_id: str) -> list[RunRecord]:
        """Every recorded run of a bench, in the order they were first written."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM runs WHERE bench_run_id = ? ORDER BY id", (bench_run_id,)
            ).fetchall()
        return [_record(r) for r in rows]

    def run(self, bench_run_id: str, key: RunKeyTuple) -> RunRecord | None:
        """The stored run of a key (see RunRecord.key), id included; None when there is none."""
        task, model, node, thinking, repeat, role, round_ = key
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM runs WHERE bench_run_id = ? AND task = ? AND model = ? AND "
                "node = ? AND thinking = ? AND repeat = ? AND role = ? AND round = ?",
                (bench_run_id, task, model, node, thinking, repeat, role, round_),
            ).fetchone()
        return None if row is None else _record(row)

    def scores(
        self, bench_run_id: str, *, role: str = "", round: int | None = 0
    ) -> dict[tuple[str, str], list[float]]:
        """{(task, model label): scores} for consensus, repeats in order: the runs of one
        role (default: plain bench runs) and round (None: the last round of each repeat).

        Every outcome but infra_error is a result: a timeout, truncation or failed
        extraction counts as its score, 0 when it never reached the sandbox. infra_error
        runs are left out, so their model shows as INCOMPLETE.
        """
        with self._lock:
            rows = self._db.execute(
                "SELECT task, model, thinking, repeat, round, score FROM runs "
                "WHERE bench_run_id = ? AND role = ? AND outcome != 'infra_error' "
                "ORDER BY task, model, repeat, round",
                (bench_run_id, role),
            ).fetchall()
        last: dict[tuple[str, str, int], float] = {}
        for row in rows:
            if round is None or row["round"] == round:
                key = (row["task"], model_label(row["model"], row["thinking"]), row["repeat"])
                last[key] = row["score"] or 0.0  # ordered by round: the last one stays
        out: dict[tuple[str, str], list[float]] = {}
        for (task, label, _), score in last.items():
            out.setdefault((task, label), []).append(score)
        return out

    # --- throughput profiling (issue 5) ----------------------------------------------

    def add_profile_point(
        self,
        profile_run_id: str,
        node: str,
        model: str,
        concurrency: int,
        metrics: Mapping[str, Any],
        *,
        now: float | None = None,
    ) -> None:
        """One concurrency level of a `trinityctl profile` run."""
        row = (profile_run_id, time.time() if now is None else now, node, model, concurrency)
        with self._lock:
            self._db.execute(
                "INSERT INTO profile_points "
                "(profile_run_id, created_at, node, model, concurrency, metrics) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (*row, _json(metrics)),
            )

    def profile_points(self, profile_run_id: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM profile_points WHERE profile_run_id = ? ORDER BY id",
                (profile_run_id,),
            ).fetchall()
        return [{**dict(r), "metrics": json.loads(r["metrics"])} for r in rows]


def _version(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def _unknown(bench_run_id: str, path: Path) -> StoreError:
    return StoreError(
        f"no bench run {bench_run_id!r} in {path}",
        hint="`trinityctl runs` lists the benches stored there",
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _run_row(run: RunRecord) -> tuple[Any, ...]:
    values: dict[str, Any] = {
        **{c: getattr(run, c) for c in _RUN_COLUMNS if hasattr(run, c)},
        "model_config": _json(scrub(run.model_config)),
        "thinking": thinking_label(run.thinking),
        "checks": _json(list(run.checks)),
        "sandbox": _json(run.sandbox),
        "prompt": _json(list(run.prompt)),
        "details": _json(scrub(run.details)),
    }
    return tuple(values[c] for c in _RUN_COLUMNS)


def _bench(row: sqlite3.Row) -> BenchRun:
    return BenchRun(
        row["id"],
        row["created_at"],
        tuple(json.loads(row["argv"])),
        json.loads(row["selection"]),
        json.loads(row["config"]),
        row["status"],
        row["kind"],
        row["pid"],
        row["host"],
    )


def _record(row: sqlite3.Row) -> RunRecord:
    fields: dict[str, Any] = {c: row[c] for c in _RUN_COLUMNS}
    for column in ("model_config", "sandbox", "details"):
        fields[column] = json.loads(row[column])
    fields["checks"] = tuple(json.loads(row["checks"]))
    fields["prompt"] = tuple(json.loads(row["prompt"]))
    fields["thinking"] = {"on": True, "off": False}.get(row["thinking"])
    return RunRecord(**fields, id=row["id"])
