"""No secret is written down: keys by name, values by look, URL credentials, and any
secret of the environment wherever it turns up in an error (a coding CLI echoing its key)."""

from __future__ import annotations

import asyncio

import pytest
from trinity.controller.config import OpenAIPeer
from trinity.controller.peers import PeerUnavailable, check
from trinity.controller.redact import REDACTED, scrub, scrub_text, secret_name

KEY = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789"


def test_names_that_name_a_secret_and_those_that_name_where_one_lives() -> None:
    assert all(map(secret_name, ["api_key", "ANTHROPIC_API_KEY", "token", "authToken"]))
    assert not any(map(secret_name, ["max_tokens", "token_file", "api_key_env", "key_dir"]))


def test_a_snapshot_loses_keys_by_name_by_look_and_url_credentials() -> None:
    clean = scrub({"api_key": "x", "note": KEY, "base_url": "https://bob:hunter22@llm.lan/v1",
                   "nested": [{"password": "p"}], "max_tokens": 512})  # fmt: skip
    assert clean == {"api_key": REDACTED, "note": REDACTED,
                     "base_url": f"https://{REDACTED}@llm.lan/v1",
                     "nested": [{"password": REDACTED}], "max_tokens": 512}  # fmt: skip


def test_an_environment_secret_is_cut_from_any_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("TRINITY_TOKEN_DGX1", "node-token-1234567890")
    monkeypatch.setenv("EDITOR", "vim-but-long-enough")  # not a secret's name: kept
    text = f"Invalid API key {KEY} (node-token-1234567890) from vim-but-long-enough"
    assert scrub_text(text) == f"Invalid API key {REDACTED} ({REDACTED}) from vim-but-long-enough"


def test_a_peer_failure_never_carries_the_environments_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    failure = PeerUnavailable("codex", "auth", f"401 Unauthorized: key {KEY} is not valid")
    assert KEY not in str(failure) and KEY not in failure.detail and REDACTED in str(failure)


def test_status_never_shows_a_password_in_a_peers_url() -> None:
    peer = OpenAIPeer(name="lan", backend="openai", model="m",
                      base_url="http://bob:hunter22@llm.lan:8000/v1")  # fmt: skip
    result = asyncio.run(check(peer))
    assert "hunter22" not in result.detail and "llm.lan:8000" in result.detail
