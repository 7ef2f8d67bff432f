import argparse
import datetime
import re
import sys
from collections import Counter

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LINE_RE = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2}) (?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2}) "
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) (?P<comp>[A-Za-z0-9_.-]+): (?P<msg>.+)",
    re.DOTALL,
)


def _parse(line):
    """(stamp, level, component, message) for a valid line, else None."""
    match = LINE_RE.fullmatch(line)
    if match is None:
        return None
    stamp = f"{match['date']} {match['time']}"
    try:
        datetime.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return stamp, match["level"], match["comp"], match["msg"]


def summarize(lines, top=3):
    total = malformed = 0
    stamps = []
    levels = Counter()
    comp_lines = Counter()
    comp_errors = Counter()
    error_groups = Counter()
    for raw in lines:
        line = raw.rstrip()
        if not line:
            continue
        total += 1
        parsed = _parse(line)
        if parsed is None:
            malformed += 1
            continue
        stamp, level, comp, msg = parsed
        stamps.append(stamp)
        levels[level] += 1
        comp_lines[comp] += 1
        if level in ("ERROR", "CRITICAL"):
            comp_errors[comp] += 1
            error_groups[comp, msg] += 1
    out = [
        f"lines: {total}",
        f"malformed: {malformed}",
        f"first: {min(stamps, default='-')}",
        f"last: {max(stamps, default='-')}",
    ]
    out += [f"{level}: {levels[level]}" for level in LEVELS]
    out.append("components:")
    for comp in sorted(comp_lines, key=lambda c: (-comp_lines[c], c)):
        out.append(f"  {comp}: {comp_lines[comp]} lines, {comp_errors[comp]} errors")
    out.append("top errors:")
    ranked = sorted(error_groups.items(), key=lambda item: (-item[1], item[0]))
    for (comp, msg), count in ranked[:3]:
        out.append(f"  {count} {comp}: {msg}")
    return "\n".join(out)


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _count(text):
    if not re.fullmatch(r"[0-9]+", text):
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
    return int(text)


def main(argv=None):
    parser = _Parser(prog="log_summary", add_help=False)
    parser.add_argument("--top", type=_count, default=3)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    print(summarize(sys.stdin.read().splitlines(), args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
