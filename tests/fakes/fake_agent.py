"""A small fake trinity-agent: a real gRPC server on a loopback port speaking the
trinity.v1.Agent contract (plus grpc.health.v1), with models that live only in memory.

For controller tests (trinityctl, trinity.controller.cluster): it checks the bearer
token like the real agent, starts models that become ready after a few polls, can be
told to fail a model, and streams a short generation with fixed timings. It runs on
grpc's thread-pool server, so it answers while a test blocks in CliRunner.invoke or in
its own event loop.
"""

from __future__ import annotations

import argparse
import itertools
import signal
import threading
import time
import tomllib
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from trinity.v1 import agent_pb2 as pb
from trinity.v1 import agent_pb2_grpc as pb_grpc

REPLY = "Hello from the fake agent."


@dataclass
class FakeBehaviour:
    """Knobs: which models fail and how, how long starting takes, what generation says."""

    fail: dict[str, str] = field(default_factory=dict)  # model name → last_error
    ready_after_polls: int = 1  # ListModels calls before a started model turns ready
    never_ready: bool = False
    backends: dict[str, bool] = field(default_factory=lambda: {"llamacpp": True, "vllm": True})
    reply: str = REPLY
    decode_tok_s: float = 42.5
    ttft_s: float = 0.031
    log_lines: tuple[str, ...] = ("llama server listening", "slot 0: ready")
    previous_lines: tuple[str, ...] = ("slot 0: out of memory", "exiting")


class FakeAgent(pb_grpc.AgentServicer):
    """The servicer: models in a dict, guarded by a lock (the server is threaded)."""

    def __init__(self, token: str, behaviour: FakeBehaviour) -> None:
        self.token = token
        self.behaviour = behaviour
        self.models: dict[str, pb.ModelStatus] = {}
        self.polls: dict[str, int] = {}
        self.calls: list[str] = []
        self.generate_requests: list[pb.GenerateRequest] = []
        self._lock = threading.Lock()
        self._pids = itertools.count(4242)

    def _auth(self, context: grpc.ServicerContext, method: str) -> None:
        self.calls.append(method)
        metadata = dict(context.invocation_metadata())
        if metadata.get("authorization") != f"Bearer {self.token}":
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or wrong node token")

    def GetNodeInfo(self, request, context):
        self._auth(context, "GetNodeInfo")
        backends = [
            pb.BackendInfo(name=n, available=a, detail="" if a else f"{n} is not installed")
            for n, a in self.behaviour.backends.items()
        ]
        return pb.NodeInfo(
            hostname="fakehost",
            agent_version="0.0-fake",
            backends=backends,
            cpu_count=2,
            memory_total_bytes=8 * 2**30,
            telemetry_source="psutil",
            sandbox="none",
        )

    def StartModel(self, request, context):
        self._auth(context, "StartModel")
        spec = request.spec
        with self._lock:
            current = self.models.get(spec.name)
            if current is not None and current.spec != spec:
                context.abort(
                    grpc.StatusCode.FAILED_PRECONDITION,
                    f"model {spec.name} already runs with a different spec",
                )
            if current is None:
                current = pb.ModelStatus(
                    spec=spec,
                    state=pb.MODEL_STATE_STARTING,
                    pid=next(self._pids),
                    port=20000 + len(self.models),
                    started_at=time.time(),
                )
                self.models[spec.name] = current
                self.polls[spec.name] = 0
            return current

    def StopModel(self, request, context):
        self._auth(context, "StopModel")
        with self._lock:
            status = self.models.pop(request.name, None)
        if status is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no model named {request.name}")
        return pb.ModelStatus(spec=status.spec, state=pb.MODEL_STATE_STOPPED)

    def ListModels(self, request, context):
        self._auth(context, "ListModels")
        with self._lock:
            for name in self.models:
                self._advance(name)
            return pb.ListModelsResponse(models=list(self.models.values()))

    def _advance(self, name: str) -> None:
        status = self.models[name]
        if status.state != pb.MODEL_STATE_STARTING or self.behaviour.never_ready:
            return
        self.polls[name] += 1
        if self.polls[name] < self.behaviour.ready_after_polls:
            return
        failure = self.behaviour.fail.get(name)
        if failure is not None:
            status.state, status.last_error, status.pid = pb.MODEL_STATE_FAILED, failure, 0
            status.exit_code = 1  # as a server that exits at start: its code and last words
            status.last_lines[:] = [f"error: {failure}"]
        else:
            status.state, status.ready_at = pb.MODEL_STATE_READY, time.time()

    def GetLogs(self, request, context):
        self._auth(context, "GetLogs")
        if request.name not in self.models:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no model named {request.name}")
        lines = list(
            self.behaviour.previous_lines if request.previous else self.behaviour.log_lines
        )
        return pb.GetLogsResponse(lines=lines[-request.lines :] if request.lines else lines)

    def Generate(self, request, context):
        self._auth(context, "Generate")
        self.generate_requests.append(request)
        status = self.models.get(request.model)
        if status is None or status.state != pb.MODEL_STATE_READY:
            context.abort(grpc.StatusCode.UNAVAILABLE, f"model {request.model} is not ready")
        text = self.behaviour.reply
        yield pb.GenerateEvent(delta=pb.GenerateDelta(text=text))
        usage = pb.Usage(prompt_tokens=12, completion_tokens=8)
        yield pb.GenerateEvent(
            final=pb.GenerateResult(
                text=text,
                finish_reason="stop",
                usage=usage,
                ttft_s=self.behaviour.ttft_s,
                decode_tok_s=self.behaviour.decode_tok_s,
                total_s=0.2,
                chunks=1,
                usage_from_server=True,
            )
        )


