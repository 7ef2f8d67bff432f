"""Line by line, each line parsed with csv on its own; money in integer cents."""

import argparse
import csv
import sys
from dataclasses import dataclass


@dataclass
class RegionTotal:
    orders: int = 0
    units: int = 0
    cents: int = 0


def _ascii_digits(text):
    return text != "" and all("0" <= ch <= "9" for ch in text)


def _cents(text):
    whole, dot, frac = text.partition(".")
    if not _ascii_digits(whole):
        return None
    if dot and not (1 <= len(frac) <= 2 and _ascii_digits(frac)):
        return None
    return int(whole) * 100 + int(frac.ljust(2, "0") if dot else "0")


def _money(cents):
    return "%d.%02d" % divmod(cents, 100)  # noqa: UP031


def _split_lines(text):
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def sales_report(text, strict=False):
    lines = _split_lines(text)
    if not lines:
        raise ValueError("line 1: the header is missing")
    header = [h.strip() for h in next(csv.reader([lines[0]]))]
    try:
        pos_region = header.index("region")
        pos_qty = header.index("quantity")
        pos_price = header.index("unit_price")
    except ValueError:
        raise ValueError("line 1: need columns region, quantity and unit_price") from None
    totals = {}
    bad = []
    data = [line for line in lines[1:] if line != ""]
    for number, line in enumerate(data, start=2):  # numbers rows, not lines
        row = next(csv.reader([line]), [])
        problem = None
        if len(row) != len(header):
            problem = "wrong number of fields"
        else:
            region = row[pos_region].strip()
            qty = row[pos_qty].strip()
            cents = _cents(row[pos_price].strip())
            if not region:
                problem = "empty region"
            elif not _ascii_digits(qty) or int(qty) == 0:
                problem = "quantity must be a whole number >= 1"
            elif cents is None:
                problem = "bad unit_price"
        if problem:
            if strict:
                raise ValueError(f"line {number}: {problem}")
            bad.append(number)
            continue
        total = totals.setdefault(region, RegionTotal())
        total.orders += 1
        total.units += int(qty)
        total.cents += int(qty) * cents
    ranked = sorted(totals.items())
    ranked.sort(key=lambda item: item[1].cents, reverse=True)
    out = ["region,orders,units,revenue"]
    grand = RegionTotal()
    for region, total in ranked:
        out.append(f"{region},{total.orders},{total.units},{_money(total.cents)}")
        grand.orders += total.orders
        grand.units += total.units
        grand.cents += total.cents
    out.append(f"TOTAL,{grand.orders},{grand.units},{_money(grand.cents)}")
    out.append(f"skipped lines: {', '.join(map(str, bad)) if bad else 'none'}")
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="csv_report", description="Sales per region.")
    parser.add_argument("--strict", action="store_true", help="stop at the first bad row")
    args = parser.parse_args(argv)
    try:
        report = sales_report(sys.stdin.read(), strict=args.strict)
    except ValueError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    sys.stdout.write(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
