from typing import NamedTuple


class Keep(NamedTuple):
    """Each operation a NamedTuple: a tuple, as the prompt asks, with field names."""

    op: str
    c: str


class Sub(NamedTuple):
    op: str
    c: str
    d: str


class Del(NamedTuple):
    op: str
    c: str


class Ins(NamedTuple):
    op: str
    d: str


# Errors are subclasses of the exceptions the prompt names, which it allows.


class WrongType(TypeError):
    pass


def _check(a, b):
    if not isinstance(a, str) or not isinstance(b, str):
        raise WrongType("edit distance is defined for two str arguments")


def _table(a, b):
    rows, cols = len(a) + 1, len(b) + 1
    dist = [[0] * cols for _ in range(rows)]
    for i in range(rows):
        dist[i][0] = i
    for j in range(cols):
        dist[0][j] = j
    for i in range(1, rows):
        for j in range(1, cols):
            dist[i][j] = min(
                dist[i - 1][j] + 1,
                dist[i][j - 1] + 1,
                dist[i - 1][j - 1] + (a[i - 1] != b[j - 1]),
            )
    return dist


def edit_distance(a, b):
    _check(a, b)
    return _table(a, b)[len(a)][len(b)]


def alignment(a, b):
    _check(a, b)
    dist = _table(a, b)
    ops = []
    i, j = len(a), len(b)
    while i > 0 or j > 0:
        if i > 0 and j > 0 and dist[i][j] == dist[i - 1][j - 1] + (a[i - 1] != b[j - 1]):
            if a[i - 1] == b[j - 1]:
                ops.append(Keep("keep", a[i - 1]))
            else:
                ops.append(Sub("sub", a[i - 1], b[j - 1]))
            i, j = i - 1, j - 1
        elif i > 0 and dist[i][j] == dist[i - 1][j] + 1:
            ops.append(Del("del", a[i - 1]))
            i -= 1
        else:
            ops.append(Ins("ins", b[j - 1]))
            j -= 1
    ops.reverse()
    return ops
