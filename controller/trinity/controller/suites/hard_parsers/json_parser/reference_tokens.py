import re
from collections import OrderedDict  # objects: a dict, in document order

_TOKEN = re.compile(
    r"""[ \t\n\r]*(?:
        (?P<punct>[{}\[\]:,])
      | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)(?![0-9.eE+\-])
      | (?P<string>"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*")
      | (?P<word>true|false|null)(?![A-Za-z0-9_])
    )""",
    re.VERBOSE,
)
_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
           "t": "\t"}  # fmt: skip
_ESCAPE = re.compile(r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})"
                     r"|\\u([0-9a-fA-F]{4})|\\(.)")  # fmt: skip
_WORDS = {"true": True, "false": False, "null": None}
_OPEN = object()


# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


def _unescape(body):
    def replace(match):
        high, low, single, simple = match.groups()
        if high:
            return chr(0x10000 + ((int(high, 16) - 0xD800) << 10) + (int(low, 16) - 0xDC00))
        if single:
            return chr(int(single, 16))
        return _SIMPLE[simple]

    return _ESCAPE.sub(replace, body)


def _tokens(text):
    pos = 0
    end = len(text.rstrip(" \t\n\r"))
    while pos < end:
        match = _TOKEN.match(text, pos)
        if match is None:
            raise InvalidInput(f"invalid JSON at position {pos}")
        pos = match.end()
        kind = match.lastgroup
        raw = match.group(kind)
        if kind == "punct":
            yield raw, None
        elif kind == "number":
            yield "value", float(raw) if any(c in raw for c in ".eE") else int(raw)
        elif kind == "string":
            yield "string", _unescape(raw[1:-1])
        else:
            yield "value", _WORDS[raw]


def parse_json(text):
    """Iterative: a stack of open containers, each [container, state, pending key]."""
    stack = []
    result = _OPEN
    # states: "first" (just opened), "item" (after a value), "comma" (after a comma),
    # "key" (object: after a key), "colon" (object: after a colon)
    for kind, value in _tokens(text):
        top = stack[-1] if stack else None
        if kind in ("value", "string", "[", "{"):
            if top is None:
                if result is not _OPEN:
                    raise InvalidInput("extra data after the document")
            elif isinstance(top[0], dict):
                if top[1] in ("first", "comma") and kind == "string":
                    top[2], top[1] = value, "key"
                    continue
                if top[1] != "colon":
                    raise InvalidInput("expected a key or a colon")
            elif top[1] not in ("first", "comma"):
                raise InvalidInput("expected ',' or ']'")
            if kind in ("[", "{"):
                stack.append([[] if kind == "[" else OrderedDict(), "first", None])
                continue
            _place(stack, value)
            if not stack:
                result = value if result is _OPEN else _fail()
        elif kind == ":":
            if top is None or not isinstance(top[0], dict) or top[1] != "key":
                raise InvalidInput("unexpected ':'")
            top[1] = "colon"
        elif kind == ",":
            if top is None or top[1] != "item":
                raise InvalidInput("unexpected ','")
            top[1] = "comma"
        else:  # ] or }
            want = list if kind == "]" else dict
            if top is None or not isinstance(top[0], want) or top[1] not in ("first", "item"):
                raise InvalidInput(f"unexpected {kind!r}")
            done = stack.pop()[0]
            if stack:
                _place(stack, done)
            elif result is _OPEN:
                result = done
            else:
                raise InvalidInput("extra data after the document")
    if stack or result is _OPEN:
        raise InvalidInput("incomplete JSON document")
    return result


def _place(stack, value):
    if not stack:
        return
    top = stack[-1]
    if isinstance(top[0], dict):
        top[0][top[2]] = value
    else:
        top[0].append(value)
    top[1] = "item"


def _fail():
    raise InvalidInput("extra data after the document")
