def count_islands_after_additions(rows, cols, positions):
    if rows < 1 or cols < 1:
        raise ValueError("the grid needs at least one row and one column")
    n = rows * cols
    parent = [-1] * n

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    islands, counts = 0, []
    for r, c in positions:
        if not (0 <= r < rows and 0 <= c < cols):
            raise ValueError(f"position {(r, c)!r} is off the grid")
        cell = r * cols + c
        if parent[cell] == -1:
            parent[cell] = cell
            islands += 1
            # Neighbours by flat index: cell - 1 and cell + 1 wrap across row ends.
            for other in (cell - cols, cell + cols, cell - 1, cell + 1):
                if 0 <= other < n and parent[other] != -1:
                    a, b = find(cell), find(other)
                    if a != b:
                        parent[b] = a
                        islands -= 1
        counts.append(islands)
    return counts
