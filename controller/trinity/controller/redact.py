"""What is never written down: no token, API key or password reaches the results database,
a log line, a table or an error message.

Three ways a secret is recognised:
  - by its name: a key naming a secret (token, key, secret, password, authorization,
    credential, cookie, as a whole word of the key, so max_tokens stays; a key ending in
    _file/_env/_path/_dir names where a secret lives, and stays);
  - by its look: a "Bearer …" value or a well-known API key prefix (sk-, ghp_, hf_, …),
    and the user:password part of a URL (https://user:pass@host);
  - by where it came from: the value of any environment variable whose name names a
    secret (ANTHROPIC_API_KEY, TRINITY_TOKEN_DGX1, …), wherever it turns up in a text,
    such as a coding CLI's error message that echoes its key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"
_SECRET_WORDS = {
    "token",
    "key",
    "apikey",
    "secret",
    "password",
    "passwd",
    "authorization",
    "auth",
    "credential",
    "credentials",
    "cookie",
}
_PLACE_SUFFIXES = ("file", "env", "path", "dir")
_SECRET_VALUE = re.compile(
    r"^(?:bearer\s+\S+|sk-|sk_|ghp_|github_pat_|hf_|xai-|AIza|gsk_|xox[abp]-)", re.IGNORECASE
)
_URL_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")
_SHORTEST_SECRET = 8  # an environment value shorter than this is no key worth hunting


def scrub(value: Any) -> Any:
    """A copy of a config snapshot (or run details) with every secret replaced."""
    if isinstance(value, Mapping):
        return {str(k): REDACTED if secret_name(str(k)) else scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    if isinstance(value, str):
        return REDACTED if _SECRET_VALUE.match(value.strip()) else without_url_credentials(value)
    return value


def secret_name(name: str) -> bool:
    """Whether a key or variable name names a secret (not where one lives)."""
    words = [
        w for w in re.split(r"[^a-z0-9]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()) if w
    ]
    if not words or words[-1] in _PLACE_SUFFIXES:
        return False
    return any(w in _SECRET_WORDS for w in words)


def without_url_credentials(text: str) -> str:
    """https://user:pass@host → https://[redacted]@host."""
    return _URL_CREDENTIALS.sub(REDACTED + "@", text)


def scrub_text(text: str, *secrets: str | None) -> str:
    """Free text (an error, a tool's output) with the given secrets, every secret value of
    the environment and URL credentials cut out."""
    found = [s for s in secrets if s] + [
        value
        for name, value in os.environ.items()
        if len(value) >= _SHORTEST_SECRET and secret_name(name)
    ]
    for secret in sorted(set(found), key=len, reverse=True):  # a longer one first
        text = text.replace(secret, REDACTED)
    return without_url_credentials(text)
