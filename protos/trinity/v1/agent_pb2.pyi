from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ModelState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MODEL_STATE_UNSPECIFIED: _ClassVar[ModelState]
    MODEL_STATE_STARTING: _ClassVar[ModelState]
    MODEL_STATE_READY: _ClassVar[ModelState]
    MODEL_STATE_UNHEALTHY: _ClassVar[ModelState]
    MODEL_STATE_FAILED: _ClassVar[ModelState]
    MODEL_STATE_STOPPED: _ClassVar[ModelState]

class ExecuteStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EXECUTE_STATUS_UNSPECIFIED: _ClassVar[ExecuteStatus]
    EXECUTE_STATUS_PASSED: _ClassVar[ExecuteStatus]
    EXECUTE_STATUS_FAILED: _ClassVar[ExecuteStatus]
    EXECUTE_STATUS_ERROR: _ClassVar[ExecuteStatus]
    EXECUTE_STATUS_TIMEOUT: _ClassVar[ExecuteStatus]
    EXECUTE_STATUS_OUT_OF_MEMORY: _ClassVar[ExecuteStatus]
    EXECUTE_STATUS_KILLED: _ClassVar[ExecuteStatus]
MODEL_STATE_UNSPECIFIED: ModelState
MODEL_STATE_STARTING: ModelState
MODEL_STATE_READY: ModelState
MODEL_STATE_UNHEALTHY: ModelState
MODEL_STATE_FAILED: ModelState
MODEL_STATE_STOPPED: ModelState
EXECUTE_STATUS_UNSPECIFIED: ExecuteStatus
EXECUTE_STATUS_PASSED: ExecuteStatus
EXECUTE_STATUS_FAILED: ExecuteStatus
EXECUTE_STATUS_ERROR: ExecuteStatus
EXECUTE_STATUS_TIMEOUT: ExecuteStatus
EXECUTE_STATUS_OUT_OF_MEMORY: ExecuteStatus
EXECUTE_STATUS_KILLED: ExecuteStatus

class GetNodeInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GpuInfo(_message.Message):
    __slots__ = ("index", "name", "uuid", "pci_bus_id", "memory_total_bytes", "unified_memory")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    PCI_BUS_ID_FIELD_NUMBER: _ClassVar[int]
    MEMORY_TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    UNIFIED_MEMORY_FIELD_NUMBER: _ClassVar[int]
    index: int
    name: str
    uuid: str
    pci_bus_id: str
    memory_total_bytes: int
    unified_memory: bool
    def __init__(self, index: _Optional[int] = ..., name: _Optional[str] = ..., uuid: _Optional[str] = ..., pci_bus_id: _Optional[str] = ..., memory_total_bytes: _Optional[int] = ..., unified_memory: _Optional[bool] = ...) -> None: ...

class BackendInfo(_message.Message):
    __slots__ = ("name", "available", "command", "detail")
    NAME_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    name: str
    available: bool
    command: _containers.RepeatedScalarFieldContainer[str]
    detail: str
    def __init__(self, name: _Optional[str] = ..., available: _Optional[bool] = ..., command: _Optional[_Iterable[str]] = ..., detail: _Optional[str] = ...) -> None: ...

class NodeInfo(_message.Message):
    __slots__ = ("hostname", "agent_version", "gpus", "backends", "cpu_count", "memory_total_bytes", "telemetry_source", "sandbox")
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    AGENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    GPUS_FIELD_NUMBER: _ClassVar[int]
    BACKENDS_FIELD_NUMBER: _ClassVar[int]
    CPU_COUNT_FIELD_NUMBER: _ClassVar[int]
    MEMORY_TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    TELEMETRY_SOURCE_FIELD_NUMBER: _ClassVar[int]
    SANDBOX_FIELD_NUMBER: _ClassVar[int]
    hostname: str
    agent_version: str
    gpus: _containers.RepeatedCompositeFieldContainer[GpuInfo]
    backends: _containers.RepeatedCompositeFieldContainer[BackendInfo]
    cpu_count: int
    memory_total_bytes: int
    telemetry_source: str
    sandbox: str
    def __init__(self, hostname: _Optional[str] = ..., agent_version: _Optional[str] = ..., gpus: _Optional[_Iterable[_Union[GpuInfo, _Mapping]]] = ..., backends: _Optional[_Iterable[_Union[BackendInfo, _Mapping]]] = ..., cpu_count: _Optional[int] = ..., memory_total_bytes: _Optional[int] = ..., telemetry_source: _Optional[str] = ..., sandbox: _Optional[str] = ...) -> None: ...

