"""trinity.controller.suites: tasks load into frozen Tasks whose declared checks are the
score's denominator, every mistake in a task folder is one line naming the file, the
HumanEval suite is built from the package's data, and task files ship in the wheel."""

from __future__ import annotations

import glob
import os
import tomllib
from pathlib import Path

import pytest
from trinity.controller import suites
from trinity.controller.errors import ConfigError
from trinity.controller.suites import load_suite, load_task, load_task_folder, suite_names
from trinity.controller.suites.humaneval import load_humaneval

ROOT = Path(__file__).resolve().parents[2]
TASK_TOML = """\
kind = "code"
prompt = "Write add(a, b)."
test_file = "test_add.py"
checks = ["one", "two"]
{extra}
"""
TEST = "from solution import add\n\ndef check_one():\n    return add(1, 2)\n\n" \
    "def check_two():\n    assert add(2, 2) == 4\n"  # fmt: skip


def task_folder(tmp_path: Path, *, extra: str = "", test: str = TEST) -> Path:
    folder = tmp_path / "mysuite" / "add"
    (folder / "mutants").mkdir(parents=True)
    (folder / "task.toml").write_text(TASK_TOML.format(extra=extra))
    (folder / "test_add.py").write_text(test)
    (folder / "reference_plain.py").write_text("def add(a, b):\n    return a + b\n")
    (folder / "mutants" / "minus.py").write_text("def add(a, b):\n    return a - b\n")
    return folder


def test_smoke_add_loads_with_its_declared_checks_and_files():
    task = load_task("smoke/add")
    assert task.id == "smoke/add" and task.kind == "code"
    assert task.checks == ("small_ints", "negatives", "floats", "large_ints", "zero")
    assert task.expected["negatives"] == "-5"
    assert [name for name, _ in task.files] == ["test_add.py"]
    assert len(task.references) >= 2 and task.mutants


def test_a_task_folder_loads_and_its_hash_follows_what_decides_a_score(tmp_path):
    folder = task_folder(tmp_path, extra='[expected]\none = "3"')
    task = load_task_folder("mysuite", folder)
    assert task.checks == ("one", "two") and task.expected == {"one": "3"}
    assert [n for n, _ in task.references] == ["reference_plain.py"]
    assert [n for n, _ in task.mutants] == ["minus.py"]
    before = task.hash
    (folder / "reference_plain.py").write_text("def add(a, b):\n    return b + a\n")
    assert load_task_folder("mysuite", folder).hash == before  # references don't score
    (folder / "test_add.py").write_text(TEST + "\n# changed\n")
    assert load_task_folder("mysuite", folder).hash != before


@pytest.mark.parametrize(
    ("extra", "test", "message"),
    [
        ("", TEST.replace("check_two", "check_too"), "checks ['two'] have no check_<name>"),
        ("", TEST + "\ndef check_three():\n    pass\n", "['three'] not listed in checks"),
        ('[expected]\nthree = "3"', TEST, "expected.three is not a declared check"),
        ('[expected]\none = "three"', TEST, "expected.one is not JSON"),
        ("[limits]\nwall_seconds = 3", TEST, "limits ['wall_seconds'] unknown"),
        ("", "def check_one(:\n", "test_add.py line 1"),
        (
            "",
            TEST.replace("def check_two", "@staticmethod\ndef check_two"),
            "check_two is decorated",
        ),
        ("colour = 1", TEST, "colour: Extra inputs are not permitted"),
    ],
)
def test_mistakes_in_a_task_folder_are_one_line_naming_the_file(tmp_path, extra, test, message):
    folder = task_folder(tmp_path, extra=extra, test=test)
    with pytest.raises(ConfigError) as info:
        load_task_folder("mysuite", folder)
    assert str(folder / "task.toml") in str(info.value)
    assert message in str(info.value)


def test_unknown_suite_and_task_name_what_exists():
    with pytest.raises(ConfigError, match="no suite named 'nope'") as info:
        load_suite("nope")
    assert "smoke" in (info.value.hint or "")
    with pytest.raises(ConfigError, match="suite smoke has no task 'sub'"):
        load_task("smoke/sub")


def test_every_built_in_suite_loads():
    assert {"smoke", "humaneval"} <= set(suite_names())
    for name in suite_names():
        assert load_suite(name)


def test_humaneval_is_164_tasks_of_one_check_built_from_the_package_data():
    tasks = load_humaneval()
    assert len(tasks) == 164 and len({t.name for t in tasks}) == 164
    first = tasks[0]
    assert first.id == "humaneval/000" and first.checks == ("tests",)
    assert first.references[0][1].startswith(first.prompt.split("```python block.\n\n")[1]
                                             .encode())  # fmt: skip
    assert first.mutants[0][1].endswith(b"    return None\n")
    test_file = dict(first.files)[first.test_file].decode()
    assert "def check_tests():\n    check(candidate)" in test_file


def test_task_files_ship_as_package_data():
    """Every file in a task folder matches the package-data globs setuptools will use."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = config["package-data"]["trinity.controller.suites"]
    base = Path(suites.__file__).parent
    shipped = {os.path.normpath(p) for pattern in patterns
               for p in glob.glob(str(base / pattern), recursive=True)}  # fmt: skip
    task_files = {str(p) for p in base.glob("*/*/**/*")
                  if p.is_file() and "__pycache__" not in p.parts}  # fmt: skip
    assert task_files and task_files <= shipped, sorted(task_files - shipped)
