"""docs/reliability.md names a test for each fault it lists: every one it names exists, so
the table cannot quietly point at a test that was renamed or removed."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PREFIXES = {"u/": "tests/unit/", "i/": "tests/integration/", "s/": "tests/security/"}
FOLDERS = ("tests/unit/", "tests/integration/", "tests/security/")


def _file(name: str) -> Path | None:
    for prefix, folder in PREFIXES.items():
        if name.startswith(prefix):
            return ROOT / folder / name[len(prefix) :]
    if (ROOT / name).exists():  # tests/..., benchmarks/...
        return ROOT / name
    found = [ROOT / f / name for f in FOLDERS if (ROOT / f / name).exists()]
    return found[0] if found else None


def named_tests() -> list[tuple[str, str | None]]:
    """(file as written, test name or None) for every `file::test` span in the table."""
    text = (ROOT / "docs" / "reliability.md").read_text()
    out: list[tuple[str, str | None]] = []
    for row in (line for line in text.splitlines() if line.startswith("| ")):
        last = ""
        for span in re.findall(r"`([^`]+)`", row.rsplit("|", 2)[-2]):
            file, _, test = span.partition("::")
            if file.endswith(".py"):
                last = file
                out.append((file, test or None))
            elif span.startswith("::") and last:
                out.append((last, span[2:]))
    return out


def test_every_test_the_fault_table_names_exists() -> None:
    named = named_tests()
    assert len(named) > 60  # the table names its tests; a parse that finds few is broken
    missing = []
    for file, test in named:
        path = _file(file)
        if path is None or not path.exists():
            missing.append(file)
        elif test and not re.search(rf"^(async )?def {re.escape(test)}\b", path.read_text(), re.M):
            missing.append(f"{file}::{test}")
    assert not missing, missing
