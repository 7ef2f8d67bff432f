"""Hidden checks for hard_structures/btree: the tree's shape is never compared with a fixed
one (top-down and bottom-up splitting build different, equally valid trees); every check
verifies the B-Tree properties the prompt lists, by walking tree.root.
"""

import random

from solution import BTree, BTreeNode


def _verify(tree, t, expected_keys):
    """Every B-Tree property; returns the nodes. `expected_keys` is the set inserted."""
    root = tree.root
    assert isinstance(root, BTreeNode), f"tree.root is a {type(root).__name__}, not BTreeNode"
    if not expected_keys:
        assert list(root.keys) == [] and list(root.children) == [], "empty tree's root"
        return [root]
    nodes, keys, leaf_depths = [], [], set()

    def walk(node, depth, low, high):
        assert isinstance(node, BTreeNode), f"a child is a {type(node).__name__}"
        nodes.append(node)
        ks, cs = list(node.keys), list(node.children)
        shown = repr(ks) if len(ks) <= 8 else f"[{ks[0]!r}, ... {len(ks) - 2} more ..., {ks[-1]!r}]"
        where = f"node {shown} at depth {depth}"
        assert len(ks) <= 2 * t - 1, f"{where}: {len(ks)} keys, more than 2t-1 = {2 * t - 1}"
        if node is root:
            assert len(ks) >= 1, "the root of a non-empty tree has no keys"
        else:
            assert len(ks) >= t - 1, f"{where}: {len(ks)} keys, fewer than t-1 = {t - 1}"
        assert all(ks[i] < ks[i + 1] for i in range(len(ks) - 1)), f"{where}: keys not increasing"
        for key in ks:
            assert low is None or low < key, f"{where}: key {key!r} not above {low!r}"
            assert high is None or key < high, f"{where}: key {key!r} not below {high!r}"
        if not cs:
            leaf_depths.add(depth)
            keys.extend(ks)
            return
        assert len(cs) == len(ks) + 1, f"{where}: {len(cs)} children for {len(ks)} keys"
        bounds = [low, *ks, high]
        for i, child in enumerate(cs):
            walk(child, depth + 1, bounds[i], bounds[i + 1])
            if i < len(ks):
                keys.append(ks[i])

    walk(root, 0, None, None)
    assert len(leaf_depths) == 1, f"leaves at different depths: {sorted(leaf_depths)}"
    assert len(keys) == len(expected_keys), (
        f"the tree holds {len(keys)} keys, {len(expected_keys)} were inserted"
    )
    assert keys == sorted(expected_keys), "the tree's keys are not the ones inserted"
    return nodes


def check_empty():
    tree = BTree(3)
    _verify(tree, 3, set())
    assert tree.traverse() == [], f"traverse() of an empty tree: {tree.traverse()!r}"
    assert tree.search(5) is None, "search in an empty tree must return None"


def check_invalid_degree():
    for bad in (1, 0, -3):
        try:
            BTree(bad)
        except ValueError:
            continue
        raise AssertionError(f"BTree({bad}) did not raise ValueError")
    BTree(2)  # the smallest valid degree


def check_first_split():
    tree = BTree(2)
    for key in (1, 2, 3):
        tree.insert(key)
    _verify(tree, 2, {1, 2, 3})
    assert not list(tree.root.children), "3 keys fit in the root of a t=2 tree"
    full = tree.traverse()
    tree.insert(4)
    _verify(tree, 2, {1, 2, 3, 4})
    root = tree.root
    assert len(list(root.children)) == 2 and len(list(root.keys)) == 1, (
        f"after 4 inserts with t=2 the root must have split: root keys {list(root.keys)!r}"
    )
    return [full, tree.traverse()]


