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
    assert "is failed alone by no bad reply" in " ".join(result.problems())
    near_misses = replace(task, bad_replies=(*task.bad_replies, "SQL injection in find_user."))
    assert text_validation(near_misses).ok


def test_validate_passes_every_built_in_text_task():
    from trinity.controller.suites import select_tasks

    tasks = [t for t in select_tasks(["all", "crosscheck"]) if not t.runs_code]
    assert len(tasks) == 27
    for result in asyncio.run(validate(SimpleNamespace(name="local"), tasks)):  # type: ignore[arg-type]
        assert result.ok, (result.task, result.problems())


# Correct replies in the styles models write, none of them in the tasks' own samples:
# the rules of what a line asserts must not reject any (checked against main's scorer,
# which also accepted all but the "≡ 4 (mod 13)" one).
@pytest.mark.parametrize(
    ("task_id", "reply"),
    [
        (
            "factual_geography/australia_capital",
            "**Final Answer:** The capital of Australia is Canberra.",
        ),
        ("factual_geography/australia_capital", "Answer: Canberra is the capital of Australia."),
        (
            "factual_geography/australia_capital",
            "Answer: The capital city of Australia is Canberra, located in the ACT.",
        ),
        ("factual_geography/australia_capital", "Answer: Canberra — not Sydney, as many assume."),
        ("factual_geography/australia_capital", "Answer: I'm not completely sure, but Canberra"),
        (
            "factual_geography/australia_capital",
            "Answer: Canberra isn't the largest city, but it is the capital",
        ),
        ("factual_geography/australia_capital", "### Answer: Canberra"),
        (
            "factual_geography/australia_capital",
            "Answer: *Canberra* (Australian Capital Territory).",
        ),
        (
            "factual_geography/germany_neighbours",
            "Answer: 9 countries: Denmark, Poland, Czechia, Austria, Switzerland, France, Luxembourg, Belgium and the Netherlands.",
        ),
        (
            "factual_geography/germany_neighbours",
            "Answer: Germany shares land borders with 9 countries.",
        ),
        ("factual_geography/germany_neighbours", "Answer: There are nine."),
        ("factual_geography/germany_neighbours", "Answer: 9 (nine)"),
        ("factual_geography/everest_height", "Answer: Approximately 8,849 meters (29,032 feet)"),
        ("factual_geography/everest_height", "Answer: 8,848.86 m (as of the 2020 survey)"),
        ("factual_geography/everest_height", "Answer: Mount Everest is 8,849 m tall."),
        ("factual_geography/everest_height", "Answer: ~8,849 m"),
        ("factual_geography/everest_height", "Answer: 8849 m above sea level"),
        ("factual_english/speed_of_light", "Answer: c = 299,792,458 m/s"),
        ("factual_english/speed_of_light", "Answer: ≈ 3.00e8 m/s"),
        ("factual_english/speed_of_light", "Answer: 299792458 m/s (exact)"),
        ("factual_english/tungsten_symbol", "Answer: W (from Wolfram)"),
        ("factual_english/tungsten_symbol", "Answer: The symbol is W."),
        ("factual_english/hundred_years_author", "Answer: Gabriel García Márquez (Colombia, 1967)"),
        (
            "factual_english/hundred_years_author",
            "Answer: It was written by Gabriel García Márquez.",
        ),
        ("factual_english/hundred_years_author", "Answer: G. García Márquez"),
        ("factual_science/atmosphere_main_gas", "Answer: Nitrogen (N₂), about 78% of dry air"),
        ("factual_science/atmosphere_main_gas", "Answer: Nitrogen, at roughly 78 %."),
        ("factual_science/adult_bone_count", "Answer: An adult human has 206 bones."),
        (
            "factual_science/adult_bone_count",
            "Answer: 206 (although the count varies slightly between individuals)",
        ),
        ("factual_science/water_boiling_kelvin", "Answer: 373.15 K (100 °C)"),
        ("factual_science/water_boiling_kelvin", "Answer: T = 373.15 K"),
        ("factual_science/water_boiling_kelvin", "Answer: approximately 373 K"),
        ("factual_korean/hangul_creator", "정답: 세종대왕(재위 1418~1450)"),
        ("factual_korean/hangul_creator", "정답: 조선의 제4대 왕인 세종대왕입니다."),
        ("factual_korean/hangul_proclamation_year", "정답: 1446년(세종 28년)"),
        ("factual_korean/hangul_proclamation_year", "정답: 서기 1446년입니다."),
        ("factual_korean/joseon_capital_name", "Answer: Hanseong (한성), also known as Hanyang"),
        ("factual_korean/joseon_capital_name", "정답: 한양(漢陽)입니다"),
        ("factual_korean/longest_river_south_korea", "Answer: The Nakdong River (낙동강)"),
        ("factual_korean/longest_river_south_korea", "정답: 낙동강입니다 (약 510 km)"),
        ("math_arithmetic/crt_remainders", "Answer: \\(1703\\)"),
        ("math_arithmetic/crt_remainders", "Answer: $N = 1703$"),
        ("math_arithmetic/crt_remainders", "Answer: N = 548 + 1155 = 1703"),
        ("math_arithmetic/crt_remainders", "Answer: The smallest such N is 1703."),
        ("math_arithmetic/crt_remainders", "Answer: 1703 (548 + 1155)"),
        ("math_arithmetic/power_mod_sum", "Answer: The remainder is 4."),
        ("math_arithmetic/power_mod_sum", "Answer: 4 (since 17 mod 13 = 4)"),
        ("math_arithmetic/power_mod_sum", "Answer: 7^222 + 5^333 ≡ 4 (mod 13)"),
        ("math_arithmetic/fraction_expression", "Answer: \\( \\frac{4}{5} \\)"),
        ("math_arithmetic/fraction_expression", "Answer: 4/5 (or 0.8)"),
        ("math_arithmetic/fraction_expression", "Answer: 0.8 = 4/5"),
        ("math_arithmetic/big_integer_expression", "Answer: 7,510,504,314,610"),
        ("math_arithmetic/big_integer_expression", "Answer: **7510504314610**"),
        ("math_combinatorics/bounded_candies", "Answer: There are 140 ways."),
        ("math_combinatorics/bounded_candies", "Answer: 364 − 224 = 140"),
        ("math_combinatorics/divisible_by_6_10_15", "Answer: 539 integers"),
        ("math_combinatorics/mississippi_no_adjacent_s", "Answer: 105 × 70 = 7350"),
        ("math_combinatorics/mississippi_no_adjacent_s", "Final Answer: 7350 arrangements."),
        ("hard_judgement/combinatorics", "Answer: 112 × 1704 = 190,848"),
        (
            "factual_ambiguous/longest_river_world",
            "Answer: ambiguous — the Nile (about 6,650 km) or the Amazon (6,400–7,000 km), depending on measurement",
        ),
        (
            "factual_ambiguous/longest_river_world",
            "Answer: ambiguous: the Nile is usually cited, but some measurements make the Amazon longer",
        ),
        (
            "factual_ambiguous/longest_river_world",
            "Answer: ambiguous: it is not settled whether the Nile or the Amazon is longer",
        ),
        (
            "factual_ambiguous/bolivia_capital",
            "Answer: Ambiguous: Sucre (constitutional capital) and La Paz (seat of government)",
        ),
        (
            "factual_ambiguous/bolivia_capital",
            "Answer: ambiguous — Sucre is the official capital, while La Paz is the administrative capital",
        ),
        (
            "factual_ambiguous/continent_count",
            "Answer: ambiguous: 7 (Africa, Antarctica, Asia, Europe, North America, Oceania, South America) or 6 (combined Americas or Eurasia)",
        ),
        (
            "factual_ambiguous/continent_count",
            "Answer: It's ambiguous — 7 in the Anglophone model, but 6 in the Latin American model",
        ),
        (
            "factual_ambiguous/continent_count",
            "Answer: ambiguous: seven or six, depending on the convention",
        ),
    ],
)
def test_correct_replies_in_common_styles_score_100(task_id, reply):
    from trinity.controller.suites import load_task

    got = score_reply(load_task(task_id), reply)
    assert got.score == 100.0, got.checks[0].message
