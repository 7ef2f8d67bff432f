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

Secrets: no token or API key is ever stored. Argv, config snapshots, selections, model
configs and run details pass through trinity.controller.redact.scrub: a value whose key
names a secret, any string that looks like one and a URL's user:password become
"[redacted]".
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from trinity.controller.errors import TrinityError
from trinity.controller.redact import scrub

SCHEMA_VERSION = 2
OUTCOMES = ("scored", "truncated", "extraction_failed", "infra_error", "timeout")
STATUSES = ("running", "finished", "interrupted")
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


class Store:
    """One results database file; see the module doc for durability and concurrency."""

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        """Open (creating it and its folder) and bring it to this schema; read_only: open
        it as it is, for reading only (read-only media, someone else's file). Every
        failure is a StoreError naming the file and the cause."""
        self.path = Path(path)
        self.read_only = read_only
        self._lock = threading.Lock()
        self._db = self._open()
        try:
            self._check_version() if read_only else self._migrate()
        except BaseException:
            self._db.close()
            raise

    def _open(self) -> sqlite3.Connection:
        if self.path.is_dir():
            raise StoreError(
                f"results database {self.path} is a folder, not a file",
                hint=f"--db takes a file, e.g. {self.path / 'results.db'}",
            )
        if not self.read_only:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                why = "it is a file" if self.path.parent.is_file() else exc.strerror or exc
                raise StoreError(
                    f"results database {self.path}: cannot create its folder {self.path.parent}: "
                    f"{why}",
                    hint="--db (or $TRINITY_DB) names another file",
                ) from None
        if not self.read_only and (why := _unwritable(self.path)):
            hint = "--db (or $TRINITY_DB) names another file"
            if self.path.is_file():
                hint = f"runs, report and compare still read it; to write, {hint}"
            raise StoreError(f"results database {self.path} cannot be written: {why}", hint=hint)
        with self._using("open it"):
            db = _connect(self.path, self.read_only)
            try:
                db.row_factory = sqlite3.Row
                pragmas = ("query_only=ON",) if self.read_only else (
                    "journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON")  # fmt: skip
                for pragma in (*pragmas, f"busy_timeout={_BUSY_TIMEOUT_MS}"):
                    db.execute(f"PRAGMA {pragma}")
            except BaseException:
                db.close()
                raise
        return db

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _using(self, doing: str) -> Iterator[None]:
        """Hold the lock; turn any SQLite failure into one line naming the file and cause."""
        with self._lock:
            try:
                yield
            except sqlite3.Error as exc:
                raise _failure(self.path, doing, exc) from exc

    @property
    def schema_version(self) -> int:
        with self._using("read its schema version"):
            return _version(self._db)

    def _check_version(self) -> None:
        """Read-only: the file must already be at this schema (nothing can upgrade it)."""
        with self._using("read its schema version"):
            known = self._db.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'schema_version'"
            ).fetchone()
            current = _version(self._db) if known else 0
        if current > SCHEMA_VERSION:
            raise _newer(self.path, current)
        if not known:
            raise StoreError(
                f"results database {self.path} is not a results database (it has no "
                "schema_version table)",
                hint="--db names the file `trinityctl bench` wrote",
            )
        if current < SCHEMA_VERSION:
            raise StoreError(
                f"results database {self.path} is schema version {current} and read-only; "
                f"this trinityctl reads version {SCHEMA_VERSION}",
                hint="open it once where it can be written (any trinityctl command upgrades "
                "it), or use the trinityctl that wrote it",
            )

    def _migrate(self) -> None:
        with self._using("bring it to this schema"):
            self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            current = _version(self._db)
            if current > SCHEMA_VERSION:
                raise _newer(self.path, current)
            for version in range(current + 1, SCHEMA_VERSION + 1):
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    MIGRATIONS[version](self._db)
                    self._db.execute("DELETE FROM schema_version")
                    self._db.execute("INSERT INTO schema_version VALUES (?)", (version,))
                    self._db.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):  # the first failure says more
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
        with self._using("record a new bench"):
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
        with self._using("record the bench's status"):
            cursor = self._db.execute(
                "UPDATE bench_runs SET status = ? WHERE id = ?", (status, bench_run_id)
            )
        if cursor.rowcount == 0:
            raise _unknown(bench_run_id, self.path)

    def bench_run(self, bench_run_id: str) -> BenchRun:
        """A bench by id; StoreError naming the file when there is none."""
        with self._using("read the bench"):
            row = self._db.execute(
                "SELECT * FROM bench_runs WHERE id = ?", (bench_run_id,)
            ).fetchone()
        if row is None:
            raise _unknown(bench_run_id, self.path)
        return _bench(row)

    def bench_runs(self) -> list[BenchRun]:
        """Every bench, oldest first."""
        with self._using("list its benches"):
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
        with self._using("record a run"):
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
        with self._using("read the finished runs"):
            rows = self._db.execute(
                "SELECT task, model, node, thinking, repeat, role, round FROM runs "
                "WHERE bench_run_id = ? AND outcome != 'infra_error'",
                (bench_run_id,),
            ).fetchall()
        return {tuple(r) for r in rows}  # type: ignore[misc]

    def runs(self, bench_run_id: str) -> list[RunRecord]:
        """Every recorded run of a bench, in the order they were first written."""
        with self._using("read the runs"):
            rows = self._db.execute(
                "SELECT * FROM runs WHERE bench_run_id = ? ORDER BY id", (bench_run_id,)
            ).fetchall()
        return [_record(r) for r in rows]

    def scores(
        self, bench_run_id: str, *, role: str = "", round: int | None = 0
    ) -> dict[tuple[str, str], list[float]]:
        """{(task, model label): scores} for consensus, repeats in order: the runs of one
        role (default: plain bench runs) and round (None: the last round of each repeat).

        Every outcome but infra_error is a result: a timeout, truncation or failed
        extraction counts as its score, 0 when it never reached the sandbox. infra_error
        runs are left out, so their model shows as INCOMPLETE.
        """
        with self._using("read the scores"):
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
        with self._using("record a profile point"):
            self._db.execute(
                "INSERT INTO profile_points "
                "(profile_run_id, created_at, node, model, concurrency, metrics) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (*row, _json(metrics)),
            )

    def profile_points(self, profile_run_id: str) -> list[dict[str, Any]]:
        with self._using("read the profile points"):
            rows = self._db.execute(
                "SELECT * FROM profile_points WHERE profile_run_id = ? ORDER BY id",
                (profile_run_id,),
            ).fetchall()
        return [{**dict(r), "metrics": json.loads(r["metrics"])} for r in rows]


