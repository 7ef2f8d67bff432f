"""Every package folder under the three source roots is listed in pyproject.toml,
so a wheel (not just the editable install) carries it."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_folder_is_declared() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    declared = set(config["packages"])
    found = set()
    for source_root in ("agent", "controller", "protos"):
        for init in (ROOT / source_root / "trinity").rglob("__init__.py"):
            found.add(".".join(init.parent.relative_to(ROOT / source_root).parts))
    assert found - declared == set(), "add these to [tool.setuptools] packages"
    assert declared - found == set(), "declared packages with no folder"


def test_console_scripts_point_at_main_functions() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {
        "trinityctl": "trinity.controller.cli:main",
        "trinity-agent": "trinity.agent.cli:main",
    }