class ModelSpec(_message.Message):
    __slots__ = ("name", "backend", "model", "served_name", "context_length", "gpu_memory_fraction", "quantization", "extra_args", "gpu_layers", "min_free_memory_bytes")
    NAME_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    SERVED_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_LENGTH_FIELD_NUMBER: _ClassVar[int]
    GPU_MEMORY_FRACTION_FIELD_NUMBER: _ClassVar[int]
    QUANTIZATION_FIELD_NUMBER: _ClassVar[int]
    EXTRA_ARGS_FIELD_NUMBER: _ClassVar[int]
    GPU_LAYERS_FIELD_NUMBER: _ClassVar[int]
    MIN_FREE_MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    name: str
    backend: str
    model: str
    served_name: str
    context_length: int
    gpu_memory_fraction: float
    quantization: str
    extra_args: _containers.RepeatedScalarFieldContainer[str]
    gpu_layers: int
    min_free_memory_bytes: int
    def __init__(self, name: _Optional[str] = ..., backend: _Optional[str] = ..., model: _Optional[str] = ..., served_name: _Optional[str] = ..., context_length: _Optional[int] = ..., gpu_memory_fraction: _Optional[float] = ..., quantization: _Optional[str] = ..., extra_args: _Optional[_Iterable[str]] = ..., gpu_layers: _Optional[int] = ..., min_free_memory_bytes: _Optional[int] = ...) -> None: ...

class ModelStatus(_message.Message):
    __slots__ = ("spec", "state", "pid", "port", "restarts", "last_error", "started_at", "ready_at", "command", "exit_code", "exit_signal", "last_lines", "detail")
    SPEC_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PID_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    RESTARTS_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    READY_AT_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    EXIT_SIGNAL_FIELD_NUMBER: _ClassVar[int]
    LAST_LINES_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    spec: ModelSpec
    state: ModelState
    pid: int
    port: int
    restarts: int
    last_error: str
    started_at: float
    ready_at: float
    command: _containers.RepeatedScalarFieldContainer[str]
    exit_code: int
    exit_signal: int
    last_lines: _containers.RepeatedScalarFieldContainer[str]
    detail: str
    def __init__(self, spec: _Optional[_Union[ModelSpec, _Mapping]] = ..., state: _Optional[_Union[ModelState, str]] = ..., pid: _Optional[int] = ..., port: _Optional[int] = ..., restarts: _Optional[int] = ..., last_error: _Optional[str] = ..., started_at: _Optional[float] = ..., ready_at: _Optional[float] = ..., command: _Optional[_Iterable[str]] = ..., exit_code: _Optional[int] = ..., exit_signal: _Optional[int] = ..., last_lines: _Optional[_Iterable[str]] = ..., detail: _Optional[str] = ...) -> None: ...

class StartModelRequest(_message.Message):
    __slots__ = ("spec", "wait_ready_s")
    SPEC_FIELD_NUMBER: _ClassVar[int]
    WAIT_READY_S_FIELD_NUMBER: _ClassVar[int]
    spec: ModelSpec
    wait_ready_s: float
    def __init__(self, spec: _Optional[_Union[ModelSpec, _Mapping]] = ..., wait_ready_s: _Optional[float] = ...) -> None: ...

class StopModelRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListModelsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListModelsResponse(_message.Message):
    __slots__ = ("models",)
    MODELS_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedCompositeFieldContainer[ModelStatus]
    def __init__(self, models: _Optional[_Iterable[_Union[ModelStatus, _Mapping]]] = ...) -> None: ...

class GetLogsRequest(_message.Message):
    __slots__ = ("name", "lines", "previous")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    name: str
    lines: int
    previous: bool
    def __init__(self, name: _Optional[str] = ..., lines: _Optional[int] = ..., previous: _Optional[bool] = ...) -> None: ...

class GetLogsResponse(_message.Message):
    __slots__ = ("lines",)
    LINES_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, lines: _Optional[_Iterable[str]] = ...) -> None: ...

class ChatMessage(_message.Message):
    __slots__ = ("role", "content")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    role: str
    content: str
    def __init__(self, role: _Optional[str] = ..., content: _Optional[str] = ...) -> None: ...

