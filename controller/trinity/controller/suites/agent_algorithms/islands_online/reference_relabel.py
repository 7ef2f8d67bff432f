class _Islands:
    """Each land cell carries an island label; merging relabels the smaller island's
    cells, so a cell is relabelled O(log n) times in all."""

    def __init__(self, rows, cols):
        if rows < 1 or cols < 1:
            raise ValueError("rows and cols must be positive")
        self.rows, self.cols = rows, cols
        self.label = {}  # (r, c) -> label
        self.members = {}  # label -> list of cells

    def add(self, r, c):
        if not (0 <= r < self.rows and 0 <= c < self.cols):
            raise ValueError(f"({r}, {c}) is off the grid")
        if (r, c) in self.label:
            return
        labels = {self.label[n] for n in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))
                  if n in self.label}  # fmt: skip
        if not labels:
            self.label[(r, c)] = (r, c)
            self.members[(r, c)] = [(r, c)]
            return
        keep = max(labels, key=lambda lab: len(self.members[lab]))
        for other in labels - {keep}:
            for cell in self.members.pop(other):
                self.label[cell] = keep
                self.members[keep].append(cell)
        self.label[(r, c)] = keep
        self.members[keep].append((r, c))


def count_islands_after_additions(rows, cols, positions):
    grid = _Islands(rows, cols)
    out = []
    for r, c in positions:
        grid.add(r, c)
        out.append(len(grid.members))
    return out
