"""From a model's reply to the code the sandbox runs: reasoning separated, then one block picked.

Both steps return a frozen record naming the rule that won; it is stored with every run so a
bad extraction is visible in the results, not mistaken for a bad model.

Reasoning (`split_reasoning`), first rule that applies:
  server            the server returned reasoning_content separately; it is the reasoning
                    (any think blocks still in the text are removed from the answer as well);
  missing_open_tag  a `</think>` with no `<think>` before it (chat templates that put the
                    opening tag in the prompt, as Qwen3's does): before it is reasoning;
  unclosed_think    a `<think>` never closed (cut off while thinking): what follows it is
                    reasoning, the answer is what came before;
  think_block       one or more complete `<think>…</think>` blocks, any case, removed;
  none              no reasoning found; the answer is the text.
`<thinking>` is treated like `<think>`.

Code (`extract_code`), after Windows newlines are normalised. A fence is a line of three
or more backticks or tildes, possibly indented (list items: the block is dedented), with
an optional language; only python-ish blocks count (python, py, python3, py3, any case,
or no language). Model output breaks markdown in known ways, read as the model meant: a
"```python" line inside a block (never a closing fence in CommonMark) is a repeated opener
when nothing was read yet, else the start of a new block after a missing close; a closing
fence glued to the last code line ("return x```") closes the block. Rules, first that applies:
  fence_entry_point  the last complete block that parses and defines every entry point
                     (top-level def/class/assignment, found with ast);
  fence_merged       no single block defines them all, but the last block defining each
                     one does together: those blocks, in reply order;
  fence_unclosed     a fence never closed (reply truncated): the rest of the text. With
                     entry points it wins over fence_longest (a complete block that defines
                     none of them is an example, the truncated one the attempt); without,
                     only when no complete block parses;
  fence_longest      the longest complete block that parses;
  fence_syntax_error python blocks exist but none parses: the last one, so the sandbox
                     scores it 0 with the SyntaxError in stderr (extraction did its job;
                     the model wrote broken code);
  raw                no python fence and the whole text parses;
  raw_from_first_def from the first line starting with def/class/import/from, trimmed from
                     the end (prose after the code) until it parses;
  none               nothing usable: code is None (the run's outcome is extraction_failed).
Imports kept in a separate block: when the chosen code uses a name that it does not bind
and an earlier import-only block binds it, that block is prepended (rule unchanged; a
solution written as "imports, then the class" runs as the model meant).
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

_OPEN = re.compile(r"<think(?:ing)?\s*>", re.IGNORECASE)
_CLOSE = re.compile(r"</think(?:ing)?\s*>", re.IGNORECASE)
_BLOCK = re.compile(r"<think(?:ing)?\s*>(.*?)</think(?:ing)?\s*>", re.IGNORECASE | re.DOTALL)
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<mark>`{3,}|~{3,})[ \t]*(?P<lang>[^\s`]*)[^`]*$")
_PYTHON_LANGS = {"", "python", "py", "python3", "py3"}
_CODE_START = re.compile(r"^(?:def|class|import|from|async\s+def)\b|^@\w")
_MAX_TRIM_LINES = 400  # bounds the parse-per-line trimming of raw text
_MAX_STARTS = 8


@dataclass(frozen=True)
class Split:
    """A reply divided into the answer and the reasoning, with the rule that divided it."""

    answer: str
    reasoning: str
    rule: str


@dataclass(frozen=True)
class Block:
    """One fenced block of a reply."""

    lang: str
    code: str
    closed: bool
    parses: bool
    defines: frozenset[str]  # top-level def/class/assignment names
    imports: frozenset[str]  # names bound by top-level imports
    imports_only: bool


@dataclass(frozen=True)
class Extraction:
    """The code taken from an answer (None when nothing usable), the rule, the block count."""

    code: str | None
    rule: str
    blocks: int


def split_reasoning(text: str, reasoning: str = "") -> Split:
    """Separate reasoning from the answer; server-provided reasoning wins."""
    inner = _split_tags(text)
    if reasoning.strip():
        extra = f"\n{inner.reasoning}" if inner.reasoning else ""
        return Split(inner.answer, reasoning.strip() + extra, "server")
    return inner


def _split_tags(text: str) -> Split:
    thought: list[str] = []
    rule = "none"
    first_close, first_open = _CLOSE.search(text), _OPEN.search(text)
    if first_close and (first_open is None or first_close.start() < first_open.start()):
        thought.append(text[: first_close.start()].strip())
        text = text[first_close.end() :]
        rule = "missing_open_tag"
    blocks = _BLOCK.findall(text)
    if blocks:
        thought.extend(b.strip() for b in blocks)
        text = _BLOCK.sub("", text)
        rule = "think_block" if rule == "none" else rule
    unclosed = _OPEN.search(text)
    if unclosed:
        thought.append(text[unclosed.end() :].strip())
        text = text[: unclosed.start()]
        rule = "unclosed_think" if rule in ("none", "think_block") else rule
    return Split(text.strip(), "\n".join(t for t in thought if t), rule)


def extract_code(answer: str, entry_points: Sequence[str] = ()) -> Extraction:
    """Pick the code to run from an answer (reasoning already removed); see the module doc."""
    text = answer.replace("\r\n", "\n").replace("\r", "\n")
    blocks = fenced_blocks(text)
    python = [b for b in blocks if b.lang in _PYTHON_LANGS]
    wanted = {name.split(".")[0] for name in entry_points if name}
    if python:
        code, rule = _choose(python, wanted)
        if code is not None:
            return Extraction(code, rule, len(blocks))
    code, rule = _raw(text)
    return Extraction(code, rule, len(blocks))


def fenced_blocks(text: str) -> list[Block]:
    """Every fenced block in reply order; a last unterminated one has closed=False."""
    found: list[Block] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        body, i, closed = _read_block(lines, i + 1, opening["mark"])
        found.append(_block(opening["lang"].lower(), body, closed))
    return found


def _read_block(lines: list[str], i: int, mark: str) -> tuple[str, int, bool]:
    """Lines up to the closing fence (same character, at least as long); next index."""
    body: list[str] = []
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped and set(stripped) == {mark[0]} and len(stripped) >= len(mark):
            return "\n".join(body), i + 1, True
        reopened = _FENCE.match(lines[i])
        if reopened and reopened["lang"] and reopened["mark"][0] == mark[0]:
            # "```python" inside a block: never a closing fence, but in model output it
            # is a repeated opener (nothing read yet) or a new block after a missing close.
            if not any(line.strip() for line in body):
                i += 1
                continue
            return "\n".join(body), i, True
        if stripped.endswith(mark) and not stripped.startswith(mark[0]):
            # A closing fence glued to the last code line: "return a + b```".
            body.append(lines[i].rstrip()[: -len(mark)])
            return "\n".join(body), i + 1, True
        body.append(lines[i])
        i += 1
    return "\n".join(body), i, False


def _block(lang: str, body: str, closed: bool) -> Block:
    code = textwrap.dedent(body).strip("\n")
    tree = _parse(code)
    if tree is None:
        return Block(lang, code, closed, False, frozenset(), frozenset(), False)
    imports_only = bool(tree.body) and all(
        isinstance(s, ast.Import | ast.ImportFrom) for s in tree.body
    )
    defines, imports = _top_level_names(tree)
    return Block(lang, code, closed, True, defines, imports, imports_only)


def _parse(code: str) -> ast.Module | None:
    if not code.strip():
        return None
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError):  # ValueError: source with NUL bytes
        return None


def _top_level_names(tree: ast.Module) -> tuple[frozenset[str], frozenset[str]]:
    """(defined, imported): a test block's `from solution import f` does not define f."""
    names: set[str] = set()
    imported: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(stmt.name)
        elif isinstance(stmt, ast.Assign | ast.AnnAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            imported.update((a.asname or a.name).split(".")[0] for a in stmt.names)
    return frozenset(names), frozenset(imported)


def _choose(python: list[Block], wanted: set[str]) -> tuple[str | None, str]:
    complete = [b for b in python if b.closed and b.parses]
    unclosed = python[-1] if not python[-1].closed else None
    if wanted:
        full = [b for b in complete if wanted <= b.defines]
        if full:
            return _with_imports(full[-1], python), "fence_entry_point"
        merged = _merge(complete, wanted)
        if merged is not None:
            return merged, "fence_merged"
        if unclosed is not None and unclosed.code.strip():
            # No complete block has the solution: the truncated one is the model's attempt.
            return _with_imports(unclosed, python), "fence_unclosed"
    if complete:
        longest = max(complete, key=lambda b: len(b.code))
        return _with_imports(longest, python), "fence_longest"
    if unclosed is not None and unclosed.code.strip():
        return _with_imports(unclosed, python), "fence_unclosed"
    broken = [b for b in python if b.code.strip()]
    if broken:
        return broken[-1].code, "fence_syntax_error"
    return None, "none"


def _merge(complete: list[Block], wanted: set[str]) -> str | None:
    """The last block defining each entry point, in reply order, if they cover them all."""
    chosen: dict[int, Block] = {}
    for name in wanted:
        owners = [i for i, b in enumerate(complete) if name in b.defines]
        if not owners:
            return None
        chosen[owners[-1]] = complete[owners[-1]]
    parts = [chosen[i] for i in sorted(chosen)]
    imports = [b.code for b in complete if b.imports_only and _needed(b, parts)]
    code = "\n\n".join(imports + [b.code for b in parts])
    return code if _parse(code) is not None else None


def _with_imports(block: Block, python: list[Block]) -> str:
    """Prepend earlier import-only blocks whose names the block uses but does not bind."""
    earlier = python[: python.index(block)]
    imports = [b.code for b in earlier if b.imports_only and _needed(b, [block])]
    return "\n\n".join([*imports, block.code])


def _needed(imports: Block, users: list[Block]) -> bool:
    for user in users:
        tree = _parse(user.code)
        if tree is None:
            continue
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        if (imports.imports - user.defines - user.imports) & used:
            return True
    return False


def _raw(text: str) -> tuple[str | None, str]:
    if _parse(text) is not None:
        return text.strip("\n"), "raw"
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if _CODE_START.match(line)]
    for start in starts[:_MAX_STARTS]:  # "from the table we see…" is prose, not an import
        tail = lines[start:]
        for end in range(len(tail), max(0, len(tail) - _MAX_TRIM_LINES), -1):
            code = "\n".join(tail[:end]).strip("\n")
            if _parse(code) is not None and _has_code(code):
                return code, "raw_from_first_def"
    return None, "none"


def _has_code(code: str) -> bool:
    """More than a bare expression: a def, class, import or assignment."""
    tree = _parse(code)
    return tree is not None and any(not isinstance(s, ast.Expr) for s in tree.body)
