"""Proto messages ↔ the agent's plain dataclasses, in one place, so no library module
imports generated code and the servicer stays a thin edge."""

from __future__ import annotations

from typing import Any

from trinity.agent.generate import ChatMessage, GenerateOutcome, GenerateParams
from trinity.agent.sandbox import ExecuteOutcome, ExecuteSpec, ExecuteStatus, Limits
from trinity.agent.spec import ModelSpec, ModelState, ModelStatus
from trinity.agent.telemetry import GpuInfoData, TelemetrySampleData
from trinity.v1 import agent_pb2 as pb

STATE_TO_PROTO = {
    ModelState.STARTING: pb.MODEL_STATE_STARTING,
    ModelState.READY: pb.MODEL_STATE_READY,
    ModelState.UNHEALTHY: pb.MODEL_STATE_UNHEALTHY,
    ModelState.FAILED: pb.MODEL_STATE_FAILED,
    ModelState.STOPPED: pb.MODEL_STATE_STOPPED,
}


def spec_from_proto(msg: pb.ModelSpec) -> ModelSpec:
    return ModelSpec(
        name=msg.name,
        backend=msg.backend,
        model=msg.model,
        served_name=msg.served_name,
        context_length=msg.context_length,
        gpu_memory_fraction=msg.gpu_memory_fraction,
        quantization=msg.quantization,
        extra_args=tuple(msg.extra_args),
        gpu_layers=msg.gpu_layers,
        min_free_memory_bytes=msg.min_free_memory_bytes,
    )


def spec_to_proto(spec: ModelSpec) -> pb.ModelSpec:
    return pb.ModelSpec(
        name=spec.name,
        backend=spec.backend,
        model=spec.model,
        served_name=spec.served_name,
        context_length=spec.context_length,
        gpu_memory_fraction=spec.gpu_memory_fraction,
        quantization=spec.quantization,
        extra_args=list(spec.extra_args),
        gpu_layers=spec.gpu_layers,
        min_free_memory_bytes=spec.min_free_memory_bytes,
    )


def status_to_proto(status: ModelStatus) -> pb.ModelStatus:
    return pb.ModelStatus(
        spec=spec_to_proto(status.spec),
        state=STATE_TO_PROTO.get(status.state, pb.MODEL_STATE_UNSPECIFIED),
        pid=status.pid,
        port=status.port,
        restarts=status.restarts,
        last_error=status.last_error,
        started_at=status.started_at,
        ready_at=status.ready_at,
        command=list(status.command),
        exit_code=status.exit_code,
        exit_signal=status.exit_signal,
        last_lines=list(status.last_lines),
        detail=status.detail,
    )


def _optional(msg: Any, name: str) -> Any:
    return getattr(msg, name) if msg.HasField(name) else None


def params_from_proto(msg: pb.GenerateRequest) -> GenerateParams:
    return GenerateParams(
        model=msg.model,
        messages=tuple(ChatMessage(role=m.role, content=m.content) for m in msg.messages),
        max_tokens=msg.max_tokens,
        temperature=_optional(msg, "temperature"),
        top_p=_optional(msg, "top_p"),
        top_k=_optional(msg, "top_k"),
        seed=_optional(msg, "seed"),
        stop=tuple(msg.stop),
        enable_thinking=_optional(msg, "enable_thinking"),
        timeout_s=msg.timeout_s,
        ignore_eos=msg.ignore_eos,
        min_p=_optional(msg, "min_p"),
        presence_penalty=_optional(msg, "presence_penalty"),
    )


def outcome_to_proto(outcome: GenerateOutcome) -> pb.GenerateResult:
    return pb.GenerateResult(
        text=outcome.text,
        reasoning=outcome.reasoning,
        finish_reason=outcome.finish_reason,
        usage=pb.Usage(
            prompt_tokens=outcome.prompt_tokens,
            completion_tokens=outcome.completion_tokens,
            cached_tokens=outcome.cached_tokens,
        ),
        ttft_s=outcome.ttft_s,
        decode_tok_s=outcome.decode_tok_s,
        total_s=outcome.total_s,
        chunks=outcome.chunks,
        usage_from_server=outcome.usage_from_server,
    )


