"""Reference: an explicit-stack parser to a tuple tree, matched by computing the set of
positions where each node can end (memoised), so no input can make it exponential."""


# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


def _parse(pattern):
    # Each frame: [finished branches, current sequence]; a sequence holds (node, quantified).
    stack = [[[], []]]
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        seq = stack[-1][1]
        if c == "(":
            stack.append([[], []])
        elif c == ")":
            if len(stack) == 1:
                raise InvalidInput("unbalanced )")
            branches, last = stack.pop()
            node = ("alt", tuple(_seq(s) for s in [*branches, last]))
            stack[-1][1].append((node, False))
        elif c == "|":
            stack[-1][0].append(seq)
            stack[-1][1] = []
        elif c in "*+?":
            if not seq or seq[-1][1]:
                raise InvalidInput(f"nothing to repeat at {i}")
            kind = {"*": "star", "+": "plus", "?": "opt"}[c]
            seq[-1] = ((kind, seq[-1][0]), True)
        elif c == "\\":
            if i + 1 == n or pattern[i + 1] not in "\\.*+?|()[]":
                raise InvalidInput(f"bad escape at {i}")
            i += 1
            seq.append((("set", False, ((pattern[i], pattern[i]),)), False))
        elif c == "[":
            i, node = _class(pattern, i + 1)
            seq.append((node, False))
            continue
        elif c == ".":
            seq.append((("any",), False))
        else:
            seq.append((("set", False, ((c, c),)), False))
        i += 1
    if len(stack) != 1:
        raise InvalidInput("missing )")
    branches, last = stack[0]
    return ("alt", tuple(_seq(s) for s in [*branches, last]))


def _seq(items):
    return ("cat", tuple(node for node, _ in items))


def _class(pattern, i):
    negate = pattern.startswith("^", i)
    i += negate
    end = pattern.find("]", i)
    if end < 0:
        raise InvalidInput("unterminated class")
    body = pattern[i:end]
    if not body:
        raise InvalidInput("empty class")
    ranges, k = [], 0
    while k < len(body):
        if k + 2 < len(body) and body[k + 1] == "-":
            if body[k] > body[k + 2]:
                raise InvalidInput("reversed range")
            ranges.append((body[k], body[k + 2]))
            k += 3
        else:
            ranges.append((body[k], body[k]))
            k += 1
    return end + 1, ("set", negate, tuple(ranges))


def match(pattern, text):
    tree = _parse(pattern)
    memo = {}

    def ends(node, i):
        key = (id(node), i)
        if key not in memo:
            memo[key] = frozenset(_ends(node, i))
        return memo[key]

    def step(node, starts):
        out = set()
        for p in starts:
            out |= ends(node, p)
        return out

    def loop(node, reached):
        frontier = set(reached)
        while frontier:
            frontier = step(node, frontier) - reached
            reached |= frontier
        return reached

    def _ends(node, i):
        kind = node[0]
        if kind == "any":
            return {i + 1} if i < len(text) else set()
        if kind == "set":
            if i >= len(text):
                return set()
            hit = any(lo <= text[i] <= hi for lo, hi in node[2])
            return {i + 1} if hit != node[1] else set()
        if kind == "cat":
            positions = {i}
            for child in node[1]:
                positions = step(child, positions)
            return positions
        if kind == "alt":
            return set().union(*(ends(c, i) for c in node[1]))
        if kind == "opt":
            return {i} | ends(node[1], i)
        if kind == "star":
            return loop(node[1], {i})
        return loop(node[1], set(ends(node[1], i)))  # plus

    return len(text) in ends(tree, 0)