def _version(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def open_for_reading(path: Path | str) -> Store:
    """A Store for commands that only read: read-only when the file or its folder cannot
    be written (read-only media, another user's file), so they can still be read."""
    path = Path(path)
    if path.is_file() and _unwritable(path):
        return Store(path, read_only=True)
    return Store(path)


def _unwritable(path: Path) -> str:
    """Why the file (or the folder SQLite keeps its journal in) cannot be written; ''."""
    for what, place in (("the file", path), ("its folder", path.parent)):
        if place.exists() and not os.access(place, os.W_OK):
            return f"{what} is read-only"
    return ""


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    options: dict[str, Any] = {"timeout": _BUSY_TIMEOUT_MS / 1000, "check_same_thread": False,
                               "isolation_level": None}  # fmt: skip
    if not read_only:
        return sqlite3.connect(path, **options)
    uri = path.resolve().as_uri()
    try:
        db = sqlite3.connect(f"{uri}?mode=ro", uri=True, **options)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError:
        # A WAL file on read-only media, without the -shm file SQLite would create beside
        # it: it can only be read as immutable (nothing can change it there anyway).
        return sqlite3.connect(f"{uri}?immutable=1", uri=True, **options)


# SQLite's error → (what it means for the file, what to do), by its error name.
_CAUSES = {
    "SQLITE_CANTOPEN": ("cannot be opened", "is its folder there and writable? --db (or "
                        "$TRINITY_DB) names another file"),
    "SQLITE_NOTADB": ("is not a results database", "--db names the file `trinityctl bench` "
                      "wrote; move this one aside to start a new one there"),
    "SQLITE_CORRUPT": ("is damaged", "`sqlite3 FILE .recover` may save its runs; move it "
                       "aside to start a new one there"),
    "SQLITE_FULL": ("cannot be written: the disk is full", "free some space on its disk"),
    "SQLITE_READONLY": ("cannot be written: it is read-only", "runs, report and compare "
                        "still read it; bench needs a file it can write"),
    "SQLITE_BUSY": ("is locked by another process", "wait for it, or use another --db"),
}  # fmt: skip


def _failure(path: Path, doing: str, exc: sqlite3.Error) -> StoreError:
    """One line: the file, what we tried, what SQLite said; a hint where one helps."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    base = next((c for c in _CAUSES if name == c or name.startswith(c + "_")), "")
    if not base and name.startswith("SQLITE_IOERR"):
        return StoreError(
            f"results database {path}: cannot {doing}: disk I/O error ({name})",
            hint="is the disk full, gone, or failing? `dmesg` may say",
        )
    meaning, hint = _CAUSES.get(base, (f"cannot {doing}", None))
    if hint:
        hint = hint.replace("FILE", str(path))
    return StoreError(f"results database {path} {meaning} ({exc})", hint=hint)


def _newer(path: Path, version: int) -> StoreError:
    return StoreError(
        f"results database {path} is schema version {version}, newer than this trinityctl "
        f"understands ({SCHEMA_VERSION}); upgrade trinityctl"
    )


def controller_gone(bench: BenchRun) -> bool:
    """A bench stored as running whose controller is no longer alive (killed, machine
    rebooted): known only on the host that ran it; a pid reused since by a younger process
    counts as gone, and so does a zombie."""
    if bench.status != "running" or bench.pid is None or bench.host != socket.gethostname():
        return False
    try:
        process = psutil.Process(bench.pid)
        return process.status() == psutil.STATUS_ZOMBIE or (
            process.create_time() > bench.created_at + 1.0
        )
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:
        return False  # there, but not ours to look at: assume it is still running


def shown_status(bench: BenchRun) -> str:
    """The status a listing shows: 'interrupted (controller gone)' for a bench stored as
    running whose controller died; 'running on HOST' when another host runs it."""
    if controller_gone(bench):
        return "interrupted (controller gone)"
    if bench.status == "running" and bench.host and bench.host != socket.gethostname():
        return f"running on {bench.host}"
    return bench.status


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
