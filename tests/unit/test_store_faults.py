"""The results database when it cannot be used (issue 11, defects 6 and 10): every failure
is one line naming the file and the cause, exit code 2; a file on read-only media can
still be read; a bench whose controller died shows as interrupted. Real SQLite files
throughout; read-only media is a real read-only bind mount (in a user namespace)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from trinity.controller import cli
from trinity.controller.cli import app
from trinity.controller.store import (
    BenchRun,
    RunRecord,
    Store,
    StoreError,
    controller_gone,
    shown_status,
)
from typer.testing import CliRunner

runner = CliRunner()
SELECTION = {"tasks": ["smoke/add"], "task_hashes": {}, "models": ["a/m"], "n": 1,
             "thinking": ["default"], "threshold": 90.0, "columns": [["a/m", "a/m"]]}  # fmt: skip


def stored_bench(path: Path) -> str:
    """A results database holding one finished bench with one scored run."""
    with Store(path) as store:
        bench = store.new_bench_run(["bench", "smoke"], SELECTION, {})
        store.record_run(RunRecord(bench.id, "smoke/add", "a/m", "a", 1, "scored", score=100.0,
                                   declared=1, passed=1))  # fmt: skip
        store.set_status(bench.id, "finished")
    return bench.id


def one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: "), result.stderr
    assert all(line.startswith(("hint: ", "  ")) for line in lines[1:]), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def _corrupt(path: Path) -> Path:
    path.write_bytes(b"this is not SQLite\n" * 300)
    return path


def _truncated(path: Path) -> Path:
    stored_bench(path)
    path.write_bytes(path.read_bytes()[:3000])
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def _under_a_file(path: Path) -> Path:
    path.write_text("a file, not a folder")
    return path / "results.db"


@pytest.mark.parametrize(
    ("make", "cause"),
    [
        (_folder, "is a folder, not a file"),
        (_corrupt, "is not a results database (file is not a database)"),
        (_truncated, "is damaged (database disk image is malformed)"),
        (_under_a_file, "cannot create its folder"),
    ],
)
@pytest.mark.parametrize("command", [["runs"], ["report", "last"], ["compare", "a", "b"]])
def test_an_unusable_results_database_is_one_line_naming_it(tmp_path, make, cause, command):
    path = make(tmp_path / "results.db")
    result = runner.invoke(app, [*command, "--db", str(path)])
    line = one_line_error(result)
    assert str(path) in line and cause in line


def test_a_path_in_proc_is_one_line(tmp_path):
    result = runner.invoke(app, ["runs", "--db", "/proc/trinity-results.db"])
    assert "results database /proc/trinity-results.db cannot be opened" in one_line_error(result)


def test_a_full_disk_is_one_line_naming_the_file(tmp_path):
    path = tmp_path / "results.db"
    bench_id = stored_bench(path)
    with Store(path) as store:
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]
        store._db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk full"
        big = RunRecord(bench_id, "smoke/add", "a/m", "a", 2, "scored", response="x" * 200_000)
        with pytest.raises(StoreError) as info:
            store.record_run(big)
        assert len(store.runs(bench_id)) == 1  # what was stored before is all there
    assert str(info.value) == (
        f"results database {path} cannot be written: the disk is full (database or disk is full)"
    )
    assert info.value.hint == "free some space on its disk"


# ---------------------------------------------------------------- read-only media


def _can_bind_read_only() -> bool:
    if shutil.which("unshare") is None:
        return False
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
         "mount --bind /tmp /tmp && mount -o remount,ro,bind /tmp /tmp"],
        capture_output=True,
    )  # fmt: skip
    return done.returncode == 0


def on_read_only_media(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`trinityctl ARGS` with `folder` mounted read-only (a bind mount in a user and mount
    namespace of its own: what a read-only disk or share looks like to the process)."""
    script = (f'mount --bind "{folder}" "{folder}" && mount -o remount,ro,bind "{folder}" '
              f'"{folder}" && exec "$0" -m trinity.controller "$@"')  # fmt: skip
    return subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script,
         sys.executable, *args],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip


read_only_media = pytest.mark.skipif(
    not _can_bind_read_only(), reason="no user namespaces here to mount a folder read-only"
)


@read_only_media
def test_a_results_database_on_read_only_media_can_be_read(tmp_path):
    folder = tmp_path / "media"
    folder.mkdir()
    bench_id = stored_bench(folder / "results.db")
    assert sorted(p.name for p in folder.iterdir()) == ["results.db"]  # no -wal, no -shm
    listing = on_read_only_media(folder, "runs", "--json", "--db", str(folder / "results.db"))
    assert listing.returncode == 0, listing.stderr
    assert [b["id"] for b in json.loads(listing.stdout)] == [bench_id]
    report = on_read_only_media(folder, "report", "last", "--format", "json",
                                "--db", str(folder / "results.db"))  # fmt: skip
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["tasks"][0]["task"] == "smoke/add"


