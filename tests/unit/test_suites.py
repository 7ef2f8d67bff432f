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


def test_a_text_tasks_hash_follows_the_text_scoring_rules(monkeypatch):
    from trinity.controller import suites

    text, code = load_task("factual_geography/australia_capital").hash, load_task("smoke/add").hash
    monkeypatch.setattr(suites, "RULES_VERSION", suites.RULES_VERSION + 1)
    assert text != load_task("factual_geography/australia_capital").hash
    assert code == load_task("smoke/add").hash  # code tasks are scored by their files


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


def test_the_issue_counts_19_suites_55_tasks_in_five_categories_plus_crosscheck():
    from trinity.controller.suites import CATEGORIES, category_of, select_tasks

    counts: dict[str, list[int]] = {}
    for name in suite_names():
        if category_of(name) in CATEGORIES:
            counts.setdefault(category_of(name), []).append(len(load_suite(name)))
    assert {k: (len(v), sum(v)) for k, v in counts.items()} == {
        "factual": (5, 16), "math": (2, 7), "coding": (6, 14), "hard": (4, 12),
        "agent": (2, 6), "crosscheck": (1, 8),
    }  # fmt: skip
    assert len(select_tasks(["all"])) == 55  # crosscheck and humaneval only by name
    hard = select_tasks(["hard", "hard_parsers/regex_engine"])
    assert len(hard) == 12 and all(t.category == "hard" for t in hard)


def test_selection_errors_name_what_exists():
    from trinity.controller.suites import select_tasks

    with pytest.raises(ConfigError, match="no suite or category named 'hardd'") as info:
        select_tasks(["hardd"])
    assert "categories: factual" in (info.value.hint or "")


ANSWER_TOML = """\
kind = "answer"
prompt = "Capital of Korea? End with a line `Answer: <city>`."
answers = ["Seoul", "서울"]
good_replies = ["Answer: Seoul"]
bad_replies = ["Answer: Busan"]
{extra}
"""


def answer_folder(tmp_path: Path, extra: str = "") -> Path:
    folder = tmp_path / "factual_x" / "capital"
    folder.mkdir(parents=True)
    (folder / "task.toml").write_text(ANSWER_TOML.format(extra=extra))
    return folder


def test_answer_task_has_one_check_and_is_scored_from_the_text(tmp_path):
    from trinity.controller.scoring import score_reply

    task = load_task_folder("factual_x", answer_folder(tmp_path))
    assert task.checks == ("answer",) and not task.runs_code and task.category == "factual"
    assert score_reply(task, "It is Seoul.\nAnswer: 서울입니다").score == 100.0
    assert score_reply(task, "Seoul? No.\nAnswer: Busan").score == 0.0


def test_answer_line_required_fails_a_reply_without_one(tmp_path):
    from trinity.controller.scoring import score_reply

    task = load_task_folder("factual_x", answer_folder(tmp_path, "answer_line_required = true"))
    assert score_reply(task, "Answer: Seoul").score == 100.0
    lazy = score_reply(task, "Seoul, I think")
    assert lazy.score == 0.0 and "no Answer: line" in lazy.checks[0].message


def test_echoing_the_ambiguous_prompt_scores_nothing():
    from trinity.controller.scoring import score_reply

    for task in load_suite("factual_ambiguous"):
        assert score_reply(task, task.prompt).score == 0.0, task.id


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('rubric = { x = ["y"] }', "rubric do not apply to kind 'answer'"),
        ('checks = ["one"]', "checks of a answer task are ['answer']"),
    ],
)
def test_answer_task_mistakes_are_one_line(tmp_path, extra, message):
    with pytest.raises(ConfigError, match=__import__("re").escape(message)):
        load_task_folder("factual_x", answer_folder(tmp_path, extra))


def test_review_rubric_checks_are_its_names_and_bad_regexes_are_refused(tmp_path):
    from trinity.controller.scoring import score_reply

    folder = tmp_path / "hard_x" / "review"
    folder.mkdir(parents=True)
    toml = ('kind = "review"\nprompt = "Review this."\ngood_replies = ["pickle allows '
            'arbitrary code"]\nbad_replies = ["looks fine"]\n[rubric]\n'
            'rce = ["arbitrary code", "remote code execution"]\n')  # fmt: skip
    (folder / "task.toml").write_text(toml)
    task = load_task_folder("hard_x", folder)
    assert task.checks == ("rce",)
    assert score_reply(task, "It allows Arbitrary Code execution").score == 100.0
    (folder / "task.toml").write_text(toml.replace('"remote code execution"', '"(unclosed"'))
    with pytest.raises(ConfigError, match=r"rubric.rce: '\(unclosed'"):
        load_task_folder("hard_x", folder)


def test_multi_turn_declares_every_turns_checks_in_order(tmp_path):
    folder = task_folder(tmp_path)
    (folder / "task.toml").write_text(
        'kind = "multi_turn"\ntest_file = "test_add.py"\n'
        '[[turns]]\nprompt = "Write add."\nchecks = ["one"]\n'
        '[[turns]]\nprompt = "Now make it handle 2 + 2."\nchecks = ["two"]\n'
    )
    task = load_task_folder("coding_x", folder)
    assert task.checks == ("one", "two") and task.runs_code
    assert task.prompts == ("Write add.", "Now make it handle 2 + 2.")
    (folder / "task.toml").write_text(
        'kind = "multi_turn"\ntest_file = "test_add.py"\n'
        '[[turns]]\nprompt = "Write add."\nchecks = ["one", "two"]\n'
        '[[turns]]\nprompt = "Again."\nchecks = ["two"]\n'
    )
    with pytest.raises(ConfigError, match="a check belongs to one turn only"):
        load_task_folder("coding_x", folder)


def test_turn_references_are_kept_apart_and_their_turn_checked(tmp_path):
    folder = task_folder(tmp_path)
    (folder / "task.toml").write_text(
        'kind = "multi_turn"\ntest_file = "test_add.py"\n'
        '[[turns]]\nprompt = "Write add."\nchecks = ["one"]\n'
        '[[turns]]\nprompt = "Now make it handle 2 + 2."\nchecks = ["two"]\n'
    )
    (folder / "reference_turn1_first.py").write_text("def add(a, b):\n    return 3\n")
    task = load_task_folder("coding_x", folder)
    assert [name for name, _ in task.references] == ["reference_plain.py"]
    assert [(t, n) for t, n, _ in task.turn_references] == [(1, "reference_turn1_first.py")]
    (folder / "reference_turn2_last.py").write_text("def add(a, b):\n    return a + b\n")
    with pytest.raises(ConfigError, match="turn 2 is not an earlier turn of this task"):
        load_task_folder("coding_x", folder)