class GenerateRequest(_message.Message):
    __slots__ = ("model", "messages", "max_tokens", "temperature", "top_p", "top_k", "seed", "stop", "enable_thinking", "timeout_s", "ignore_eos", "min_p", "presence_penalty", "final_only")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    MAX_TOKENS_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    TOP_P_FIELD_NUMBER: _ClassVar[int]
    TOP_K_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    STOP_FIELD_NUMBER: _ClassVar[int]
    ENABLE_THINKING_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_S_FIELD_NUMBER: _ClassVar[int]
    IGNORE_EOS_FIELD_NUMBER: _ClassVar[int]
    MIN_P_FIELD_NUMBER: _ClassVar[int]
    PRESENCE_PENALTY_FIELD_NUMBER: _ClassVar[int]
    FINAL_ONLY_FIELD_NUMBER: _ClassVar[int]
    model: str
    messages: _containers.RepeatedCompositeFieldContainer[ChatMessage]
    max_tokens: int
    temperature: float
    top_p: float
    top_k: int
    seed: int
    stop: _containers.RepeatedScalarFieldContainer[str]
    enable_thinking: bool
    timeout_s: float
    ignore_eos: bool
    min_p: float
    presence_penalty: float
    final_only: bool
    def __init__(self, model: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[ChatMessage, _Mapping]]] = ..., max_tokens: _Optional[int] = ..., temperature: _Optional[float] = ..., top_p: _Optional[float] = ..., top_k: _Optional[int] = ..., seed: _Optional[int] = ..., stop: _Optional[_Iterable[str]] = ..., enable_thinking: _Optional[bool] = ..., timeout_s: _Optional[float] = ..., ignore_eos: _Optional[bool] = ..., min_p: _Optional[float] = ..., presence_penalty: _Optional[float] = ..., final_only: _Optional[bool] = ...) -> None: ...

class Usage(_message.Message):
    __slots__ = ("prompt_tokens", "completion_tokens", "cached_tokens")
    PROMPT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TOKENS_FIELD_NUMBER: _ClassVar[int]
    CACHED_TOKENS_FIELD_NUMBER: _ClassVar[int]
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    def __init__(self, prompt_tokens: _Optional[int] = ..., completion_tokens: _Optional[int] = ..., cached_tokens: _Optional[int] = ...) -> None: ...

class GenerateDelta(_message.Message):
    __slots__ = ("text", "reasoning")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    REASONING_FIELD_NUMBER: _ClassVar[int]
    text: str
    reasoning: str
    def __init__(self, text: _Optional[str] = ..., reasoning: _Optional[str] = ...) -> None: ...

class GenerateResult(_message.Message):
    __slots__ = ("text", "reasoning", "finish_reason", "usage", "ttft_s", "decode_tok_s", "total_s", "chunks", "usage_from_server")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    REASONING_FIELD_NUMBER: _ClassVar[int]
    FINISH_REASON_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    TTFT_S_FIELD_NUMBER: _ClassVar[int]
    DECODE_TOK_S_FIELD_NUMBER: _ClassVar[int]
    TOTAL_S_FIELD_NUMBER: _ClassVar[int]
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    USAGE_FROM_SERVER_FIELD_NUMBER: _ClassVar[int]
    text: str
    reasoning: str
    finish_reason: str
    usage: Usage
    ttft_s: float
    decode_tok_s: float
    total_s: float
    chunks: int
    usage_from_server: bool
    def __init__(self, text: _Optional[str] = ..., reasoning: _Optional[str] = ..., finish_reason: _Optional[str] = ..., usage: _Optional[_Union[Usage, _Mapping]] = ..., ttft_s: _Optional[float] = ..., decode_tok_s: _Optional[float] = ..., total_s: _Optional[float] = ..., chunks: _Optional[int] = ..., usage_from_server: _Optional[bool] = ...) -> None: ...

class GenerateEvent(_message.Message):
    __slots__ = ("delta", "final")
    DELTA_FIELD_NUMBER: _ClassVar[int]
    FINAL_FIELD_NUMBER: _ClassVar[int]
    delta: GenerateDelta
    final: GenerateResult
    def __init__(self, delta: _Optional[_Union[GenerateDelta, _Mapping]] = ..., final: _Optional[_Union[GenerateResult, _Mapping]] = ...) -> None: ...

