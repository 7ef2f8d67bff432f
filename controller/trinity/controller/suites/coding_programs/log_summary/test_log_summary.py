"""Hidden checks for coding_programs/log_summary.

Reports are compared as lists of lines with trailing whitespace removed from each line
and blank lines removed from the end (the prompt allows both differences). Value checks
return those lists, compared outside the sandbox. main() runs with sys.stdin, sys.stdout,
sys.stderr and sys.argv replaced, restored afterwards.
"""

import contextlib
import datetime
import io
import random
import re
import sys

from solution import main, summarize

LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LINE = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) "
    r"(DEBUG|INFO|WARNING|ERROR|CRITICAL) ([A-Za-z0-9_.-]+): (.+)",
    re.DOTALL,
)

EXAMPLE = [
    "2024-03-01 10:00:00 INFO web: started\n",
    "2024-03-01 09:59:58 DEBUG db: connecting\n",
    "2024-03-01 10:00:05 ERROR db: connection lost\n",
    "this is not a log line\n",
    "\n",
    "2024-03-01 10:01:00 ERROR db: connection lost\n",
    "2024-03-01 10:02:00 CRITICAL web: out of memory\n",
]


def _lines(report):
    assert isinstance(report, str), f"expected a str report, got {type(report).__name__}"
    lines = [line.rstrip() for line in report.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _report(lines, *top):
    return _lines(summarize(list(lines), *top))


def _oracle(lines, top=3):
    total = malformed = 0
    stamps, levels, comps, errors = [], dict.fromkeys(LEVELS, 0), {}, {}
    for raw in lines:
        line = raw.rstrip()
        if not line:
            continue
        total += 1
        m = LINE.fullmatch(line)
        ok = m is not None
        if ok:
            date, hh, mm, ss, level, comp, msg = m.groups()
            try:
                datetime.date.fromisoformat(date)
            except ValueError:
                ok = False
            ok = ok and int(hh) < 24 and int(mm) < 60 and int(ss) < 60
        if not ok:
            malformed += 1
            continue
        stamps.append(f"{date} {hh}:{mm}:{ss}")
        levels[level] += 1
        count, errs = comps.get(comp, (0, 0))
        bad = level in ("ERROR", "CRITICAL")
        comps[comp] = (count + 1, errs + bad)
        if bad:
            errors[comp, msg] = errors.get((comp, msg), 0) + 1
    out = [f"lines: {total}", f"malformed: {malformed}",
           f"first: {min(stamps) if stamps else '-'}", f"last: {max(stamps) if stamps else '-'}"]  # fmt: skip
    out += [f"{level}: {levels[level]}" for level in LEVELS]
    out.append("components:")
    for comp, (count, errs) in sorted(comps.items(), key=lambda kv: (-kv[1][0], kv[0])):
        out.append(f"  {comp}: {count} lines, {errs} errors")
    out.append("top errors:")
    ranked = sorted(errors.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))[:top]
    out += [f"  {count} {comp}: {msg}".rstrip() for (comp, msg), count in ranked]
    return out


def _run_main(argv, stdin_text):
    """(status, stdout, stderr) of main(argv); SystemExit's code counts as the status."""
    saved = sys.stdin, sys.argv
    out, err = io.StringIO(), io.StringIO()
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin_text.encode()), encoding="utf-8")
    sys.argv = ["log_summary.py", *argv]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(list(argv))
            except SystemExit as exc:
                status = 0 if exc.code is None else exc.code
    finally:
        sys.stdin, sys.argv = saved
    return status, out.getvalue(), err.getvalue()


def check_basic_report():
    return _report(EXAMPLE)


