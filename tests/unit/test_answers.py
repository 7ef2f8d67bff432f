"""Answer matching: normalisation, numbers, phrases, Korean particles, answer regions."""

from __future__ import annotations

import pytest
from trinity.controller.answers import answer_region, matches, normalise, parse_number


@pytest.mark.parametrize(
    "reply",
    [
        "391",
        "391.0",
        "= 391",
        "391 apples",
        "The product is 17 × 23 = 391.",
        "391. Because 17 times 23 is 391.",
        "**391**",
        "+391",
        "３９１",  # full-width digits (NFKC)
        "391개",
        "391e0",
    ],
)
def test_number_forms_match(reply: str) -> None:
    got = matches(reply, ["391"])
    assert got.ok, got
    assert got.rule.endswith(":numeric")


@pytest.mark.parametrize("reply", ["392", "3910", "39.1", "x391", "I don't know", "-391"])
def test_other_numbers_do_not_match(reply: str) -> None:
    assert not matches(reply, ["391"]).ok


def test_a_number_in_the_middle_of_prose_is_not_the_answer() -> None:
    # Only the first and the last number of the region count.
    assert not matches("First 17, then 391, finally 23", ["391"]).ok


def test_thousands_separators() -> None:
    assert matches("About 1,234,567 people", ["1234567"]).ok
    assert matches("1234567", ["1,234,567"]).ok
    assert not matches("1,23", ["123"]).ok


def test_decimal_comma_is_not_a_decimal_point() -> None:
    assert not matches("3,5", ["3.5"]).ok


def test_fractions_decimals_and_scientific_notation() -> None:
    assert matches("3/4", ["0.75"]).ok
    assert matches("0.75", ["3/4"]).ok
    assert matches("1.5e3 joules", ["1500"]).ok
    assert matches(".5", ["1/2"]).ok


def test_signs_and_unicode_minus() -> None:
    assert matches("\u22125", ["-5"]).ok
    assert matches("x = -5", ["-5"]).ok
    assert not matches("5", ["-5"]).ok


def test_tolerance_is_relative_and_absolute() -> None:
    assert not matches("3.14", ["3.14159"]).ok
    assert matches("3.14", ["3.14159"], numeric_tolerance=1e-3).ok
    assert matches("0.001", ["0"], numeric_tolerance=0.01).ok
    assert not matches("3.2", ["3.14159"], numeric_tolerance=1e-3).ok


def test_latex_boxed_fraction() -> None:
    got = matches(r"Thus $\boxed{\dfrac{1}{2}}$.", ["0.5"])
    assert (got.ok, got.rule) == (True, "boxed:numeric")


def test_boxed_region_wins_over_prose_numbers() -> None:
    reply = r"We try 17 and 23 first... the final result is \boxed{391} (not 17)"
    assert matches(reply, ["391"]).ok
    assert not matches(reply, ["17"]).ok


def test_last_boxed_with_nested_braces() -> None:
    assert answer_region(r"\boxed{1} then \boxed{\text{x}^{2}}") == ("boxed", r"\text{x}^{2}")


def test_answer_line_is_preferred_and_the_last_one_wins() -> None:
    reply = "Answer: 17\nWait, that is wrong.\n**Final answer:** 391\nHope this helps, 5 stars"
    got = matches(reply, ["391"])
    assert (got.ok, got.rule, got.normalised) == (True, "answer_line:numeric", "391")
    assert not matches(reply, ["17"]).ok


def test_korean_answer_line() -> None:
    assert answer_region("설명…\n정답: 서울")[0] == "answer_line"
    assert matches("설명…\n정답: 서울입니다.", ["서울"]).ok


def test_case_whitespace_quotes_and_markdown_are_normalised() -> None:
    assert normalise('  "**The  Eiffel\tTower**."  ') == "the eiffel tower"
    assert matches("It is *THE EIFFEL   TOWER*!", ["The Eiffel Tower"]).ok


def test_nfkc_folds_compatibility_characters() -> None:
    assert matches("ＰＡＲＩＳ", ["Paris"]).ok
    assert matches("ﬁne", ["fine"]).ok  # the fi ligature