class File(_message.Message):
    __slots__ = ("path", "content")
    PATH_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    path: str
    content: bytes
    def __init__(self, path: _Optional[str] = ..., content: _Optional[bytes] = ...) -> None: ...

class Limits(_message.Message):
    __slots__ = ("wall_s", "cpu_s", "memory_bytes", "processes", "file_size_bytes", "open_files", "output_bytes")
    WALL_S_FIELD_NUMBER: _ClassVar[int]
    CPU_S_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    PROCESSES_FIELD_NUMBER: _ClassVar[int]
    FILE_SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    OPEN_FILES_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_BYTES_FIELD_NUMBER: _ClassVar[int]
    wall_s: float
    cpu_s: float
    memory_bytes: int
    processes: int
    file_size_bytes: int
    open_files: int
    output_bytes: int
    def __init__(self, wall_s: _Optional[float] = ..., cpu_s: _Optional[float] = ..., memory_bytes: _Optional[int] = ..., processes: _Optional[int] = ..., file_size_bytes: _Optional[int] = ..., open_files: _Optional[int] = ..., output_bytes: _Optional[int] = ...) -> None: ...

class ExpectedValue(_message.Message):
    __slots__ = ("check", "json")
    CHECK_FIELD_NUMBER: _ClassVar[int]
    JSON_FIELD_NUMBER: _ClassVar[int]
    check: str
    json: str
    def __init__(self, check: _Optional[str] = ..., json: _Optional[str] = ...) -> None: ...

class ExecuteRequest(_message.Message):
    __slots__ = ("files", "test_file", "checks", "limits", "expected", "runner")
    FILES_FIELD_NUMBER: _ClassVar[int]
    TEST_FILE_FIELD_NUMBER: _ClassVar[int]
    CHECKS_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_FIELD_NUMBER: _ClassVar[int]
    RUNNER_FIELD_NUMBER: _ClassVar[int]
    files: _containers.RepeatedCompositeFieldContainer[File]
    test_file: str
    checks: _containers.RepeatedScalarFieldContainer[str]
    limits: Limits
    expected: _containers.RepeatedCompositeFieldContainer[ExpectedValue]
    runner: str
    def __init__(self, files: _Optional[_Iterable[_Union[File, _Mapping]]] = ..., test_file: _Optional[str] = ..., checks: _Optional[_Iterable[str]] = ..., limits: _Optional[_Union[Limits, _Mapping]] = ..., expected: _Optional[_Iterable[_Union[ExpectedValue, _Mapping]]] = ..., runner: _Optional[str] = ...) -> None: ...

class CheckResult(_message.Message):
    __slots__ = ("name", "passed", "message", "value_json", "duration_s")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    VALUE_JSON_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    name: str
    passed: bool
    message: str
    value_json: str
    duration_s: float
    def __init__(self, name: _Optional[str] = ..., passed: _Optional[bool] = ..., message: _Optional[str] = ..., value_json: _Optional[str] = ..., duration_s: _Optional[float] = ...) -> None: ...

class ExecuteResult(_message.Message):
    __slots__ = ("status", "checks", "declared", "passed", "score", "duration_s", "peak_memory_bytes", "stdout_tail", "stderr_tail", "sandbox", "forged_records")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHECKS_FIELD_NUMBER: _ClassVar[int]
    DECLARED_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    PEAK_MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    STDOUT_TAIL_FIELD_NUMBER: _ClassVar[int]
    STDERR_TAIL_FIELD_NUMBER: _ClassVar[int]
    SANDBOX_FIELD_NUMBER: _ClassVar[int]
    FORGED_RECORDS_FIELD_NUMBER: _ClassVar[int]
    status: ExecuteStatus
    checks: _containers.RepeatedCompositeFieldContainer[CheckResult]
    declared: int
    passed: int
    score: float
    duration_s: float
    peak_memory_bytes: int
    stdout_tail: str
    stderr_tail: str
    sandbox: str
    forged_records: int
    def __init__(self, status: _Optional[_Union[ExecuteStatus, str]] = ..., checks: _Optional[_Iterable[_Union[CheckResult, _Mapping]]] = ..., declared: _Optional[int] = ..., passed: _Optional[int] = ..., score: _Optional[float] = ..., duration_s: _Optional[float] = ..., peak_memory_bytes: _Optional[int] = ..., stdout_tail: _Optional[str] = ..., stderr_tail: _Optional[str] = ..., sandbox: _Optional[str] = ..., forged_records: _Optional[int] = ...) -> None: ...