def check_invariants_every_insert():
    rng = random.Random(11)
    for t in (2, 3, 4):
        tree = BTree(t)
        inserted = set()
        for _ in range(150):
            key = rng.randrange(1000)
            tree.insert(key)
            inserted.add(key)
            _verify(tree, t, inserted)
        got = tree.traverse()
        assert got == sorted(inserted), f"t={t}: traverse() is not the sorted keys"


def check_sorted_inserts():
    for t in (2, 3):
        for keys in (list(range(400)), list(range(400, 0, -1))):
            tree = BTree(t)
            for key in keys:
                tree.insert(key)
            nodes = _verify(tree, t, set(keys))
            assert tree.traverse() == sorted(keys), f"t={t}: traverse() after sorted inserts"
            assert len(nodes) > 1, "400 keys in one node"


def check_large_degree():
    rng = random.Random(5)
    t = 8
    keys = rng.sample(range(100000), 3000)
    tree = BTree(t)
    for key in keys:
        tree.insert(key)
    nodes = _verify(tree, t, set(keys))
    height, node = 0, tree.root
    while list(node.children):
        node = node.children[0]
        height += 1
    # a B-Tree with n keys has height at most log_t((n + 1) / 2): here 3
    assert height <= 3, f"height {height} for 3000 keys with t=8"
    assert len(nodes) >= 3000 // (2 * t - 1), "too few nodes to hold the keys"
    assert tree.traverse() == sorted(keys), "traverse() is not the sorted keys"


def check_search():
    rng = random.Random(2)
    for t in (2, 5):
        keys = rng.sample(range(0, 2000, 2), 300)  # even numbers only
        tree = BTree(t)
        for key in keys:
            tree.insert(key)
        nodes = _verify(tree, t, set(keys))
        node_ids = {id(node) for node in nodes}
        for key in keys:
            found = tree.search(key)
            assert found is not None, f"t={t}: search({key}) returned None for an inserted key"
            node, i = found
            assert id(node) in node_ids, f"search({key}) returned a node that is not in the tree"
            assert list(node.keys)[i] == key, f"search({key}) returned index {i} of {node.keys}"
        for key in (-1, 1, 999, 2001, 10**6):
            assert tree.search(key) is None, f"t={t}: search({key}) found an absent key"


def check_duplicates():
    tree = BTree(2)
    keys = [5, 3, 8, 3, 5, 1, 9, 8, 8, 2, 7, 5, 6, 4, 4, 10, 1]
    inserted = set()
    for key in keys:
        tree.insert(key)
        inserted.add(key)
        _verify(tree, 2, inserted)
    got = tree.traverse()
    assert got == list(range(1, 11)), f"after inserting duplicates: {got!r}"
    for key in range(1, 11):
        tree.insert(key)
    assert tree.traverse() == list(range(1, 11)), "re-inserting every key changed the tree"


def check_other_key_types():
    words = "the quick brown fox jumps over a lazy dog and then some more words arrive".split()
    tree = BTree(2)
    for word in words:
        tree.insert(word)
    _verify(tree, 2, set(words))
    assert tree.traverse() == sorted(set(words)), "string keys"
    assert tree.search("fox") is not None, "search('fox') did not find an inserted string"
    assert tree.search("cat") is None, "search('cat') found an absent string"
    mixed = [2.5, 1, 3, 0.5, 2, 1.5, -1, 10, 7.25]
    tree = BTree(3)
    for key in mixed:
        tree.insert(key)
    _verify(tree, 3, set(mixed))
    assert tree.traverse() == sorted(mixed), "int and float keys"
    result = tree.traverse()
    result.append("junk")
    assert tree.traverse() == sorted(mixed), "traverse() must return a new list"


def check_independent_instances():
    first, second = BTree(2), BTree(3)
    for key in range(20):
        first.insert(key)
    for key in range(100, 105):
        second.insert(key)
    _verify(first, 2, set(range(20)))
    _verify(second, 3, set(range(100, 105)))
    assert second.search(3) is None and first.search(100) is None, "trees share keys"
