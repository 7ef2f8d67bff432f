"""Hidden checks for hard_parsers/json_parser: the json module serves as the oracle for
random documents (in the checks only); every comparison is strict about the kind of value
(True is not 1, 1 is not 1.0), while a subclass counts as its base (an OrderedDict is a
dict)."""

import json
import random

from solution import parse_json

KINDS = (bool, int, float, str, list, dict)  # bool first: a bool is an int too


def _kind(value):
    """What JSON value a Python value is: its first base in KINDS (None for null)."""
    return next((kind for kind in KINDS if isinstance(value, kind)), type(value))


def _same(got, want, path="$"):
    assert _kind(got) is _kind(want), (
        f"at {path}: {type(got).__name__} {got!r}, want {type(want).__name__} {want!r}"
    )
    if isinstance(want, dict):
        assert set(got) == set(want), f"at {path}: keys {sorted(got)!r}, want {sorted(want)!r}"
        for key in want:
            _same(got[key], want[key], f"{path}.{key}")
    elif isinstance(want, list):
        assert len(got) == len(want), f"at {path}: {len(got)} items, want {len(want)}"
        for i, (a, b) in enumerate(zip(got, want, strict=True)):
            _same(a, b, f"{path}[{i}]")
    else:
        assert got == want, f"at {path}: {got!r}, want {want!r}"


def _rejects(text):
    try:
        got = parse_json(text)
    except ValueError:
        return
    except Exception as exc:
        raise AssertionError(f"parse_json({text!r}) raised {exc!r}, want ValueError") from None
    raise AssertionError(f"parse_json({text!r}) returned {got!r}, want ValueError")


def check_literals():
    return [parse_json(t) for t in ("true", "false", "null", "0", '"x"', "[]", "{}")]


def check_numbers():
    texts = ("0", "-12", "-0", "1.5e3", "2E-2", "-0.5", "12345678901234567890123", "1E+2",
             "1.25", "-3e-5", "10")  # fmt: skip
    return [parse_json(t) for t in texts]


def check_strings():
    texts = (r'""', r'"a\"b\\c\/d"', r'"\b\f\n\r\t"', '"é€"', r'"\u00e9\u20AC"',
             r'"\ud83d\ude00"', '"😀"', r'"\u0041a"')  # fmt: skip
    pair = parse_json(r'"\ud83d\ude00"')
    # asserted here: a returned lone-surrogate pair would merge in JSON transport
    assert pair == "\U0001f600", f"surrogate pair escape gave {pair!r}, want one character"
    return [parse_json(t) for t in texts]


def check_containers():
    text = '{"a": [1, 2.5, {"b": null}], "c": {}, "d": [[], [[]]], "e": "}", "f": [true]}'
    want = {"a": [1, 2.5, {"b": None}], "c": {}, "d": [[], [[]]], "e": "}", "f": [True]}
    _same(parse_json(text), want)
    _same(parse_json('[1,"two",3.0,false,null,{"k":"v"}]'),
          [1, "two", 3.0, False, None, {"k": "v"}])  # fmt: skip
    _same(parse_json('{"": 1, "a b": {"": []}}'), {"": 1, "a b": {"": []}})


def check_whitespace():
    text = ' \t\r\n{ "a" :\n[ 1 ,\t2 ] ,"b":true\r\n}\n '
    _same(parse_json(text), {"a": [1, 2], "b": True})
    _same(parse_json("  7  "), 7)
    _same(parse_json('\n"s"\n'), "s")
    _same(parse_json("[ ]"), [])
    _same(parse_json("{ }"), {})
    for bad in ("\u00a0[1]", "[1,\u20282]", "\x0c1", "[1\x0b]"):  # not JSON whitespace
        _rejects(bad)


def check_duplicate_keys():
    _same(parse_json('{"a": 1, "b": 2, "a": 3}'), {"a": 3, "b": 2})
    _same(parse_json('{"x": {"y": 1}, "x": [2]}'), {"x": [2]})


def check_deep_nesting():
    depth = 100
    _same(parse_json("[" * depth + "1" + "]" * depth), _nest_list(depth))
    text = '{"k":' * depth + "null" + "}" * depth
    value = parse_json(text)
    for _ in range(depth):
        assert isinstance(value, dict) and list(value) == ["k"], "nested objects"
        value = value["k"]
    assert value is None, "innermost value"
    _rejects("[" * depth + "1" + "]" * (depth - 1))


def _nest_list(depth):
    value = 1
    for _ in range(depth):
        value = [value]
    return value


def check_bad_numbers():
    for text in ("01", "-01", "+1", ".5", "1.", "-", "1e", "1e+", "1.e3", "--1", "1.5.2",
                 "0x10", "NaN", "Infinity", "-Infinity", "1 2", "[1.]", "[-]", "- 1",
                 "1_000", "[01]", "{\"a\": 00}"):  # fmt: skip
        _rejects(text)


def check_bad_structure():
    for text in ("", "   ", "[1, 2,]", '{"a": 1,}', "[1 2]", '{"a" 1}', '{"a": 1 "b": 2}',
                 "{'a': 1}", "{a: 1}", "[", "]", "{", '{"a": 1', "[1, 2", "[,1]", "[1,,2]",
                 '{,"a": 1}', '{"a":}', '{"a"}', "{1: 2}", "[] []", "{} x", "true false",
                 "tru", "nul", "True", "None", "falsey", "[null,]", '{"a": 1}}',
                 "[1]]", "/* c */ 1"):  # fmt: skip
        _rejects(text)


def check_bad_strings():
    for text in ('"abc', '"\\"', r'"\x41"', r'"\u12"', r'"\u12G4"', r'"\a"', '"tab\there"',
                 '"line\nbreak"', '"nul\x00"', "'single'", '"\\', r'"\U0001F600"',
                 r'["a\"]', '{"a\n": 1}'):  # fmt: skip
        _rejects(text)


def _random_value(rng, depth):
    roll = rng.random()
    if depth <= 0 or roll < 0.45:
        kind = rng.randrange(7)
        if kind == 0:
            return rng.choice([True, False, None])
        if kind == 1:
            return rng.randrange(-(10 ** rng.randrange(1, 25)), 10 ** rng.randrange(1, 25))
        if kind == 2:
            return rng.uniform(-1e6, 1e6) * 10 ** rng.randrange(-30, 30)
        if kind == 3:
            return float(rng.randrange(-100, 100))
        alphabet = 'ab \\"/\n\t\x01\x1fé€😀\u2028{}[],:'
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(8)))
    if roll < 0.75:
        return [_random_value(rng, depth - 1) for _ in range(rng.randrange(5))]
    keys = ["".join(rng.choice('kéy\\"\n😀') for _ in range(rng.randrange(4)))
            for _ in range(rng.randrange(5))]  # fmt: skip
    return {key: _random_value(rng, depth - 1) for key in keys}


def check_random_documents():
    rng = random.Random(31)
    for _ in range(150):
        value = _random_value(rng, 4)
        text = json.dumps(value, ensure_ascii=rng.random() < 0.5,
                          indent=rng.choice([None, 0, 2, "\t"]),
                          separators=rng.choice([None, (",", ":"), (" , ", " : ")]))  # fmt: skip
        if rng.random() < 0.3:
            text = text.replace("e-", "E-").replace("e+", "e")
        _same(parse_json(text), json.loads(text))
