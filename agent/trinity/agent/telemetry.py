"""What the node's hardware is doing: GPUs through NVML, else the host through psutil,
plus the tokens per second the agent itself has generated per model.

NVML facts this follows (shared/RECIPES.md): devices are named by PCI bus id, not by
CUDA's index; on unified-memory devices (GB10 / DGX Spark) memory info is unsupported or
reports the host's RAM, so model memory is the sum of per-process usage and headroom is
MemAvailable; MIG instances have no utilisation. Any single NVML field that fails reads
0 and is logged once, so one odd device never stops the daemon.

NVML calls block; the server runs `sample()` in a thread executor.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import psutil

log = logging.getLogger(__name__)

UNIFIED_SHARE = 0.9  # device "total" at least this share of host RAM = unified memory
MEMINFO = Path("/proc/meminfo")


@dataclass(frozen=True)
class GpuInfoData:
    """A GPU as NVML names it; mirrors trinity.v1.GpuInfo."""

    index: int
    name: str
    uuid: str
    pci_bus_id: str
    memory_total_bytes: int
    unified_memory: bool


@dataclass(frozen=True)
class GpuSampleData:
    """One reading of one GPU; mirrors trinity.v1.GpuSample."""

    index: int
    name: str
    memory_used_bytes: int
    memory_total_bytes: int
    utilization_pct: float
    power_w: float
    temperature_c: float
    unified_memory: bool


@dataclass(frozen=True)
class ModelRateData:
    """Tokens per second the agent generated for one model; mirrors trinity.v1.ModelRate."""

    name: str
    generated_tok_s: float


@dataclass(frozen=True)
class TelemetrySampleData:
    """One reading of the node; mirrors trinity.v1.TelemetrySample."""

    timestamp: float
    source: str  # "nvml" | "psutil" | "nvml+psutil"
    gpus: tuple[GpuSampleData, ...]
    system_memory_used_bytes: int
    system_memory_total_bytes: int
    cpu_pct: float
    models: tuple[ModelRateData, ...]


class RateCounter:
    """Generated tokens per model, fed by the generate path; read through windows."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._totals: dict[str, int] = {}
        self._lock = threading.Lock()  # fed on the loop, read from the executor
        self.clock = clock

    def add(self, model: str, tokens: int) -> None:
        if tokens <= 0:
            return
        with self._lock:
            self._totals[model] = self._totals.get(model, 0) + tokens

    def totals(self) -> dict[str, int]:
        with self._lock:
            return dict(self._totals)

    def window(self) -> RateWindow:
        """A reader with its own baseline, so several watchers do not steal counts."""
        return RateWindow(self)


class RateWindow:
    """tok/s per model since this window was last read."""

    def __init__(self, counter: RateCounter) -> None:
        self._counter = counter
        self._last = counter.totals()
        self._at = counter.clock()

    def rates(self) -> dict[str, float]:
        now, totals = self._counter.clock(), self._counter.totals()
        elapsed = now - self._at
        rates = {
            name: (total - self._last.get(name, 0)) / elapsed if elapsed > 0 else 0.0
            for name, total in totals.items()
        }
        self._last, self._at = totals, now
        return rates


def read_meminfo(path: Path = MEMINFO) -> dict[str, int]:
    """/proc/meminfo in bytes (MemTotal, MemAvailable, ...); {} where it does not exist."""
    try:
        text = path.read_text()
    except OSError:
        return {}
    out: dict[str, int] = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        fields = rest.split()
        if fields and fields[0].isdigit():
            scale = 1024 if len(fields) > 1 and fields[1] == "kB" else 1
            out[key] = int(fields[0]) * scale
    return out


def _text(value: Any) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def load_nvml() -> ModuleType | None:
    """pynvml initialised, or None where there is no driver (CPU machine)."""
    try:
        import pynvml

        pynvml.nvmlInit()
    except Exception as exc:  # any failure here just means "no NVML"
        log.info("nvml unavailable, using psutil reason=%r", str(exc))
        return None
    return pynvml


