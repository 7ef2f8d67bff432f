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


# Findings and denials worded unlike the tasks' own samples: each check takes the finding
# however it is phrased (negations included) and refuses the denial.
@pytest.mark.parametrize(
    ("task_id", "check", "passes", "sentence"),
    [
        (
            "crosscheck/code_review",
            "sql_injection",
            True,
            "The query is built with an f-string, so it is open to SQL injection.",
        ),
        (
            "crosscheck/code_review",
            "sql_injection",
            True,
            "Use parameterised queries instead of string formatting.",
        ),
        (
            "crosscheck/code_review",
            "sql_injection",
            False,
            "There's no SQL injection risk because the username is validated upstream.",
        ),
        (
            "crosscheck/code_review",
            "sql_injection",
            False,
            "This code is not vulnerable to injection.",
        ),
        (
            "crosscheck/code_review",
            "resource_leak",
            True,
            "The file opened in _audit is not closed.",
        ),
        ("crosscheck/code_review", "resource_leak", True, "Connections leak when execute raises."),
        (
            "crosscheck/code_review",
            "resource_leak",
            False,
            "The file handle does not leak: it is closed automatically by the garbage collector.",
        ),
        (
            "crosscheck/code_review",
            "bare_except",
            True,
            "except: catches everything, including KeyboardInterrupt.",
        ),
        (
            "crosscheck/code_review",
            "bare_except",
            False,
            "The bare except is intentional and harmless.",
        ),
        (
            "crosscheck/code_review",
            "mutable_default",
            True,
            "The default argument is evaluated once, so the list is shared across calls.",
        ),
        (
            "crosscheck/code_review",
            "mutable_default",
            False,
            "Using a list as a default argument is fine here, it is never mutated.",
        ),
        (
            "crosscheck/code_review",
            "missing_commit",
            True,
            "sqlite3 does not autocommit, so call conn.commit() after the UPDATE.",
        ),
        ("crosscheck/code_review", "missing_commit", True, "The UPDATE is never committed."),
        (
            "crosscheck/code_review",
            "missing_commit",
            True,
            "deactivate doesn't commit the transaction.",
        ),
        (
            "crosscheck/code_review",
            "missing_commit",
            True,
            "The change is rolled back when the connection is closed without a commit.",
        ),
        (
            "crosscheck/code_review",
            "missing_commit",
            False,
            "There is no need to call commit(): sqlite3 autocommits by default.",
        ),
        (
            "crosscheck/code_review",
            "missing_commit",
            False,
            "close() never rolls back, so the update is saved.",
        ),
        (
            "hard_judgement/code_review",
            "pickle_rce",
            True,
            "Unpickling untrusted data allows arbitrary code execution.",
        ),
        (
            "hard_judgement/code_review",
            "pickle_rce",
            True,
            "pickle.loads on user input is a remote code execution vulnerability.",
        ),
        (
            "hard_judgement/code_review",
            "pickle_rce",
            False,
            "Using pickle here is fine; there is no RCE risk since the cookie is base64.",
        ),
        (
            "hard_judgement/code_review",
            "pickle_rce",
            False,
            "pickle.loads is not dangerous because only the server writes the cookie.",
        ),
        (
            "hard_judgement/code_review",
            "timing_compare",
            True,
            "Use hmac.compare_digest to avoid a timing attack.",
        ),
        (
            "hard_judgement/code_review",
            "timing_compare",
            True,
            "The == comparison is not constant-time.",
        ),
        (
            "hard_judgement/code_review",
            "timing_compare",
            False,
            "Timing attacks are negligible over the network, so == is fine.",
        ),
        (
            "hard_judgement/code_review",
            "timing_compare",
            False,
            "There is no timing issue with ==.",
        ),
        (
            "hard_judgement/code_review",
            "unbounded_cache",
            True,
            "Nothing ever removes entries from _SESSIONS, so it grows forever.",
        ),
        (
            "hard_judgement/code_review",
            "unbounded_cache",
            False,
            "The session dict is not a memory leak because sessions are short-lived.",
        ),
        (
            "hard_judgement/code_review",
            "safe_alternative",
            True,
            "Store sessions server-side and give the client an opaque token.",
        ),
        (
            "hard_judgement/code_review",
            "safe_alternative",
            False,
            "Signing the cookie would not help here.",
        ),
        (
            "hard_judgement/code_review",
            "safe_alternative",
            False,
            "Use hmac.compare_digest for the token.",
        ),
        (
            "hard_judgement/system_design",
            "durability",
            True,
            "The queue is replicated across three availability zones.",
        ),
        (
            "hard_judgement/system_design",
            "durability",
            True,
            "Kafka with acks=all and min.insync.replicas=2.",
        ),
        (
            "hard_judgement/system_design",
            "durability",
            False,
            "Jobs are replicated asynchronously to a standby.",
        ),
        (
            "hard_judgement/system_design",
            "durability",
            False,
            "Durability: we keep jobs in memory only, for speed.",
        ),
        (
            "hard_judgement/system_design",
            "delivery_semantics",
            True,
            "Workers process jobs at least once and handlers are idempotent.",
        ),
        (
            "hard_judgement/system_design",
            "delivery_semantics",
            False,
            "Handlers need not be idempotent.",
        ),
        (
            "hard_judgement/system_design",
            "worker_crash",
            True,
            "Jobs whose visibility timeout lapses are redelivered.",
        ),
        (
            "hard_judgement/system_design",
            "worker_crash",
            True,
            "A crashed worker's lease expires without a heartbeat and the job is requeued.",
        ),
        (
            "hard_judgement/system_design",
            "worker_crash",
            False,
            "A crashed worker's job is not requeued; the tenant resubmits.",
        ),
        (
            "hard_judgement/system_design",
            "rate_limiting",
            True,
            "We throttle each tenant to its plan's limit.",
        ),
        ("hard_judgement/system_design", "rate_limiting", False, "We do not rate-limit tenants."),
        (
            "hard_judgement/system_design",
            "fairness",
            True,
            "Weighted fair queuing across tenants prevents starvation.",
        ),
        (
            "hard_judgement/system_design",
            "fairness",
            True,
            "A noisy neighbour cannot starve the other tenants.",
        ),
        (
            "hard_judgement/system_design",
            "backpressure",
            True,
            "Bounded queues apply backpressure to the API.",
        ),
        (
            "hard_judgement/system_design",
            "backpressure",
            False,
            "Backpressure is not needed, workers autoscale.",
        ),
        (
            "hard_judgement/system_design",
            "retries",
            True,
            "Retries use exponential backoff with a maximum of 5 attempts.",
        ),
        (
            "hard_judgement/system_design",
            "retries",
            False,
            "Jobs are retried forever until they succeed, without backoff.",
        ),
        (
            "hard_judgement/system_design",
            "observability",
            True,
            "We export Prometheus metrics per tenant.",
        ),
        (
            "hard_judgement/system_design",
            "observability",
            False,
            "Observability is out of scope for this design.",
        ),
    ],
)
def test_built_in_checks_take_findings_and_refuse_denials_in_other_words(
    task_id, check, passes, sentence
):
    from trinity.controller.suites import load_task

    assert judge(load_task(task_id).rubric[check], sentence).passed is passes


