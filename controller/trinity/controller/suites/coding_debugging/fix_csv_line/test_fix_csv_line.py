"""Hidden checks for coding_debugging/fix_csv_line: any parser that follows the stated
rules passes. The random checks compare against a small oracle written here."""

import random


def _parse(line):
    from solution import parse_csv_line

    got = parse_csv_line(line)
    assert isinstance(got, list), f"parse_csv_line({line!r}) returned {got!r}, not a list"
    assert all(isinstance(f, str) for f in got), f"parse_csv_line({line!r}) = {got!r}: not all str"
    return got


def _rejects(line):
    from solution import parse_csv_line

    try:
        got = parse_csv_line(line)
    except ValueError:
        return
    except Exception as exc:
        raise AssertionError(f"parse_csv_line({line!r}) raised {type(exc).__name__}: {exc}, "
                             "want ValueError") from None  # fmt: skip
    raise AssertionError(f"parse_csv_line({line!r}) returned {got!r}, want ValueError")


def _oracle(line):
    """The rules of the prompt, one character at a time; None for a malformed line."""
    fields, i, n = [], 0, len(line)
    while True:
        if i < n and line[i] == '"':
            value, i = "", i + 1
            while True:
                if i >= n:
                    return None
                if line[i] == '"':
                    if i + 1 < n and line[i + 1] == '"':
                        value, i = value + '"', i + 2
                        continue
                    i += 1
                    break
                value, i = value + line[i], i + 1
            if i < n and line[i] != ",":
                return None
        else:
            start = i
            while i < n and line[i] != ",":
                i += 1
            value = line[start:i]
        fields.append(value)
        if i >= n:
            return fields
        i += 1


def check_simple():
    return [_parse("a,b,c"), _parse("one"), _parse("1,22,333,4444"), _parse("x y,z")]


def check_empty_fields():
    return [_parse(line) for line in ("", ",", "a,", ",a", ",,", "a,,b", ",,,")]


def check_quoted():
    lines = ('"a,b",c', '"he said ""hi"", then left",x', 'q,"",r', '"",""', '"x,y,z"',
             '"""quoted"" start",end', '","')  # fmt: skip
    return [_parse(line) for line in lines]


def check_quoted_at_end():
    return [_parse(line) for line in ('a,"b"', '"x"', '"ends with quote"""', '1,"2,3"', '""')]


def check_literal_quotes():
    return [_parse(line) for line in ('a"b,c', ' "x"', 'x"', 'a""b', 'it"s,"fine"', 'z,y"')]


def check_whitespace_kept():
    return [_parse(line) for line in (" a , b ", "\t", "  ", ' " a " ,x', '" a ", b')]


def check_unterminated():
    for line in ('"abc', 'a,"b', '"a""', '"', 'a,"', '"a,b', 'x,"y"",z', '"""'):
        _rejects(line)


def check_after_closing_quote():
    for line in ('"a"b', '"a" ,c', '"a""b"c', '""x', 'x,"y"z', '"a" ', '"a"""b'):
        _rejects(line)


def check_repeated_calls():
    first = _parse("a,b")
    first.append("changed by the caller")
    second = _parse("a,b")
    third = _parse("c")
    assert second == ["a", "b"], f"second call: {second!r}, want ['a', 'b']"
    assert third == ["c"], f"third call: {third!r}, want ['c']"
    assert _parse("") == [""], "an empty line after other calls"
    assert second is not third, "two calls returned the same list object"


def check_random_valid():
    rng = random.Random(31)
    alphabet = ["a", "b", " ", ",", '"', "x", "\t", "é"]
    for round_ in range(400):
        fields = ["".join(rng.choices(alphabet, k=rng.randint(0, 6))) for _ in
                  range(rng.randint(1, 6))]  # fmt: skip
        parts = []
        for field in fields:
            must_quote = "," in field or field.startswith('"')
            if must_quote or rng.random() < 0.3:
                parts.append('"' + field.replace('"', '""') + '"')
            else:
                parts.append(field)
        line = ",".join(parts)
        got = _parse(line)
        assert got == fields, f"round {round_}: parse_csv_line({line!r}) = {got!r}, want {fields!r}"


def check_random_any():
    rng = random.Random(77)
    for round_ in range(600):
        line = "".join(rng.choices(['"', '"', ",", "a", " "], k=rng.randint(0, 9)))
        want = _oracle(line)
        if want is None:
            _rejects(line)
        else:
            got = _parse(line)
            assert got == want, f"round {round_}: parse_csv_line({line!r}) = {got!r}, want {want!r}"
