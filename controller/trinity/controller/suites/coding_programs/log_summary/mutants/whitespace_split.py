import sys

LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


def summarize(lines, top=3):
    # Splits on whitespace: misses every rule about the exact layout of a line.
    total = malformed = 0
    stamps, levels, comps, errors = [], dict.fromkeys(LEVELS, 0), {}, {}
    for raw in lines:
        parts = raw.split(None, 4)
        if not parts:
            continue
        total += 1
        if len(parts) < 5 or parts[2] not in LEVELS or not parts[3].endswith(":"):
            malformed += 1
            continue
        date, time, level, comp, msg = parts
        comp = comp[:-1]
        msg = msg.rstrip()
        stamps.append(f"{date} {time}")
        levels[level] += 1
        entry = comps.setdefault(comp, [0, 0])
        entry[0] += 1
        if level in ("ERROR", "CRITICAL"):
            entry[1] += 1
            errors[comp, msg] = errors.get((comp, msg), 0) + 1
    out = [f"lines: {total}", f"malformed: {malformed}",
           f"first: {min(stamps, default='-')}", f"last: {max(stamps, default='-')}"]  # fmt: skip
    out += [f"{level}: {levels[level]}" for level in LEVELS]
    out.append("components:")
    for comp, (n, e) in sorted(comps.items(), key=lambda kv: (-kv[1][0], kv[0])):
        out.append(f"  {comp}: {n} lines, {e} errors")
    out.append("top errors:")
    for (comp, msg), n in sorted(errors.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        out.append(f"  {n} {comp}: {msg}")
    return "\n".join(out)


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    top = 3
    if args:
        if len(args) != 2 or args[0] != "--top" or not args[1].isdigit():
            print("usage: log_summary.py [--top N]", file=sys.stderr)
            return 2
        top = int(args[1])
    print(summarize(sys.stdin.read().splitlines(), top))
    return 0
