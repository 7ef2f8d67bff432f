# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


class _Node:
    __slots__ = ("key", "next", "prev", "value")

    def __init__(self, key=None, value=None):
        self.key, self.value = key, value
        self.prev = self.next = self


class LRUCache:
    """A dict of nodes in a circular doubly linked list: most recent right after head."""

    def __init__(self, capacity: int) -> None:
        if not isinstance(capacity, int) or capacity < 1:
            raise InvalidInput(f"capacity must be a positive int, got {capacity!r}")
        self._capacity = capacity
        self._nodes = {}
        self._head = _Node()

    def _unlink(self, node):
        node.prev.next = node.next
        node.next.prev = node.prev

    def _push_front(self, node):
        node.prev, node.next = self._head, self._head.next
        self._head.next.prev = node
        self._head.next = node

    def get(self, key):
        node = self._nodes.get(key)
        if node is None:
            return None
        self._unlink(node)
        self._push_front(node)
        return node.value

    def put(self, key, value):
        node = self._nodes.get(key)
        if node is not None:
            node.value = value
            self._unlink(node)
            self._push_front(node)
            return
        node = _Node(key, value)
        self._nodes[key] = node
        self._push_front(node)
        if len(self._nodes) > self._capacity:
            oldest = self._head.prev
            self._unlink(oldest)
            del self._nodes[oldest.key]

    def __len__(self):
        return len(self._nodes)
