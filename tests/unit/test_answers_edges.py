"""Answer matching at its edges: what `trinityctl show` says about a match (the rule and
the reason a reply failed), the region of a reply with nothing on its answer line, LaTeX
dollars and percent signs, a leading point or ellipsis, where clauses break around
abbreviations and answers with commas, hedges and retractions, Korean answers that occur
more than once, and the numbers of ambiguous questions."""

from __future__ import annotations

from typing import Any

import pytest
from trinity.controller.answers import answer_region, matches, normalise

EVEREST = {"numeric_tolerance": 1e-3, "unit": "m", "conversions": {"km": 1000, "ft": 0.3048}}


@pytest.mark.parametrize(
    ("reply", "accepted", "rule"),
    [
        ("Answer: Paris", "Paris", "answer_line:phrase"),
        ("정답: 서울입니다", "서울", "answer_line:korean"),
        ("Answer: 391", "391", "answer_line:numeric"),
        ("Answer: XX\nThat is two tens.", "XX", "answer_line:phrase"),  # a Roman numeral
        (r"\boxed{391}", "391", "boxed:numeric"),  # a reply that is only its boxed answer
        ("Answer: ...\n17 × 23 = 391", "391", "full:numeric"),  # an empty answer line
        ("**Answer:** …\n\n391", "391", "full:numeric"),
    ],
)
def test_the_rule_names_the_region_and_how_the_alternative_matched(
    reply: str, accepted: str, rule: str
) -> None:
    """`show` prints the rule, and a task that requires an answer line fails `full:`."""
    got = matches(reply, [accepted])
    assert (got.ok, got.matched, got.rule) == (True, accepted, rule)


@pytest.mark.parametrize(
    ("reply", "accepted", "why"),
    [
        ("Answer: 9-10", "9", "a range is a hedge: both ends must be accepted"),
        ("Answer: between 9 and 10", "9", "a range is a hedge: both ends must be accepted"),
        ("Answer: more than 1703", "1703", "a bound, an operand or a scale is not the value"),
        ("Answer: 1703 + 1", "1703", "a bound, an operand or a scale is not the value"),
        ("Answer: 1704", "1703", ""),  # plainly wrong: `show` prints only what it got
        ("Answer: Sydney", "Canberra", ""),
    ],
)
def test_a_failure_says_why_a_right_looking_number_is_not_the_answer(
    reply: str, accepted: str, why: str
) -> None:
    got = matches(reply, [accepted])
    assert (got.ok, got.why) == (False, why)


@pytest.mark.parametrize("reply", ["", "...", "**\n---\n"])
def test_a_reply_without_a_letter_or_digit_asserts_nothing(reply: str) -> None:
    assert answer_region(reply) == ("full", "")
    got = matches(reply, ["391"])
    assert (got.ok, got.normalised, got.why) == (False, "", "nothing asserted")


@pytest.mark.parametrize(
    ("reply", "accepted", "ok"),
    [
        ("Answer: $391$", "391", True),
        (r"Answer: $17 \times 23 = 391$", "391", True),
        (r"\boxed{50\%}", "50%", True),
        (r"Answer: $50\%$", "50%", True),
        ("Answer: at least $1703$", "1703", False),  # still a bound inside dollars
    ],
)
def test_latex_dollars_and_escaped_percent_signs_are_read_through(
    reply: str, accepted: str, ok: bool
) -> None:
    assert matches(reply, [accepted]).ok is ok


@pytest.mark.parametrize(
    ("reply", "ok"),
    [
        (r"Answer: $1703 \pm 1$", False),
        (r"Answer: $1703 \times 2$", False),
        (r"Answer: $1703 \cdot 2$", False),
        (r"Answer: $3406 \div 2$", False),
        (r"Answer: $\geq 1703$", False),
        (r"Answer: $\ge 1703$", False),
        (r"Answer: $\geqslant 1703$", False),
        (r"Answer: $\leq 1703$", False),
        (r"Answer: $\le 1703$", False),
        (r"Answer: $\leqslant 1703$", False),
        (r"Answer: $\gt 1703$", False),
        (r"Answer: $\lt 1703$", False),
        (r"Answer: $2431 \cdot 0.7 \approx 1703$", True),
        (r"Answer: $548 + 1155 \equiv 1703$", True),
        (r"Answer: $x \equiv 1703 \pmod{2431}$", True),  # \pmod is not \pm
        (r"Answer: $\left(1703\right)$", True),  # \left is not \le
    ],
)
def test_latex_operators_and_relations_are_read_as_their_symbols(reply: str, ok: bool) -> None:
    """ "\\geq 1703" is a bound and "1703 \\times 2" an operand, as "≥ 1703" and
    "1703 × 2" are (rule 8): LaTeX spelling must not make a wrong answer pass."""
    assert matches(reply, ["1703"]).ok is ok


