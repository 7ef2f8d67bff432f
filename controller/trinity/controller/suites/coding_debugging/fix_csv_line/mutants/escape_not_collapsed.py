import re

QUOTED = re.compile(r'"((?:[^"]|"")*)"')


def parse_csv_line(line):
    """One field per step: a quoted field by regex, an unquoted one up to the next comma."""
    fields, pos = [], 0
    while True:
        if line.startswith('"', pos):
            match = QUOTED.match(line, pos)
            if match is None:
                raise ValueError(f"no closing quote for the field at {pos}")
            fields.append(match.group(1))
            pos = match.end()
            if pos < len(line) and line[pos] != ",":
                raise ValueError(f"a comma or the end must follow the quote at {pos - 1}")
        else:
            end = line.find(",", pos)
            end = len(line) if end == -1 else end
            fields.append(line[pos:end])
            pos = end
        if pos == len(line):
            return fields
        pos += 1  # past the comma
