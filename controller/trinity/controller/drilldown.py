"""The bench HTML report with its drill-down: the heatmap and tok/s of `report.html_page`,
each cell a link to that task × model's runs, each run expanding to what `trinityctl
show` prints (turns, reply, code highlighted, every check, tokens, TTFT, tok/s).

One self-contained file: no network at view time, `<details>` for expanding and a short
script for the filters (failed only, flaky only, model, category), the cell links, the
side-by-side code view, and turning a run's body into elements when it is first opened
(until then it is the text of an inert script, which the browser does not parse: the
page opens faster; the summaries, with each run's reason, are searchable at once). Kept small for mailing: the prompt is shown once per task,
long replies, reasoning and output are cut with a note naming the `trinityctl show`
command that prints the rest (benchmarks/report_size.py measures a 500-run bench).

Every string from a model, a node or a task is escaped here, so a reply holding
`<script>` is shown, never run.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping, Sequence

from trinity.controller import report as rep
from trinity.controller.consensus import ModelTaskStats
from trinity.controller.highlight import CSS as CODE_CSS
from trinity.controller.highlight import line_numbers, python_html
from trinity.controller.runview import (
    BenchView,
    CheckView,
    RunView,
    TaskFailure,
    TurnView,
    facts,
    said_by,
    task_failure,
)

REPLY_CHARS = 3000
CODE_CHARS = 8000
REASONING_CHARS = 1500
PROMPT_CHARS = 6000
TAIL_CHARS = 1000
MESSAGE_CHARS = 400
VALUE_CHARS = 300

e = html.escape


def page(report: rep.Report, bench: BenchView) -> str:
    """The whole page: the report's summary at the top, then every run below it."""
    tasks = _task_index(report, bench)
    failures = {task: task_failure(_runs_of(bench, task)) for task in tasks}
    columns = {c: i for i, c in enumerate(report.columns)}

    def href(task: str, column: str) -> str | None:
        if task not in tasks or not any(v.column == column for v in _runs_of(bench, task)):
            return None
        return f"#cell-{tasks[task]}-{columns[column]}"

    notes = {task: str(f) for task, f in failures.items() if f}
    return rep.html_page(report, cell_href=href, task_notes=notes, extra_head=_STYLE,
                         extra_body=runs_section(report, bench, tasks, failures) + _SCRIPT)  # fmt: skip


def _task_index(report: rep.Report, bench: BenchView) -> dict[str, int]:
    order = [v.task for v in report.verdicts]
    order += [t for t in dict.fromkeys(v.run.task for v in bench.runs) if t not in order]
    return {task: i for i, task in enumerate(order)}


def _runs_of(bench: BenchView, task: str) -> list[RunView]:
    return [v for v in bench.runs if v.run.task == task]


def runs_section(
    report: rep.Report,
    bench: BenchView,
    tasks: Mapping[str, int],
    failures: Mapping[str, TaskFailure | None],
) -> str:
    """Filters, then one collapsible section per task with its runs grouped by model."""
    stats = {(s.task, s.model): s for v in report.verdicts for s in v.stats}
    verdicts = {v.task: v.verdict.value for v in report.verdicts}
    sections = "".join(
        _task_section(report, bench, task, i, failures.get(task), stats, verdicts.get(task, ""))
        for task, i in tasks.items()
    )
    return (f"<h2 id=runs>Runs</h2>{_filters(report, bench)}"
            f"<p class=hint>Click a score above, or a task below, to see its runs.</p>"
            "<noscript><p class=warn>Runs open with JavaScript; `trinityctl show` prints the "
            "same.</p></noscript>"
            f"{sections}")  # fmt: skip


def _filters(report: rep.Report, bench: BenchView) -> str:
    models = "".join(f"<option value='{e(c)}'>{e(report.titles.get(c, c))}</option>"
                     for c in report.columns)  # fmt: skip
    categories = sorted({v.category for v in bench.runs})
    cats = "".join(f"<option>{e(c)}</option>" for c in categories)
    return (
        "<div id=filters>"
        "<label><input type=checkbox id=f-failed> failed runs only</label>"
        f"<label><input type=checkbox id=f-flaky> flaky only ({rep.FLAKY})</label>"
        f"<label>model <select id=f-model><option value=''>all</option>{models}</select></label>"
        f"<label>category <select id=f-category><option value=''>all</option>{cats}</select>"
        f"</label><span id=f-count>{len(bench.runs)} runs</span></div>"
    )


