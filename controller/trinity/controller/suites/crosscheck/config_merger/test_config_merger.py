"""Hidden checks for crosscheck/config_merger: deep merge with None deleting, lists
replaced or appended, TypeError for dict/list conflicts, inputs never shared or changed.
"""

import copy
import json
import random

from solution import merge_configs


def _raises(exc_type, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc_type:
        return True
    return False


def check_basic():
    return merge_configs(
        {"db": {"host": "localhost", "port": 5432}, "tags": ["a"], "debug": True},
        {"db": {"port": 6543, "user": None}, "tags": ["b"], "debug": None},
        lists="append",
    )


def check_layer_order():
    defaults = {"level": 1, "name": "default", "nested": {"a": 1, "b": 2, "c": 3}}
    first = {"level": 2, "name": "first", "nested": {"b": 20, "c": 30}}
    second = {"name": "second", "nested": {"c": 300, "d": 4}}
    third = {"level": 3}
    return merge_configs(defaults, first, second, third)


def check_none_deletes():
    out = [
        merge_configs(
            {"keep": 1, "drop": 2, "nested": {"gone": 1, "stay": True}},
            {"drop": None, "absent": None, "nested": {"gone": None}},
        )
    ]
    # None inside a dict the result did not have yet is dropped; None in a list is a value
    out.append(merge_configs({}, {"a": {"b": {"c": None}}, "x": [None, 1], "y": None}))
    # None in base is kept; a later layer's None deletes what an earlier layer added
    out.append(
        merge_configs(
            {"base_none": None, "n": {"m": None}},
            {"added": 1},
            {"added": None},
        )
    )
    out.append(merge_configs({"a": 1}, {"a": None}, {"a": None}))
    return out


def check_lists_replace():
    base = {"servers": ["a", "b"], "nested": {"ports": [80, 443]}, "empty": [1]}
    over = {"servers": ["c"], "nested": {"ports": [8080]}, "empty": [], "new": [1, 2]}
    result = merge_configs(base, over)
    assert result == merge_configs(base, over, lists="replace"), "replace is the default"
    return result


def check_lists_append():
    base = {"servers": ["a", "b"], "nested": {"ports": [80, 443]}, "emptied": ["x"]}
    over = {"servers": ["c", "d"], "nested": {"ports": [8080]}, "new": [1], "emptied": []}
    first = merge_configs(base, over, lists="append")
    second = merge_configs({"l": [1, 2]}, {"l": [3]}, {"l": [4, 5, 6]}, lists="append")
    return [first, second]


def check_invalid_list_mode():
    for bad in ("extend", "", "Replace", None, 1):
        assert _raises(ValueError, merge_configs, {"a": [1]}, {"a": [2]}, lists=bad), (
            f"lists={bad!r}: ValueError"
        )
    assert _raises(ValueError, merge_configs, {}, lists="merge"), "even with nothing to merge"


def check_type_conflicts():
    cases = [
        ({"a": {"x": 1}}, {"a": 5}),
        ({"a": 5}, {"a": {"x": 1}}),
        ({"a": [1]}, {"a": "str"}),
        ({"a": "str"}, {"a": [1]}),
        ({"a": {"x": 1}}, {"a": [1]}),
        ({"a": [1]}, {"a": {"x": 1}}),
        ({"a": None}, {"a": {"x": 1}}),
        ({"a": None}, {"a": [1]}),
        ({"deep": {"er": {"x": [1]}}}, {"deep": {"er": {"x": 1}}}),
    ]
    for base, over in cases:
        for mode in ("replace", "append"):
            before = copy.deepcopy([base, over])
            assert _raises(TypeError, merge_configs, base, over, lists=mode), (
                f"merging {over!r} into {base!r} (lists={mode!r}): TypeError"
            )
            assert [base, over] == before, "a failed merge modified its inputs"
    # a conflict in a later layer still raises
    assert _raises(TypeError, merge_configs, {"a": 1}, {"b": 2}, {"a": {"c": 1}})


def check_scalars_replace():
    result = merge_configs(
        {"i": 1, "s": "text", "b": True, "f": 1.5, "n": None},
        {"i": "one", "s": 2, "b": 0.5, "f": False, "n": 7},
    )
    assert json.dumps(result, sort_keys=True) == json.dumps(
        {"b": 0.5, "f": False, "i": "one", "n": 7, "s": 2}, sort_keys=True
    ), f"scalars of any type replace each other: {result!r}"


def check_inputs_unchanged():
    base = {"a": {"b": [1, 2], "c": {"d": 1}}, "l": [{"x": 1}], "s": "v"}
    over = {"a": {"b": [3], "c": {"e": 2}, "new": {"deep": [5]}}, "l": [{"y": 2}], "s": None}
    saved = copy.deepcopy([base, over])
    for mode in ("replace", "append"):
        result = merge_configs(base, over, lists=mode)
        assert [base, over] == saved, f"lists={mode!r}: merge_configs modified an input"
        result["a"]["b"].append(99)
        result["a"]["c"]["zz"] = 1
        result["a"]["new"]["deep"].append(6)
        for item in result["l"]:
            item["mutated"] = True
        assert [base, over] == saved, f"lists={mode!r}: the result shares objects with an input"
    fresh = merge_configs(base, {"a": {"k": 1}})
    base["a"]["b"].append(42)
    base["l"][0]["x"] = 100
    assert fresh["a"]["b"] == [1, 2] and fresh["l"] == [{"x": 1}], (
        "changing an input changed an earlier result (lists or dicts inside lists shared)"
    )


def check_no_overrides():
    base = {"a": {"b": [1, {"c": 2}]}, "n": None}
    result = merge_configs(base)
    assert result is not base, "with no overrides, return a copy"
    result["a"]["b"][1]["c"] = 99
    assert base["a"]["b"][1]["c"] == 2, "the copy shares a nested object with base"
    return merge_configs(base)


def check_not_dicts():
    for bad in ([("a", 1)], None, "a=1", 5):
        assert _raises(TypeError, merge_configs, bad), f"base {bad!r}: TypeError"
        assert _raises(TypeError, merge_configs, {"a": 1}, bad), f"override {bad!r}: TypeError"
    assert _raises(TypeError, merge_configs, {"a": 1}, {"b": 1}, [1]), "third layer: TypeError"


_CONFLICT = object()


def _model(result, over, mode):
    for key, value in over.items():
        if value is None:
            result.pop(key, None)
        elif key not in result:
            result[key] = (
                _model({}, value, mode) if isinstance(value, dict) else copy.deepcopy(value)
            )
        else:
            old = result[key]
            if isinstance(old, dict) and isinstance(value, dict):
                _model(old, value, mode)
            elif isinstance(old, dict) or isinstance(value, dict):
                raise LookupError("conflict")
            elif isinstance(old, list) and isinstance(value, list):
                result[key] = (
                    old + copy.deepcopy(value) if mode == "append" else copy.deepcopy(value)
                )
            elif isinstance(old, list) or isinstance(value, list):
                raise LookupError("conflict")
            else:
                result[key] = value
    return result


def _random_value(rng, depth):
    roll = rng.random()
    if roll < 0.25 and depth < 3:
        return _random_config(rng, depth + 1)
    if roll < 0.4:
        return [rng.randint(0, 9) for _ in range(rng.randint(0, 3))]
    if roll < 0.55:
        return None
    return rng.choice([0, 1, "x", "y", True, 2.5])


def _random_config(rng, depth=0):
    return {rng.choice("abcde"): _random_value(rng, depth) for _ in range(rng.randint(0, 4))}


def check_random_layers():
    rng = random.Random(99)
    conflicts = merged = 0
    for trial in range(300):
        layers = [_random_config(rng) for _ in range(rng.randint(1, 4))]
        mode = rng.choice(["replace", "append"])
        saved = copy.deepcopy(layers)
        try:
            want = copy.deepcopy(layers[0])
            for over in layers[1:]:
                want = _model(want, over, mode)
        except LookupError:
            want = _CONFLICT
        if want is _CONFLICT:
            assert _raises(TypeError, merge_configs, *layers, lists=mode), (
                f"trial {trial}: conflict in {layers!r} must raise TypeError"
            )
            conflicts += 1
        else:
            got = merge_configs(*layers, lists=mode)
            assert got == want and json.dumps(got, sort_keys=True) == json.dumps(
                want, sort_keys=True
            ), f"trial {trial}: {layers!r} lists={mode!r}: got {got!r}, want {want!r}"
            merged += 1
        assert layers == saved, f"trial {trial}: inputs modified"
    assert conflicts > 20 and merged > 100, (conflicts, merged)
