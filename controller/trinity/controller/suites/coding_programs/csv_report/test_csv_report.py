"""Hidden checks for coding_programs/csv_report.

Reports are compared as lists of lines, each without trailing whitespace, with blank
lines at the end dropped (the prompt allows both). Value checks return those lists,
compared outside the sandbox. main() runs with sys.stdin, sys.stdout, sys.stderr and
sys.argv replaced, restored afterwards.
"""

import contextlib
import io
import random
import re
import sys

from solution import main, sales_report

EXAMPLE = (
    "region,product,quantity,unit_price\n"
    "north,pen,3,1.50\n"
    "south,ink,1,10\n"
    "north,pad,x,2\n"
    "\n"
    "north,pen,2,0.25\n"
)


def _lines(report):
    assert isinstance(report, str), f"expected a str report, got {type(report).__name__}"
    lines = [line.rstrip() for line in report.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _report(text, strict=False):
    return _lines(sales_report(text, strict=strict) if strict else sales_report(text))


def _value_error(text, strict):
    try:
        result = sales_report(text, strict=strict)
    except ValueError as exc:
        return str(exc)
    raise AssertionError(f"no ValueError (strict={strict}) for {text[:80]!r}: got {result!r}")


def _run_main(argv, stdin_text):
    saved = sys.stdin, sys.argv
    out, err = io.StringIO(), io.StringIO()
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin_text.encode()), encoding="utf-8")
    sys.argv = ["csv_report.py", *argv]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(list(argv))
            except SystemExit as exc:
                status = 0 if exc.code is None else exc.code
    finally:
        sys.stdin, sys.argv = saved
    return status, out.getvalue(), err.getvalue()


def _oracle(text):
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    header = [name.strip() for name in lines[0].split(",")]
    at = {name: header.index(name) for name in ("region", "quantity", "unit_price")}
    totals, skipped = {}, []
    for number, line in enumerate(lines[1:], start=2):
        if line == "":
            continue
        fields = line.split(",")  # the random data never quotes
        ok = len(fields) == len(header)
        if ok:
            region = fields[at["region"]].strip()
            qty = fields[at["quantity"]].strip()
            price = fields[at["unit_price"]].strip()
            ok = (region != "" and re.fullmatch(r"[0-9]+", qty) is not None and int(qty) >= 1
                  and re.fullmatch(r"[0-9]+(\.[0-9]{1,2})?", price) is not None)  # fmt: skip
        if not ok:
            skipped.append(number)
            continue
        whole, _, frac = price.partition(".")
        cents = int(whole) * 100 + int((frac + "00")[:2])
        orders, units, revenue = totals.get(region, (0, 0, 0))
        totals[region] = (orders + 1, units + int(qty), revenue + int(qty) * cents)

    def money(cents):
        return f"{cents // 100}.{cents % 100:02d}"

    out = ["region,orders,units,revenue"]
    for region, (o, u, r) in sorted(totals.items(), key=lambda kv: (-kv[1][2], kv[0])):
        out.append(f"{region},{o},{u},{money(r)}")
    o, u, r = (sum(t[i] for t in totals.values()) for i in range(3))
    out.append(f"TOTAL,{o},{u},{money(r)}")
    out.append("skipped lines: " + (", ".join(map(str, skipped)) or "none"))
    return out


def check_basic():
    return [_report(EXAMPLE), _report(EXAMPLE.rstrip("\n"))]


def check_header_columns():
    text = (
        " unit_price , date,region ,quantity,note\n"
        "2.00,2024-01-01,east,4,first\n"
        "0.99,2024-01-02, West ,1,\n"
        "1,2024-01-03,east,10,bulk\n"
        "5.5,2024-01-04,West,2,x\n"
    )
    return _report(text)


def check_quoted_fields():
    text = (
        "region,product,quantity,unit_price\n"
        'north,"Widget, large",2,3.25\n'
        '"south","say ""hi""",1,"7.00"\n'
        'north,"a,b,c,d",1,0.50\n'
        '"east",plain,"3",1.10\n'
        'west,pen,"1,000",2\n'
    )
    return _report(text)


