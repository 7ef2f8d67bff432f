"""A standing mutation score for the modules whose bugs would silently change results.

    .venv/bin/python benchmarks/mutation.py                     # every module, 2 workers
    .venv/bin/python benchmarks/mutation.py consensus scoring   # some of them
    .venv/bin/python benchmarks/mutation.py --jobs 4 --keep /tmp/mutation   # then mutmut browse
    .venv/bin/python benchmarks/mutation.py --keep /tmp/mutation --report-only  # print again

mutmut (pinned in the dev extra) plants one small bug at a time (an operator, a constant,
a string, an argument dropped) in one module and runs that module's own unit tests
against it; a mutant they all pass ("survived") is a bug those tests would not notice.
Printed per module: mutants, killed (a timeout counts: the tests noticed), survived,
the kill rate, and the kill rate over the non-equivalent mutants, i.e. leaving out the
survivors that docs/mutation.md explains as equivalent or harmless (each with why);
then every survivor's diff, marked when docs/mutation.md explains it, and the
explanations that no longer match a survivor (stale: the code moved on). Target: ≥ 90 %
of the non-equivalent mutants killed in each module.

Too slow for every CI run (see docs/mutation.md for the time it takes on 2 cores): run
it after changing one of these modules or their tests, and keep docs/mutation.md true.

How: mutmut imports mutated code from its own copy of the source tree, found on
sys.path as ./trinity, so each module gets a work folder holding the three source roots
(agent/, controller/, protos/) merged into one `trinity` tree, the tests, and a
pyproject.toml whose [tool.mutmut] mutates that module's file only and selects only its
unit tests. Functions mutmut 3 cannot mutate (properties, code outside functions) are
not counted; docs/mutation.md says which matter.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "mutation.md"
ROOTS = {"agent/trinity/agent": "trinity/agent",
         "controller/trinity/controller": "trinity/controller",
         "protos/trinity/v1": "trinity/v1"}  # fmt: skip
# module → (its file, the unit tests that are its own)
MODULES = {
    "scoring": ("trinity/controller/scoring.py", ["tests/unit/test_scoring.py"]),
    "consensus": ("trinity/controller/consensus.py", ["tests/unit/test_consensus.py"]),
    "answers": (
        "trinity/controller/answers.py",
        ["tests/unit/test_answers.py", "tests/unit/test_answers_edges.py"],
    ),
    "extract": ("trinity/controller/extract.py", ["tests/unit/test_extract.py"]),
    "validation": ("trinity/controller/validation.py", ["tests/unit/test_validation.py"]),
    "checkrunner": ("trinity/agent/checkrunner.py", ["tests/unit/test_checkrunner.py"]),
    "scheduler": ("trinity/controller/scheduler.py", ["tests/unit/test_scheduler.py"]),
}
PYPROJECT = """\
[tool.mutmut]
source_paths = ["trinity"]
only_mutate = ["{path}"]
pytest_add_cli_args_test_selection = {tests}
pytest_add_cli_args = ["-p", "no:cacheprovider", "-p", "no:randomly"]

[tool.pytest.ini_options]
asyncio_mode = "auto"
asyncio_default_fixture_loop_scope = "function"
"""
KILLED = {"killed", "timeout"}
DIFFS = """
import sys
from mutmut.mutation.diff_apply import find_mutant, get_diff_for_mutant
for name in sys.argv[1:]:
    print("\\0" + name)
    print(get_diff_for_mutant(name, path=find_mutant(name).path))