@pytest.mark.parametrize(
    ("reply", "ok"),
    [
        ("Answer: > 1703", False),
        ("Answer: >1703", False),
        ("Answer: < 1703", False),
        ("Answer: >= 1703", False),
        ("Answer: <= 1703", False),
        ("Working above.\n>= 1703", False),  # not a markdown quote
        (r"\boxed{> 1703}", False),
        ("Answer: <1703>", True),  # the prompt's "Answer: <N>" filled in
        ("Answer: < 1703 >", True),
        ("> 1703", True),  # a markdown quote of the last line
        ("Working above.\n> > **1703**", True),
    ],
)
def test_a_lone_angle_bracket_is_a_bound_and_a_pair_is_the_template_filled_in(
    reply: str, ok: bool
) -> None:
    assert matches(reply, ["1703"]).ok is ok


@pytest.mark.parametrize(
    ("reply", "accepted", "ok"),
    [
        ("Answer: …391", "391", True),  # NFKC makes the ellipsis "...", not a point
        ("Answer: …391", "0.391", False),
        ("Answer: ...391", "391", True),
        ("Answer: .5", "0.5", True),
        ("Answer: (.5)", "1/2", True),
        ("Answer: .5 litres", "0.5", True),
    ],
)
def test_a_leading_point_is_a_decimal_point_but_an_ellipsis_is_not(
    reply: str, accepted: str, ok: bool
) -> None:
    assert matches(reply, [accepted]).ok is ok


def test_an_ellipsis_before_the_last_line_is_stripped() -> None:
    assert normalise("...so, Canberra.") == "so, canberra"
    assert matches("Let me think.\n...so, Canberra.", ["Canberra"]).ok


@pytest.mark.parametrize(
    ("reply", "accepted", "options", "ok"),
    [
        ("Answer: It is Mt. Everest", "Everest", {}, True),
        ("Answer: Mt. Everest, though some say K2", "Everest", {}, False),
        ("Answer: 8,848 – 8,849 m, though some sources say 8,900 m", "8848.86", EVEREST, False),
        ("Answer: 8,848 – 8,849 m", "8848.86", EVEREST, True),
        ("Answer: Washington, D.C., though some say New York", "Washington, D.C.", {}, False),
        ("Answer: Washington, DC; some say New York", "Washington, DC", {}, False),
        ("Answer: Washington, DC", "Washington, DC", {}, True),
        ("Answer: 1703 (?)", "1703", {}, True),  # a bracketed doubt offers no other number
        ("Answer: 1703 (!)", "1703", {}, True),
    ],
)
def test_clauses_still_break_after_an_abbreviation_a_range_or_an_answer_with_a_comma(
    reply: str, accepted: str, options: dict[str, Any], ok: bool
) -> None:
    """An abbreviation, a range or an accepted "Washington, DC" keeps its own break from
    cutting, but the breaks after it still cut: the hedge that follows is seen."""
    assert matches(reply, [accepted], **options).ok is ok


@pytest.mark.parametrize(
    ("reply", "accepted", "options", "ok"),
    [
        ("Answer: 299,792,458 m/s or 300,000 m/s", "299792458", {"unit": "m/s"}, False),
        (
            "Answer: 299,792,458 m/s or 299,792.458 km/s",
            "299792458",
            {"unit": "m/s", "conversions": {"km/s": 1000}},
            True,
        ),
        ("Answer: 206 (or so)", "206", {}, True),
        ("Answer: 206, or thereabouts", "206", {}, True),
        ("Answer: 206 (or maybe 207)", "206", {}, False),
    ],
)
def test_a_hedge_after_a_unit_is_seen_and_or_so_is_not_a_hedge(
    reply: str, accepted: str, options: dict[str, Any], ok: bool
) -> None:
    assert matches(reply, [accepted], **options).ok is ok


