"""Property tests over agent.toml: whatever the file holds, loading it gives a config or a
one-line ConfigError naming the file, never a traceback; and a config that loads can be
used at start-up without one either.

The documents are built from the config models' own fields (so a new field is covered
the day it is added), with values of every TOML type, odd numbers and odd strings.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from trinity.agent.auth import load_token
from trinity.agent.backends import registry
from trinity.agent.config import AgentConfig, load_config
from trinity.agent.errors import ConfigError
from trinity.agent.modelpath import ModelRoots
from trinity.agent.process import LogBuffer
from trinity.agent.server import split_listen, tls_credentials
from trinity.agent.state import AgentState

ODD_TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", ".", "..", "/", "~", "a\x00b", "127.0.0.1:0", "[::1]:1", "none",
                     "bwrap", "-1", "nan", "0x10", " ", "\n", "llamacpp"]),
)  # fmt: skip
NUMBERS = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, -1, 1, 2**31, 2**32, 2**64, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-300, 1e300, math.inf, -math.inf, math.nan]),
)
SCALARS = st.one_of(NUMBERS, ODD_TEXT, st.booleans())
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3),
                   st.dictionaries(ODD_TEXT, SCALARS, max_size=2))  # fmt: skip


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The config model a field holds (through `X | None`), if any."""
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def typed(annotation: Any, strict: bool) -> st.SearchStrategy[Any]:
    """Values of roughly the field's own type (odd ones included), or (not strict) of
    any type."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        own: st.SearchStrategy[Any] = st.sampled_from(args)
    elif origin is list:
        own = st.lists(ODD_TEXT, max_size=3)
    elif origin is dict:
        own = st.dictionaries(ODD_TEXT, ODD_TEXT, max_size=2)
    elif annotation in (int, float):
        own = NUMBERS
    elif annotation is bool:
        own = st.booleans()
    else:
        own = ODD_TEXT  # str, Path and their optional forms
    return own if strict else st.one_of(own, VALUES)


def tables(model: type[BaseModel], strict: bool, depth: int = 0) -> st.SearchStrategy[dict]:
    """A table with `model`'s required keys, some others (sub-tables for nested models)
    and, when not strict, now and then a junk key."""
    required, optional = {}, {}
    for name, info in model.model_fields.items():
        nested = _model_of(info.annotation)
        if nested and depth < 3:
            value = tables(nested, strict, depth + 1)
            value = value if strict else st.one_of(value, VALUES)
        else:
            value = typed(info.annotation, strict)
        (required if info.is_required() else optional)[name] = value
    known = st.fixed_dictionaries(required, optional=optional)
    if strict:
        return known
    junk = st.dictionaries(st.sampled_from(["x", "unknown", "Listen", ""]), VALUES, max_size=1)
    return st.builds(lambda a, b: {**b, **a}, known, junk)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") \
            if math.isinf(value) else repr(value)  # fmt: skip
    if isinstance(value, int | str):
        return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    items = ", ".join(f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(v)}"
                      for k, v in value.items())  # fmt: skip
    return "{" + items + "}"


def toml_document(data: dict[str, Any]) -> str:
    return "".join(f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}\n"
                   for k, v in data.items())  # fmt: skip


def start_up_with(config: AgentConfig) -> None:
    """What `serve` does with a config before anything listens, minus the network and
    the sandbox probe: anything but a one-line ConfigError is a traceback at start."""
    LogBuffer(config.supervisor.log_lines)
    ModelRoots(tuple(config.model_roots)).all()
    AgentState(config.state_dir).desired()
    for backend in registry(config).values():
        backend.info()
    shutil.which(config.sandbox.bwrap)
    for step in (lambda: load_token(config.token_file), lambda: split_listen(config.listen),
                 lambda: config.tls and tls_credentials(config.tls)):  # fmt: skip
        try:
            step()
        except ConfigError as exc:
            assert "\n" not in str(exc)


def assert_loads_or_one_line(path: Path) -> None:
    try:
        config = load_config(path)
    except ConfigError as exc:
        message = str(exc)
        assert "\n" not in message and message.startswith(str(path)), message
        event("refused: " + message.removeprefix(f"{path}: ").split(":")[0][:30])
        return
    event("loaded")
    start_up_with(config)


SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


@SETTINGS
@given(st.one_of(tables(AgentConfig, strict=True), tables(AgentConfig, strict=False)))
@example({"token_file": "", "state_dir": "~0"})  # found once: a user with no home here
@example({"model_roots": ["~no-such-user-here/models"]})
def test_any_agent_toml_loads_or_is_one_line(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "agent.toml"
        path.write_text(toml_document(data), encoding="utf-8")
        assert_loads_or_one_line(path)


@SETTINGS
@given(st.binary(max_size=200))
def test_any_bytes_as_agent_toml_are_one_line(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "agent.toml"
        path.write_bytes(raw)
        assert_loads_or_one_line(path)
