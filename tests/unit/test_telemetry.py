"""Telemetry on this CPU machine (psutil) and through a fake NVML module: discrete GPUs,
unified memory (GB10: memory info NOT_SUPPORTED, or total ≈ host RAM), fields that fail
(MIG has no utilisation), PCI-bus-id order, and the per-model rate counter."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import psutil
import pytest
from trinity.agent.telemetry import RateCounter, Telemetry, read_meminfo

GIB = 1024**3


class FakeNVMLError(Exception):
    def __init__(self, value: int) -> None:
        super().__init__(f"NVML error {value}")
        self.value = value


@dataclass
class FakeDevice:
    name: str
    bus_id: str
    total: int | None  # None = memory info NOT_SUPPORTED
    used: int = 0
    util: int | None = 37  # None = NOT_SUPPORTED (MIG)
    power_mw: int = 150_000
    temp: int = 55
    processes: list[int | None] = field(default_factory=list)


class FakeNvml:
    """The pynvml surface Telemetry uses, over a list of FakeDevice."""

    NVML_ERROR_NOT_SUPPORTED = 3
    NVML_TEMPERATURE_GPU = 0
    NVMLError = FakeNVMLError

    def __init__(self, devices: list[FakeDevice]) -> None:
        self.devices = devices
        self.shutdowns = 0

    def _unsupported(self) -> FakeNVMLError:
        return FakeNVMLError(self.NVML_ERROR_NOT_SUPPORTED)

    def nvmlShutdown(self) -> None:
        self.shutdowns += 1

    def nvmlDeviceGetCount(self) -> int:
        return len(self.devices)

    def nvmlDeviceGetHandleByIndex(self, index: int) -> FakeDevice:
        return self.devices[index]

    def nvmlDeviceGetName(self, h: FakeDevice) -> bytes:
        return h.name.encode()  # older pynvml returns bytes

    def nvmlDeviceGetUUID(self, h: FakeDevice) -> str:
        return f"GPU-{h.bus_id}"

    def nvmlDeviceGetPciInfo(self, h: FakeDevice) -> SimpleNamespace:
        return SimpleNamespace(busId=h.bus_id)

    def nvmlDeviceGetMemoryInfo(self, h: FakeDevice) -> SimpleNamespace:
        if h.total is None:
            raise self._unsupported()
        return SimpleNamespace(total=h.total, used=h.used, free=h.total - h.used)

    def nvmlDeviceGetComputeRunningProcesses(self, h: FakeDevice) -> list[SimpleNamespace]:
        return [SimpleNamespace(pid=100 + i, usedGpuMemory=m) for i, m in enumerate(h.processes)]

    def nvmlDeviceGetUtilizationRates(self, h: FakeDevice) -> SimpleNamespace:
        if h.util is None:
            raise self._unsupported()
        return SimpleNamespace(gpu=h.util, memory=10)

    def nvmlDeviceGetPowerUsage(self, h: FakeDevice) -> int:
        return h.power_mw

    def nvmlDeviceGetTemperature(self, h: FakeDevice, sensor: int) -> int:
        assert sensor == self.NVML_TEMPERATURE_GPU
        return h.temp


def _meminfo(tmp_path: Path, total: int, available: int) -> Path:
    path = tmp_path / "meminfo"
    path.write_text(
        f"MemTotal:       {total // 1024} kB\n"
        f"MemFree:        {available // 4096} kB\n"
        f"MemAvailable:   {available // 1024} kB\n"
    )
    return path


def test_psutil_path_on_a_machine_without_nvml() -> None:
    telemetry = Telemetry(use_nvml=False)
    sample = telemetry.sample()
    vm = psutil.virtual_memory()
    assert telemetry.source == "psutil" and sample.source == "psutil"
    assert telemetry.gpus() == [] and sample.gpus == ()
    assert sample.system_memory_total_bytes == vm.total
    assert 0 < sample.system_memory_used_bytes < vm.total
    assert 0.0 <= sample.cpu_pct <= 100.0
    # Headroom on a CPU node is MemAvailable (not MemFree).
    assert telemetry.free_memory_bytes() == pytest.approx(read_meminfo()["MemAvailable"], rel=0.2)


def test_real_nvml_absent_here_falls_back_to_psutil() -> None:
    # This CI machine has no NVIDIA driver: the real pynvml must fail to init, quietly.
    assert Telemetry().source in ("psutil", "nvml", "nvml+psutil")
    if not Path("/dev/nvidiactl").exists():
        assert Telemetry().source == "psutil"


def test_discrete_gpus_read_from_nvml(tmp_path: Path) -> None:
    nvml = FakeNvml(
        [
            FakeDevice("NVIDIA H100", "00000000:C1:00.0", total=80 * GIB, used=20 * GIB),
            FakeDevice("NVIDIA H100", "00000000:41:00.0", total=80 * GIB, used=70 * GIB, temp=61),
        ]
    )
    telemetry = Telemetry(nvml, meminfo=_meminfo(tmp_path, 512 * GIB, 400 * GIB))
    gpus = telemetry.gpus()
    sample = telemetry.sample()
    assert telemetry.source == "nvml" and sample.source == "nvml"
    # Ordered by PCI bus id; the NVML index is kept as NVML gave it.
    assert [(g.pci_bus_id, g.index) for g in gpus] == [
        ("00000000:41:00.0", 1),
        ("00000000:C1:00.0", 0),
    ]
    assert gpus[0].name == "NVIDIA H100" and gpus[0].uuid == "GPU-00000000:41:00.0"
    assert not any(g.unified_memory for g in gpus)
    first = sample.gpus[0]
    assert (first.memory_used_bytes, first.memory_total_bytes) == (70 * GIB, 80 * GIB)
    assert (first.utilization_pct, first.power_w, first.temperature_c) == (37.0, 150.0, 61.0)
    assert telemetry.free_memory_bytes() == 10 * GIB  # the least free GPU


def test_unified_memory_when_memory_info_is_not_supported(tmp_path: Path) -> None:
    nvml = FakeNvml(
        [FakeDevice("NVIDIA GB10", "00000000:01:00.0", total=None, processes=[3 * GIB, None, GIB])]
    )
    telemetry = Telemetry(nvml, meminfo=_meminfo(tmp_path, 120 * GIB, 90 * GIB))
    (gpu,) = telemetry.gpus()
    (reading,) = telemetry.sample().gpus
    assert telemetry.source == "nvml+psutil"
    assert gpu.unified_memory and gpu.memory_total_bytes == 120 * GIB
    # Model memory = the processes' own usage, never MemTotal - MemAvailable (30 GiB here).
    assert reading.memory_used_bytes == 4 * GIB and reading.unified_memory
    assert telemetry.free_memory_bytes() == 90 * GIB  # MemAvailable


def test_unified_memory_when_device_total_is_about_host_ram(tmp_path: Path) -> None:
    nvml = FakeNvml(
        [
            FakeDevice(
                "NVIDIA GB10", "00000000:01:00.0", total=119 * GIB, used=60 * GIB, processes=[GIB]
            )
        ]
    )
    telemetry = Telemetry(nvml, meminfo=_meminfo(tmp_path, 120 * GIB, 100 * GIB))
    (reading,) = telemetry.sample().gpus
    assert telemetry.source == "nvml+psutil"
    assert reading.memory_used_bytes == GIB
    assert telemetry.free_memory_bytes() == 100 * GIB


def test_missing_fields_read_zero_and_are_logged_once(tmp_path: Path, caplog) -> None:
    nvml = FakeNvml([FakeDevice("MIG 1g.10gb", "00000000:41:00.0", total=10 * GIB, util=None)])
    telemetry = Telemetry(nvml, meminfo=_meminfo(tmp_path, 512 * GIB, 400 * GIB))
    with caplog.at_level("INFO", logger="trinity.agent.telemetry"):
        readings = [telemetry.sample().gpus[0] for _ in range(3)]
    assert [r.utilization_pct for r in readings] == [0.0, 0.0, 0.0]
    assert readings[0].power_w == 150.0  # the other fields still read
    assert sum("field=utilization" in r.message for r in caplog.records) == 1


def test_a_field_that_raises_anything_does_not_stop_sampling(tmp_path: Path) -> None:
    nvml = FakeNvml([FakeDevice("NVIDIA H100", "00000000:41:00.0", total=80 * GIB)])

    def broken(handle):
        raise RuntimeError("driver hiccup")

    nvml.nvmlDeviceGetPowerUsage = broken  # type: ignore[method-assign]
    telemetry = Telemetry(nvml, meminfo=_meminfo(tmp_path, 512 * GIB, 400 * GIB))
    (reading,) = telemetry.sample().gpus
    assert reading.power_w == 0.0 and reading.temperature_c == 55.0


def test_nvml_with_no_devices_is_psutil_and_shuts_nvml_down(tmp_path: Path) -> None:
    nvml = FakeNvml([])
    telemetry = Telemetry(nvml, meminfo=_meminfo(tmp_path, 64 * GIB, 32 * GIB))
    assert telemetry.source == "psutil" and nvml.shutdowns == 1
    assert telemetry.free_memory_bytes() == 32 * GIB


def test_rate_counter_windows_are_independent() -> None:
    now = [0.0]
    counter = RateCounter(clock=lambda: now[0])
    a, b = counter.window(), counter.window()
    counter.add("m1", 30)
    counter.add("m2", 10)
    now[0] = 2.0
    assert a.rates() == {"m1": 15.0, "m2": 5.0}
    counter.add("m1", 40)
    now[0] = 4.0
    assert a.rates() == {"m1": 20.0, "m2": 0.0}
    assert b.rates() == {"m1": 17.5, "m2": 2.5}  # b was never read: its own baseline


def test_sample_reports_model_rates() -> None:
    now = [0.0]
    telemetry = Telemetry(use_nvml=False, rates=RateCounter(clock=lambda: now[0]))
    window = telemetry.rates.window()
    telemetry.rates.add("smollm2", 80)
    now[0] = 1.0
    (rate,) = telemetry.sample(window).models
    assert (rate.name, rate.generated_tok_s) == ("smollm2", 80.0)


def test_process_gpu_memory_sums_the_given_pids_over_every_gpu(tmp_path: Path) -> None:
    nvml = FakeNvml([
        FakeDevice("NVIDIA H100", "00000000:41:00.0", total=80 * GIB, processes=[GIB, 2 * GIB]),
        FakeDevice("NVIDIA GB10", "00000000:01:00.0", total=None, processes=[4 * GIB, None]),
    ])  # fmt: skip
    telemetry = Telemetry(nvml, meminfo=_meminfo(tmp_path, 120 * GIB, 90 * GIB))
    # The fake numbers processes 100, 101, ... on each device.
    assert telemetry.process_gpu_memory({101}) == 2 * GIB
    assert telemetry.process_gpu_memory({100, 101}) == 7 * GIB  # 1 + 2, and 4 on the GB10
    assert telemetry.process_gpu_memory({999}) == 0
    assert Telemetry(use_nvml=False).process_gpu_memory({100}) == 0