def test_phrase_must_be_whole_not_part_of_a_longer_word() -> None:
    assert not matches("A Seoulite lives there", ["Seoul"]).ok
    assert not matches("Paris Hiltonesque", ["Paris Hilton"]).ok
    assert matches("The capital is Seoul.", ["Seoul"]).ok
    assert matches("(Seoul)", ["Seoul"]).ok


def test_single_digit_phrase_is_not_found_inside_a_number() -> None:
    assert not matches("14", ["4"]).ok


def test_any_accepted_alternative_matches_and_is_reported() -> None:
    got = matches("It's the USA", ["United States", "USA", "U.S."])
    assert (got.ok, got.matched) == (True, "USA")


def test_ambiguity_phrases() -> None:
    accepted = ["ambiguous", "depends on", "more than one"]
    assert matches("The question is ambiguous: 'bank' could mean two things.", accepted).ok
    assert matches("It depends on which Springfield you mean.", accepted).ok
    assert not matches("Springfield, Illinois.", accepted).ok


@pytest.mark.parametrize(
    "reply",
    [
        "서울",
        "서울입니다",
        "서울입니다.",
        "서 울",
        "수도는 서울이다.",
        "서울은요",
        "정답은 서울이에요",
        "서울 입니다",
    ],
)
def test_korean_particles_and_spacing(reply: str) -> None:
    got = matches(reply, ["서울"])
    assert got.ok, got
    assert got.rule.endswith(":korean")


@pytest.mark.parametrize(
    ("reply", "accepted"),
    [("서울특별시", "서울"), ("수도는서울", "서울"), ("부산", "서울"), ("서부산", "부산")],
)
def test_korean_longer_words_do_not_match(reply: str, accepted: str) -> None:
    assert not matches(reply, [accepted]).ok


def test_korean_stacked_particles() -> None:
    assert matches("서울에서는 비가 온다", ["서울"]).ok
    assert matches("세종대왕이었습니다", ["세종대왕"]).ok


def test_no_alternative_matches() -> None:
    got = matches("Tokyo", ["Seoul", "서울"])
    assert (got.ok, got.matched, got.rule) == (False, None, "full:none")


def test_empty_alternative_never_matches() -> None:
    assert not matches("anything", [""]).ok


def test_parse_number_only_accepts_a_single_number() -> None:
    assert parse_number("1,234.5") == 1234.5
    assert parse_number("3/4") == 0.75
    assert parse_number(".5") == 0.5
    assert parse_number("12 apples") is None
    assert parse_number("1 2") is None
    assert parse_number("1/0") is None


@pytest.mark.parametrize(
    "reply",
    [
        "세종대왕께서 창제하셨습니다.",
        "세종대왕이십니다",
        "정답: 세종대왕님께서",
        "세종대왕이셨습니다.",
    ],
)
def test_korean_honorifics_follow_the_name(reply: str) -> None:
    assert matches(reply, ["세종대왕"]).ok


@pytest.mark.parametrize(
    "reply",
    ["Answer: 3 × 10^8 m/s", "Answer: 3x10⁸", "\\boxed{3 \\times 10^{8}}", "Answer: 3*10**8"],
)
def test_times_ten_to_the_power_is_scientific_notation(reply: str) -> None:
    assert matches(reply, ["299,792,458"], numeric_tolerance=0.01).ok


def test_superscript_exponent_is_not_read_as_digits() -> None:
    # NFKC alone would make "10⁸" the number 108.
    assert not matches("Answer: 1.08 × 10²", ["108000000"]).ok
    assert matches("Answer: 1.08 × 10²", ["108"]).ok


def test_large_whole_numbers_are_compared_exactly() -> None:
    assert matches("Answer: 7,510,504,314,610", ["7510504314610"]).ok
    assert not matches("Answer: 7510504314609", ["7510504314610"]).ok
    assert not matches("Answer: 7.51e12", ["7510504314610"]).ok
    # An explicit tolerance still means closeness.
    assert matches("Answer: 7.5105e12", ["7510504314610"], numeric_tolerance=1e-3).ok
    # Small numbers keep the float rule (0.1 + 0.2 style answers).
    assert matches("Answer: 0.30000000000000004", ["0.3"]).ok
