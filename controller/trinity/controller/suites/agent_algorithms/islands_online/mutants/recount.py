def count_islands_after_additions(rows, cols, positions):
    if rows < 1 or cols < 1:
        raise ValueError("the grid needs at least one row and one column")
    land = set()
    counts = []
    for r, c in positions:
        if not (0 <= r < rows and 0 <= c < cols):
            raise ValueError(f"position {(r, c)!r} is off the grid")
        land.add((r, c))
        # Flood fill the whole grid after every addition: O(additions * land).
        seen, islands = set(), 0
        for start in land:
            if start in seen:
                continue
            islands += 1
            seen.add(start)
            stack = [start]
            while stack:
                y, x = stack.pop()
                for near in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
                    if near in land and near not in seen:
                        seen.add(near)
                        stack.append(near)
        counts.append(islands)
    return counts
