def _clone(value):
    """A deep copy of JSON-like data, written out by hand."""
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clone(v) for v in value]
    return value


def _merge_value(old, new, append):
    """The merged value of one key (old is _MISSING when the key is new); returns _MISSING
    to delete the key. Builds new objects, never changes old."""
    if new is None:
        return _MISSING
    if old is _MISSING:
        return _merge_dicts({}, new, append) if type(new) is dict else _clone(new)
    kinds = {type(old) is dict, type(new) is dict}
    if kinds == {True}:
        return _merge_dicts(old, new, append)
    if True in kinds:
        raise TypeError("a dict can only be merged with a dict")
    kinds = {type(old) is list, type(new) is list}
    if kinds == {True}:
        return _clone(new)  # the old list is dropped even when appending
    if True in kinds:
        raise TypeError("a list can only be merged with a list")
    return new


_MISSING = object()


def _merge_dicts(old, new, append):
    merged = dict(old)
    for key, value in new.items():
        result = _merge_value(merged.get(key, _MISSING), value, append)
        if result is _MISSING:
            merged.pop(key, None)
        else:
            merged[key] = result
    return merged


def merge_configs(base, *overrides, lists="replace"):
    if lists != "replace" and lists != "append":
        raise ValueError("lists must be 'replace' or 'append'")
    if any(not isinstance(layer, dict) for layer in (base, *overrides)):
        raise TypeError("every config layer must be a dict")
    result = _clone(base)
    for layer in overrides:
        result = _merge_dicts(result, layer, lists == "append")
    return result
