"""No regular expressions, no argparse: fields are split and checked by hand."""

import sys

LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
COMPONENT_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
DIGITS = set("0123456789")
MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def _digits(text, sizes, sep):
    parts = text.split(sep)
    if len(parts) != len(sizes):
        return None
    for part, size in zip(parts, sizes, strict=True):
        if len(part) != size or not set(part) <= DIGITS:
            return None
    return [int(p) for p in parts]


def _valid_date(text):
    ymd = _digits(text, (4, 2, 2), "-")
    if ymd is None:
        return False
    year, month, day = ymd
    if year < 1 or not 1 <= month <= 12:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = 29 if month == 2 and leap else MONTH_DAYS[month - 1]
    return 1 <= day <= days


def _valid_time(text):
    hms = _digits(text, (2, 2, 2), ":")
    return hms is not None and hms[0] < 24 and hms[1] < 60 and hms[2] < 60


def parse_line(line):
    head = line.split(" ", 3)
    if len(head) != 4:
        return None
    date, time, level, rest = head
    if not (_valid_date(date) and _valid_time(time) and level in LEVELS):
        return None
    comp, sep, msg = rest.partition(": ")
    if not sep or not msg or not comp or not set(comp) <= COMPONENT_CHARS:
        return None
    return date + " " + time, level, comp, msg


class Summary:
    def __init__(self):
        self.total = 0
        self.malformed = 0
        self.first = self.last = None
        self.levels = {level: 0 for level in LEVELS}
        self.components = {}  # name -> [lines, errors]
        self.errors = {}  # (component, message) -> count

    def add(self, raw):
        line = raw.rstrip("\n").rstrip(" ")
        if line == "":
            return
        self.total += 1
        parsed = parse_line(line)
        if parsed is None:
            self.malformed += 1
            return
        stamp, level, comp, msg = parsed
        if self.first is None or stamp < self.first:
            self.first = stamp
        if self.last is None or stamp > self.last:
            self.last = stamp
        self.levels[level] += 1
        entry = self.components.setdefault(comp, [0, 0])
        entry[0] += 1
        if level == "ERROR" or level == "CRITICAL":
            entry[1] += 1
            self.errors[(comp, msg)] = self.errors.get((comp, msg), 0) + 1

    def render(self, top):
        rows = [f"lines: {self.total}", f"malformed: {self.malformed}"]
        rows.append("first: " + (self.first or "-"))
        rows.append("last: " + (self.last or "-"))
        for level in LEVELS:
            rows.append(f"{level}: {self.levels[level]}")
        rows.append("components:")
        names = sorted(self.components)
        names.sort(key=lambda name: self.components[name][0], reverse=True)  # stable
        for name in names:
            lines, errors = self.components[name]
            rows.append(f"  {name}: {lines} lines, {errors} errors")
        rows.append("top errors:")
        groups = sorted(self.errors)
        groups.sort(key=lambda key: self.errors[key], reverse=True)
        for comp, msg in groups[:top]:
            rows.append(f"  {self.errors[comp, msg]} {comp}: {msg}")
        return "\n".join(rows) + "\n"


def summarize(lines, top=3):
    summary = Summary()
    for line in lines:
        summary.add(line)
    return summary.render(top)


def main(argv=None):
    args = sys.argv[1:] if argv is None else list(argv)
    top = 3
    if args:
        if len(args) != 2 or args[0] != "--top" or not args[1] or not set(args[1]) <= DIGITS:
            sys.stderr.write("usage: log_summary.py [--top N]  (N: a whole number >= 0)\n")
            return 2
        top = int(args[1])
    sys.stdout.write(summarize(sys.stdin.readlines(), top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