def _task_section(
    report: rep.Report,
    bench: BenchView,
    task: str,
    index: int,
    failure: TaskFailure | None,
    stats: Mapping[tuple[str, str], ModelTaskStats],
    verdict: str,
) -> str:
    views = _runs_of(bench, task)
    category = views[0].category if views else task.split("_", 1)[0]
    why = (f"<p class=why><b>Why it failed, most often:</b> {e(str(failure))}; for example: "
           f"{e(failure.example)}</p>" if failure else "")  # fmt: skip
    cells = "".join(
        _cell(bench, task, index, ci, column, stats.get((task, column)))
        for ci, column in enumerate(report.columns)
    )
    extra = [c for c in dict.fromkeys(v.column for v in views) if c not in report.columns]
    cells += "".join(_cell(bench, task, index, len(report.columns) + i, c, None)
                     for i, c in enumerate(extra))  # fmt: skip
    failed = sum(v.failed for v in views)
    return (
        f"<details class=task id=task-{index} data-category='{e(category)}'>"
        f"<summary><b>{e(task)}</b> <span class=verdict>{e(verdict)}</span> "
        f"<span class=dim>{len(views)} runs, {failed} failed</span></summary>"
        f"{why}{_prompts(views)}{_side_by_side(bench, views)}{cells}</details>"
    )


def _prompts(views: Sequence[RunView]) -> str:
    """The task's prompt (each turn's), once: every run of a task was asked the same."""
    source = max(views, key=lambda v: len(v.turns), default=None)
    if source is None or not source.turns:
        return ""
    parts = "".join(
        (f"<h5>turn {t.number}</h5>" if len(source.turns) > 1 else "")
        + _pre(t.prompt.strip(), PROMPT_CHARS, "prompt", source)
        for t in source.turns
    )
    return f"<details class=prompt><summary>prompt</summary>{parts}</details>"


def _side_by_side(bench: BenchView, views: Sequence[RunView]) -> str:
    """Two selects over the task's runs that have code, two panes the script fills."""
    coded = [v for v in views if any(t.code for t in v.turns)]
    if len(coded) < 2:
        return ""
    first = coded[0]
    second = next((v for v in coded if v.column != first.column), coded[1])
    options = [(f"{v.run.id}", f"{bench.title(v.column)} · {v.label} · "
                f"{_score_text(v)}") for v in coded]  # fmt: skip

    def select(chosen: RunView) -> str:
        wanted = f"{chosen.run.id}"
        return "<select>" + "".join(
            f"<option value='{value}'{' selected' if value == wanted else ''}>{e(text)}</option>"
            for value, text in options
        ) + "</select>"  # fmt: skip

    return (f"<details class=sbs><summary>code side by side</summary><div class=sbs-bar>"
            f"{select(first)}{select(second)}</div><div class=panes><pre class='code pane'></pre>"
            f"<pre class='code pane'></pre></div></details>")  # fmt: skip


def _cell(
    bench: BenchView, task: str, ti: int, ci: int, column: str, stats: ModelTaskStats | None
) -> str:
    views = [v for v in _runs_of(bench, task) if v.column == column]
    if not views:
        return ""
    flaky = bool(stats and stats.flaky)
    mean = f"mean {stats.mean:.1f}" if stats and stats.mean is not None else ""
    runs = "".join(_run(bench, v, flaky) for v in views)
    return (f"<div class=cell id=cell-{ti}-{ci} data-column='{e(column)}'>"
            f"<h4>{e(bench.title(column))} <span class=dim>{mean}"
            f"{' ' + rep.FLAKY + ' flaky' if flaky else ''}</span></h4>{runs}</div>")  # fmt: skip


def _run(bench: BenchView, v: RunView, flaky: bool) -> str:
    summary = (f"<span class='score {'bad' if v.failed else 'good'}'>{_score_text(v)}</span> "
               f"{e(v.label)} · {e(v.run.outcome)}"
               + (f" · <span class=whyline>{e(v.why)}</span>" if v.why else ""))  # fmt: skip
    body = _inert("".join(_body(bench, v)))
    return (f"<details class=run id=run-{v.run.id} data-failed={int(v.failed)} "
            f"data-flaky={int(flaky)} data-column='{e(v.column)}'>"
            f"<summary>{summary}</summary><div class=body></div>"
            f"<script type=text/x-run>{body}</script></details>")  # fmt: skip


def _inert(body: str) -> str:
    """A run's HTML as the raw text of a script the browser does not run: parsed into
    elements only when the run is opened (a page of 500 runs opens about a third faster;
    benchmarks/report_size.py). Every string in it is escaped, so it holds no "</script";
    the replace is the guarantee."""
    return re.sub("</script", "&lt;/script", body, flags=re.IGNORECASE)


def _score_text(v: RunView) -> str:
    return "—" if v.run.score is None else f"{v.run.score:.1f}"


