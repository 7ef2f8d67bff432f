"""models.toml: the shipped default loads, the commented cluster example stays valid, and
every kind of bad input is one line naming the file and the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from trinity.controller import config as cfg
from trinity.controller.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
NODE = '[nodes.local]\naddress = "127.0.0.1:50151"\ntoken_file = "token"\n'
MODEL = '[[models]]\nname = "m"\nnode = "local"\nbackend = "llamacpp"\nmodel = "/w/m.gguf"\n'


def _error(text: str, tmp_path: Path) -> str:
    path = tmp_path / "models.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        cfg.load_config(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message


def _uncommented_cluster(text: str) -> str:
    """The default file with the BEGIN..END example block uncommented, as a user would."""
    out, inside = [], False
    for line in text.splitlines():
        if "BEGIN three-node cluster example" in line:
            inside = True
        elif "END three-node cluster example" in line:
            inside = False
        elif inside and line.startswith("# ") and not line.startswith("# ---"):
            line = line[2:]
        elif inside and line == "#":
            line = ""
        out.append(line)
    return "\n".join(out) + "\n"


def test_embedded_default_is_local_smollm2_on_llamacpp(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(cfg.ENV_VAR, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    config = cfg.load_config()
    assert config.source.startswith("<embedded")
    assert list(config.nodes) == ["local"]
    node = config.nodes["local"]
    assert node.address == "127.0.0.1:50151"
    assert node.token_file == tmp_path / ".config/trinity/agent/token"
    (model,) = config.models
    assert (model.name, model.backend, model.model) == ("smollm2", "llamacpp", "builtin:smollm2")
    assert model.context_length == 2048


def test_repo_root_models_toml_is_a_symlink_to_the_embedded_default():
    root = REPO / "models.toml"
    assert root.is_symlink()
    assert root.resolve() == (REPO / "controller/trinity/controller/models.toml").resolve()


def test_commented_three_node_cluster_validates(tmp_path):
    text = _uncommented_cluster(cfg.embedded_text())
    config = cfg.parse_config(text, "example", base=tmp_path)
    assert set(config.nodes) == {"local", "dgx1", "dgx2", "desktop5090"}
    by_label = {m.display_label: m for m in config.models}
    assert {"DGX1 (3.5 FP8)", "DGX2 (3.6 FP8)", "5090 (Q4)"} <= set(by_label)
    dgx1, dgx2, q4 = (by_label[k] for k in ("DGX1 (3.5 FP8)", "DGX2 (3.6 FP8)", "5090 (Q4)"))
    assert (dgx1.node, dgx1.backend, dgx1.thinking) == ("dgx1", "vllm", False)
    assert (dgx2.node, dgx2.backend, dgx2.thinking) == ("dgx2", "vllm", True)
    assert (q4.node, q4.backend, q4.gpu_layers) == ("desktop5090", "llamacpp", 99)
    assert config.nodes["dgx1"].uses_tls
    assert config.nodes["desktop5090"].token_env == "TRINITY_TOKEN_5090"
    peers = {p.name: p for p in config.peers}
    assert set(peers) == {"claude-code", "codex", "claude-api", "openai"}
    assert (peers["claude-code"].backend, peers["claude-code"].preset) == ("cli", "claude-code")
    assert (peers["claude-api"].backend, peers["claude-api"].thinking_budget) == ("anthropic", 4096)
    assert config.scoring_node(peers["codex"]) == "local"  # the first node
    assert config.scoring_node(peers["openai"]) == "dgx1"


def test_config_lookup_order(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv(cfg.ENV_VAR, raising=False)
    assert cfg.find_config() is None  # nothing anywhere: the embedded default
    user = tmp_path / ".config/trinity/models.toml"
    user.parent.mkdir(parents=True)
    user.write_text(NODE)
    assert cfg.find_config() == user
    (tmp_path / "models.toml").write_text(NODE)
    assert cfg.find_config() == Path("models.toml")
    monkeypatch.setenv(cfg.ENV_VAR, "/from/env.toml")
    assert cfg.find_config() == Path("/from/env.toml")
    assert cfg.find_config(Path("flag.toml")) == Path("flag.toml")


def test_relative_token_file_resolves_against_the_config_folder(tmp_path):
    path = tmp_path / "models.toml"
    path.write_text(NODE)
    assert cfg.load_config(path).nodes["local"].token_file == tmp_path / "token"


def test_model_sampling_falls_back_to_defaults(tmp_path):
    text = NODE + MODEL + "sampling = { temperature = 0.7 }\n"
    text += "[defaults]\nsampling = { temperature = 0.1, max_tokens = 99 }\n"
    config = cfg.parse_config(text, "x", base=tmp_path)
    sampling = config.sampling_for(config.models[0])
    assert (sampling.temperature, sampling.max_tokens) == (0.7, 99)


def test_label_defaults_to_node_slash_name(tmp_path):
    config = cfg.parse_config(NODE + MODEL, "x", base=tmp_path)
    assert config.models[0].display_label == "local/m"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            NODE + MODEL + "contxt_length = 5\n",
            r"unknown key models\[0\]\.contxt_length .*context_length",
        ),
        (NODE + "colour = 1\n", r"unknown key nodes\.local\.colour; valid keys: address"),
        ("extra = 1\n" + NODE, r"unknown key extra; valid keys: nodes, models, peers"),
        (NODE + MODEL + 'context_length = "big"\n', r"models\[0\]\.context_length .*valid integer"),
        (
            NODE + MODEL.replace("llamacpp", "ollama"),
            r"models\[0\]\.backend .*'llamacpp' or 'vllm'",
        ),
        (
            NODE + MODEL.replace('"local"', '"dgx9"'),
            r"models\[0\]\.node .*unknown node 'dgx9'; defined nodes: local",
        ),
        (NODE + MODEL + MODEL, r"models\[1\]\.name: node 'local' already has a model 'm'"),
        (NODE + MODEL.replace("llamacpp", "vllm"), r"models\[0\] .*GGUF file.*vllm"),
        (
            NODE + MODEL + "gpu_memory_fraction = 0.5\n",
            r"models\[0\] .*gpu_memory_fraction.*gpu_layers",
        ),
        (NODE + MODEL + "gpu_memory_fraction = 1.5\n", r"models\[0\]\.gpu_memory_fraction"),
        (NODE + MODEL + "concurrency = 0\n", r"models\[0\]\.concurrency"),
        (
            NODE + MODEL.replace('name = "m"', 'name = "a b"'),
            r"models\[0\]\.name .*letters, digits",
        ),
        (NODE + MODEL + 'roles = ["boss"]\n', r"models\[0\]\.roles\[0\]"),
        (
            NODE + MODEL + "sampling = { temprature = 1 }\n",
            r"models\[0\]\.sampling\.temprature .*temperature",
        ),
        (
            NODE + 'token_env = "TOKEN"\n',
            r"nodes\.local: set exactly one of token_file and token_env",
        ),
        (NODE.replace(":50151", ""), r"nodes\.local\.address: .*host:port"),
        (NODE + "[[models]]\n", r"missing required key models\[0\]\.name"),
        (NODE + "[[models\n", r"not valid TOML: .*line 4"),
        (NODE + '[[peers]]\nname = "x"\n', r"peers\[0\] \(peer 'x'\): set backend = 'anthropic'"),
        (
            NODE + '[[peers]]\nname = "x"\nbackend = "anthropic"\nmodel = "m"\nmodle = 1\n',
            r"unknown key peers\[0\]\.modle \(peer 'x'\); did you mean 'model'\?",
        ),
        (
            NODE + '[[peers]]\npreset = "codex"\nmax_turns = 3\n',
            r"peers\[0\] \(peer 'codex'\): max_turns is a claude-code setting",
        ),
        (
            NODE + '[[peers]]\nname = "g"\ncommand = ["tool", "{prompt_fil}"]\n',
            r"peers\[0\] .*unknown placeholder \{prompt_fil\}; known: \{prompt\}",
        ),
        (
            NODE + '[[peers]]\nname = "g"\npreset = "aider"\ncommand = ["tool"]\n',
            r"peers\[0\] .*set exactly one of preset and command",
        ),
        (
            NODE + '[[peers]]\npreset = "codex"\nscore_on = "dgx9"\n',
            r"peers\[0\]\.score_on \(peer 'codex'\): unknown node 'dgx9'; defined nodes: local",
        ),
        (
            NODE + MODEL + '[[peers]]\nname = "m"\npreset = "codex"\n',
            r"peers\[0\]\.name: 'm' is also a model's name",
        ),
        (
            NODE + '[[peers]]\npreset = "codex"\n[[peers]]\npreset = "codex"\n',
            r"peers\[1\]\.name: peer 'codex' is defined twice",
        ),
        (
            NODE + '[[peers]]\nname = "a"\nbackend = "anthropic"\nmodel = "m"\n'
            "thinking_budget = 100\n",
            r"peers\[0\] .*thinking_budget must be 0 \(off\) or at least 1024",
        ),
        (
            NODE + '[[peers]]\nname = "o"\nbackend = "openai"\nmodel = "m"\n'
            'base_url = "api.example.com"\n',
            r"peers\[0\]\.base_url .*not an http",
        ),
        (
            'nodes = {}\n[[peers]]\npreset = "codex"\n',
            r"peers\[0\] \(peer 'codex'\): no node to score its answers on",
        ),
    ],
)
def test_bad_config_is_one_line_naming_file_and_key(tmp_path, text, expected):
    assert re.search(expected, _error(text, tmp_path))


def test_api_key_literal_in_peers_is_refused_without_echoing_it(tmp_path):
    key = "sk-proj-Zq81xLm2Ab9fK3nP0wR7"
    text = NODE + f'[[peers]]\nname = "o"\nbackend = "openai"\nmodel = "m"\napi_key_env = "{key}"\n'
    message = _error(text, tmp_path)
    assert "peers[0].api_key_env" in message and "looks like an API key" in message
    assert key not in message


def test_a_preset_alone_is_a_peer_named_after_it(tmp_path):
    config = cfg.parse_config(NODE + '[[peers]]\npreset = "claude-code"\n', "x", base=tmp_path)
    (peer,) = config.peers
    assert (peer.name, peer.backend, peer.key, peer.node) == (
        "claude-code",
        "cli",
        "claude-code",
        "",
    )
    assert peer.display_label == "claude-code" and not peer.allow_shell


def test_missing_file_is_one_line(tmp_path):
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as info:
        cfg.load_config(path)
    assert str(info.value) == f"{path}: file not found"
    assert info.value.hint


def test_trinity_config_env_names_a_missing_file(monkeypatch, tmp_path):
    monkeypatch.setenv(cfg.ENV_VAR, str(tmp_path / "gone.toml"))
    with pytest.raises(ConfigError, match=r"gone\.toml: file not found"):
        cfg.load_config()


# ---------------------------------------------------------------- ranges (issue 11: 7, 8)

OUT_OF_RANGE = [
    ("sampling = { seed = 100000000000000000000 }", r"models\[0\]\.sampling\.seed .*less than or equal to 9223372036854775807"),
    ("sampling = { seed = -9223372036854775809 }", r"models\[0\]\.sampling\.seed .*greater than or equal"),
    ("sampling = { top_k = 9999999999 }", r"models\[0\]\.sampling\.top_k .*less than or equal to 2147483647"),
    ("sampling = { max_tokens = 99999999999 }", r"models\[0\]\.sampling\.max_tokens .*less than or equal to 4294967295"),
    ("gpu_layers = 5000000000", r"models\[0\]\.gpu_layers .*less than or equal to 4294967295"),
    ("context_length = 99999999999999999999", r"models\[0\]\.context_length .*less than or equal"),
    ("sampling = { temperature = nan }", r"models\[0\]\.sampling\.temperature"),
    ("sampling = { top_p = inf }", r"models\[0\]\.sampling\.top_p"),
]  # fmt: skip


@pytest.mark.parametrize(("line", "expected"), OUT_OF_RANGE)
def test_numbers_beyond_the_wire_format_are_refused_when_the_file_loads(tmp_path, line, expected):
    message = _error(NODE + MODEL + line + "\n", tmp_path)
    assert re.search(expected, message), message


def test_numbers_at_the_wire_formats_limits_load_and_go_on_the_wire(tmp_path):
    from trinity.controller.cluster import model_spec
    from trinity.controller.generation import generate_request

    limits = (f"context_length = {cfg.UINT32_MAX}\ngpu_layers = {cfg.UINT32_MAX}\n"
              f"sampling = {{ seed = {cfg.INT64_MIN}, top_k = {cfg.INT32_MAX}, "
              f"max_tokens = {cfg.UINT32_MAX} }}\n")  # fmt: skip
    path = tmp_path / "models.toml"
    path.write_text(NODE + MODEL + limits)
    config = cfg.load_config(path)
    (model,) = config.models
    spec = model_spec(model)
    request = generate_request(model, config.defaults, [("user", "hi")], measured_tok_s=0.001)
    assert (spec.context_length, spec.gpu_layers) == (cfg.UINT32_MAX, cfg.UINT32_MAX)
    assert (request.seed, request.top_k, request.max_tokens) == (
        cfg.INT64_MIN, cfg.INT32_MAX, cfg.UINT32_MAX)  # fmt: skip


@pytest.mark.parametrize("value", ["inf", "1e300", "1e-9", "0", "-5", "nan", "3601"])
def test_absurd_node_timeouts_are_refused_when_the_file_loads(tmp_path, value):
    message = _error(NODE + f"timeout_s = {value}\n", tmp_path)
    assert re.search(r"nodes\.local\.timeout_s: Input should be (greater|less) than", message)


@pytest.mark.parametrize("value", ["1", "2.5", "3600"])
def test_node_timeouts_from_one_second_to_an_hour_load(tmp_path, value):
    path = tmp_path / "models.toml"
    path.write_text(NODE + f"timeout_s = {value}\n")
    assert cfg.load_config(path).nodes["local"].timeout_s == float(value)


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        (NODE.replace("127.0.0.1", "a b"), r"nodes\.local\.address: 'a b:50151' is not host:port"),
        (NODE.replace("127.0.0.1", "dns:///x"), r"nodes\.local\.address: .*is not host:port"),
        (NODE.replace('"token"', '"~no-such-user-here/token"'),
         r"nodes\.local\.token_file: '~no-such-user-here/token'"),
        (NODE.replace('"token"', '""'), r"nodes\.local\.token_file: '' is not a file path"),
        (NODE.replace('"token"', '"a\\u0000b"'), r"nodes\.local\.token_file: .* is not a file path"),
    ],
)  # fmt: skip
def test_addresses_and_paths_that_cannot_work_are_refused_when_the_file_loads(
    tmp_path, node, expected
):
    assert re.search(expected, _error(node, tmp_path))


def test_an_ipv6_address_in_brackets_loads(tmp_path):
    path = tmp_path / "models.toml"
    path.write_text(NODE.replace("127.0.0.1", "[::1]"))
    assert cfg.load_config(path).nodes["local"].address == "[::1]:50151"


@pytest.mark.parametrize("command", [["bench", "smoke"], ["up"], ["status"]])
def test_an_out_of_range_seed_stops_every_command_before_it_starts(tmp_path, command):
    from trinity.controller.cli import app
    from trinity.controller.store import Store
    from typer.testing import CliRunner

    path, db = tmp_path / "models.toml", tmp_path / "results.db"
    path.write_text(NODE + MODEL + "sampling = { seed = 100000000000000000000 }\n")
    result = CliRunner().invoke(app, [*command, "--config", str(path), "--db", str(db)]
                                if command[0] == "bench" else [*command, "--config", str(path)])  # fmt: skip
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {path}: models[0].sampling.seed (model 'm'): ")
    if db.exists():
        with Store(db) as store:
            assert store.bench_runs() == []  # no empty "interrupted" bench left behind


def test_readme_peer_examples_validate_and_claude_code_and_codex_take_two_lines_each(tmp_path):
    text = (REPO / "README.md").read_text()
    blocks = re.findall(r"```toml\n(.*?)```", text, re.DOTALL)
    peers = {}
    for block in blocks:
        if "[[peers]]" in block:
            config = cfg.parse_config(NODE + block, "README.md", base=tmp_path)
            peers.update({p.name: p for p in config.peers})
    assert {"claude-code", "codex", "claude-api", "openrouter"} <= set(peers)
    two_liners = next(b for b in blocks if 'preset = "claude-code"' in b).strip().split("\n\n")
    assert [len(entry.splitlines()) for entry in two_liners] == [2, 2]
