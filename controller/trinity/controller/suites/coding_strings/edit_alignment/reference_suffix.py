"""Distance with two rows; the script walks forward over a table of suffix distances."""


def _require_str(*values):
    for value in values:
        if not isinstance(value, str):
            raise TypeError(f"expected str, got {type(value).__name__}")


def edit_distance(a, b):
    _require_str(a, b)
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, y in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
        previous = current
    return previous[-1]


def alignment(a, b):
    _require_str(a, b)
    n, m = len(a), len(b)
    # rest[i][j] = distance between a[i:] and b[j:]
    rest = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n, -1, -1):
        for j in range(m, -1, -1):
            if i == n:
                rest[i][j] = m - j
            elif j == m:
                rest[i][j] = n - i
            else:
                rest[i][j] = min(
                    rest[i + 1][j] + 1,
                    rest[i][j + 1] + 1,
                    rest[i + 1][j + 1] + (a[i] != b[j]),
                )
    script = []
    i = j = 0
    while i < n or j < m:
        here = rest[i][j]
        if j < m and rest[i][j + 1] + 1 == here:
            script.append(("ins", b[j]))
            j += 1
        elif i < n and j < m and rest[i + 1][j + 1] + (a[i] != b[j]) == here:
            script.append(("keep", a[i]) if a[i] == b[j] else ("sub", a[i], b[j]))
            i += 1
            j += 1
        else:
            script.append(("del", a[i]))
            i += 1
    return script