class WatchTelemetryRequest(_message.Message):
    __slots__ = ("interval_s", "count")
    INTERVAL_S_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    interval_s: float
    count: int
    def __init__(self, interval_s: _Optional[float] = ..., count: _Optional[int] = ...) -> None: ...

class GpuSample(_message.Message):
    __slots__ = ("index", "name", "memory_used_bytes", "memory_total_bytes", "utilization_pct", "power_w", "temperature_c", "unified_memory")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    MEMORY_USED_BYTES_FIELD_NUMBER: _ClassVar[int]
    MEMORY_TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    UTILIZATION_PCT_FIELD_NUMBER: _ClassVar[int]
    POWER_W_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_C_FIELD_NUMBER: _ClassVar[int]
    UNIFIED_MEMORY_FIELD_NUMBER: _ClassVar[int]
    index: int
    name: str
    memory_used_bytes: int
    memory_total_bytes: int
    utilization_pct: float
    power_w: float
    temperature_c: float
    unified_memory: bool
    def __init__(self, index: _Optional[int] = ..., name: _Optional[str] = ..., memory_used_bytes: _Optional[int] = ..., memory_total_bytes: _Optional[int] = ..., utilization_pct: _Optional[float] = ..., power_w: _Optional[float] = ..., temperature_c: _Optional[float] = ..., unified_memory: _Optional[bool] = ...) -> None: ...

class ModelRate(_message.Message):
    __slots__ = ("name", "generated_tok_s")
    NAME_FIELD_NUMBER: _ClassVar[int]
    GENERATED_TOK_S_FIELD_NUMBER: _ClassVar[int]
    name: str
    generated_tok_s: float
    def __init__(self, name: _Optional[str] = ..., generated_tok_s: _Optional[float] = ...) -> None: ...

class TelemetrySample(_message.Message):
    __slots__ = ("timestamp", "source", "gpus", "system_memory_used_bytes", "system_memory_total_bytes", "cpu_pct", "models")
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    GPUS_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_MEMORY_USED_BYTES_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_MEMORY_TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    CPU_PCT_FIELD_NUMBER: _ClassVar[int]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    timestamp: float
    source: str
    gpus: _containers.RepeatedCompositeFieldContainer[GpuSample]
    system_memory_used_bytes: int
    system_memory_total_bytes: int
    cpu_pct: float
    models: _containers.RepeatedCompositeFieldContainer[ModelRate]
    def __init__(self, timestamp: _Optional[float] = ..., source: _Optional[str] = ..., gpus: _Optional[_Iterable[_Union[GpuSample, _Mapping]]] = ..., system_memory_used_bytes: _Optional[int] = ..., system_memory_total_bytes: _Optional[int] = ..., cpu_pct: _Optional[float] = ..., models: _Optional[_Iterable[_Union[ModelRate, _Mapping]]] = ...) -> None: ...

class ProfileRequest(_message.Message):
    __slots__ = ("model", "concurrency", "prompt_tokens", "output_tokens", "requests_per_level", "warmup_requests", "timeout_s", "processes")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    PROMPT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_PER_LEVEL_FIELD_NUMBER: _ClassVar[int]
    WARMUP_REQUESTS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_S_FIELD_NUMBER: _ClassVar[int]
    PROCESSES_FIELD_NUMBER: _ClassVar[int]
    model: str
    concurrency: _containers.RepeatedScalarFieldContainer[int]
    prompt_tokens: int
    output_tokens: int
    requests_per_level: int
    warmup_requests: int
    timeout_s: float
    processes: int
    def __init__(self, model: _Optional[str] = ..., concurrency: _Optional[_Iterable[int]] = ..., prompt_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., requests_per_level: _Optional[int] = ..., warmup_requests: _Optional[int] = ..., timeout_s: _Optional[float] = ..., processes: _Optional[int] = ...) -> None: ...

class ProfilePoint(_message.Message):
    __slots__ = ("concurrency", "metrics_json", "backend")
    CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    METRICS_JSON_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    concurrency: int
    metrics_json: str
    backend: str
    def __init__(self, concurrency: _Optional[int] = ..., metrics_json: _Optional[str] = ..., backend: _Optional[str] = ...) -> None: ...