# Rule 4 and 5: a finding named only to be waved away, or only asked about, is not found;
# the words that wave one away elsewhere in a sentence do not hide a finding.
DISMISSED = [
    ("hard_judgement/code_review", "timing_compare",
     "Using == for the admin token is fine; timing attacks over the network are not practical."),
    ("hard_judgement/code_review", "timing_compare",
     "I don't think timing is a concern for the admin token comparison."),
    ("hard_judgement/code_review", "timing_compare", "Timing attacks? Not a real issue here."),
    ("hard_judgement/code_review", "pickle_rce",
     "I don't think arbitrary code execution is a concern here, since cookies come from our "
     "own server."),
    ("hard_judgement/code_review", "pickle_rce",
     "Some reviewers flag pickle as RCE, but that does not apply to this service."),
    ("hard_judgement/code_review", "unbounded_cache",
     "I wouldn't worry about _SESSIONS growing without limit; restarts clear it."),
    ("hard_judgement/code_review", "unbounded_cache", "Adding an LRU would be over-engineering here."),
    ("crosscheck/code_review", "sql_injection", "I checked for SQL injection and found none."),
    ("crosscheck/code_review", "missing_commit",
     "The missing commit people worry about is a non-issue: the context manager commits."),
    ("crosscheck/code_review", "bare_except",
     "The bare except is acceptable here since errors are logged."),
    ("crosscheck/code_review", "mutable_default",
     "The mutable default argument is harmless because it is never mutated."),
    ("hard_judgement/system_design", "rate_limiting", "Rate limiting is out of scope."),
    ("hard_judgement/system_design", "backpressure", "Backpressure is unnecessary at this scale."),
    ("hard_judgement/system_design", "delivery_semantics",
     "Exactly-once delivery is easy: we just use a database."),
]  # fmt: skip

FOUND_DESPITE_DISMISSAL_WORDS = [
    ("hard_judgement/code_review", "timing_compare",
     "The token format check is fine, but comparing with == is not constant-time and leaks "
     "timing."),
    ("hard_judgement/code_review", "pickle_rce",
     "Pickle is fine for trusted data; a cookie is not trusted, so unpickling it is remote "
     "code execution."),
    ("hard_judgement/code_review", "unbounded_cache",
     "An LRU may look like over-engineering, but without one _SESSIONS grows without limit."),
    ("crosscheck/code_review", "sql_injection",
     "There is nothing stopping a caller from SQL injection through the name."),
    ("crosscheck/code_review", "bare_except",
     "Logging is fine, but the bare except also swallows KeyboardInterrupt."),
    ("hard_judgement/code_review", "pickle_rce",
     "This is not a theoretical concern: unpickling a cookie is remote code execution."),
]  # fmt: skip


@pytest.mark.parametrize(("task_id", "check", "sentence"), DISMISSED)
def test_a_finding_waved_away_or_only_asked_about_is_not_found(task_id, check, sentence):
    from trinity.controller.suites import load_task

    finding = judge(load_task(task_id).rubric[check], sentence)
    assert not finding.passed, finding.message


@pytest.mark.parametrize(("task_id", "check", "sentence"), FOUND_DESPITE_DISMISSAL_WORDS)
def test_dismissal_words_in_another_clause_do_not_hide_a_finding(task_id, check, sentence):
    from trinity.controller.suites import load_task

    finding = judge(load_task(task_id).rubric[check], sentence)
    assert finding.passed, finding.message