def check_malformed_lines():
    lines = [
        "2024-05-01 12:00:00 INFO api: ok",
        " 2024-05-01 12:00:00 INFO api: leading space",
        "2024-05-01  12:00:00 INFO api: two spaces",
        "2024-05-01 12:00:00 info api: lowercase level",
        "2024-05-01 12:00:00 WARN api: unknown level",
        "2024-05-01 12:00:00 INFO api:no space after colon",
        "2024-05-01 12:00:00 INFO api : space before colon",
        "2024-05-01 12:00:00 INFO my api: space in component",
        "2024-05-01 12:00:00 INFO api/v2: slash in component",
        "2024-05-01 12:00:00 INFO : no component",
        "2024-05-01 12:00:00 INFO api:",
        "2024-05-01 12:00:00 INFO api: ",
        "2024-05-01T12:00:00 INFO api: T separator",
        "2024-05-01 12:00:00 INFO",
        "12:00:00 INFO api: no date",
        "just text",
        "2024-05-01 12:00:00 ERROR db.pool-2_x: a: b:  c",
        "2024-05-01 12:00:00 WARNING API: shouting component",
        "2024-05-01 12:00:00 INFO api:  two spaces after colon",
        "2024-05-01 12:00:00 INFO api: ok",
    ]
    return _report(lines)


def check_dates_and_times():
    lines = [
        "2024-02-29 00:00:00 INFO cal: leap day",
        "2023-02-29 00:00:00 INFO cal: not a leap year",
        "2100-02-29 00:00:00 INFO cal: not a leap year either",
        "2000-02-29 23:59:59 INFO cal: leap century",
        "2024-04-31 10:00:00 INFO cal: april has 30 days",
        "2024-13-01 10:00:00 INFO cal: month 13",
        "2024-00-10 10:00:00 INFO cal: month 0",
        "2024-01-00 10:00:00 INFO cal: day 0",
        "2024-12-31 24:00:00 INFO cal: hour 24",
        "2024-12-31 23:60:00 INFO cal: minute 60",
        "2024-12-31 23:59:60 INFO cal: second 60",
        "2024-3-01 10:00:00 INFO cal: one-digit month",
        "2024-03-1 10:00:00 INFO cal: one-digit day",
        "2024-03-01 1:02:03 INFO cal: one-digit hour",
        "24-03-01 10:00:00 INFO cal: two-digit year",
        "2024-03-01 10:00 INFO cal: no seconds",
        "2024/03/01 10:00:00 INFO cal: slashes",
        "1999-12-31 23:59:59 INFO cal: last of the century",
    ]
    return _report(lines)


def check_span_unordered():
    lines = [
        "2024-06-15 12:00:00 INFO a: middle",
        "2025-01-01 00:00:00 INFO a: latest",
        "bad line",
        "2023-12-31 23:59:59 INFO a: earliest",
        "2024-06-15 11:59:59 INFO a: just before middle",
        "2023-12-31 23:60:00 INFO a: invalid, would be earlier",
    ]
    one = ["2024-01-01 08:00:00 DEBUG x: only"]
    return [_report(lines), _report(one), _report(["not a log", "neither"])]


def check_component_order():
    lines = []
    for comp, n, errs in [("web", 2, 1), ("db", 3, 0), ("auth", 2, 2), ("Zeta", 2, 0),
                          ("api-v2", 1, 1), ("api.v1", 1, 0), ("api_v0", 1, 0)]:  # fmt: skip
        for i in range(n):
            level = "ERROR" if i < errs else "INFO"
            lines.append(f"2024-07-0{i + 1} 09:00:00 {level} {comp}: event {i}")
    return _report(lines)


def check_top_errors():
    lines = [
        "2024-08-01 10:00:00 ERROR db: timeout",
        "2024-08-01 10:00:01 CRITICAL db: timeout",
        "2024-08-01 10:00:02 ERROR web: timeout",
        "2024-08-01 10:00:03 ERROR web: 500 on /",
        "2024-08-01 10:00:04 ERROR web: 500 on /",
        "2024-08-01 10:00:05 CRITICAL auth: disk full",
        "2024-08-01 10:00:06 ERROR auth: bad token",
        "2024-08-01 10:00:07 WARNING db: timeout",
        "2024-08-01 10:00:08 ERROR auth: bad token",
        "2024-08-01 10:00:09 ERROR db: Timeout",
        "2024-08-01 10:00:10 ERROR cache: miss storm",
        "2024-08-01 10:00:11 ERROR cache: a miss",
    ]
    return [_report(lines), _report(lines, 1), _report(lines, 0), _report(lines, 20)]


