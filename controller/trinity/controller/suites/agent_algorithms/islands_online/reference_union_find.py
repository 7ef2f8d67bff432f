# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


def count_islands_after_additions(rows, cols, positions):
    """Union-find over a flat array with union by size and path halving."""
    if rows < 1 or cols < 1:
        raise InvalidInput("the grid needs at least one row and one column")
    parent = [-1] * (rows * cols)  # -1: water
    size = [0] * (rows * cols)

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    islands = 0
    counts = []
    for r, c in positions:
        if not (0 <= r < rows and 0 <= c < cols):
            raise InvalidInput(f"position {(r, c)!r} is outside a {rows}x{cols} grid")
        cell = r * cols + c
        if parent[cell] == -1:
            parent[cell] = cell
            size[cell] = 1
            islands += 1
            for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                if 0 <= nr < rows and 0 <= nc < cols and parent[nr * cols + nc] != -1:
                    a, b = find(cell), find(nr * cols + nc)
                    if a != b:
                        if size[a] < size[b]:
                            a, b = b, a
                        parent[b] = a
                        size[a] += size[b]
                        islands -= 1
        counts.append(islands)
    return counts
