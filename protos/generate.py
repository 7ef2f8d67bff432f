"""Regenerate the Python stubs from protos/trinity/v1/agent.proto.

Usage: python protos/generate.py [OUT_DIR]   (default: protos/, in place)

The stubs are committed; tests/unit/test_protos_fresh.py regenerates them into a
temporary folder and fails when they differ from the committed ones.
"""

from __future__ import annotations

import sys
from pathlib import Path

from grpc_tools import protoc

PROTOS = Path(__file__).resolve().parent
SOURCE = "trinity/v1/agent.proto"


def generate(out: Path) -> None:
    """Run protoc for the messages, the gRPC service and the type stubs."""
    out.mkdir(parents=True, exist_ok=True)
    args = [
        "protoc",
        f"--proto_path={PROTOS}",
        f"--python_out={out}",
        f"--grpc_python_out={out}",
        f"--pyi_out={out}",
        SOURCE,
    ]
    if protoc.main(args) != 0:
        raise SystemExit(f"protoc failed for {SOURCE}")


if __name__ == "__main__":
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else PROTOS)
