"""Errors a user of the agent can cause, each one line: what, where, what to do.

The servicer maps each class to one gRPC status code with the same message
(trinity.agent.server); anything else is a bug and keeps its traceback in the log.
"""

from __future__ import annotations


class AgentError(Exception):
    """Base of the agent's user-facing errors; `code` names a grpc.StatusCode member."""

    code = "FAILED_PRECONDITION"


class InvalidArgument(AgentError):
    """The request itself is wrong (unknown backend, disallowed extra arg, bad path)."""

    code = "INVALID_ARGUMENT"


class NotFound(AgentError):
    """The request names a model the node does not know."""

    code = "NOT_FOUND"


class FailedPrecondition(AgentError):
    """The node cannot do it now (model file missing, backend not installed, spec clash)."""

    code = "FAILED_PRECONDITION"


class ResourceExhausted(AgentError):
    """Not enough free GPU or system memory for the spec."""

    code = "RESOURCE_EXHAUSTED"


class Unavailable(AgentError):
    """The model server is not ready or stopped answering."""

    code = "UNAVAILABLE"


class ConfigError(AgentError):
    """The agent's own config file is wrong; raised at start-up, never over the wire."""

    code = "FAILED_PRECONDITION"
