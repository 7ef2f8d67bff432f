"""Errors a user of trinityctl can cause, each one line: what, where, what to do.

The CLI turns a TrinityError into one red line on stderr (plus the hint, if any) and
exit code 2 (trinity.controller.cli); anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class TrinityError(Exception):
    """Base of the controller's user-facing errors."""

    def __init__(
        self, message: str, *, hint: str | None = None, details: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details  # extra lines worth showing, e.g. the tail of a log

    def __str__(self) -> str:
        return self.message


class ConfigError(TrinityError):
    """models.toml (or a file it names, like a token file) is missing or wrong."""


class SelectionError(TrinityError):
    """--nodes / --models / a NODE MODEL argument names something not configured."""


class NodeUnreachable(TrinityError):
    """The node's agent could not be reached (down, wrong address, TLS mismatch)."""


class NodeAuthError(TrinityError):
    """The node's agent rejected our token."""


class ModelError(TrinityError):
    """The agent refused or failed a model operation; the message is the agent's own."""


class ModelNotFound(ModelError):
    """The agent does not know the model (never started there, or already stopped)."""


class AgentCallError(TrinityError):
    """Any other failed call to an agent (timeout, internal error, unimplemented)."""


class AgentDeadline(AgentCallError):
    """The agent gave no answer within the controller's own deadline: the node is frozen,
    overloaded or cut off. Never the model's timeout (the agent reports that itself, in
    time, because the controller's deadline leaves it a margin)."""


class MissingDependency(TrinityError):
    """A package the command needs is not installed; the hint is the pip command."""


class DemoError(TrinityError):
    """The local demo agent could not be started or stopped."""
