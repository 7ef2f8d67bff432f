from bisect import insort


class BTreeNode:
    def __init__(self, keys=None, children=None):
        self.keys = keys if keys is not None else []
        self.children = children if children is not None else []


class BTree:
    """Keeps every key in the root: never splits."""

    def __init__(self, t):
        if t < 2:
            raise ValueError("t must be at least 2")
        self.t = t
        self.root = BTreeNode()

    def insert(self, key):
        if key not in self.root.keys:
            insort(self.root.keys, key)

    def search(self, key):
        if key in self.root.keys:
            return self.root, self.root.keys.index(key)
        return None

    def traverse(self):
        return list(self.root.keys)
