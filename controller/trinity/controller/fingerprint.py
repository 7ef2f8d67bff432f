"""AST consensus: what shape each model's solution to a task has, and who built it
differently from the rest. A diagnostic shown beside the scores, never part of one.

A solution's `Fingerprint` comes from Python's `ast` (nothing is run): its classes and
their methods, top-level functions, imports, synchronisation (threading/asyncio/
multiprocessing Lock, RLock, Condition, Semaphore, Event, and `with lock:` blocks), the
containers it reaches for (OrderedDict, deque, defaultdict, Counter, heapq, bisect, nodes
linked through .next/.prev), whether a function calls itself (recursion) and whether it
loops, its branch count (if, conditional expressions, except clauses, match cases) and
its length in lines of code. Names are resolved through imports, so `from threading
import Lock as L; L()` is threading.Lock.

Consensus, per task over the models whose code parses (at least three): a feature that a
strict majority has and a model lacks, or lacks and a model has, flags that model ("no
threading.Lock where 2 of 3 use it"); a branch count or a length more than twice the
largest of the others' (or under half the smallest), by a clear margin, flags it too. A
model with several runs of the task is represented by the features most of its parsable
runs have. Code that does not parse is reported as unparsable, never as divergent; a
model with no code (nothing extracted) is left out.
"""

from __future__ import annotations

import ast
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

MIN_MODELS = 3  # with two, "the majority" is one model against the other
SYNC = frozenset({
    f"{module}.{name}"
    for module in ("threading", "asyncio", "multiprocessing")
    for name in ("Lock", "RLock", "Condition", "Semaphore", "BoundedSemaphore", "Event")
})  # fmt: skip
CONTAINERS = {
    "collections.OrderedDict": "OrderedDict",
    "collections.deque": "deque",
    "collections.defaultdict": "defaultdict",
    "collections.Counter": "Counter",
    "heapq": "heapq",
    "bisect": "bisect",
}
LINKS = frozenset({"next", "prev", "previous", "left", "right", "_next", "_prev"})
BRANCH_MARGIN = 5
LINES_MARGIN = 15


@dataclass(frozen=True)
class Fingerprint:
    """One solution's structure; `error` is set (and the rest empty) when it does not parse."""

    error: str = ""
    classes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # class → methods
    functions: tuple[str, ...] = ()
    imports: frozenset[str] = frozenset()
    features: frozenset[str] = frozenset()  # the words consensus compares
    branches: int = 0
    lines: int = 0

    @property
    def parses(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class Flag:
    """One model built one thing differently from the majority."""

    model: str
    feature: str
    message: str  # "no threading.Lock where 2 of 3 use it"


@dataclass(frozen=True)
class TaskShapes:
    """A task's fingerprints (one per model with code) and the flags they raise."""

    task: str
    shapes: Mapping[str, Fingerprint]
    flags: tuple[Flag, ...]

    def unparsable(self) -> dict[str, str]:
        return {m: f.error for m, f in self.shapes.items() if not f.parses}


def fingerprint(code: str) -> Fingerprint:
    """The structure of one solution (see the module doc)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError) as exc:
        where = f" (line {exc.lineno})" if isinstance(exc, SyntaxError) and exc.lineno else ""
        return Fingerprint(error=f"{type(exc).__name__}: {getattr(exc, 'msg', exc)}{where}")
    names = _aliases(tree)
    used = {_resolve(node, names) for node in ast.walk(tree)} - {None}
    imports = frozenset(names.values()) | _imported_modules(tree)
    features = _sync(tree, used, names) | _containers(tree, used, imports) | _control(tree)
    features |= {f"import {m.split('.')[0]}" for m in imports}
    return Fingerprint(
        classes={c.name: _methods(c) for c in tree.body if isinstance(c, ast.ClassDef)},
        functions=tuple(
            f.name for f in tree.body if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
        ),
        imports=imports,
        features=frozenset(features),
        branches=_branches(tree),
        lines=_code_lines(code),
    )


def _aliases(tree: ast.AST) -> dict[str, str]:
    """Local name → what it stands for: `import a.b as c` c → a.b; `from a import b` b → a.b."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                names[local] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _imported_modules(tree: ast.AST) -> frozenset[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return frozenset(found)


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _resolve(node: ast.AST, names: Mapping[str, str]) -> str | None:
    """A Name or Attribute chain with its first part resolved through the imports."""
    if not isinstance(node, ast.Name | ast.Attribute):
        return None
    dotted = _dotted(node)
    if dotted is None:
        return None
    head, _, rest = dotted.partition(".")
    if head not in names:
        return None
    return names[head] + (f".{rest}" if rest else "")


def _sync(tree: ast.AST, used: set[str | None], names: Mapping[str, str]) -> set[str]:
    """The primitives used, and "with-lock block" when a `with` holds one: a name assigned
    a primitive (self.guard = Lock()), one called *lock*/*cond*, or a primitive made there."""
    found = {name for name in used if name in SYNC}
    held = _assigned_primitives(tree, names)
    for node in ast.walk(tree):
        if isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if _is_lock(item.context_expr, held, names):
                    found.add("with-lock block")
    return found


def _is_lock(expr: ast.expr, held: set[str], names: Mapping[str, str]) -> bool:
    if isinstance(expr, ast.Call):
        return _resolve(expr.func, names) in SYNC
    target = _dotted(expr) or ""
    return target in held or "lock" in target.lower() or "cond" in target.lower()


def _assigned_primitives(tree: ast.AST, names: Mapping[str, str]) -> set[str]:
    held = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            if _resolve(node.value.func, names) in SYNC:
                held |= {t for t in map(_dotted, node.targets) if t}
    return held


def _containers(tree: ast.AST, used: set[str | None], imports: frozenset[str]) -> set[str]:
    found = {label for name, label in CONTAINERS.items()
             if name in used or any(u and u.startswith(name + ".") for u in used)}  # fmt: skip
    found |= {CONTAINERS[m] for m in ("heapq", "bisect") if m in imports}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in LINKS
            and isinstance(node.ctx, ast.Store)
        ):
            found.add("linked nodes")
    return found