def check_bad_rows_skipped():
    rows = [
        "r1,p,1,1.00",  # 2 valid
        "r1,p,0,1.00",  # 3 zero quantity
        "r1,p,-2,1.00",  # 4
        "r1,p,2.5,1.00",  # 5
        "r1,p,,1.00",  # 6
        "r1,p,+3,1.00",  # 7
        "r1,p,1,.5",  # 8
        "r1,p,1,4.",  # 9
        "r1,p,1,4.505",  # 10
        "r1,p,1,-1.00",  # 11
        "r1,p,1,1e3",  # 12
        "r1,p,1,nan",  # 13
        "r1,p,1,",  # 14
        " ,p,1,1.00",  # 15 empty region
        "r1,p,1",  # 16 too few fields
        "r1,p,1,1.00,extra",  # 17 too many
        "r2,p, 7 , 4.5 ",  # 18 valid, spaces stripped
        "r2,p,007,0.05",  # 19 valid
        "r1,p,1,1.5",  # 20 valid
    ]
    return _report("region,product,quantity,unit_price\n" + "\n".join(rows) + "\n")


def check_strict_mode():
    header = "region,product,quantity,unit_price\n"
    cases = [
        (header + "a,p,1,1\nb,p,zero,1\nc,p,-1,1\n", 3),
        (header + "a,p,1,1\n\n\na,p,1,1.234\n", 5),
        (header + "a,p,1\n", 2),
        (header + "a,p,1,1\r\nb,p,1,1\r\n,p,1,1\r\n", 4),
    ]
    found = []
    for text, line in cases:
        message = _value_error(text, True)
        assert re.search(rf"\bline {line}\b", message), f"message {message!r} lacks 'line {line}'"
        found.append(line)
    good = header + "a,p,1,1\n\nb,p,2,2.50\n"
    found.append(_report(good, strict=True))
    return found


def check_missing_columns():
    texts = [
        "",
        "region,product,quantity\nnorth,pen,1\n",
        "Region,quantity,unit_price\nnorth,1,1.00\n",
        "region,qty,unit_price\nnorth,1,1.00\n",
        "product,quantity,unit_price\n",
    ]
    for strict in (False, True):
        for text in texts:
            _value_error(text, strict)
    return len(texts)


def check_exact_money():
    text = (
        "region,product,quantity,unit_price\n"
        "beta,x,1,0.10\n"
        "beta,x,1,0.20\n"
        "alpha,x,1,0.30\n"
        "gamma,x,3,0.10\n"
        "delta,x,100000,19.99\n"
        "eps,x,7,1.15\n"
        "eps,x,1,2.95\n"
        "zeta,x,1,11\n"
    )
    return _report(text)


def check_no_valid_rows():
    return [
        _report("region,quantity,unit_price\n"),
        _report("region,quantity,unit_price"),
        _report("region,quantity,unit_price\r\n\r\nx,0,1\r\n\r\n"),
    ]


def check_main_cli():
    status, out, err = _run_main([], EXAMPLE)
    assert status == 0, f"main([]) returned {status!r}"
    results = [_lines(out)]
    status, out, err = _run_main(["--strict"], EXAMPLE.replace("north,pad,x,2\n", ""))
    assert status == 0, f"main(['--strict']) on valid data returned {status!r}"
    results.append(_lines(out))
    status, out, err = _run_main(["--strict"], EXAMPLE)
    assert status == 1, f"main(['--strict']) on a bad row returned {status!r}, want 1"
    assert out == "", f"nothing may go to stdout on an error, got {out[:80]!r}"
    assert err.startswith("error: ") and "line 4" in err, f"stderr: {err[:80]!r}"
    status, out, err = _run_main([], "region,quantity\nx,1\n")
    assert status == 1 and out == "" and err.startswith("error: "), "missing column via main"
    for argv in (["--bogus"], ["extra"], ["--strict", "x"], ["-s"]):
        status, out, err = _run_main(argv, EXAMPLE)
        assert status == 2, f"main({argv}) returned {status!r}, want 2"
        assert out == "", f"main({argv}) wrote to stdout: {out[:80]!r}"
        assert "usage" in err.lower(), f"main({argv}): no 'usage' on stderr: {err[:80]!r}"
    return results


def check_random_sales():
    rng = random.Random(9001)
    regions = ["north", "south", "East", "west", "n0rth", "s"]
    for round_ in range(80):
        rows = ["region,product,quantity,unit_price"]
        for _ in range(rng.randint(0, 40)):
            qty = rng.choice(["1", "2", "3", "10", "0", "x", "", "12"])
            price = rng.choice(["0.10", "0.2", "1", "9.99", "0.05", "1.005", "", "3.30", "7"])
            row = [rng.choice(regions), "item", qty, price]
            if rng.random() < 0.05:
                row.pop()
            if rng.random() < 0.05:
                row = []
            rows.append(",".join(row))
        ending = rng.choice(["\n", "\r\n"])
        text = ending.join(rows) + rng.choice(["", ending])
        got = _report(text)
        want = _oracle(text)
        assert got == want, f"round {round_}: report differs:\n{got}\nwant\n{want}"
    return 80
