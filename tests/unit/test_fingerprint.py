"""AST consensus on hand-written solutions: what a fingerprint sees, who is flagged."""

from __future__ import annotations

from trinity.controller.fingerprint import fingerprint, task_shapes

LOCKED_ORDERED = """
import threading
from collections import OrderedDict


class LRUCache:
    def __init__(self, capacity):
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._data = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key not in self._data:
                return None
            self._data.move_to_end(key)
            return self._data[key]

    def put(self, key, value):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
            self._data[key] = value
            if len(self._data) > self.capacity:
                self._data.popitem(last=False)
"""

LOCKED_ORDERED_OTHER_STYLE = '''
from collections import OrderedDict as OD
from threading import Lock


class LRUCache:
    """Same idea, other names."""

    def __init__(self, capacity):
        if capacity <= 0:
            raise ValueError(capacity)
        self.cap = capacity
        self.items = OD()
        self.guard = Lock()

    def get(self, key):
        with self.guard:
            value = self.items.pop(key, None)
            if value is not None:
                self.items[key] = value
            return value

    def put(self, key, value):
        with self.guard:
            self.items.pop(key, None)
            self.items[key] = value
            if len(self.items) > self.cap:
                self.items.popitem(last=False)
'''

PLAIN_DICT = """
class LRUCache:
    def __init__(self, capacity):
        if capacity < 1:
            raise ValueError("capacity < 1")
        self.capacity = capacity
        self.store = {}

    def get(self, key):
        if key not in self.store:
            return None
        value = self.store.pop(key)
        self.store[key] = value
        return value

    def put(self, key, value):
        self.store.pop(key, None)
        self.store[key] = value
        if len(self.store) > self.capacity:
            del self.store[next(iter(self.store))]
"""


def test_fingerprint_sees_classes_imports_locks_and_containers_through_aliases():
    shape = fingerprint(LOCKED_ORDERED_OTHER_STYLE)
    assert shape.parses and shape.classes == {"LRUCache": ("__init__", "get", "put")}
    assert {"threading.Lock", "with-lock block", "OrderedDict"} <= shape.features
    assert {"collections.OrderedDict", "threading.Lock"} <= shape.imports
    assert "recursion" not in shape.features and "loops" not in shape.features
    plain = fingerprint(PLAIN_DICT)
    assert not {"threading.Lock", "with-lock block", "OrderedDict"} & plain.features


def test_fingerprint_tells_recursion_loops_links_and_heaps():
    code = """
import heapq

class Node:
    def __init__(self, value):
        self.value = value
        self.next = None

def depth(tree):
    return 0 if tree is None else 1 + max(depth(tree.left), depth(tree.right))

def smallest(items, k):
    heap = []
    for item in items:
        heapq.heappush(heap, item)
    return [heapq.heappop(heap) for _ in range(min(k, len(heap)))]
"""
    shape = fingerprint(code)
    assert {"recursion", "loops", "linked nodes", "heapq"} <= shape.features
    assert shape.functions == ("depth", "smallest") and shape.branches == 1


def test_two_ordered_dicts_with_a_lock_and_one_plain_dict_flag_exactly_the_third():
    shapes = task_shapes(
        "lru", {"a": [LOCKED_ORDERED], "b": [LOCKED_ORDERED_OTHER_STYLE], "c": [PLAIN_DICT]}
    )
    assert {flag.model for flag in shapes.flags} == {"c"}
    messages = {flag.message for flag in shapes.flags}
    assert "no threading.Lock where 2 of 3 use it" in messages
    assert "no OrderedDict where 2 of 3 use it" in messages
    assert "no with-lock block where 2 of 3 use it" in messages


def test_three_equal_shaped_solutions_flag_nothing():
    renamed = PLAIN_DICT.replace("store", "entries").replace('"capacity < 1"', '"too small"')
    shapes = task_shapes("lru", {"a": [PLAIN_DICT], "b": [renamed], "c": [PLAIN_DICT]})
    assert shapes.flags == ()
    assert all(shape.parses for shape in shapes.shapes.values())


def test_a_syntax_error_is_reported_as_unparsable_not_divergent():
    broken = "class LRUCache:\n    def get(self, key)\n        return None\n"
    shapes = task_shapes(
        "lru",
        {"a": [LOCKED_ORDERED], "b": [LOCKED_ORDERED_OTHER_STYLE], "c": [PLAIN_DICT],
         "d": [broken]},
    )  # fmt: skip
    assert shapes.unparsable() == {"d": "SyntaxError: expected ':' (line 2)"}
    assert "d" not in {flag.model for flag in shapes.flags}
    assert {flag.model for flag in shapes.flags} == {"c"}


def test_fewer_than_three_parsable_solutions_flag_nothing():
    shapes = task_shapes("lru", {"a": [LOCKED_ORDERED], "c": [PLAIN_DICT], "d": ["def ("]})
    assert shapes.flags == () and set(shapes.unparsable()) == {"d"}


def test_a_model_is_its_runs_majority_and_an_outsized_solution_is_flagged():
    long_dict = PLAIN_DICT + "".join(
        f"\n    def helper{i}(self, x):\n        if x == {i}:\n            return {i}\n        return None\n"
        for i in range(12)
    )
    shapes = task_shapes(
        "lru",
        {"a": [PLAIN_DICT, LOCKED_ORDERED, PLAIN_DICT], "b": [PLAIN_DICT], "c": [long_dict]},
    )
    assert shapes.shapes["a"].features == fingerprint(PLAIN_DICT).features
    flags = {(f.model, f.feature) for f in shapes.flags}
    assert flags == {("c", "branches"), ("c", "lines")}
    message = next(f.message for f in shapes.flags if f.feature == "branches")
    assert message.startswith(f"{fingerprint(long_dict).branches} branches where the others have")
