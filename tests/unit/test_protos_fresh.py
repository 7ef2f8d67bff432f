"""The committed stubs must be what protos/generate.py makes from agent.proto today."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STUBS = ("agent_pb2.py", "agent_pb2_grpc.py", "agent_pb2.pyi")


def _load_generator():
    spec = importlib.util.spec_from_file_location("protos_generate", ROOT / "protos/generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_stubs_match_agent_proto(tmp_path: Path) -> None:
    _load_generator().generate(tmp_path)
    stale = [
        name
        for name in STUBS
        if (tmp_path / "trinity/v1" / name).read_bytes()
        != (ROOT / "protos/trinity/v1" / name).read_bytes()
    ]
    assert not stale, f"stale stubs {stale}: run `python protos/generate.py` and commit"


def test_stubs_import_under_the_trinity_namespace() -> None:
    from trinity.v1 import agent_pb2, agent_pb2_grpc

    assert agent_pb2.DESCRIPTOR.package == "trinity.v1"
    assert hasattr(agent_pb2_grpc, "AgentStub")
