"""Hidden checks for crosscheck/data_pipeline: stage semantics, laziness (infinite
sources, exact pull counts), independent passes and immutable stage chaining. The
"infinite" sources stop with an error after 100,000 items, so an eager stage fails its
check instead of hanging the run.
"""

import itertools
import random

from solution import Pipeline


def _raises(exc_type, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc_type:
        return True
    return False


class Counted:
    """An iterable that counts the items pulled from it (over every pass)."""

    def __init__(self, items):
        self.items = items
        self.pulled = 0
        self.passes = 0

    def __iter__(self):
        self.passes += 1
        for item in self.items:
            self.pulled += 1
            yield item


def _endless(limit=100_000):
    """0, 1, 2, ... as an infinite source would give them; an eager stage that tries to
    read it all fails here instead of hanging the run."""
    for i in itertools.count():
        if i >= limit:
            raise RuntimeError(f"pulled {limit} items from an infinite source: not lazy")
        yield i


def _take(pipeline, n):
    return list(itertools.islice(iter(pipeline), n))


def check_map_filter():
    squares = Pipeline(range(10)).filter(lambda x: x % 2 == 0).map(lambda x: x * x).collect()
    odd = Pipeline(range(10)).map(lambda x: x * x).filter(lambda x: x % 2).collect()
    nothing = Pipeline([]).map(lambda x: 1 / 0).collect()
    for result in (squares, odd, nothing):
        assert isinstance(result, list), (
            f"collect() must return a list, not {type(result).__name__}"
        )
    return [squares, odd, nothing]


def check_batch():
    out = []
    for source, size in ((range(7), 3), (range(4), 2), (range(5), 10), ([], 3)):
        batches = Pipeline(source).batch(size).collect()
        for b in batches:
            assert isinstance(b, list), f"a batch is a list, not {type(b).__name__}"
        out.append(batches)
    return out


def check_window():
    out = []
    for source, size in (([1, 2, 3, 4, 5], 3), ([1, 2, 3, 4, 5], 5), ([1, 2], 3), ([1, 2, 3], 1)):
        windows = Pipeline(source).window(size).collect()
        for w in windows:
            assert isinstance(w, tuple), f"a window is a tuple, not {type(w).__name__}"
        out.append(windows)
    return out


def check_window_step():
    out = []
    for n, size, step in ((8, 2, 3), (7, 3, 2), (7, 3, 3), (8, 1, 5)):
        windows = Pipeline(range(n)).window(size, step=step).collect()
        for w in windows:
            assert isinstance(w, tuple), f"a window is a tuple, not {type(w).__name__}"
        out.append(windows)
    assert Pipeline(range(3)).window(2, 5).collect() == [(0, 1)], "step as a positional argument"
    return out


def check_composition():
    example = Pipeline(range(10)).filter(lambda x: x % 2).map(lambda x: x * 10).batch(2).collect()
    sums = Pipeline(range(8)).batch(2).map(sum).collect()
    windows = (
        Pipeline([1, 2, 3, 4])
        .window(2)
        .map(lambda w: (w[0] + 1, w[1] + 1))
        .filter(lambda w: w[0] > 2)
    )
    pairs = windows.collect()
    window_sums = Pipeline(range(9)).window(3, step=3).map(sum).collect()
    for pair in pairs:
        assert isinstance(pair, tuple)
    return [example, sums, pairs, window_sums]


def check_invalid_sizes():
    p = Pipeline(range(5))
    for bad in (0, -1):
        assert _raises(ValueError, p.batch, bad), f"batch({bad}): ValueError when called"
        assert _raises(ValueError, p.window, bad), f"window({bad}): ValueError when called"
        assert _raises(ValueError, p.window, 2, step=bad), f"window(2, step={bad}): ValueError"
    assert p.collect() == [0, 1, 2, 3, 4], "a failed call changed the pipeline"


def check_infinite_source():
    multiples = _take(Pipeline(_endless()).map(lambda x: x * 3), 5)
    evens = _take(Pipeline(_endless()).filter(lambda x: x % 2 == 0).batch(3), 2)
    windows = _take(Pipeline(_endless()).window(3, step=3), 2)
    return [multiples, evens, windows]


def check_pulls_only_needed():
    cases = [
        (lambda p: p.map(lambda x: x + 1), 3, 3),
        (lambda p: p.filter(lambda x: x % 5 == 4), 2, 10),
        (lambda p: p.batch(4), 2, 8),
        (lambda p: p.window(3), 1, 3),
        (lambda p: p.window(3), 4, 6),
        (lambda p: p.window(2, step=3), 2, 5),
        (lambda p: p.window(3, step=2), 3, 7),
        (lambda p: p.map(lambda x: x * 2).filter(lambda x: x % 3 == 0).batch(2), 1, 4),
    ]
    for i, (build, results, pulls) in enumerate(cases):
        source = Counted(_endless())
        got = _take(build(Pipeline(source)), results)
        assert len(got) == results, f"case {i}: {got!r}"
        assert source.pulled == pulls, (
            f"case {i}: {results} results should pull {pulls} items, pulled {source.pulled}"
        )
    source = Counted(range(5))
    assert Pipeline(source).batch(2).collect() == [[0, 1], [2, 3], [4]]
    assert source.pulled == 5 and source.passes == 1, "collect() makes one pass"


def check_deferred():
    calls = []
    source = Counted([1, 2, 3])

    def fn(x):
        calls.append(("map", x))
        return x

    def pred(x):
        calls.append(("filter", x))
        return True

    pipeline = Pipeline(source).map(fn).filter(pred).batch(2).window(1)
    assert source.passes == 0 and source.pulled == 0, "building a pipeline touched the source"
    assert calls == [], f"building a pipeline called fn/pred: {calls!r}"
    iterator = iter(pipeline)
    first = next(iterator)
    assert first == ([1, 2],), f"first result: {first!r}"
    assert calls == [("map", 1), ("filter", 1), ("map", 2), ("filter", 2)], (
        f"items flow one at a time through map then filter: {calls!r}"
    )


def check_reiterable():
    pipeline = Pipeline([3, 1, 4, 1, 5, 9, 2, 6]).map(lambda x: x * 2).window(3, step=2).batch(2)
    first = pipeline.collect()
    second = pipeline.collect()
    assert first == second and first, f"two passes differ: {first!r} vs {second!r}"
    third = list(pipeline)
    assert third == first, "list(pipeline) is the same as collect()"
    source = Counted([1, 2, 3])
    p = Pipeline(source).filter(lambda x: x > 1)
    a, b = iter(p), iter(p)
    assert next(a) == 2 and next(b) == 2 and next(a) == 3, "two iterators are independent passes"
    assert source.passes == 2


def check_stages_immutable():
    base = Pipeline(range(6))
    doubled = base.map(lambda x: x * 2)
    odd = base.filter(lambda x: x % 2)
    batched = doubled.batch(4)
    results = [base.collect(), doubled.collect(), odd.collect(), batched.collect()]
    want = [[0, 1, 2, 3, 4, 5], [0, 2, 4, 6, 8, 10], [1, 3, 5], [[0, 2, 4, 6], [8, 10]]]
    assert results == want, f"chaining changed an earlier pipeline: {results!r}"
    assert isinstance(doubled, Pipeline) and doubled is not base, "map must return a new Pipeline"
    for stage in (base.batch(2), base.window(2), base.filter(bool)):
        assert isinstance(stage, Pipeline) and stage is not base


def check_errors_propagate():
    class Boom(Exception):
        pass

    def explode(x):
        if x == 3:
            raise Boom(x)
        return x

    pipeline = Pipeline(range(10)).map(explode).batch(2)
    iterator = iter(pipeline)
    assert next(iterator) == [0, 1], "results before the error come out"
    assert _raises(Boom, next, iterator), "the error from fn must propagate unchanged"
    assert _raises(ZeroDivisionError, Pipeline([0]).filter(lambda x: 1 / x).collect)


def _model(items, stages):
    for kind, arg in stages:
        if kind == "map":
            items = [arg(x) for x in items]
        elif kind == "filter":
            items = [x for x in items if arg(x)]
        elif kind == "batch":
            items = [items[i : i + arg] for i in range(0, len(items), arg)]
        else:
            size, step = arg
            items = [tuple(items[i : i + size]) for i in range(0, len(items) - size + 1, step)]
    return items


def _text(value):
    """str() of a value with its batches and windows as plain lists and tuples: the prompt
    asks for a list and a tuple, and a subclass of either (a NamedTuple...) may print
    itself its own way."""
    if isinstance(value, list):
        return "[" + ", ".join(map(_text, value)) + "]"
    if isinstance(value, tuple):
        return "(" + "".join(_text(v) + ", " for v in value) + ")"
    return repr(value)


def check_random_pipelines():
    rng = random.Random(3)
    maps = [lambda x: x * 2, _text, lambda x: _text(x).upper(), lambda x: (x,)]
    preds = [lambda x: len(_text(x)) % 2 == 0, lambda x: "1" not in _text(x), bool]
    for trial in range(300):
        items = [rng.randint(0, 20) for _ in range(rng.randint(0, 25))]
        stages = []
        pipeline = Pipeline(list(items))
        for _ in range(rng.randint(1, 4)):
            kind = rng.choice(["map", "filter", "batch", "window"])
            if kind == "map":
                arg = rng.choice(maps)
                pipeline = pipeline.map(arg)
            elif kind == "filter":
                arg = rng.choice(preds)
                pipeline = pipeline.filter(arg)
            elif kind == "batch":
                arg = rng.randint(1, 5)
                pipeline = pipeline.batch(arg)
            else:
                arg = (rng.randint(1, 4), rng.randint(1, 4))
                pipeline = pipeline.window(arg[0], step=arg[1])
            stages.append((kind, arg))
        want = _model(items, stages)
        got = pipeline.collect()
        assert got == want, f"trial {trial}: {items!r} through {stages!r}: {got!r}, want {want!r}"