"""
MUTANT = re.compile(r"`(trinity\.[\w.]+__mutmut_\d+)`")
LINE = re.compile(r"^\s+(trinity\.\S+__mutmut_\d+): (.+)$")


@dataclass
class Result:
    module: str
    statuses: dict[str, str] = field(default_factory=dict)  # mutant → mutmut's status
    diffs: dict[str, str] = field(default_factory=dict)  # survivor → its diff
    seconds: float = 0.0
    error: str = ""

    @property
    def survivors(self) -> list[str]:
        return [m for m, s in self.statuses.items() if s not in KILLED]

    def rates(self, explained: set[str]) -> tuple[float, float]:
        """(killed / all, killed / all but the explained survivors), in %."""
        total = len(self.statuses)
        killed = total - len(self.survivors)
        equivalent = len([m for m in self.survivors if m in explained])
        real = total - equivalent
        return (100.0 * killed / total if total else 0.0,
                100.0 * killed / real if real else 100.0)  # fmt: skip


def work_folder(base: Path, module: str) -> Path:
    """The merged source tree, the tests and this module's mutmut settings."""
    path, tests = MODULES[module]
    folder = base / module
    shutil.rmtree(folder, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for source, target in ROOTS.items():
        shutil.copytree(REPO / source, folder / target, ignore=ignore)
    shutil.copytree(REPO / "tests", folder / "tests", ignore=ignore)
    listed = "[" + ", ".join(f'"{t}"' for t in tests) + "]"
    (folder / "pyproject.toml").write_text(PYPROJECT.format(path=path, tests=listed))
    return folder


def mutmut(folder: Path, *args: str, log: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MUTANT_UNDER_TEST"}
    command = [sys.executable, "-m", "mutmut", *args]
    if log is None:
        return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    with log.open("w") as out:
        return subprocess.run(command, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, text=True)  # fmt: skip


def run_module(base: Path, module: str, jobs: int, *, again: bool = True) -> Result:
    """Mutate and test one module (again=False: read the results already in its folder)."""
    started = time.monotonic()
    folder = base / module if not again else work_folder(base, module)
    log = folder / "mutmut.log"
    done = mutmut(folder, "run", "--max-children", str(jobs), log=log) if again else None
    result = Result(module, seconds=time.monotonic() - started)
    listed = mutmut(folder, "results", "--all", "true")
    for line in listed.stdout.splitlines():
        if found := LINE.match(line):
            result.statuses[found.group(1)] = found.group(2)
    if (done is not None and done.returncode != 0) or not result.statuses:
        tail = log.read_text(errors="replace")[-1500:] if log.exists() else "(no log)"
        code = "?" if done is None else done.returncode
        result.error = f"mutmut run exited {code}; the end of {log}:\n{tail}"
    result.diffs = diffs(folder, result.survivors)
    result.seconds = time.monotonic() - started
    return result


def diffs(folder: Path, names: list[str]) -> dict[str, str]:
    """Each mutant's changed lines, from one process (`mutmut show` is one per mutant)."""
    if not names:
        return {}
    env = {k: v for k, v in os.environ.items() if k != "MUTANT_UNDER_TEST"}
    shown = subprocess.run([sys.executable, "-c", DIFFS, *names], cwd=folder, env=env,
                           capture_output=True, text=True).stdout  # fmt: skip
    out = {}
    for chunk in shown.split("\0")[1:]:
        name, _, diff = chunk.partition("\n")
        out[name] = "\n".join(line for line in diff.splitlines()
                              if line[:1] in "+-" and line[:3] not in ("+++", "---"))  # fmt: skip
    return out


def explained() -> set[str]:
    """The survivors docs/mutation.md explains (a line naming the mutant in backticks)."""
    return set(MUTANT.findall(DOC.read_text())) if DOC.exists() else set()


def show(results: list[Result], known: set[str], total_s: float) -> None:
    print(f"\n{'module':<12} {'mutants':>7} {'killed':>6} {'survived':>8} {'kill %':>7} "
          f"{'non-equiv. %':>12} {'time s':>7}")  # fmt: skip
    for r in results:
        raw, real = r.rates(known)
        killed = len(r.statuses) - len(r.survivors)
        note = "  FAILED TO RUN" if r.error else ""
        print(f"{r.module:<12} {len(r.statuses):>7} {killed:>6} {len(r.survivors):>8} "
              f"{raw:>6.1f}% {real:>11.1f}% {r.seconds:>7.0f}{note}")  # fmt: skip
    print(f"total {total_s:.0f} s")
    for r in results:
        if r.error:
            print(f"\n== {r.module}: {r.error}")
        statuses = Counter(s for s in r.statuses.values() if s not in KILLED and s != "survived")
        if statuses:
            print(f"\n== {r.module}: besides survived: {dict(statuses)}")
        for name in r.survivors:
            mark = "explained in docs/mutation.md" if name in known else "UNEXPLAINED"
            print(f"\n-- {name} ({r.statuses[name]}; {mark})\n{r.diffs.get(name, '')}")
    stale = known - {m for r in results for m in r.survivors}
    ran = {r.module for r in results}
    stale = {m for m in stale if any(f".{module}." in m for module in ran)}
    if stale:
        print("\nexplained in docs/mutation.md but not a survivor now (update the doc):")
        for name in sorted(stale):
            print(f"  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"default: all of {', '.join(MODULES)}")
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at once")
    parser.add_argument("--keep", type=Path, help="work folders here, kept (default: a temp dir)")
    parser.add_argument("--report-only", action="store_true",
                        help="print the results already in --keep's folders, run nothing")  # fmt: skip
    args = parser.parse_args()
    if args.report_only and not args.keep:
        parser.error("--report-only reads the folders of an earlier --keep DIR run")
    if unknown := [m for m in args.modules if m not in MODULES]:
        parser.error(f"no module {unknown[0]!r}; use some of {', '.join(MODULES)}")
    if importlib.util.find_spec("mutmut") is None:
        sys.exit(
            "mutmut is not installed: bash scripts/install.sh --dev (or pip install -e '.[dev]')"
        )
    modules = args.modules or list(MODULES)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="trinity-mutation-") as tmp:
        base = args.keep or Path(tmp)
        results = []
        for module in modules:
            doing = "reading" if args.report_only else "mutating"
            print(f"{module}: {doing} {MODULES[module][0]} against {' '.join(MODULES[module][1])}",
                  flush=True)  # fmt: skip
            results.append(run_module(base, module, args.jobs, again=not args.report_only))
    show(results, explained(), time.monotonic() - started)


if __name__ == "__main__":
    main()
