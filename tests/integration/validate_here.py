"""For task authors: validate suites against a throwaway local agent, no setup needed.

    .venv/bin/python -m tests.integration.validate_here hard_systems coding_multiturn
    .venv/bin/python -m tests.integration.validate_here hard/mini_orm --json

Starts a real agent (sandbox included, no model) in a temporary folder, runs
`trinityctl validate` with the arguments given, stops the agent, exits with its code.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.integration.conftest import running_agent, trinityctl


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="trinity-validate-") as folder:
        with running_agent(Path(folder)) as node:
            done = trinityctl("validate", *argv, "--config", node.models_toml, timeout=900)
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
