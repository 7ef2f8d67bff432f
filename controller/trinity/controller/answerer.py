"""The one seam between a bench and whatever answers its questions.

"A model is anything that answers a prompt": a server a node's agent runs, an HTTP API,
a coding tool run as a subprocess. Only this step differs; extraction, sandbox scoring,
repeats, consensus, the results database and the reports do not. So a bench asks every
model through an `Answerer`: given a `Question` (the run, the task, the conversation so
far), it returns an `Answer` of one shape, or None when the model's own generation
deadline passed (an outcome, the model's); it raises InfraError when the answer could
not be had for reasons that are not the model's (unreachable, rate-limited, overloaded:
retried, then INCOMPLETE).

An answerer that can take no more questions (a peer whose quota or billing failed, whose
key was refused) says why in `stopped`; the bench then makes none of its remaining runs
and stores them as infra_error, so they show as INCOMPLETE and `--resume` tries again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from trinity.controller.scheduler import RunKey
from trinity.controller.suites import Task
from trinity.v1 import agent_pb2 as pb


@dataclass(frozen=True)
class Question:
    """One turn of one run: what is asked, and what a tool working in a folder needs."""

    key: RunKey
    task: Task
    messages: tuple[tuple[str, str], ...]  # (role, content), the last one the user's
    turn: int = 0  # 0-based
    previous_code: str = ""  # the code the last turn left (multi_turn), "" for none
    seed: int | None = None  # this repeat's own (generation.run_seed); None: not sent


@dataclass(frozen=True)
class Answer:
    """One reply, whoever gave it. Numbers a backend does not report are None."""

    text: str
    reasoning: str = ""
    finish_reason: str = "stop"  # stop | length (hit a limit: max_tokens, max turns) | ...
    ttft_s: float | None = None
    decode_tok_s: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    # The task's solution file as a coding tool left it (written this turn); None: the
    # code, if any, is in the text.
    solution: str | None = None
    # Facts only some answerers have: peer kind and preset, input/output/reasoning/cached
    # tokens, cost_usd, answer_source (file | message), turns, wall_s. Stored with the run.
    details: Mapping[str, Any] = field(default_factory=dict)


class Answerer(Protocol):
    """What a bench asks; see the module doc."""

    @property
    def stopped(self) -> str | None:
        """Why this answerer takes no more questions; None while it does."""
        ...

    async def answer(self, question: Question) -> Answer | None: ...


def from_generate(result: pb.GenerateResult) -> Answer:
    """An agent's GenerateResult as an Answer (the node measured TTFT and tok/s itself).
    Without the server's usage the prompt's tokens are unknown (None, not 0); the
    completion's were counted from the stream's chunks."""
    return Answer(
        text=result.text,
        reasoning=result.reasoning,
        finish_reason=result.finish_reason,
        ttft_s=result.ttft_s,
        decode_tok_s=result.decode_tok_s if result.decode_tok_s > 0 else None,
        prompt_tokens=result.usage.prompt_tokens if result.usage_from_server else None,
        completion_tokens=result.usage.completion_tokens,
    )


def merge_details(per_turn: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One run's details from its turns': numbers add up, words are listed once each in
    order ("file,message" when one turn wrote the file and the next answered in text)."""
    merged: dict[str, Any] = {}
    for details in per_turn:
        for name, value in details.items():
            merged[name] = _merge(merged.get(name), value)
    return merged


def _merge(old: Any, new: Any) -> Any:
    if old is None:
        return new
    if isinstance(old, int | float) and isinstance(new, int | float):
        if isinstance(old, bool) or isinstance(new, bool):
            return old or new
        return old + new
    if isinstance(old, str) and isinstance(new, str):
        words = old.split(",")
        return old if new in words else f"{old},{new}"
    return new
