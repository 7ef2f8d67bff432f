"""The model servers this node runs: launch, readiness, liveness, restarts with backoff,
stop, and the desired state that brings them back after an agent restart.

States: starting → ready ⇄ unhealthy → failed / stopped. One asyncio task per model runs
attempts; an attempt ends when the server exits, stays unhealthy, is hung (its /health
answers, a 1-token completion does not, and it makes no tokens for anyone), or never
becomes ready (it stalls, or passes the longest start: trinity.agent.progress), and the
task restarts it after a backoff until max_restarts in a row, then marks it failed. A run
that was ready for stable_after_s starts the count afresh; a server that crashes before it
was ever ready fails at once with its own error line; one that lost its port to another
process is started again on a new port, uncounted. Each run keeps its log; the one before
is kept beside it. A stop answers once the server's memory is back (trinity.agent.memory).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import time
from collections.abc import Callable, Coroutine, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import psutil
from trinity.agent.backends import Backend, probe_completion, registry, token_progress
from trinity.agent.config import AgentConfig
from trinity.agent.errors import (
    AgentError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    Unavailable,
)
from trinity.agent.memory import admit, kill_leftovers, released, tree
from trinity.agent.ports import candidates, server_port
from trinity.agent.process import LogBuffer, ManagedProcess
from trinity.agent.progress import (
    PROBE_PATHS,
    GpuMemory,
    StartWatch,
    group_pids,
    resident_bytes,
)
from trinity.agent.spec import Endpoint, ModelSpec, ModelState, ModelStatus
from trinity.agent.state import AgentState, RunningRecord

log = logging.getLogger(__name__)

GiB = 1024**3
READY_POLL_S = 0.5
PORT_RETRIES = 3  # launches on a fresh port after "address already in use", uncounted
PORT_ERROR_LINES = 10  # the server's last lines searched for that message
LAST_LINES = 10  # a run's last lines kept in the status when it ends
ERROR_WORDS = ("error", "failed", "fatal", "abort")
SETTLED = (ModelState.READY, ModelState.FAILED, ModelState.STOPPED)


@dataclass
class _Model:
    """Mutable bookkeeping for one model; snapshots leave as frozen ModelStatus."""

    spec: ModelSpec
    logs: LogBuffer
    previous: tuple[str, ...] = ()  # the log tail of the run before the current one
    state: ModelState = ModelState.STARTING
    pid: int = 0
    port: int = 0
    restarts: int = 0
    last_error: str = ""
    started_at: float = 0.0
    ready_at: float = 0.0
    command: tuple[str, ...] = ()
    exit_code: int = 0
    exit_signal: int = 0
    last_lines: tuple[str, ...] = ()
    ever_ready: bool = False  # since this StartModel (or agent start): a crash at start fails
    need: int = 0  # the memory it was admitted for
    record: RunningRecord | None = None  # its process group, as running.json has it
    detail: str = ""  # what the agent sees now (a start's progress)
    exited: bool = False  # the last run ended by itself (not stopped by us)
    task: asyncio.Task[None] | None = field(default=None, repr=False)
    settled: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    def enter(self, state: ModelState) -> None:
        """Change state; waiters for ready/failed/stopped wake on `settled`."""
        self.state = state
        if state in SETTLED:
            self.settled.set()
        else:
            self.settled.clear()

    def set_detail(self, detail: str) -> None:
        self.detail = detail

    def snapshot(self) -> ModelStatus:
        return ModelStatus(
            spec=self.spec,
            state=self.state,
            pid=self.pid,
            port=self.port,
            restarts=self.restarts,
            last_error=self.last_error,
            started_at=self.started_at,
            ready_at=self.ready_at,
            command=self.command,
            exit_code=self.exit_code,
            exit_signal=self.exit_signal,
            last_lines=self.last_lines,
            detail=self.detail,
        )


class Supervisor:
    """Runs ModelSpecs as supervised server processes on loopback ports."""

    def __init__(
        self,
        config: AgentConfig,
        *,
        free_memory: Callable[[], int] | None = None,
        total_memory: Callable[[], int] | None = None,
        memory_source: Callable[[], str] | None = None,
        backends: Mapping[str, Backend] | None = None,
        tokens_seen: Callable[[str], int] | None = None,
        gpu_memory: Callable[[set[int]], int] | None = None,
    ) -> None:
        self._config = config
        self._gpu_memory = _in_thread(gpu_memory) if gpu_memory is not None else None
        self._tokens_seen = tokens_seen or (lambda name: 0)
        self._held: collections.Counter[str] = collections.Counter()
        self._policy = config.supervisor
        self._backends = dict(backends) if backends is not None else registry(config)
        self._free_memory = free_memory
        self._total_memory = total_memory or (lambda: 0)
        self._memory_source = memory_source or (lambda: "free memory")
        self._state = AgentState(config.state_dir)
        self._models: dict[str, _Model] = {}
        self._admission = asyncio.Lock()
        self._http = httpx.AsyncClient(trust_env=False)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Kill servers a crashed predecessor left behind, then start the desired ones."""
        self._state.kill_orphans()
        for spec in self._state.desired():
            try:
                await self.start_model(spec)
            except AgentError as exc:
                log.error("cannot restore model=%s error=%s", spec.name, exc)
                model = _Model(spec=spec, logs=LogBuffer(self._policy.log_lines))
                model.previous = tuple(self._state.previous_log(spec.name))
                model.enter(ModelState.FAILED)
                model.last_error = str(exc)
                self._models[spec.name] = model

    async def close(self) -> None:
        """Stop every server (agent exit); the desired state on disk is kept."""
        await asyncio.gather(*(self._halt(m) for m in self._models.values()))
        await self._http.aclose()

    # ------------------------------------------------------------------ requests

    async def start_model(self, spec: ModelSpec, wait_ready_s: float = 0.0) -> ModelStatus:
        """Idempotent by name; checks everything it can before launching anything."""
        current = self._models.get(spec.name)
        if current is not None and current.state not in (ModelState.FAILED, ModelState.STOPPED):
            if current.spec != spec:
                raise FailedPrecondition(
                    f"model {spec.name} already runs with a different spec: stop it first"
                )
            return await self._wait(current, wait_ready_s)
        backend = self._backend(spec)
        backend.command(spec, 0)  # validates model path and extra args before any launch
        candidates(*self._policy.server_ports)  # a range the node can use at all
        async with self._admission:  # one at a time: `up` starts a node's models at once
            need = await self._check_memory(backend, spec)
            model = _Model(spec=spec, logs=LogBuffer(self._policy.log_lines), need=need)
            self._models[spec.name] = model
        self._state.want(spec)
        model.task = asyncio.create_task(self._run(model, backend), name=f"model-{spec.name}")
        log.info("starting model=%s backend=%s", spec.name, spec.backend)
        return await self._wait(model, wait_ready_s)

    async def stop_model(self, name: str) -> ModelStatus:
        """Stop it, and answer once its memory is back (or say that it is not)."""
        model = self._get(name)
        self._state.unwant(name)
        processes = tree(model.pid) if model.pid else []
        await self._halt(model)
        if escaped := kill_leftovers(processes):
            log.warning("killed processes that left the group model=%s pids=%s", name, escaped)
        pids = {proc.pid for proc in processes}
        problem = await released(pids, self._gpu_memory, self._policy.release_timeout_s)
        model.detail = problem or ""
        log.info("stopped model=%s released=%s", name, problem or "yes")
        return model.snapshot()

    def list_models(self) -> list[ModelStatus]:
        return [m.snapshot() for m in sorted(self._models.values(), key=lambda m: m.spec.name)]

    def status(self, name: str) -> ModelStatus:
        return self._get(name).snapshot()

    def logs(self, name: str, lines: int = 0, previous: bool = False) -> list[str]:
        """The current run's last lines, or (previous) those of the run before it."""
        model = self._get(name)
        kept = list(model.previous) if previous else list(model.logs.lines)
        return kept[-lines:] if lines else kept

    def log_mark(self, name: str) -> int:
        """Where the model's log is now; `logs_since(name, mark)` is what came after."""
        return self._get(name).logs.total

    def logs_since(self, name: str, mark: int) -> list[str]:
        return self._get(name).logs.since(mark)

    def endpoint(self, name: str) -> Endpoint:
        model = self._get(name)
        if model.state is not ModelState.READY:
            raise Unavailable(
                f"model {name} is {model.state.value}, not ready"
                + (f": {model.last_error}" if model.last_error else "")
            )
        return Endpoint(
            name=name,
            backend=model.spec.backend,
            base_url=f"http://127.0.0.1:{model.port}",
            served_name=model.spec.api_name,
        )

    # ------------------------------------------------------------------ checks

    def _get(self, name: str) -> _Model:
        try:
            return self._models[name]
        except KeyError:
            known = ", ".join(sorted(self._models)) or "none"
            raise NotFound(f"no model named {name} on this node (known: {known})") from None

    def _backend(self, spec: ModelSpec) -> Backend:
        try:
            return self._backends[spec.backend]
        except KeyError:
            raise InvalidArgument(
                f"model {spec.name}: unknown backend {spec.backend!r} "
                f"(this node has {', '.join(sorted(self._backends))})"
            ) from None

    async def _check_memory(self, backend: Backend, spec: ModelSpec) -> int:
        """The memory the spec needs, once it fits in what is free now (ResourceExhausted
        when not), less what models still starting were promised and have not taken."""
        if self._free_memory is None:
            return 0
        need = backend.required_memory(spec, self._total_memory())
        if need:
            admit(
                spec.name, need, self._free_memory(), await self._promised(), self._memory_source()
            )
        return need

    async def _promised(self) -> int:
        """What starting models were admitted for and do not hold yet."""
        owed = 0
        for model in self._models.values():
            if model.state is ModelState.STARTING and model.need:
                pids = group_pids(model.pid) if model.pid else set()
                held = await self._gpu_memory(pids) if self._gpu_memory else resident_bytes(pids)
                owed += max(0, model.need - held)
        return owed

    # ------------------------------------------------------------------ the model task

    async def _wait(self, model: _Model, wait_s: float) -> ModelStatus:
        if wait_s > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(model.settled.wait(), wait_s)
        return model.snapshot()

    async def _halt(self, model: _Model) -> None:
        """Cancel the model's task; its attempt stops the process group on the way out."""
        if model.task is not None and not model.task.done():
            model.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await model.task
        model.enter(ModelState.STOPPED)
        model.pid = 0

    async def _run(self, model: _Model, backend: Backend) -> None:
        """The model's task; a bug in it fails this model, never the agent, and says so."""
        try:
            await self._supervise(model, backend)
        except Exception as exc:
            log.exception("supervisor bug model=%s", model.spec.name)
            model.last_error = f"agent error while supervising: {exc!r} (see the agent log)"
            model.pid = 0
            model.enter(ModelState.FAILED)

    async def _supervise(self, model: _Model, backend: Backend) -> None:
        port_retries = 0
        while True:
            reason = await self._attempt(model, backend)
            model.last_error = reason
            log.warning("model ended model=%s reason=%s", model.spec.name, reason)
            if _port_taken(model) and port_retries < PORT_RETRIES:
                # Another process took the port between our check and the server's bind:
                # not the server's fault, so try a new port at once, without counting.
                port_retries += 1
                continue
            port_retries = 0
            if model.exited and not model.ever_ready:
                # A crash before the server was ever ready (a corrupt model, a bad flag):
                # restarting repeats it. Fail now with the server's own words.
                model.enter(ModelState.FAILED)
                model.last_error = f"crashed at start, not restarted: {reason}"
                return
            if self._ran_well(model):
                model.restarts = 0  # a fresh count, and the shortest backoff again
            if model.restarts >= self._policy.max_restarts:
                model.enter(ModelState.FAILED)
                model.last_error = f"gave up after {model.restarts} restarts: {reason}"
                return
            model.restarts += 1
            model.enter(ModelState.STARTING)
            delay = min(
                self._policy.backoff_initial_s * 2 ** min(model.restarts - 1, 64),
                self._policy.backoff_max_s,
            )
            await asyncio.sleep(delay)

    def _ran_well(self, model: _Model) -> bool:
        """The attempt that just ended was ready for at least stable_after_s."""
        return bool(model.ready_at) and (
            time.time() - model.ready_at >= self._policy.stable_after_s
        )

    async def _attempt(self, model: _Model, backend: Backend) -> str:
        """One launch of the server; returns why it ended. Always stops the group."""
        spec = model.spec
        model.exited = True  # until the server runs: a launch that fails ends by itself
        try:  # a fresh port each attempt: the old one may be taken
            model.port = server_port(*self._policy.server_ports)
        except AgentError as exc:
            return str(exc)
        model.previous = tuple(self._state.previous_log(spec.name))
        model.logs = LogBuffer(self._policy.log_lines, quiet=PROBE_PATHS)
        try:
            argv = backend.command(spec, model.port)
        except AgentError as exc:  # the model file vanished, the backend was removed
            return str(exc)
        process = ManagedProcess(argv, backend.env(), model.logs, cwd=self._server_cwd())
        model.command, model.ready_at = tuple(argv), 0.0
        model.enter(ModelState.STARTING)
        try:
            await process.start()
        except OSError as exc:
            return f"cannot launch {argv[0]}: {exc.strerror or exc}"
        model.pid, model.started_at = process.pid, time.time()
        model.record = RunningRecord(spec.name, process.pid, tuple(argv), model.started_at)
        self._state.launched(model.record)
        exited = asyncio.ensure_future(process.wait())
        try:
            reason = await self._until_ready(model, backend, process, exited)
            if reason is None:
                model.ready_at, model.ever_ready = time.time(), True
                model.enter(ModelState.READY)
                log.info("ready model=%s port=%d pid=%d", spec.name, model.port, model.pid)
                reason = await self._watch(model, backend, process, exited)
            return reason
        finally:
            exited.cancel()
            by_itself = process.returncode is not None
            await process.stop(self._policy.stop_grace_s)
            self._state.ended(spec.name)
            model.record = None
            _record_end(model, process, by_itself)
            self._state.save_log(spec.name, list(model.logs.lines))

    def _server_cwd(self) -> str:
        """An empty folder of ours: a relative name a server opens never means a file of
        the agent's working directory (vLLM tries a hub name as a local path first)."""
        folder = self._config.state_dir / "servers"
        folder.mkdir(parents=True, exist_ok=True)
        return str(folder)

    async def _until_ready(
        self, model: _Model, backend: Backend, process: ManagedProcess, exited: asyncio.Future
    ) -> str | None:
        """Probe until ready; None when it is, else why not: an exit, a stall, or past the
        longest start (the deadline moves while the server shows progress)."""
        base_url = f"http://127.0.0.1:{model.port}"
        watch = StartWatch(process.pid, model.logs, self._policy, self._gpu_memory)
        failed = asyncio.ensure_future(watch.until_failed(model.set_detail))
        try:
            while True:
                probe = backend.ready(self._http, base_url, model.spec)
                if await _probe(probe, [exited, failed], None, model.spec.name):
                    return None
                await asyncio.wait([exited, failed], timeout=READY_POLL_S,
                                   return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
                if exited.done():
                    return _exit_reason("while starting", process)
                if failed.done():
                    return failed.result()
        finally:
            failed.cancel()
            model.detail = ""

    async def _watch(
        self, model: _Model, backend: Backend, process: ManagedProcess, exited: asyncio.Future
    ) -> str:
        """Liveness while ready: an exit, unhealthy_after×2 failed health checks, or a
        hung server (its inference probe) ends it."""
        base_url = f"http://127.0.0.1:{model.port}"
        failures = 0
        inference_at = time.monotonic() + self._policy.inference_probe_interval_s
        while True:
            self._note_escaped(model)
            await asyncio.wait([exited], timeout=self._policy.health_interval_s)
            alive = not exited.done() and await _probe(
                backend.alive(self._http, base_url), [exited], None, model.spec.name
            )
            hung = None
            if (
                alive
                and self._policy.inference_probe_interval_s
                and time.monotonic() >= inference_at
            ):
                hung = await self._hung(model, backend, exited)
                inference_at = time.monotonic() + self._policy.inference_probe_interval_s
            if exited.done():
                return _exit_reason("while ready", process)
            if hung is not None:
                model.enter(ModelState.UNHEALTHY)
                model.last_error = hung
                return f"unhealthy: {hung}"
            if alive:
                failures = 0
                model.enter(ModelState.READY)
                continue
            failures += 1
            if failures >= self._policy.unhealthy_after:
                model.enter(ModelState.UNHEALTHY)
                model.last_error = f"health check failed {failures} times in a row"
            if failures >= 2 * self._policy.unhealthy_after:
                return f"unhealthy: health check failed {failures} times in a row"

    def _note_escaped(self, model: _Model) -> None:
        """Record the server's descendants that left its process group, so a successor
        of a SIGKILLed agent can kill them too (the group kill does not reach them)."""
        if model.record is None:
            return
        escaped = tuple(sorted(_escaped(model.record.pgid)))
        if escaped != model.record.escaped:
            model.record = replace(model.record, escaped=escaped)
            self._state.launched(model.record)

    async def _hung(self, model: _Model, backend: Backend, exited: asyncio.Future) -> str | None:
        """Why the server is hung, or None: it answered a 1-token completion, or it made
        tokens for someone while the probe waited (a probe queued behind long
        generations is a busy server), or a profile of it is running."""
        if self._held[model.spec.name]:
            return None
        base_url, timeout = f"http://127.0.0.1:{model.port}", self._policy.inference_probe_timeout_s
        began, before = time.monotonic(), await self._progress(model, backend)
        answer = asyncio.ensure_future(
            probe_completion(self._http, base_url, model.spec.api_name, timeout)
        )
        try:
            await asyncio.wait([answer, exited], return_when=asyncio.FIRST_COMPLETED)
        finally:
            answer.cancel()
        if exited.done() or not answer.done() or answer.cancelled() or answer.result() is None:
            return None
        # An error answer may be a busy server's: judge it over the same window.
        await asyncio.wait([exited], timeout=max(0.0, began + timeout - time.monotonic()))
        if exited.done():
            return None
        if await self._progress(model, backend) > before:
            log.info("busy, not hung model=%s probe=%r", model.spec.name, answer.result())
            return None
        return f"hung: {answer.result()}, and it made no tokens meanwhile (/health answers)"

    async def _progress(self, model: _Model, backend: Backend) -> float:
        """Tokens made so far: the server's counters plus what the agent streamed."""
        base_url = f"http://127.0.0.1:{model.port}"
        try:
            counted = token_progress(await backend.metrics(self._http, base_url))
        except Exception as exc:  # a counter is a hint; a failed scrape reads as none
            log.info("metrics scrape failed model=%s error=%r", model.spec.name, exc)
            counted = 0.0
        return counted + self._tokens_seen(model.spec.name)

    @contextlib.contextmanager
    def hold_probes(self, name: str) -> Iterator[None]:
        """No inference probe judges `name` meanwhile (a profile loads it directly, so
        its tokens are not seen here)."""
        self._held[name] += 1
        try:
            yield
        finally:
            self._held[name] -= 1


async def _probe(
    check: Coroutine[Any, Any, bool],
    stops: list[asyncio.Future],
    within_s: float | None,
    name: str,
) -> bool:
    """Run one readiness or liveness check; False when it fails, raises, outlives
    `within_s`, or one of `stops` ends meanwhile (the server exited: a port thief could
    answer for it; the start failed)."""
    task = asyncio.ensure_future(check)
    try:
        await asyncio.wait([task, *stops], timeout=within_s, return_when=asyncio.FIRST_COMPLETED)
    finally:
        task.cancel()
    if not task.done() or task.cancelled() or any(stop.done() for stop in stops):
        return False
    if (error := task.exception()) is not None:
        log.warning("probe raised model=%s error=%r", name, error)
        return False
    return bool(task.result())


def _escaped(pgid: int) -> set[tuple[int, float]]:
    """(pid, start time) of the group leader's descendants in another process group."""
    found = set()
    for proc in tree(pgid)[1:]:
        try:
            if os.getpgid(proc.pid) != pgid:
                found.add((proc.pid, proc.create_time()))
        except (OSError, psutil.Error):
            continue
    return found


def _in_thread(read: Callable[[set[int]], int]) -> GpuMemory:
    """NVML calls block: keep them off the event loop."""

    async def reading(pids: set[int]) -> int:
        return await asyncio.to_thread(read, pids)

    return reading


def _port_taken(model: _Model) -> bool:
    """The server died at start saying its port was in use (llama-server, uvicorn)."""
    if model.ready_at or "while starting" not in model.last_error:
        return False
    tail = list(model.logs.lines)[-PORT_ERROR_LINES:]
    return any("address already in use" in line.lower() for line in tail)


def _exit_reason(when: str, process: ManagedProcess) -> str:
    code = process.returncode
    how = f"killed by signal {-code}" if code is not None and code < 0 else f"exited {code}"
    line = error_line(list(process.logs.lines))
    return f"server {how} {when}" + (f": {line}" if line else "")


def error_line(lines: list[str]) -> str:
    """The server's own account of a failure: the last of its last lines that says error
    or failed (not a traceback's indented source line), else its last line."""
    for line in reversed(lines[-30:]):
        if line[:1].strip() and any(word in line.lower() for word in ERROR_WORDS):
            return line.strip()
    return next((line.strip() for line in reversed(lines) if line.strip()), "")


def _record_end(model: _Model, process: ManagedProcess, by_itself: bool) -> None:
    """How the run ended, for the status: exit code or signal, and its last lines."""
    code = process.returncode if by_itself else None
    model.exited = by_itself
    model.exit_code = code if code is not None and code > 0 else 0
    model.exit_signal = -code if code is not None and code < 0 else 0
    model.last_lines = tuple(process.logs.lines)[-LAST_LINES:]
    model.pid = 0
