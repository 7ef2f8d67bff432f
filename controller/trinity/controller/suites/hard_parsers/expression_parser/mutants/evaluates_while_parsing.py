def _tokenize(text):
    tokens, i, n = [], 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "0123456789":
            j = i
            while j < n and text[j] in "0123456789":
                j += 1
            if j < n and text[j] == ".":
                k = j + 1
                while k < n and text[k] in "0123456789":
                    k += 1
                if k == j + 1:
                    raise ValueError(f"malformed number at {i}")
                tokens.append(float(text[i:k]))
                j = k
            else:
                tokens.append(int(text[i:j]))
            if j < n and text[j] == ".":
                raise ValueError(f"malformed number at {i}")
            i = j
        elif text.startswith("**", i):
            tokens.append("**")
            i += 2
        elif ch in "+-*/()":
            tokens.append(ch)
            i += 1
        else:
            raise ValueError(f"unexpected character {ch!r} at {i}")
    return tokens


class _Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.pos = 0

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self):
        token = self.peek()
        self.pos += 1
        return token

    def expr(self):
        value = self.term()
        while self.peek() in ("+", "-"):
            if self.take() == "+":
                value = value + self.term()
            else:
                value = value - self.term()
        return value

    def term(self):
        value = self.unary()
        while self.peek() in ("*", "/"):
            if self.take() == "*":
                value = value * self.unary()
            else:
                value = value / self.unary()
        return value

    def unary(self):
        if self.peek() == "-":
            self.take()
            return -self.unary()
        return self.power()

    def power(self):
        base = self.primary()
        if self.peek() == "**":
            self.take()
            return base ** self.unary()
        return base

    def primary(self):
        token = self.take()
        if token == "(":
            value = self.expr()
            if self.take() != ")":
                raise ValueError("expected )")
            return value
        if isinstance(token, (int, float)):
            return token
        raise ValueError(f"unexpected {token!r}")


def evaluate(expression):
    parser = _Parser(_tokenize(expression))
    value = parser.expr()
    if parser.peek() is not None:
        raise ValueError(f"unexpected {parser.peek()!r}")
    return value
