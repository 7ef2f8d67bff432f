"""The wheel a user installs: built from the tracked files (as from a fresh clone) with no
setuptools warnings, installed in a fresh virtualenv (not editable), and every built-in
suite loads from it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration

LOAD_EVERY_SUITE = """
import json, trinity.controller
from trinity.controller.suites import BUILTIN, load_suite, suite_names
counts = {s: len(load_suite(s)) for s in suite_names()}
print(json.dumps({"package": trinity.controller.__file__, "suites": str(BUILTIN),
                  "counts": counts}))
"""


def _copy_tracked(dest: Path) -> None:
    """The files git knows (committed or not, not ignored): what a clone would hold."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout  # fmt: skip
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)


@pytest.fixture(scope="module")
def wheel_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(the wheel, everything the build printed)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source, out = tmp / "src", tmp / "dist"
    _copy_tracked(source)
    # No build isolation: the test venv's setuptools (>= 77, from the dev install) builds
    # it, so the test needs no network.
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "-w", str(out), str(source)],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return next(out.glob("trinity-*.whl")), done.stdout + done.stderr


def test_building_the_wheel_prints_no_setuptools_warnings(wheel_build):
    _, output = wheel_build
    assert "absent from the `packages` configuration" not in output
    assert "Warning" not in output, output[-3000:]


def test_every_suite_loads_from_the_wheel_in_a_fresh_virtualenv(wheel_build, tmp_path):
    wheel, _ = wheel_build
    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    done = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index",
                           str(wheel)], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    # The dependencies (pydantic, grpcio, …) come from this test's environment, after the
    # fresh venv's own site-packages: a .pth line adds the folder, not its editable
    # install of trinity (a .pth inside an added folder is not read).
    site = Path(
        subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                       capture_output=True, text=True, check=True).stdout.strip()
    )  # fmt: skip
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    loaded = subprocess.run([str(python), "-c", LOAD_EVERY_SUITE], capture_output=True,
                            text=True, timeout=120, cwd=tmp_path)  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    report = json.loads(loaded.stdout)
    assert report["package"].startswith(str(site)), "trinity did not load from the wheel"
    expected = {
        p.parent.parent.name
        for p in (ROOT / "controller/trinity/controller/suites").glob("*/*/task.toml")
    }
    assert expected <= set(report["counts"])
    tracked = len(list((ROOT / "controller/trinity/controller/suites").glob("*/*/task.toml")))
    assert sum(report["counts"][s] for s in expected) == tracked
    assert report["counts"]["humaneval"] > 0
