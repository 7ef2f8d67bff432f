import operator
import re

_TOKEN = re.compile(r"\s*(?:(\d+\.\d+|\d+)(?![\d.])|(\*\*|[-+*/()]))")
_BINARY = {  # operator: (left binding power, right binding power, function)
    "+": (10, 11, operator.add),
    "-": (10, 11, operator.sub),
    "*": (20, 21, operator.mul),
    "/": (20, 21, operator.truediv),
    "**": (40, 30, operator.pow),  # right-associative; its right side may be unary minus
}
_UNARY_MINUS = 30


def _tokens(text):
    pos, out = 0, []
    stripped_end = len(text.rstrip())
    while pos < stripped_end:
        match = _TOKEN.match(text, pos)
        if not match:
            raise ValueError(f"bad input at position {pos}: {text[pos : pos + 10]!r}")
        number, op = match.groups()
        if number is not None:
            out.append(("num", float(number) if "." in number else int(number)))
        else:
            out.append(("op", op))
        pos = match.end()
    return out


def _run(tokens, binary, negate):
    """Parse tokens, combining operands with binary[op] and negate: with _DRY nothing is
    computed, so a malformed expression is a ValueError before any division by zero."""
    index = 0

    def next_token():
        nonlocal index
        if index >= len(tokens):
            raise ValueError("unexpected end of expression")
        index += 1
        return tokens[index - 1]

    def parse(min_power):
        nonlocal index
        kind, value = next_token()
        if kind == "num":
            left = value
        elif value == "-":
            left = negate(parse(_UNARY_MINUS))
        elif value == "(":
            left = parse(0)
            if next_token() != ("op", ")"):
                raise ValueError("missing )")
        else:
            raise ValueError(f"unexpected {value!r}")
        while index < len(tokens):
            kind, value = tokens[index]
            if kind != "op" or value not in _BINARY:
                if value == ")" or kind == "op":
                    break
                raise ValueError(f"missing operator before {value!r}")
            left_power, right_power, _ = _BINARY[value]
            function = binary[value]
            if left_power < min_power:
                break
            index += 1
            left = function(left, parse(right_power))
        return left

    result = parse(0)
    if index != len(tokens):
        raise ValueError(f"unexpected {tokens[index][1]!r}")
    return result


_DRY = {op: lambda a, b: None for op in _BINARY}


def evaluate(expression):
    tokens = _tokens(expression)
    _run(tokens, _DRY, lambda value: None)  # the whole syntax first
    return _run(tokens, {op: spec[2] for op, spec in _BINARY.items()}, operator.neg)