class FakeAgentServer:
    """A FakeAgent served on 127.0.0.1:<free port>; `stop()` when done."""

    def __init__(
        self,
        token: str,
        behaviour: FakeBehaviour | None = None,
        *,
        tls: tuple[bytes, bytes] | None = None,
        port: int = 0,
    ) -> None:
        """tls: (certificate chain PEM, private key PEM) to serve TLS instead of plaintext."""
        self.agent = FakeAgent(token, behaviour or FakeBehaviour())
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        pb_grpc.add_AgentServicer_to_server(self.agent, self.server)
        health_servicer = health.HealthServicer()
        health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
        health_pb2_grpc.add_HealthServicer_to_server(health_servicer, self.server)
        if tls is None:
            self.port = self.server.add_insecure_port(f"127.0.0.1:{port}")
        else:
            creds = grpc.ssl_server_credentials([(tls[1], tls[0])])
            self.port = self.server.add_secure_port(f"127.0.0.1:{port}", creds)
        self.server.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.stop(grace=None)


def write_cluster(folder, nodes: dict[str, tuple[str, str]], models: list[tuple[str, str]]):
    """models.toml in `folder` for {node: (address, token)} and [(node, model name)];
    each token goes in its own 0600 file. Returns the models.toml path."""
    lines = []
    for node, (address, token) in nodes.items():
        token_file = folder / f"{node}.token"
        token_file.write_text(token + "\n")
        token_file.chmod(0o600)
        lines += [f"[nodes.{node}]", f'address = "{address}"', f'token_file = "{token_file}"']
        lines += ["timeout_s = 5", ""]
    for node, name in models:
        lines += ["[[models]]", f'name = "{name}"', f'node = "{node}"', 'backend = "llamacpp"']
        lines += ['model = "builtin:smollm2"', "context_length = 2048", ""]
    path = folder / "models.toml"
    path.write_text("\n".join(lines))
    return path


def self_signed_cert(host: str = "localhost") -> tuple[bytes, bytes]:
    """A throwaway (certificate PEM, key PEM) for `host` and 127.0.0.1."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    san = x509.SubjectAlternativeName(
        [x509.DNSName(host), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(san, critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def main() -> None:
    """`python -m tests.fakes.fake_agent serve --config agent.toml`: the fake in place of
    `trinity-agent serve`, reading the same listen/token_file keys; SIGTERM stops it."""
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--config", type=Path, required=True)
    args = parser.parse_args()
    config = tomllib.loads(args.config.read_text())
    token = (args.config.parent / config["token_file"]).read_text().strip()
    port = int(config["listen"].rpartition(":")[2])
    server = FakeAgentServer(token, port=port)
    print(f"fake agent serving on {server.address}", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    stopped.wait()
    server.stop()
    print("fake agent stopped", flush=True)


if __name__ == "__main__":
    main()
