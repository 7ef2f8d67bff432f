"""Rubric checks: a finding counts only in a sentence that asserts it and does not deny it;
expressions never start inside a word; every built-in rubric check is proven by a denial."""

from __future__ import annotations

import pytest
from trinity.controller.rubric import Check, judge, sentences
from trinity.controller.scoring import score_reply
from trinity.controller.suites import select_tasks

INJECTION = Check(
    asserts=(r"sql\W{0,3}injection", r"placeholders?\b"),
    refuted_by=(r"no\s+(\w+\s+){0,2}(sql\W{0,3})?injection",),
)
UNBOUNDED = Check(asserts=(r"no\s+upper\s+bound", r"never\s+evicted"))


def test_a_denial_of_the_finding_fails_the_check():
    got = judge(INJECTION, "No SQL injection problem here.")
    assert not got.passed and "denied" in got.message and "No SQL injection" in got.message


def test_a_denial_voids_only_its_own_sentence():
    reply = "SQL injection in find_user: use placeholders. export has no injection problem."
    assert judge(INJECTION, reply).passed
    assert judge(INJECTION, "export has no injection problem. Use placeholders.").passed


def test_a_finding_that_is_a_negation_passes_without_a_refutation_to_void_it():
    # No negation filter shared by all checks: "no upper bound" is the finding here.
    assert judge(UNBOUNDED, "The dict has no upper bound; entries are never evicted.").passed


def test_expressions_never_start_inside_a_word():
    durable = Check(asserts=(r"synchronous\s+replica",))
    assert judge(durable, "A synchronous replica in another zone.").passed
    assert not judge(durable, "An asynchronous replica in another zone.").passed
    assert not judge(Check(asserts=("commit",)), "The uncommitted change is lost.").passed
    # An expression may still end mid-word.
    assert judge(Check(asserts=("durab",)), "Jobs are durably stored.").passed


def test_matching_ignores_case():
    assert judge(INJECTION, "sql INJECTION everywhere").passed


def test_not_mentioned_says_so():
    assert judge(INJECTION, "Looks good to me.").message == "not mentioned"


def test_sentences_end_at_stops_blank_lines_and_list_items():
    reply = "First one. Second one!\n\n- item one\n- item two\n1. numbered\n# heading"
    assert [s.strip() for s in sentences(reply)] == [
        "First one.", "Second one!", "- item one", "- item two", "1. numbered", "# heading",
    ]  # fmt: skip
    # A wrapped line goes on with its sentence.
    assert len(sentences("A sentence that wraps\nonto the next line.")) == 1


def _rubric_tasks():
    return [t for t in select_tasks(["all", "crosscheck"]) if t.kind in ("review", "design")]


@pytest.mark.parametrize("task", _rubric_tasks(), ids=lambda t: t.id)
def test_every_rubric_check_is_failed_alone_by_a_bad_reply(task):
    alone = set()
    for reply in task.bad_replies:
        failed = [c.name for c in score_reply(task, reply).checks if not c.passed]
        if len(failed) == 1:
            alone.add(failed[0])
    assert alone == set(task.checks)


@pytest.mark.parametrize("task", _rubric_tasks(), ids=lambda t: t.id)
def test_every_good_reply_passes_every_rubric_check(task):
    for reply in task.good_replies:
        assert score_reply(task, reply).score == 100.0, reply[:80]


def test_the_issues_denials_fail_their_checks():
    """The replies that passed before refutations existed (issue: text scoring)."""
    cases = {
        "crosscheck/code_review": [
            ("sql_injection", "No SQL injection problem: the names are fine."),
            ("missing_commit", "`deactivate` is fine as written: sqlite3 commits when the "
             "connection closes."),
        ],
        "hard_judgement/code_review": [
            ("timing_compare", "Comparing the token with `==` takes constant time in "
             "practice, so no change is needed."),
        ],
        "hard_judgement/system_design": [
            ("delivery_semantics", "We deliberately do not deduplicate."),
            ("durability", "Durability: the primary copies jobs to an asynchronous replica."),
        ],
    }  # fmt: skip
    tasks = {t.id: t for t in _rubric_tasks()}
    for task_id, replies in cases.items():
        for check, reply in replies:
            assert not judge(tasks[task_id].rubric[check], reply).passed, (check, reply)