def check_empty_input():
    return [_report([]), _report(["", "\n", "   \n", "\t\r\n"])]


def check_line_endings():
    lines = [
        "2024-09-01 10:00:00 ERROR io: write failed\r\n",
        "2024-09-01 10:00:01 ERROR io: write failed\n",
        "2024-09-01 10:00:02 ERROR io: write failed   \t\n",
        "2024-09-01 10:00:03 ERROR io: write failed",
        "2024-09-01 10:00:04 ERROR io: write  failed\n",
        "2024-09-01 10:00:05 ERROR io:\twrite failed\n",
        "\r\n",
        "2024-09-01 10:00:06 INFO io: tab\tinside\n",
    ]
    return _report(lines)


def check_main_stdin():
    text = "".join(EXAMPLE) + "2024-03-02 00:00:00 WARNING web: slow\n"
    status, out, _err = _run_main([], text)
    assert status == 0, f"main([]) returned {status!r}, want 0"
    return _lines(out)


def check_main_top_option():
    text = "".join(EXAMPLE[:3] + EXAMPLE[5:]) + "2024-03-01 11:00:00 ERROR db: pool exhausted\n"
    results = []
    for argv in (["--top", "1"], ["--top", "0"], ["--top", "10"]):
        status, out, _err = _run_main(argv, text)
        assert status == 0, f"main({argv}) returned {status!r}, want 0"
        results.append(_lines(out))
    return results


def check_main_usage_errors():
    text = "".join(EXAMPLE)
    problems = []
    for argv in (["--bogus"], ["--top"], ["--top", "abc"], ["--top", "-1"], ["--top", "1.5"],
                 ["extra"], ["--top", "2", "extra"]):  # fmt: skip
        status, out, err = _run_main(argv, text)
        if status != 2:
            problems.append(f"{argv}: status {status!r}, want 2")
        if out:
            problems.append(f"{argv}: wrote {out[:60]!r} to stdout")
        if "usage" not in err.lower():
            problems.append(f"{argv}: stderr has no 'usage': {err[:60]!r}")
    assert not problems, "; ".join(problems)
    return "ok"


def check_random_logs():
    rng = random.Random(4242)
    comps = ["api", "db", "web", "auth", "db.replica", "q-1", "Z_z"]
    messages = ["timeout", "ok", "a:b", "x  y", "boom", "Timeout", "retry 3"]

    def make_line():
        roll = rng.random()
        stamp = (f"{rng.choice([2023, 2024])}-{rng.randint(1, 12):02d}-{rng.randint(1, 31):02d}"
                 f" {rng.randint(0, 24):02d}:{rng.randint(0, 60):02d}:{rng.randint(0, 59):02d}")  # fmt: skip
        level = rng.choice([*LEVELS, "ERROR", "ERROR", "CRITICAL"])
        line = f"{stamp} {level} {rng.choice(comps)}: {rng.choice(messages)}"
        if roll < 0.05:
            line = line.lower()
        elif roll < 0.1:
            line = " " + line
        elif roll < 0.15:
            line = ""
        elif roll < 0.2:
            line = line.replace(": ", " ", 1)
        return line + rng.choice(["\n", "\r\n", "  \n", ""])

    for round_ in range(60):
        lines = [make_line() for _ in range(rng.randint(0, 60))]
        top = rng.randint(0, 6)
        got = _report(lines, top)
        want = _oracle(lines, top)
        assert got == want, f"round {round_} (top={top}): report differs:\n{got}\nwant\n{want}"
    return 60