class Telemetry:
    """GPU and host readings; `nvml` is injectable (a fake module in tests)."""

    def __init__(
        self,
        nvml: ModuleType | Any | None = None,
        *,
        use_nvml: bool = True,
        meminfo: Path = MEMINFO,
        rates: RateCounter | None = None,
    ) -> None:
        self._nvml: Any = nvml if nvml is not None else (load_nvml() if use_nvml else None)
        self._meminfo = meminfo
        self._failed: set[tuple[int, str]] = set()
        self.rates = rates or RateCounter()
        self._window = self.rates.window()
        self._handles: list[Any] = []
        self._gpus: tuple[GpuInfoData, ...] = ()
        if self._nvml is not None:
            self._gpus = self._discover()
        if not self._gpus and self._nvml is not None:
            self.close()
        psutil.cpu_percent(interval=None)  # prime: the first call always reads 0.0

    @property
    def source(self) -> str:
        if not self._gpus:
            return "psutil"
        return "nvml+psutil" if any(g.unified_memory for g in self._gpus) else "nvml"

    def gpus(self) -> list[GpuInfoData]:
        return list(self._gpus)

    def close(self) -> None:
        if self._nvml is not None:
            self._field(-1, "shutdown", self._nvml.nvmlShutdown)
            self._nvml = None
            self._gpus = ()

    # ------------------------------------------------------------------ discovery

    def _discover(self) -> tuple[GpuInfoData, ...]:
        nv = self._nvml
        count = self._field(-1, "count", nv.nvmlDeviceGetCount)
        host_total = self._host_memory()[0]
        gpus = []
        for index in range(count):
            handle = self._field(
                index, "handle", nv.nvmlDeviceGetHandleByIndex, index, default=None
            )
            if handle is None:
                continue
            total, unified = self._memory_total(index, handle, host_total)
            pci = self._field(index, "pci", nv.nvmlDeviceGetPciInfo, handle, default=None)
            gpus.append(
                GpuInfoData(
                    index=index,
                    name=_text(
                        self._field(index, "name", nv.nvmlDeviceGetName, handle, default="")
                    ),
                    uuid=_text(
                        self._field(index, "uuid", nv.nvmlDeviceGetUUID, handle, default="")
                    ),
                    pci_bus_id=_text(getattr(pci, "busId", "")) if pci is not None else "",
                    memory_total_bytes=total,
                    unified_memory=unified,
                )
            )
            self._handles.append(handle)
        # NVML's index is not CUDA's; the PCI bus id is the name both agree on.
        order = sorted(range(len(gpus)), key=lambda i: gpus[i].pci_bus_id)
        self._handles = [self._handles[i] for i in order]
        return tuple(gpus[i] for i in order)

    def _memory_total(self, index: int, handle: Any, host_total: int) -> tuple[int, bool]:
        """(total bytes, unified?) — unified when unsupported or about the host's RAM."""
        nv = self._nvml
        try:
            info = nv.nvmlDeviceGetMemoryInfo(handle)
        except nv.NVMLError as exc:
            if getattr(exc, "value", None) == nv.NVML_ERROR_NOT_SUPPORTED:
                return host_total, True
            self._log_once(index, "memory", exc)
            return 0, False
        total = int(info.total)
        if host_total and total >= UNIFIED_SHARE * host_total:
            return host_total, True
        return total, False

    # ------------------------------------------------------------------ readings

    def sample(self, window: RateWindow | None = None) -> TelemetrySampleData:
        """Read everything now; model rates since `window` was last read (or our own)."""
        used, total = self._system_memory()
        rates = (window or self._window).rates()
        return TelemetrySampleData(
            timestamp=time.time(),
            source=self.source,
            gpus=tuple(
                self._sample_gpu(g, h) for g, h in zip(self._gpus, self._handles, strict=True)
            ),
            system_memory_used_bytes=used,
            system_memory_total_bytes=total,
            cpu_pct=float(psutil.cpu_percent(interval=None)),
            models=tuple(ModelRateData(n, r) for n, r in sorted(rates.items())),
        )

    def free_memory_bytes(self) -> int:
        """Headroom for a new model: the least free GPU, or MemAvailable (CPU/unified)."""
        frees = [self._gpu_free(g, h) for g, h in zip(self._gpus, self._handles, strict=True)]
        return min(frees) if frees else self._host_memory()[1]

    def free_memory_source(self) -> str:
        """Where free_memory_bytes comes from, for messages."""
        if not self._gpus:
            return "host MemAvailable, no GPU"
        if any(g.unified_memory for g in self._gpus):
            return "host MemAvailable, unified memory"
        return "NVML, the GPU with the least free" if len(self._gpus) > 1 else "NVML"

    def process_gpu_memory(self, pids: set[int]) -> int:
        """GPU memory the given processes hold, over every GPU (NVML's per-process
        usedGpuMemory, which works on unified-memory boards too); 0 without NVML."""
        total = 0
        for gpu, handle in zip(self._gpus, self._handles, strict=True):
            procs = self._field(gpu.index, "processes",
                                self._nvml.nvmlDeviceGetComputeRunningProcesses, handle,
                                default=())  # fmt: skip
            total += sum(int(p.usedGpuMemory or 0) for p in procs if p.pid in pids)
        return total

    def total_memory_bytes(self) -> int:
        """The smallest GPU's memory (a vLLM memory fraction applies per GPU); 0 without
        a GPU, where a GPU fraction means nothing (vLLM on CPU sizes its KV cache itself)."""
        return min((g.memory_total_bytes for g in self._gpus), default=0)

    def _gpu_free(self, gpu: GpuInfoData, handle: Any) -> int:
        if gpu.unified_memory:
            return self._host_memory()[1]
        info = self._field(
            gpu.index, "memory", self._nvml.nvmlDeviceGetMemoryInfo, handle, default=None
        )
        return int(info.free) if info is not None else 0

    def _sample_gpu(self, gpu: GpuInfoData, handle: Any) -> GpuSampleData:
        nv, i = self._nvml, gpu.index
        util = self._field(i, "utilization", nv.nvmlDeviceGetUtilizationRates, handle, default=None)
        power_mw = self._field(i, "power", nv.nvmlDeviceGetPowerUsage, handle, default=0)
        temp = self._field(
            i,
            "temperature",
            nv.nvmlDeviceGetTemperature,
            handle,
            nv.NVML_TEMPERATURE_GPU,
            default=0,
        )
        return GpuSampleData(
            index=i,
            name=gpu.name,
            memory_used_bytes=self._memory_used(gpu, handle),
            memory_total_bytes=gpu.memory_total_bytes,
            utilization_pct=float(getattr(util, "gpu", 0) or 0),
            power_w=float(power_mw or 0) / 1000.0,
            temperature_c=float(temp or 0),
            unified_memory=gpu.unified_memory,
        )

    def _memory_used(self, gpu: GpuInfoData, handle: Any) -> int:
        nv = self._nvml
        if gpu.unified_memory:
            # Never MemTotal - MemAvailable: an idle GB10 would show tens of GiB "used".
            procs = self._field(
                gpu.index, "processes", nv.nvmlDeviceGetComputeRunningProcesses, handle, default=()
            )
            return sum(int(p.usedGpuMemory or 0) for p in procs)
        info = self._field(gpu.index, "memory", nv.nvmlDeviceGetMemoryInfo, handle, default=None)
        return int(info.used) if info is not None else 0

    def _system_memory(self) -> tuple[int, int]:
        vm = psutil.virtual_memory()
        return int(vm.total - vm.available), int(vm.total)

    def _host_memory(self) -> tuple[int, int]:
        """(MemTotal, MemAvailable) from /proc/meminfo, psutil where it is absent."""
        info = read_meminfo(self._meminfo)
        if "MemTotal" in info and "MemAvailable" in info:
            return info["MemTotal"], info["MemAvailable"]
        vm = psutil.virtual_memory()
        return int(vm.total), int(vm.available)

    # ------------------------------------------------------------------ failures

    def _field(
        self, index: int, field: str, fn: Callable[..., Any], *args: Any, default: Any = 0
    ) -> Any:
        """fn(*args), or `default` when NVML refuses (logged once per device and field)."""
        try:
            return fn(*args)
        except Exception as exc:  # NVMLError and driver oddities alike: a field reads 0
            self._log_once(index, field, exc)
            return default

    def _log_once(self, index: int, field: str, exc: BaseException) -> None:
        if (index, field) not in self._failed:
            self._failed.add((index, field))
            log.info("nvml field unavailable gpu=%d field=%s reason=%r", index, field, str(exc))