def _body(bench: BenchView, v: RunView) -> Iterator[str]:
    yield f"<p class=facts>{' · '.join(e(f) for f in facts(v))}</p>"
    if v.why:
        yield f"<p class=whyline><b>why:</b> {e(v.why)}</p>"
    if v.task_changed:
        yield "<p class=warn>the task changed since this run; expected values are not shown</p>"
    if v.rescored:
        yield f"<p class=warn>{e(v.rescored)}</p>"
    if v.run.reasoning:
        yield (f"<details><summary>reasoning: {len(v.run.reasoning)} characters "
               f"({e(v.run.reasoning_rule)})</summary>"
               f"{_pre(v.run.reasoning, REASONING_CHARS, 'reasoning', v)}</details>")  # fmt: skip
    for turn in v.turns:
        yield from _turn(v, turn)
    yield from _sandbox(v)
    if v.run.details:
        rows = "".join(f"<tr><th>{e(str(k))}</th><td>{e(_clip(str(val), MESSAGE_CHARS))}</td></tr>"
                       for k, val in sorted(v.run.details.items()))  # fmt: skip
        yield f"<table class=details>{rows}</table>"


def _turn(v: RunView, turn: TurnView) -> Iterator[str]:
    if len(v.turns) > 1:
        yield f"<h5>turn {turn.number} of {len(v.turns)}</h5>"
    if turn.reply is None:
        yield "<p class=bad>no reply (the generation deadline passed)</p>"
        return
    reply = _pre(turn.reply, REPLY_CHARS, "reply", v)
    if turn.code:  # the code is shown below: the reply folds, one click away
        yield f"<details><summary>reply: {len(turn.reply)} characters</summary>{reply}</details>"
    else:
        yield f"<h6>reply</h6>{reply}"
    if turn.code:
        yield f"<h6>extracted code <span class=dim>({e(turn.extraction_rule)})</span></h6>"
        yield _code(v, turn)
    elif turn.extraction_rule not in ("", "text"):
        yield f"<p class=bad>no code extracted ({e(turn.extraction_rule)})</p>"
    if turn.checks:
        yield checks_table(turn.checks)


def _code(v: RunView, turn: TurnView) -> str:
    code = turn.code or ""
    shown = code[:CODE_CHARS]
    note = _more(len(code) - len(shown), "code", v)
    last = turn.number == len(v.turns)
    ident = f" id=code-{v.run.id}" if last else ""
    return (f"<div class=codebox><pre class=ln>{line_numbers(shown)}</pre>"
            f"<pre class=code{ident}>{python_html(shown)}</pre></div>{note}")  # fmt: skip


def checks_table(checks: Sequence[CheckView]) -> str:
    rows = "".join(
        f"<tr class={'pass' if c.passed else 'fail'}><td>{e(c.name)}</td>"
        f"<td>{'pass' if c.passed else 'FAIL'}</td>"
        f"<td>{e(_clip(c.expected or '', VALUE_CHARS))}</td>"
        f"<td>{e(_clip(said, MESSAGE_CHARS))}</td></tr>"
        for c, said in zip(checks, said_by(checks), strict=True)
    )
    return ("<table class=checks><tr><th>check</th><th>result</th><th>expected</th>"
            f"<th>got / message</th></tr>{rows}</table>")  # fmt: skip


def _sandbox(v: RunView) -> Iterator[str]:
    box = v.run.sandbox
    if "error" in box:
        yield f"<p class=warn>infrastructure error: {e(str(box['error']))}</p>"
        return
    if not box or box.get("sandbox") == "none":  # a text task: scored here, nothing ran
        return
    peak = int(box.get("peak_memory_bytes", 0) or 0)
    yield (f"<p class=dim>sandbox {e(str(box.get('status', '?')))} · "
           f"{e(str(box.get('sandbox', '?')))} · {float(box.get('duration_s', 0) or 0):.2f} s · "
           f"{peak / 2**20:.1f} MiB peak</p>")  # fmt: skip
    for name in ("stdout_tail", "stderr_tail"):
        tail = str(box.get(name) or "")
        if tail.strip():
            yield f"<h6>{name.replace('_', ' ')}</h6>" + _pre(tail, TAIL_CHARS, name, v, end=True)


def _pre(text: str, limit: int, what: str, v: RunView, *, end: bool = False) -> str:
    """Preformatted text, cut at limit characters (the end kept, for output tails)."""
    shown = text[-limit:] if end else text[:limit]
    return f"<pre>{e(shown)}</pre>{_more(len(text) - len(shown), what, v)}"


