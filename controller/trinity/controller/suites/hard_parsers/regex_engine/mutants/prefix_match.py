"""Mutant: reports a match as soon as a prefix of the text matches."""

QUANTIFIERS = "*+?"
ESCAPABLE = "\\.*+?|()[]"


class State:
    """A consuming state (test and out set) or a junction (epsilon edges only)."""

    __slots__ = ("eps", "out", "test")

    def __init__(self):
        self.test = None
        self.out = None
        self.eps = []


def _single(test):
    start, end = State(), State()
    start.test, start.out = test, end
    return start, end


class Parser:
    def __init__(self, pattern):
        self.pattern = pattern
        self.pos = 0

    def peek(self):
        return self.pattern[self.pos] if self.pos < len(self.pattern) else None

    def parse(self):
        fragment = self.alternation()
        if self.pos != len(self.pattern):
            raise ValueError(f"unbalanced ')' at position {self.pos}")
        return fragment

    def alternation(self):
        branches = [self.concatenation()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.concatenation())
        if len(branches) == 1:
            return branches[0]
        start, end = State(), State()
        for first, last in branches:
            start.eps.append(first)
            last.eps.append(end)
        return start, end

    def concatenation(self):
        start = end = State()
        while self.peek() not in (None, "|", ")"):
            first, last = self.repetition()
            end.eps.append(first)
            end = last
        return start, end

    def repetition(self):
        if self.peek() in tuple(QUANTIFIERS):
            raise ValueError(f"quantifier with nothing to repeat at position {self.pos}")
        first, last = self.atom()
        quantifier = self.peek()
        if quantifier is None or quantifier not in QUANTIFIERS:
            return first, last
        self.pos += 1
        if self.peek() is not None and self.peek() in QUANTIFIERS:
            raise ValueError(f"two quantifiers in a row at position {self.pos}")
        start, end = State(), State()
        start.eps.append(first)
        last.eps.append(end)
        if quantifier in "*?":
            start.eps.append(end)
        if quantifier in "*+":
            last.eps.append(first)
        return start, end

    def atom(self):
        char = self.peek()
        if char == "(":
            self.pos += 1
            fragment = self.alternation()
            if self.peek() != ")":
                raise ValueError("missing ')'")
            self.pos += 1
            return fragment
        if char == "[":
            return self.char_class()
        if char == "\\":
            if self.pos + 1 >= len(self.pattern) or self.pattern[self.pos + 1] not in ESCAPABLE:
                raise ValueError(f"bad escape at position {self.pos}")
            literal = self.pattern[self.pos + 1]
            self.pos += 2
            return _single(lambda c: c == literal)
        self.pos += 1
        if char == ".":
            return _single(lambda c: True)
        return _single(lambda c: c == char)

    def char_class(self):
        text = self.pattern
        self.pos += 1
        negate = self.peek() == "^"
        if negate:
            self.pos += 1
        ranges = []
        while True:
            char = self.peek()
            if char is None:
                raise ValueError("unterminated character class")
            if char == "]":
                break
            if self.pos + 2 < len(text) and text[self.pos + 1] == "-" and text[self.pos + 2] != "]":
                low, high = char, text[self.pos + 2]
                if low > high:
                    raise ValueError(f"bad range {low}-{high}")
                ranges.append((low, high))
                self.pos += 3
            else:
                ranges.append((char, char))
                self.pos += 1
        if not ranges:
            raise ValueError("empty character class")
        self.pos += 1
        return _single(lambda c: any(lo <= c <= hi for lo, hi in ranges) != negate)


def _closure(states):
    seen = set(states)
    stack = list(states)
    while stack:
        for nxt in stack.pop().eps:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def match(pattern, text):
    start, end = Parser(pattern).parse()
    current = _closure([start])
    for char in text:
        current = _closure([s.out for s in current if s.test is not None and s.test(char)])
        if end in current:
            return True  # stops at the first prefix that matches
        if not current:
            return False
    return end in current
