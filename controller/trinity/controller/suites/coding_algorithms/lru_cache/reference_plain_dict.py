class LRUCache:
    """A plain dict keeps insertion order: re-insert on use, evict the first key."""

    def __init__(self, capacity):
        if capacity < 1:
            raise ValueError("capacity < 1")
        self.capacity = capacity
        self.store = {}

    def get(self, key):
        try:
            value = self.store.pop(key)
        except KeyError:
            return None
        self.store[key] = value
        return value

    def put(self, key, value):
        self.store.pop(key, None)
        self.store[key] = value
        if len(self.store) > self.capacity:
            del self.store[next(iter(self.store))]

    def __len__(self):
        return len(self.store)