def gpu_info_to_proto(gpu: GpuInfoData) -> pb.GpuInfo:
    return pb.GpuInfo(
        index=gpu.index,
        name=gpu.name,
        uuid=gpu.uuid,
        pci_bus_id=gpu.pci_bus_id,
        memory_total_bytes=gpu.memory_total_bytes,
        unified_memory=gpu.unified_memory,
    )


def backend_info_to_proto(name: str, info: Any) -> pb.BackendInfo:
    """`info` is a backend's BackendAvailability (available, command, detail)."""
    return pb.BackendInfo(
        name=name,
        available=bool(info.available),
        command=list(info.command),
        detail=info.detail,
    )


def sample_to_proto(sample: TelemetrySampleData) -> pb.TelemetrySample:
    return pb.TelemetrySample(
        timestamp=sample.timestamp,
        source=sample.source,
        gpus=[
            pb.GpuSample(
                index=g.index,
                name=g.name,
                memory_used_bytes=g.memory_used_bytes,
                memory_total_bytes=g.memory_total_bytes,
                utilization_pct=g.utilization_pct,
                power_w=g.power_w,
                temperature_c=g.temperature_c,
                unified_memory=g.unified_memory,
            )
            for g in sample.gpus
        ],
        system_memory_used_bytes=sample.system_memory_used_bytes,
        system_memory_total_bytes=sample.system_memory_total_bytes,
        cpu_pct=sample.cpu_pct,
        models=[
            pb.ModelRate(name=m.name, generated_tok_s=m.generated_tok_s) for m in sample.models
        ],
    )


def execute_spec_from_proto(request: pb.ExecuteRequest) -> ExecuteSpec:
    """The request's files, checks and limits (zero limits: the node's defaults)."""
    limits = request.limits
    return ExecuteSpec(
        files=tuple((f.path, f.content) for f in request.files),
        test_file=request.test_file,
        checks=tuple(request.checks),
        limits=Limits(
            wall_s=limits.wall_s,
            cpu_s=limits.cpu_s,
            memory_bytes=limits.memory_bytes,
            processes=limits.processes,
            file_size_bytes=limits.file_size_bytes,
            open_files=limits.open_files,
            output_bytes=limits.output_bytes,
        ),
        expected={e.check: e.json for e in request.expected},
    )


def execute_outcome_to_proto(outcome: ExecuteOutcome) -> pb.ExecuteResult:
    return pb.ExecuteResult(
        status=EXECUTE_STATUS[outcome.status],
        checks=[
            pb.CheckResult(
                name=c.name,
                passed=c.passed,
                message=c.message,
                value_json=c.value_json,
                duration_s=c.duration_s,
            )
            for c in outcome.checks
        ],
        declared=outcome.declared,
        passed=outcome.passed,
        score=outcome.score,
        duration_s=outcome.duration_s,
        peak_memory_bytes=outcome.peak_memory_bytes,
        stdout_tail=outcome.stdout_tail,
        stderr_tail=outcome.stderr_tail,
        sandbox=outcome.sandbox,
        forged_records=outcome.forged_records,
    )


EXECUTE_STATUS = {
    ExecuteStatus.PASSED: pb.EXECUTE_STATUS_PASSED,
    ExecuteStatus.FAILED: pb.EXECUTE_STATUS_FAILED,
    ExecuteStatus.ERROR: pb.EXECUTE_STATUS_ERROR,
    ExecuteStatus.TIMEOUT: pb.EXECUTE_STATUS_TIMEOUT,
    ExecuteStatus.OUT_OF_MEMORY: pb.EXECUTE_STATUS_OUT_OF_MEMORY,
    ExecuteStatus.KILLED: pb.EXECUTE_STATUS_KILLED,
}
