import difflib


def _check(a, b):
    if not isinstance(a, str) or not isinstance(b, str):
        raise TypeError("two str arguments expected")


def alignment(a, b):
    # difflib finds a readable diff, not always a cheapest one.
    _check(a, b)
    ops = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.extend(("keep", c) for c in a[i1:i2])
        elif tag == "delete":
            ops.extend(("del", c) for c in a[i1:i2])
        elif tag == "insert":
            ops.extend(("ins", c) for c in b[j1:j2])
        else:
            common = min(i2 - i1, j2 - j1)
            ops.extend(("sub", a[i1 + k], b[j1 + k]) for k in range(common))
            ops.extend(("del", c) for c in a[i1 + common : i2])
            ops.extend(("ins", c) for c in b[j1 + common : j2])
    return ops


def edit_distance(a, b):
    _check(a, b)
    return sum(op[0] != "keep" for op in alignment(a, b))