@pytest.mark.parametrize(
    ("reply", "ok"),
    [
        ("Answer: Canberra, wait no, Sydney is wrong, it's Canberra", True),
        ("Answer: Canberra — wait, yes, Canberra. Sydney is just the biggest city.", True),
        ("Answer: Canberra — wait, Sydney. Canberra is just the seat of government.", False),
    ],
)
def test_a_retraction_offers_only_the_first_thing_it_asserts(reply: str, ok: bool) -> None:
    """What a retraction offers is its next asserting clause; a denial on the way ("Sydney
    is wrong") offers nothing, and what follows the offer is commentary."""
    assert matches(reply, ["Canberra"]).ok is ok


@pytest.mark.parametrize(
    ("reply", "accepted", "ok"),
    [
        ("정답: 세종대왕입니다", "세종 대왕", True),  # spaces in the alternative ignored
        ("정답: 서울이며 정식 명칭은 서울특별시입니다", "서울", True),
        ("정답: 서울특별시를 줄여서 서울이라고 부르며 서울시라고도 합니다", "서울", True),
        ("정답: 서울특별시 입니다", "서울", False),
        ("정답: 한국은행", "한국", False),  # "은" is a particle, "은행" (bank) is not
        ("정답: 부산은행입니다", "부산", False),
    ],
)
def test_korean_any_occurrence_followed_only_by_particles_counts(
    reply: str, accepted: str, ok: bool
) -> None:
    assert matches(reply, [accepted]).ok is ok


@pytest.mark.parametrize(
    ("reply", "options", "why"),
    [
        ("Answer: it depends: 6 or 7", {}, ""),
        ("Answer: it depends: between 5.5 and 7.5", {}, "competing answer '6' is not named"),
        ("Answer: it depends: from 7 to 8", {}, "competing answer '6' is not named"),
        ("Answer: it depends: from 5 to 7", {}, ""),
        ("Answer: it depends: 6.002 or 7.004", {"numeric_tolerance": 0.001}, ""),
        ("Answer: it depends: 6.1 or 7", {"numeric_tolerance": 0.001}, "competing answer '6' is not named"),
    ],
)  # fmt: skip
def test_an_ambiguous_count_is_named_by_an_equal_number_or_a_whole_number_range(
    reply: str, options: dict[str, Any], why: str
) -> None:
    got = matches(reply, ["depends"], competing=[["6"], ["7"]], **options)
    assert (got.ok, got.why) == (not why, why)


def test_a_decimal_said_to_be_wrong_does_not_leave_its_whole_part_named() -> None:
    # Longer names are removed first: dropping "5 is wrong" out of "4.5 is wrong" first
    # would leave "4." behind, and a reply that never says 4 would name it.
    got = matches("Answer: ambiguous: 5 (4.5 is wrong)", ["ambiguous"],
                  competing=[["4"], ["5"]], wrong=["4.5"])  # fmt: skip
    assert (got.ok, got.why) == (False, "competing answer '4' is not named")
    assert matches("Answer: ambiguous: 4 or 5 (4.5 is wrong)", ["ambiguous"],
                   competing=[["4"], ["5"]], wrong=["4.5"]).ok  # fmt: skip


@pytest.mark.parametrize(
    ("reply", "accepted", "ok"),
    [
        ("Answer: 1703 rather than 2858", "1703", True),
        ("Answer: 2858 rather than 1703", "1703", False),
        ("Answer: In 1901 the capital was not Canberra; today it is Canberra", "Canberra", True),
    ],
)
def test_a_negated_clause_asserts_a_number_only_where_a_number_is_accepted(
    reply: str, accepted: str, ok: bool
) -> None:
    """ "1703 rather than 2858" asserts 1703; a year left in a negated clause of a
    name question asserts nothing, and the next clause is the answer."""
    assert matches(reply, [accepted]).ok is ok


@pytest.mark.parametrize(
    ("reply", "ok"),
    [
        ("정답: 모호한 질문입니다. 산타크루스가 아니라 수크레와 라파스입니다", True),
        ("정답: 모호한 질문입니다. 산타크루스가 아니라수크레와 라파스입니다", True),
        ("정답: 모호한 질문입니다. 수크레와 라파스입니다, 산타크루스는 아닙니다", True),
        ("정답: 모호한 질문입니다. 산타크루스와 수크레와 라파스입니다", False),
    ],
)
def test_a_korean_denial_after_a_particle_unnames_an_ambiguous_answer(reply: str, ok: bool) -> None:
    """ "산타크루스가 아니라" denies 산타크루스 as "Santa Cruz is wrong" does, and the name
    right after the denial is still named, spaced or not (rule 12)."""
    got = matches(reply, ["모호한"], competing=[["수크레"], ["라파스"]], wrong=["산타크루스"])
    assert got.ok is ok, got
