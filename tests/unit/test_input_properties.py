"""Property-based tests (hypothesis) over the files a user writes: whatever models.toml or a
task.toml holds, loading it ends in a clean result or a TrinityError of one line (which
the CLI prints, exit 2), never a traceback; and whatever loads can be put on the wire
(ModelSpec, GenerateRequest, ExecuteRequest are built without an error) and a reply can
be scored against it. (agent.toml and the agent's RPC validation are tested on the agent
side.) TRINITY_HYPOTHESIS_EXAMPLES=2000 searches deeper than the default 150 per property."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from trinity.controller import config as cfg
from trinity.controller.cluster import model_spec
from trinity.controller.errors import TrinityError
from trinity.controller.generation import generate_request
from trinity.controller.scoring import execute_request, score_reply
from trinity.controller.suites import KINDS, LIMITS, TEXT_KINDS, Task, load_task_folder

SETTINGS = settings(
    max_examples=int(os.environ.get("TRINITY_HYPOTHESIS_EXAMPLES", "150")),
    deadline=None,  # CI machines are slow and shared; a slow example is not a failure
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# Values of every TOML type, the awkward ones included: integers far beyond 64 bits, nan
# and inf, empty and odd strings, paths that go nowhere, nested tables and arrays.
ODD_STRINGS = ["", " ", "~", "~nobody-here/x", "../x", "/etc/passwd", "a\x00b", "\u202e",
               "builtin:smollm2", "m.gguf", "127.0.0.1:1", "[::1]:50151", "h:99999", ":1",
               "llamacpp", "vllm", "sk-abcdefghijklmnop1234", "on", "solution.py"]  # fmt: skip
scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(ODD_STRINGS),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
names = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
# Numbers a user might mean, and the edges of what the wire format carries.
sane_numbers = st.one_of(
    st.integers(min_value=0, max_value=100),
    st.floats(min_value=0, max_value=1),
    st.sampled_from([2**31 - 1, 2**32 - 1, 2**63 - 1, -(2**63), 2**32, 2**63, 1e300]),
)
numbers = st.one_of(
    sane_numbers,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
)


def table(
    fields: dict[str, st.SearchStrategy[Any] | None], required: tuple[str, ...] = (), *, wild: bool
) -> st.SearchStrategy[dict[str, Any]]:
    """A TOML table. Tame: its required keys and some others, with plausible values.
    Wild: any of its keys with plausible values or any values, maybe a key it does not
    know. (Wild tables alone would almost never load, and tame ones alone never stray.)"""
    fields = {k: v for k, v in fields.items() if v is not None}
    if not wild:
        return st.fixed_dictionaries(
            {k: fields[k] for k in required},
            optional={k: v for k, v in fields.items() if k not in required},
        )
    known = st.fixed_dictionaries({}, optional={k: st.one_of(v, values) for k, v in fields.items()})
    unknown = st.dictionaries(st.text(min_size=1, max_size=8), values, max_size=1)
    return st.builds(lambda extra, keys: {**extra, **keys}, unknown, known)


def cluster_documents(*, wild: bool) -> st.SearchStrategy[dict[str, Any]]:
    """models.toml as data."""
    num = numbers if wild else sane_numbers
    name = st.one_of(names, st.text(max_size=8)) if wild else names

    def pick(good: list[Any], bad: list[Any]) -> st.SearchStrategy[Any] | None:
        """The good choices; in a wild table the bad ones too (None: no key when tame)."""
        choices = good + bad if wild else good
        return st.sampled_from(choices) if choices else None

    sampling = table({
        "temperature": num, "top_p": num, "top_k": num, "min_p": num,
        "presence_penalty": num, "max_tokens": num, "seed": num,
    }, wild=wild)  # fmt: skip
    node = table({
        "address": pick(["127.0.0.1:50151", "[::1]:1"], ["a b:1", "h:0", "dns:///h:1"]),
        "token_file": pick([], ["token", "~nobody-here/t", "", "a\x00b", "/dev/null"]),
        "token_env": pick(["TRINITY_TOKEN"], ["1BAD", "sk-abcdefghijk12"]),
        "tls": st.booleans(), "tls_ca": pick([], ["ca.pem", ""]),
        "tls_server_name": pick([], ["localhost", ""]), "timeout_s": num,
    }, required=("address", "token_env"), wild=wild)  # fmt: skip
    model = table({
        "name": name, "node": pick(["local"], ["other"]),
        "backend": pick(["llamacpp"], ["vllm", "ollama"]),
        "model": pick(["builtin:smollm2", "/models/m.gguf"], ["/models/hf", ""]),
        "served_name": st.text(max_size=8), "label": st.text(max_size=8),
        "context_length": num, "gpu_layers": num, "gpu_memory_fraction": num,
        "quantization": st.text(max_size=5), "extra_args": st.lists(st.text(max_size=8), max_size=2),
        "concurrency": num, "thinking": st.booleans(), "sampling": sampling,
        "roles": st.lists(pick(["builder", "reviewer", "judge"], ["boss"]), max_size=2),
    }, required=("name", "node", "backend", "model"), wild=wild)  # fmt: skip
    peer = table({
        "name": name, "kind": pick(["api"], ["cli", "x"]),
        "command": st.lists(st.text(max_size=6), max_size=2),
        "base_url": pick(["https://api.example.com/v1"], ["ftp://x", ""]),
        "api_key_env": pick(["OPENAI_API_KEY"], ["sk-abcdefghijklmnop1234", "1X"]),
        "model": st.text(max_size=6),
    }, required=("name", "kind"), wild=wild)  # fmt: skip
    return table({
        "nodes": st.dictionaries(pick(["local"], ["other", "a b", ""]), node,
                                 min_size=1, max_size=2),
        "models": st.lists(model, min_size=1, max_size=2),
        "peers": st.lists(peer, max_size=2),
        "defaults": table({"sampling": sampling, "pass_threshold": num}, wild=wild),
    }, required=("nodes", "models"), wild=wild)  # fmt: skip


documents = st.one_of(cluster_documents(wild=False), cluster_documents(wild=True))


def toml(document: dict[str, Any]) -> str:
    try:
        return tomli_w.dumps(document)
    except (TypeError, ValueError):  # a shape TOML cannot write (a table inside an array…)
        assume(False)
        raise


def one_line(error: TrinityError) -> None:
    assert len(str(error).splitlines()) == 1, repr(str(error))


def usable(config: cfg.ClusterConfig) -> None:
    """What a loaded config is used for goes on the wire without an error."""
    for model in config.models:
        model_spec(model).SerializeToString()
        for measured in (None, 0.001, 80.0):
            request = generate_request(model, config.defaults, [("user", "hi")],
                                       measured_tok_s=measured)  # fmt: skip
            request.SerializeToString()


def test_any_models_toml_loads_or_is_one_line():
    loaded: list[cfg.ClusterConfig] = []

    @SETTINGS
    @given(documents)
    @example({"nodes": {"local": {"address": "127.0.0.1:1", "token_file": "~nobody-here/t"}}})
    @example({"nodes": {"local": {"address": "127.0.0.1:1", "token_env": "T",
                                  "timeout_s": 1e300}}})  # fmt: skip
    def load(document: dict[str, Any]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "models.toml"
            path.write_text(toml(document))
            try:
                config = cfg.load_config(path)
            except TrinityError as error:
                one_line(error)
                return
        usable(config)
        loaded.append(config)

    load()
    # Files that only ever failed to load would prove little about what loads.
    assert sum(bool(c.models) for c in loaded) >= 3, len(loaded)


@SETTINGS
@given(st.text(max_size=300))
def test_any_text_as_models_toml_loads_or_is_one_line(text):
    try:
        config = cfg.parse_config(text, "models.toml", base=Path("/nonexistent"))
    except TrinityError as error:
        one_line(error)
        return
    usable(config)


# ---------------------------------------------------------------- task.toml


def task_tables(*, wild: bool) -> st.SearchStrategy[dict[str, Any]]:
    """task.toml as data."""
    num = numbers if wild else sane_numbers
    turn = table({"prompt": st.text(max_size=10), "checks": st.lists(names, min_size=1, max_size=2)},
                 required=("prompt", "checks"), wild=wild)  # fmt: skip
    return table({
        "kind": st.sampled_from([*KINDS, "quiz"]),
        "prompt": st.sampled_from(["Write add(a, b).", "", "  "]),
        "turns": st.lists(turn, max_size=3),
        "answers": st.lists(st.text(max_size=8), max_size=3),
        "numeric_tolerance": num, "answer_line_required": st.booleans(),
        "rubric": st.dictionaries(names, st.lists(st.text(max_size=8), max_size=2), max_size=2),
        "good_replies": st.lists(st.text(max_size=10), max_size=2),
        "bad_replies": st.lists(st.text(max_size=10), max_size=2),
        "solution_file": st.sampled_from(["solution.py", "../escape.py", "/etc/passwd", "", "a/b.py"]),
        "test_file": st.sampled_from(["test_t.py", "../test_t.py", "/etc/passwd", "", "nowhere.py"]),
        "entry_points": st.lists(names, max_size=2),
        "checks": st.lists(names, max_size=3),
        "expected": st.dictionaries(names, st.sampled_from(["1", "[1, 2]", "nan", "{", '"x"']),
                                    max_size=2),
        "limits": st.dictionaries(st.sampled_from([*LIMITS, "gpus"]), num, max_size=3),
        "tags": st.lists(st.text(max_size=5), max_size=2),
    }, required=("kind",), wild=wild)  # fmt: skip


def tame_tasks() -> st.SearchStrategy[dict[str, Any]]:
    """task.toml files of each kind as an author would write them (most load)."""
    common = {"tags": st.lists(names, max_size=2)}
    code = st.fixed_dictionaries(
        {"kind": st.just("code"), "prompt": st.just("Write add(a, b)."),
         "test_file": st.just("test_t.py"), "checks": st.lists(names, min_size=1, max_size=3, unique=True)},
        optional={**common, "solution_file": st.sampled_from(["solution.py", "pkg/solution.py"]),
                  "entry_points": st.lists(names, max_size=2),
                  "limits": st.dictionaries(st.sampled_from(LIMITS), sane_numbers, max_size=3)},
    )  # fmt: skip
    answer = st.fixed_dictionaries(
        {"kind": st.just("answer"), "prompt": st.just("What is 6 × 7?"),
         "answers": st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=3)},
        optional={**common, "numeric_tolerance": sane_numbers,
                  "answer_line_required": st.booleans()},
    )  # fmt: skip
    review = st.fixed_dictionaries(
        {"kind": st.sampled_from(["review", "design"]), "prompt": st.just("Review this."),
         "rubric": st.dictionaries(names, st.lists(st.text(min_size=1, max_size=6), min_size=1,
                                                   max_size=2), min_size=1, max_size=2),
         "good_replies": st.lists(st.text(max_size=10), min_size=1, max_size=2),
         "bad_replies": st.lists(st.text(max_size=10), min_size=1, max_size=2)},
        optional=common,
    )  # fmt: skip
    return st.one_of(code, answer, review)


task_table = st.one_of(tame_tasks(), task_tables(wild=False), task_tables(wild=True))


def hidden_tests_for(task: dict[str, Any], junk: bytes | None) -> bytes:
    """The hidden test file: junk when given, else a check_<name> per declared check, so
    that many generated tasks get past their declarations."""
    if junk is not None:
        return junk
    declared = task.get("checks")
    checks = declared if isinstance(declared, list) else []
    return "".join(f"def check_{c}():\n    pass\n" for c in checks if isinstance(c, str)).encode()


def test_any_task_toml_loads_or_is_one_line():
    kinds: list[str] = []

    @SETTINGS
    @given(task_table, st.one_of(st.none(), st.binary(max_size=40)))
    @example({"kind": "code", "prompt": "p", "test_file": "test_t.py", "checks": ["a"]}, b"\x00")
    @example({"kind": "code", "prompt": "p", "test_file": "test_t.py", "checks": ["a"],
              "limits": {"memory_bytes": float("inf")}}, None)  # fmt: skip
    def load(task: dict[str, Any], junk: bytes | None) -> None:
        with tempfile.TemporaryDirectory() as root:
            folder = Path(root) / "suite" / "task"
            folder.mkdir(parents=True)
            (folder / "task.toml").write_text(toml(task))
            (folder / "test_t.py").write_bytes(hidden_tests_for(task, junk))
            (Path(root) / "suite" / "test_t.py").write_bytes(b"def check_a():\n    pass\n")
            try:
                loaded = load_task_folder("suite", folder)
            except TrinityError as error:
                one_line(error)
                return
        usable_task(loaded)
        kinds.append(loaded.kind)

    load()
    # Files that only ever failed to load would prove little about what loads.
    assert kinds.count("code") >= 3 and len(set(kinds)) >= 2, kinds


def usable_task(task: Task) -> None:
    """What a loaded task is used for works: its Execute request is built (files inside
    the sandbox's folder), a reply of a text kind is scored."""
    if task.runs_code:
        for checks in ((), task.checks[:1]):
            execute_request(task, b"def add(a, b):\n    return a + b\n", checks)
        for name in (task.solution_file, task.test_file):
            assert not Path(name).is_absolute() and ".." not in Path(name).parts
    if task.kind in TEXT_KINDS:
        for reply in ("", "Answer: 42", *task.answers, *task.good_replies):
            score_reply(task, reply)


@SETTINGS
@given(st.binary(max_size=200))
def test_any_bytes_as_task_toml_load_or_are_one_line(raw):
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root) / "task"
        folder.mkdir()
        (folder / "task.toml").write_bytes(raw)
        with pytest.raises(TrinityError) as info:  # no valid task is 200 random bytes
            load_task_folder("suite", folder)
        one_line(info.value)