def _control(tree: ast.AST) -> set[str]:
    found = set()
    if any(isinstance(n, ast.For | ast.While | ast.AsyncFor) for n in ast.walk(tree)):
        found.add("loops")
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) and _calls_itself(function):
            found.add("recursion")
    return found


def _calls_itself(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            callee = node.func
            if isinstance(callee, ast.Name) and callee.id == function.name:
                return True
            if isinstance(callee, ast.Attribute) and callee.attr == function.name and \
                    isinstance(callee.value, ast.Name) and callee.value.id in ("self", "cls"):  # fmt: skip
                return True
    return False


def _methods(cls: ast.ClassDef) -> tuple[str, ...]:
    return tuple(f.name for f in cls.body if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef))


def _branches(tree: ast.AST) -> int:
    kinds = (ast.If, ast.IfExp, ast.ExceptHandler, ast.match_case)
    return sum(isinstance(node, kinds) for node in ast.walk(tree))


def _code_lines(code: str) -> int:
    return sum(1 for line in code.splitlines() if line.strip() and not line.strip().startswith("#"))


# ---------------------------------------------------------------- consensus


def combined(prints: Sequence[Fingerprint]) -> Fingerprint:
    """One model's runs of a task as one fingerprint: the features most parsable runs
    have, the median branch count and length; unparsable when none parses."""
    good = [p for p in prints if p.parses]
    if not good:
        return prints[-1]
    counts: dict[str, int] = {}
    for p in good:
        for feature in p.features:
            counts[feature] = counts.get(feature, 0) + 1
    features = frozenset(f for f, n in counts.items() if n * 2 > len(good))
    first = good[0]
    return Fingerprint(
        classes=first.classes,
        functions=first.functions,
        imports=first.imports,
        features=features,
        branches=round(statistics.median(p.branches for p in good)),
        lines=round(statistics.median(p.lines for p in good)),
    )


def divergences(shapes: Mapping[str, Fingerprint]) -> list[Flag]:
    """Every flag over one task's models (see the module doc); none below MIN_MODELS."""
    parsed = {m: p for m, p in shapes.items() if p.parses}
    if len(parsed) < MIN_MODELS:
        return []
    flags = []
    for feature in sorted(set().union(*(p.features for p in parsed.values()))):
        flags += _feature_flags(feature, parsed)
    flags += _size_flags("branches", {m: p.branches for m, p in parsed.items()}, BRANCH_MARGIN)
    flags += _size_flags("lines", {m: p.lines for m, p in parsed.items()}, LINES_MARGIN)
    return flags


def _feature_flags(feature: str, parsed: Mapping[str, Fingerprint]) -> list[Flag]:
    having = [m for m, p in parsed.items() if feature in p.features]
    lacking = [m for m in parsed if m not in having]
    total = len(parsed)
    if len(having) * 2 > total:
        return [Flag(m, feature, f"no {feature} where {len(having)} of {total} use it")
                for m in lacking]  # fmt: skip
    if len(lacking) * 2 > total:
        return [Flag(m, feature, f"uses {feature} where {len(lacking)} of {total} do not")
                for m in having]  # fmt: skip
    return []


def _size_flags(what: str, sizes: Mapping[str, int], margin: int) -> list[Flag]:
    flags = []
    for model, size in sizes.items():
        others = [s for m, s in sizes.items() if m != model]
        low, high = min(others), max(others)
        if (size > 2 * high and size - high >= margin) or (2 * size < low and low - size >= margin):
            span = f"{low}" if low == high else f"{low}-{high}"
            flags.append(Flag(model, what, f"{size} {what} where the others have {span}"))
    return flags


def task_shapes(task: str, codes: Mapping[str, Iterable[str]]) -> TaskShapes:
    """A task's shapes and flags from each model's code (one string per run with code)."""
    shapes = {}
    for model, runs in codes.items():
        prints = [fingerprint(code) for code in runs]
        if prints:
            shapes[model] = combined(prints)
    return TaskShapes(task, shapes, tuple(divergences(shapes)))
