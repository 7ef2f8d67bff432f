"""How big the bench HTML report is, how long it takes to render, and how long Chromium
takes to open it, for a `bench all -n 3` of three models (about 500 runs).

    .venv/bin/python benchmarks/report_size.py [--suites all] [--models 3] [-n 3] [--keep DIR]

The database is synthetic (tests/fakes/synthetic_bench.py: the real built-in tasks,
replies made of their references, mutants and good/bad replies, a thinking model with
kilobytes of reasoning, every outcome). The report is rendered by the real command line
(`trinityctl report ID --format html -o FILE`, a child process: its wall and CPU time
include Python's start) and opened in Debian's headless Chromium through selenium (tests/browser.py);
"open" is navigation start to the end of the load event, the median of five loads, with
the CPU time the browser's processes spent on it (what the page costs, however busy the
machine is).
Targets (issue 14): under 5 MB, open in under 2 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from trinity.controller.store import Store  # noqa: E402
from trinity.controller.suites import select_tasks  # noqa: E402

from tests import browser  # noqa: E402
from tests.fakes.synthetic_bench import build  # noqa: E402

SIZE_LIMIT = 5 * 2**20
OPEN_LIMIT_S = 2.0
MODELS = ("local/smollm2", "dgx1/qwen3", "rtx/gemma3", "dgx2/llama", "h100/mistral")


def render(db: Path, bench_id: str, out: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of `trinityctl report … --format html` from start to exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "trinity.controller", "report", bench_id, "--format",
                    "html", "-o", str(out), "--db", str(db)], check=True, cwd=REPO,
                   capture_output=True)  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def open_times(page: Path, loads: int = 5) -> list[tuple[float, float]]:
    """(wall, browser CPU) seconds of each load: navigation start to the load event's end,
    and the CPU the browser's processes spent meanwhile."""
    with browser.chromium() as driver:
        driver.get("about:blank")  # the browser's own start is not the page's
        times = []
        for _ in range(loads):
            before = browser.cpu_s(driver)
            driver.get(page.as_uri())
            wall = browser.load_ms(driver) / 1000
            times.append((wall, browser.cpu_s(driver) - before))
            driver.get("about:blank")
        errors = browser.console_errors(driver)
    if errors:
        raise SystemExit(f"console errors: {errors[:3]}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suites", nargs="+", default=["all"])
    parser.add_argument("--models", type=int, default=3, choices=range(1, len(MODELS) + 1))
    parser.add_argument("-n", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Leave the database and page in this folder.")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="trinity-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    db, page = folder / "results.db", folder / "report.html"
    tasks = select_tasks(args.suites)
    with Store(db) as store:
        bench_id = build(store, tasks, MODELS[: args.models], args.n)
        runs = len(store.runs(bench_id))
    wall, cpu = render(db, bench_id, page)
    size = page.stat().st_size
    print(f"bench: {len(tasks)} tasks × {args.models} models × n={args.n} = {runs} runs")
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} "
        "(wall times grow with it; CPU time does not)"
    )
    print(f"render (trinityctl report --format html): {wall:.2f} s wall, {cpu:.2f} s CPU")
    print(f"size:  {size / 2**20:.2f} MiB   limit {SIZE_LIMIT / 2**20:.0f} MiB   "
          f"ratio {size / SIZE_LIMIT:.2f}")  # fmt: skip
    why = browser.missing()
    if why:
        print(f"open:  not measured: {why}")
        return
    times = open_times(page)
    wall = statistics.median(t for t, _ in times)
    cpu = statistics.median(c for _, c in times)
    loads = ", ".join(f"{t:.2f}" for t, _ in times)
    print(f"open in Chromium: {wall:.2f} s wall (loads: {loads}), {cpu:.2f} s browser CPU   "
          f"limit {OPEN_LIMIT_S:.0f} s   ratio {wall / OPEN_LIMIT_S:.2f} wall, "
          f"{cpu / OPEN_LIMIT_S:.2f} CPU")  # fmt: skip
    if args.keep:
        print(f"kept {db} and {page}")


if __name__ == "__main__":
    main()
