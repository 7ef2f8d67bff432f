"""Text-scored tasks in the suite format: units, competing and wrong answers, rubric checks
with refutations, how score_reply reports them, and what validate demands of their bad
replies."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from trinity.controller.errors import ConfigError
from trinity.controller.rubric import Check
from trinity.controller.scoring import score_reply
from trinity.controller.suites import load_task_folder
from trinity.controller.validation import validate

ANSWER = """\
kind = "answer"
prompt = "How high is Everest, in metres? End with `Answer: <number> m`."
answers = ["8848.86"]
numeric_tolerance = 0.001
good_replies = ["Answer: 8,849 m"]
bad_replies = ["Answer: 8,611 m"]
{extra}
"""
REVIEW = """\
kind = "review"
prompt = "Review this."
good_replies = ["SQL injection in find_user. The log file is never closed."]
bad_replies = ["No SQL injection here. The log file is never closed."]
[rubric.injection]
asserts = ['sql\\W{{0,3}}injection']
refuted_by = ['no\\s+sql\\s+injection']
[rubric.leak]
asserts = ['never\\s+closed']
{extra}
"""


def folder_with(tmp_path: Path, toml: str) -> Path:
    folder = tmp_path / "factual_x" / "task"
    folder.mkdir(parents=True)
    (folder / "task.toml").write_text(toml)
    return folder


def load(tmp_path: Path, template: str, extra: str = ""):
    return load_task_folder("factual_x", folder_with(tmp_path, template.format(extra=extra)))


def test_a_unit_and_its_conversions_decide_which_numbers_are_right(tmp_path):
    task = load(tmp_path, ANSWER, 'unit = "metres"\nconversions = { km = 1000, feet = 0.3048 }')
    assert task.unit == "m" and task.conversions == {"km": 1000.0, "ft": 0.3048}
    assert score_reply(task, "Answer: 29,029 ft").score == 100.0
    wrong = score_reply(task, "Answer: 29,032 m")
    assert wrong.score == 0.0
    mislabelled = score_reply(task, "Answer: 8,848.86 mi")
    assert mislabelled.score == 0.0 and "unit 'mi'" in mislabelled.checks[0].message


def test_the_task_hash_changes_with_what_decides_an_answer(tmp_path):
    base = load(tmp_path / "a", ANSWER, 'unit = "m"')
    for field, value in (("unit", "km"), ("conversions", {"ft": 0.3048}),
                         ("competing", (("x",),)), ("wrong", ("y",))):  # fmt: skip
        assert replace(base, **{field: value}).hash != base.hash, field
    review = load(tmp_path / "b", REVIEW)
    loosened = dict(review.rubric, injection=Check(review.rubric["injection"].asserts))
    assert replace(review, rubric=loosened).hash != review.hash


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('unit = "furlong"', "unit 'furlong' is not a known unit"),
        ("conversions = { km = 1000 }", "conversions need a unit to convert to"),
        ('unit = "m"\nconversions = { metres = 1 }', "'m' is the task's own unit"),
        ('unit = "m"\nconversions = { km = 0 }', "each factor is a positive number"),
        ('wrong = ["k2"]', "wrong answers are declared beside competing ones"),
        ("competing = [[]]", "competing: an answer needs at least one spelling"),
    ],
)
def test_answer_field_mistakes_are_one_line(tmp_path, extra, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        load(tmp_path, ANSWER, extra)


def test_answer_fields_do_not_apply_to_other_kinds(tmp_path):
    with pytest.raises(ConfigError, match="unit do not apply to kind 'review'"):
        load(tmp_path, REVIEW.replace('kind = "review"', 'kind = "review"\nunit = "m"'))


def test_competing_answers_load_as_spellings_and_are_scored(tmp_path):
    extra = 'competing = ["sucre", ["la paz", "lapaz"]]\nwrong = ["santa cruz"]'
    task = load(tmp_path, ANSWER.replace('["8848.86"]', '["ambiguous"]'), extra)
    assert task.competing == (("sucre",), ("la paz", "lapaz")) and task.wrong == ("santa cruz",)
    assert score_reply(task, "Answer: ambiguous: Sucre or LaPaz").score == 100.0
    missing = score_reply(task, "Answer: ambiguous")
    assert missing.score == 0.0 and "competing answer 'sucre' is not named" in (
        missing.checks[0].message
    )


def test_a_rubric_check_is_a_table_or_a_list_of_assertions(tmp_path):
    task = load(tmp_path, REVIEW)
    assert task.checks == ("injection", "leak")
    assert task.rubric["injection"].refuted_by and not task.rubric["leak"].refuted_by
    denied = score_reply(task, task.bad_replies[0])
    assert denied.score == 50.0 and "denied" in denied.checks[0].message
    assert score_reply(task, task.good_replies[0]).score == 100.0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("[rubric.empty]\nasserts = []", "rubric.empty.asserts: List should have at least 1"),
        ("[rubric.bad]\nasserts = ['(unclosed']", "rubric.bad: '(unclosed'"),
        ("[rubric.bad]\nasserts = ['x']\nrefuted_by = ['[z']", "rubric.bad: '[z'"),
        (
            "[rubric.odd]\nasserts = ['x']\nrefutes = ['y']",
            "rubric.odd.refutes: Extra inputs are not permitted",
        ),
    ],
)
def test_rubric_mistakes_are_one_line(tmp_path, extra, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        load(tmp_path, REVIEW, extra)


def text_validation(task):
    (result,) = asyncio.run(validate(SimpleNamespace(name="local"), [task]))  # type: ignore[arg-type]
    return result


def test_validate_proves_a_text_check_only_by_a_bad_reply_that_fails_it_alone(tmp_path):
    task = load(tmp_path, REVIEW)
    # The one bad reply denies the injection and asserts the leak: it proves injection.
    assert text_validation(task).unproven == ("leak",)
    says_nothing = replace(task, bad_replies=("Looks fine to me.",))
    result = text_validation(says_nothing)
    # It fails both checks, so it proves neither: a check must fail on its own.
    assert result.unproven == ("injection", "leak") and not result.ok
    assert "only check failed by no bad reply" in " ".join(result.problems())
    near_misses = replace(task, bad_replies=(*task.bad_replies, "SQL injection in find_user."))
    assert text_validation(near_misses).ok


def test_validate_passes_every_built_in_text_task():
    from trinity.controller.suites import select_tasks

    tasks = [t for t in select_tasks(["all", "crosscheck"]) if not t.runs_code]
    assert len(tasks) == 27
    for result in asyncio.run(validate(SimpleNamespace(name="local"), tasks)):  # type: ignore[arg-type]
        assert result.ok, (result.task, result.problems())
