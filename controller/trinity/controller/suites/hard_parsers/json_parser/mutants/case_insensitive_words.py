_WS = " \t\n\r"
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
            "t": "\t"}  # fmt: skip
_HEX = "0123456789abcdefABCDEF"
_DIGITS = "0123456789"


class _Parser:
    def __init__(self, text):
        self.s = text
        self.i = 0

    def fail(self, what):
        raise ValueError(f"{what} at position {self.i}")

    def ws(self):
        while self.i < len(self.s) and self.s[self.i] in _WS:
            self.i += 1

    def peek(self):
        return self.s[self.i] if self.i < len(self.s) else ""

    def value(self):
        self.ws()
        ch = self.peek()
        if ch == "{":
            return self.obj()
        if ch == "[":
            return self.arr()
        if ch == '"':
            return self.string()
        if ch == "-" or (ch and ch in _DIGITS):
            return self.number()
        for word, result in (("true", True), ("false", False), ("null", None)):
            if self.s[self.i : self.i + len(word)].lower() == word:
                self.i += len(word)
                return result
        self.fail("expected a value")

    def obj(self):
        self.i += 1
        out = {}
        self.ws()
        if self.peek() == "}":
            self.i += 1
            return out
        while True:
            self.ws()
            if self.peek() != '"':
                self.fail("expected a string key")
            key = self.string()
            self.ws()
            if self.peek() != ":":
                self.fail("expected ':'")
            self.i += 1
            out[key] = self.value()
            self.ws()
            ch = self.peek()
            self.i += 1
            if ch == "}":
                return out
            if ch != ",":
                self.fail("expected ',' or '}'")

    def arr(self):
        self.i += 1
        out = []
        self.ws()
        if self.peek() == "]":
            self.i += 1
            return out
        while True:
            out.append(self.value())
            self.ws()
            ch = self.peek()
            self.i += 1
            if ch == "]":
                return out
            if ch != ",":
                self.fail("expected ',' or ']'")

    def hex4(self):
        chunk = self.s[self.i : self.i + 4]
        if len(chunk) != 4 or any(c not in _HEX for c in chunk):
            self.fail("bad \\u escape")
        self.i += 4
        return int(chunk, 16)

    def string(self):
        self.i += 1
        parts = []
        while True:
            if self.i >= len(self.s):
                self.fail("unterminated string")
            ch = self.s[self.i]
            self.i += 1
            if ch == '"':
                return "".join(parts)
            if ch < " ":
                self.fail("control character in string")
            if ch != "\\":
                parts.append(ch)
                continue
            esc = self.peek()
            self.i += 1
            if esc in _ESCAPES and esc:
                parts.append(_ESCAPES[esc])
            elif esc == "u":
                code = self.hex4()
                if 0xD800 <= code < 0xDC00 and self.s.startswith("\\u", self.i):
                    save = self.i
                    self.i += 2
                    low = self.hex4()
                    if 0xDC00 <= low < 0xE000:
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    else:
                        self.i = save
                parts.append(chr(code))
            else:
                self.fail("bad escape")

    def digits(self):
        start = self.i
        while self.i < len(self.s) and self.s[self.i] in _DIGITS:
            self.i += 1
        if self.i == start:
            self.fail("expected a digit")

    def number(self):
        start = self.i
        if self.peek() == "-":
            self.i += 1
        if self.peek() == "0":
            self.i += 1
        else:
            self.digits()
        is_float = False
        if self.peek() == ".":
            self.i += 1
            self.digits()
            is_float = True
        if self.peek() in ("e", "E") and self.peek():
            self.i += 1
            if self.peek() in ("+", "-") and self.peek():
                self.i += 1
            self.digits()
            is_float = True
        literal = self.s[start : self.i]
        return float(literal) if is_float else int(literal)


def parse_json(text):
    parser = _Parser(text)
    result = parser.value()
    parser.ws()
    if parser.i != len(text):
        parser.fail("extra data")
    return result