@read_only_media
def test_a_bench_on_read_only_media_is_one_line_and_says_reading_still_works(tmp_path):
    folder = tmp_path / "media"
    folder.mkdir()
    stored_bench(folder / "results.db")
    done = on_read_only_media(folder, "bench", "smoke", "--db", str(folder / "results.db"))
    assert done.returncode == 2, done.stderr
    first, hint = done.stderr.strip().splitlines()[:2]
    assert first == f"error: results database {folder / 'results.db'} cannot be written: the " \
        "file is read-only"  # fmt: skip
    assert hint.startswith("hint: runs, report and compare still read it")


# ---------------------------------------------------------------- a controller gone


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def bench_of(pid: int | None, *, host: str | None = None, created_at: float | None = None):
    return BenchRun("b1", time.time() if created_at is None else created_at, (), {}, {},
                    "running", "bench", pid, socket.gethostname() if host is None else host)  # fmt: skip


def test_a_running_bench_whose_controller_died_shows_interrupted():
    assert controller_gone(bench_of(dead_pid()))
    assert shown_status(bench_of(dead_pid())) == "interrupted (controller gone)"


def test_a_bench_whose_controller_lives_is_running():
    me = psutil.Process()
    bench = bench_of(me.pid, created_at=me.create_time() + 5)  # began after this process
    assert not controller_gone(bench) and shown_status(bench) == "running"


def test_a_pid_reused_by_a_younger_process_is_not_the_controller():
    me = psutil.Process()
    bench = bench_of(me.pid, created_at=me.create_time() - 3600)  # began before it
    assert controller_gone(bench)


def test_a_controller_killed_but_not_yet_reaped_is_gone():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        bench = bench_of(child.pid)  # began after the child did
        assert not controller_gone(bench)
        child.kill()
        deadline = time.monotonic() + 10
        while psutil.Process(child.pid).status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert controller_gone(bench)
    finally:
        child.kill()
        child.wait()


def test_another_hosts_bench_cannot_be_judged_from_here():
    bench = bench_of(dead_pid(), host="gpu-box-elsewhere")
    assert not controller_gone(bench)
    assert shown_status(bench) == "running on gpu-box-elsewhere"


def test_runs_lists_a_killed_bench_as_interrupted(tmp_path, monkeypatch):
    monkeypatch.setattr(cli.out, "width", 250)  # the table unwrapped, so a cell can be matched
    path = tmp_path / "results.db"
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; from trinity.controller.store import Store; "
         "Store(sys.argv[1]).new_bench_run(['bench'], {'tasks': [], 'models': []}, {}); "
         "import os, signal; os.kill(os.getpid(), signal.SIGKILL)", str(path)],
    )  # fmt: skip
    child.wait()
    table = runner.invoke(app, ["runs", "--db", str(path)])
    assert table.exit_code == 0 and "interrupted (controller gone)" in table.stdout
    listing = json.loads(runner.invoke(app, ["runs", "--json", "--db", str(path)]).stdout)
    assert [(b["status"], b["controller_gone"], b["pid"]) for b in listing] == [
        ("interrupted", True, child.pid)
    ]
    with Store(path) as store:  # what is stored is unchanged: resume finds it as it was
        assert store.bench_runs()[0].status == "running"


def test_runs_at_80_columns_shows_each_bench_id_whole(tmp_path, monkeypatch):
    """The id is what a person copies into show, report and --resume: a table squeezed to
    the terminal cut it to '20261202-0…'."""
    monkeypatch.setattr(cli.out, "width", 80)
    path = tmp_path / "results.db"
    with Store(path) as store:
        ids = [store.new_bench_run(["bench"], {"tasks": ["a/b"] * 3, "n": 3,
                                               "models": ["node-one/qwen35-fp8", "local/smollm2"]},
                                   {}).id for _ in range(2)]  # fmt: skip
    table = runner.invoke(app, ["runs", "--db", str(path)])
    assert table.exit_code == 0, table.output
    assert all(bench_id in table.stdout for bench_id in ids)
    assert "…" not in table.stdout and max(map(len, table.stdout.splitlines())) <= 80


def test_report_says_a_killed_benchs_controller_is_gone(tmp_path):
    path = tmp_path / "results.db"
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; from trinity.controller.store import Store; "
         "Store(sys.argv[1]).new_bench_run(['bench'], {'tasks': [], 'models': ['a/m'], "
         "'n': 1, 'threshold': 90, 'columns': [['a/m', 'M']]}, {}); "
         "import os, signal; os.kill(os.getpid(), signal.SIGKILL)", str(path)],
    )  # fmt: skip
    child.wait()
    shown = runner.invoke(app, ["report", "last", "--format", "json", "--db", str(path)])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["status"] == "interrupted (controller gone)"
    page = runner.invoke(app, ["report", "last", "--format", "html", "--db", str(path)])
    assert "status interrupted (controller gone)" in page.stdout
