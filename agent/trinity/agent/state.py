"""What survives an agent restart: the models that should run (desired.json), the
process groups the agent launched (running.json), so a successor can kill servers a
crashed agent left holding GPU memory, and each model's last finished run's log tail
(logs/NAME.log), so the reason for a crash outlives the restart."""

from __future__ import annotations

import json
import logging
import os
import signal
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil
from trinity.agent.spec import ModelSpec

log = logging.getLogger(__name__)

# psutil derives create_time from boot time and ticks: allow for rounding.
LEADER_CLOCK_SLACK_S = 5.0
ESCAPED_CLOCK_SLACK_S = 0.01  # the same psutil reading, recorded and read back


@dataclass(frozen=True)
class RunningRecord:
    """A launched server's process group, as the agent saw it at launch."""

    name: str
    pgid: int
    argv: tuple[str, ...]
    started_at: float
    # Descendants that left the group (a session of their own): (pid, psutil create time).
    escaped: tuple[tuple[int, float], ...] = ()


def _write_json(path: Path, data: object) -> None:
    """Atomic replace, so a crash mid-write never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w") as fh:
        json.dump(data, fh, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _read_json(path: Path) -> list[dict]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        log.error("state file unreadable path=%s error=%s", path, exc)
        return []
    return data if isinstance(data, list) else []


class AgentState:
    """desired.json and running.json under the agent's state_dir."""

    def __init__(self, state_dir: Path) -> None:
        self._desired = state_dir / "desired.json"
        self._running = state_dir / "running.json"
        self._logs = state_dir / "logs"

    def _log_file(self, name: str) -> Path:
        if "/" in name or name in ("", ".", ".."):
            raise ValueError(f"not a model name: {name!r}")
        return self._logs / f"{name}.log"

    def save_log(self, name: str, lines: list[str]) -> None:
        """Keep a finished run's log tail; a failure to write is logged, never raised."""
        try:
            self._logs.mkdir(parents=True, exist_ok=True)
            tmp = self._log_file(name).with_suffix(".tmp")
            tmp.write_text("".join(line + "\n" for line in lines), errors="replace")
            os.replace(tmp, self._log_file(name))
        except (OSError, ValueError) as exc:
            log.error("cannot keep the log of model=%s error=%s", name, exc)

    def previous_log(self, name: str) -> list[str]:
        """The last finished run's log tail; [] when there is none."""
        try:
            return self._log_file(name).read_text(errors="replace").splitlines()
        except (OSError, ValueError):
            return []

    def desired(self) -> list[ModelSpec]:
        specs = []
        for item in _read_json(self._desired):
            try:
                specs.append(ModelSpec(**{**item, "extra_args": tuple(item["extra_args"])}))
            except (TypeError, KeyError) as exc:
                log.error("skipping bad desired entry entry=%r error=%s", item, exc)
        return specs

    def want(self, spec: ModelSpec) -> None:
        kept = [s for s in self.desired() if s.name != spec.name]
        _write_json(self._desired, [asdict(s) for s in [*kept, spec]])

    def unwant(self, name: str) -> None:
        _write_json(self._desired, [asdict(s) for s in self.desired() if s.name != name])

    def running(self) -> list[RunningRecord]:
        records = []
        for item in _read_json(self._running):
            try:
                escaped = tuple((int(p), float(t)) for p, t in item.get("escaped", ()))
                records.append(RunningRecord(**{**item, "argv": tuple(item["argv"]),
                                                "escaped": escaped}))  # fmt: skip
            except (TypeError, KeyError):
                continue
        return records

    def launched(self, record: RunningRecord) -> None:
        kept = [r for r in self.running() if r.name != record.name]
        _write_json(self._running, [asdict(r) for r in [*kept, record]])

    def ended(self, name: str) -> None:
        _write_json(self._running, [asdict(r) for r in self.running() if r.name != name])

    def kill_orphans(self) -> int:
        """Kill process groups a previous agent launched and never stopped."""
        killed = 0
        for record in self.running():
            members = _group_members(record) + _escaped_members(record)
            for proc in members:
                try:
                    proc.send_signal(signal.SIGKILL)
                    killed += 1
                except psutil.Error:
                    pass
            if members:
                log.warning("killed orphaned server model=%s pgid=%d", record.name, record.pgid)
        _write_json(self._running, [])
        return killed


def _group_members(record: RunningRecord) -> list[psutil.Process]:
    """Live processes of the recorded group.

    While any member lives, Linux cannot hand the pgid to a new process; so the only
    reuse to rule out is a live leader that is not ours, told apart by its start time
    and its command line.
    """
    try:
        leader = psutil.Process(record.pgid)
        if not _is_ours(leader, record):
            log.info("pgid reused, not killing model=%s pgid=%d", record.name, record.pgid)
            return []
    except psutil.Error:
        pass  # the leader is gone; members left in its group are still ours
    members = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) == record.pgid:
                members.append(proc)
        except OSError:
            continue
    return members


def _escaped_members(record: RunningRecord) -> list[psutil.Process]:
    """Recorded descendants out of the group that still run: the same pid and start time
    (psutil's own), so a reused pid is never killed."""
    found = []
    for pid, created in record.escaped:
        try:
            proc = psutil.Process(pid)
            if abs(proc.create_time() - created) < ESCAPED_CLOCK_SLACK_S:
                found.append(proc)
        except psutil.Error:
            continue
    return found


def _is_ours(leader: psutil.Process, record: RunningRecord) -> bool:
    """Started when we recorded it, running what we launched.

    Only the arguments are compared: a script's interpreter (a shebang, a wrapper that
    execs python) replaces the executable in the command line.
    """
    if abs(leader.create_time() - record.started_at) > LEADER_CLOCK_SLACK_S:
        return False
    args = list(record.argv[1:])
    cmdline = leader.cmdline()
    return not args or cmdline[-len(args) :] == args