def _more(hidden: int, what: str, v: RunView) -> str:
    if hidden <= 0:
        return ""
    flags = " --prompt" if what == "prompt" else (" --reasoning" if what == "reasoning" else "")
    command = (f"trinityctl show {v.run.bench_run_id} {v.run.task} --model {v.run.model} "
               f"--run {v.run.repeat}{flags}")  # fmt: skip
    return f"<p class=more>{hidden} more characters of the {e(what)}: <code>{e(command)}</code></p>"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_STYLE = (
    "<style>"
    "#filters{position:sticky;top:0;background:#fff;padding:6px 0;border-bottom:1px solid #ccc;"
    "display:flex;gap:1.5em;align-items:center;z-index:1}"
    "details.task{border:1px solid #ccc;margin:6px 0;padding:4px 8px}"
    "details.task>summary{cursor:pointer;font-size:15px}"
    "details.run{margin:4px 0 4px 1em;border-left:3px solid #ddd;padding-left:8px}"
    "details.run>summary{cursor:pointer}.cell,details.run{scroll-margin-top:3em}"
    ".body{padding:4px 0 8px 0}"
    ".score{display:inline-block;min-width:3.5em;text-align:right;font-weight:600}"
    ".good{color:#17702d}.bad,.fail td:nth-child(2){color:#b3161b}"
    ".whyline{color:#8a1c1c}.why{background:#fff4e5;padding:4px 8px}.warn{color:#8a5a00}"
    ".dim,.more{color:#666}.hint{color:#666;font-size:13px}"
    "pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:6px 8px;"
    "margin:2px 0;max-height:40em;overflow:auto;text-align:left}"
    ".codebox{display:flex}.codebox pre.ln{color:#999;text-align:right;user-select:none;"
    "background:#eef0f3;padding-right:6px}.codebox pre.code{flex:1}"
    "table.checks td,table.checks th,table.details td,table.details th{text-align:left;"
    "vertical-align:top;font-size:13px}"
    ".panes{display:grid;grid-template-columns:1fr 1fr;gap:8px}.sbs-bar{display:flex;gap:8px}"
    "h4{margin:8px 0 2px 0}h5{margin:6px 0 2px 0}h6{margin:6px 0 2px 0;font-size:12px}"
    "td a{color:inherit}"
    f"{CODE_CSS}</style>"
)

_SCRIPT = """<script>
(function () {
  "use strict";
  const all = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const byId = (id) => document.getElementById(id);
  const total = all("details.run").length;

  function filter() {
    const failed = byId("f-failed").checked, flaky = byId("f-flaky").checked;
    const model = byId("f-model").value, category = byId("f-category").value;
    let shown = 0;
    for (const task of all("details.task")) {
      let anyInTask = false;
      for (const cell of all(".cell", task)) {
        let anyInCell = false;
        for (const run of all("details.run", cell)) {
          const d = run.dataset;
          const hide = (failed && d.failed !== "1") || (flaky && d.flaky !== "1") ||
            (model && d.column !== model) || (category && task.dataset.category !== category);
          run.hidden = hide;
          if (!hide) { anyInCell = true; shown += 1; }
        }
        cell.hidden = !anyInCell;
        anyInTask = anyInTask || anyInCell;
      }
      task.hidden = !anyInTask;
    }
    byId("f-count").textContent = shown + " of " + total + " runs";
  }

  function materialise(run) {
    // A run's body arrives as the text of an inert script; it becomes elements when opened.
    const source = run && run.querySelector(":scope > script[type='text/x-run']");
    if (!source) return;
    run.querySelector(":scope > .body").innerHTML = source.textContent;
    source.remove();
  }

  function reveal(id) {
    const target = byId(id);
    if (!target) return;
    const task = target.closest("details.task");
    if (task) task.open = true;
    // A cell opens its failed runs (all of them when none failed); a run link, that run.
    let runs = target.matches("details.run") ? [target] : all("details.run", target);
    const failed = runs.filter((run) => run.dataset.failed === "1");
    if (failed.length) runs = failed;
    for (const run of runs) {
      if (run.hidden) continue;
      materialise(run);
      run.open = true;
    }
    target.scrollIntoView();
  }

  function fill(sbs) {
    const panes = all(".pane", sbs);
    all("select", sbs).forEach((select, i) => {
      materialise(byId("run-" + select.value));
      const source = byId("code-" + select.value);
      panes[i].innerHTML = source ? source.innerHTML : "";
    });
  }

  for (const id of ["f-failed", "f-flaky", "f-model", "f-category"]) {
    byId(id).addEventListener("change", filter);
  }
  for (const sbs of all("details.sbs")) {
    sbs.addEventListener("toggle", () => { if (sbs.open) fill(sbs); });
    for (const select of all("select", sbs)) select.addEventListener("change", () => fill(sbs));
  }
  document.addEventListener("toggle", (event) => {  // toggle does not bubble: capture it
    if (event.target.matches("details.run") && event.target.open) materialise(event.target);
  }, true);
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#cell-'], a[href^='#run-']");
    if (!link) return;
    event.preventDefault();
    history.replaceState(null, "", link.hash);
    reveal(link.hash.slice(1));
  });
  window.addEventListener("hashchange", () => reveal(location.hash.slice(1)));
  if (location.hash) reveal(location.hash.slice(1));
})();
</script>"""
