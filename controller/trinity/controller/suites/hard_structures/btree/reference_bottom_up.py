from bisect import bisect_left


class BTreeNode:
    __slots__ = ("children", "keys")

    def __init__(self, keys, children):
        self.keys = keys
        self.children = children


class BTree:
    """Insert into a leaf; a node that overflows to 2t keys splits and pushes its
    median into the parent on the way back up."""

    def __init__(self, t):
        if not t >= 2:
            raise ValueError(f"t must be >= 2, got {t!r}")
        self.t = t
        self.root = BTreeNode([], [])

    def _insert(self, node, key):
        """Insert below node; return (median, right sibling) if node split, else None."""
        i = bisect_left(node.keys, key)
        if i < len(node.keys) and node.keys[i] == key:
            return None
        if not node.children:
            node.keys.insert(i, key)
        else:
            split = self._insert(node.children[i], key)
            if split is None:
                return None
            median, right = split
            node.keys.insert(i, median)
            node.children.insert(i + 1, right)
        if len(node.keys) < 2 * self.t:
            return None
        mid = len(node.keys) // 2
        right = BTreeNode(node.keys[mid + 1 :], node.children[mid + 1 :])
        median = node.keys[mid]
        del node.keys[mid:]
        del node.children[mid + 1 :]
        return median, right

    def insert(self, key):
        split = self._insert(self.root, key)
        if split is not None:
            median, right = split
            self.root = BTreeNode([median], [self.root, right])

    def search(self, key):
        node = self.root
        while True:
            i = bisect_left(node.keys, key)
            if i < len(node.keys) and node.keys[i] == key:
                return (node, i)
            if not node.children:
                return None
            node = node.children[i]

    def traverse(self):
        out, stack, node = [], [], self.root
        # iterative in-order walk: stack holds (node, index of the next key to emit)
        while True:
            while node is not None:
                stack.append([node, 0])
                node = node.children[0] if node.children else None
            if not stack:
                return out
            top = stack[-1]
            current, i = top
            if i < len(current.keys):
                out.append(current.keys[i])
                top[1] += 1
                node = current.children[i + 1] if current.children else None
            else:
                stack.pop()
