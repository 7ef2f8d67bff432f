"""How much n repeats of one task vary on the embedded default, per temperature: the
measurement behind the sampling shipped in models.toml.

    .venv/bin/python benchmarks/repeat_variation.py [-n 10] [--temperatures 0.2 0.5 0.8 1.0]
        [--seed BASE] [--suites smoke]

Starts a real agent with SmolLM2 on llama.cpp (llama-cpp-python, CPU) in a temporary
folder, then for each temperature runs the real `trinityctl bench smoke -n N` with the
shipped sampling (top_p, max_tokens, base seed) at that temperature, side by side on the
same server, and prints per temperature: how many of the N replies are distinct, how
many distinct programs were extracted, how many runs passed (score 100), the mean score
and its std, and whether the report flagged the cell as identical replies. A default
whose N replies are N copies would teach a new user that repeats are pointless; one
whose replies are noise would teach nothing either.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from trinity.controller.config import load_config  # noqa: E402
from trinity.controller.store import Store  # noqa: E402

from tests.integration.agent_process import running_agent_process  # noqa: E402

SHIPPED = REPO / "controller" / "trinity" / "controller" / "models.toml"
MODELS = """
[nodes.local]
address = "{address}"
token_file = "{token}"

[[models]]
name = "smollm2"
node = "local"
backend = "llamacpp"
model = "builtin:smollm2"
context_length = 2048
sampling = {{ {sampling} }}
"""


def trinityctl(*args: str, timeout: float = 1200) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "trinity.controller", *args],
                          capture_output=True, text=True, timeout=timeout)  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"trinityctl {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done


def shipped_sampling(temperature: float, seed: int | None = None) -> str:
    """The shipped model's sampling, at another temperature (and base seed), as an inline
    TOML table."""
    sampling = load_config(SHIPPED).models[0].sampling.model_dump(exclude_none=True)
    sampling["temperature"] = temperature
    if seed is not None:
        sampling["seed"] = seed
    return ", ".join(f"{k} = {json.dumps(v)}" for k, v in sampling.items())


def measure(folder: Path, address: str, token: Path, temperature: float, args: Any) -> dict:
    """One bench at this temperature; per task the figures, then summed over tasks."""
    config = folder / f"models-{temperature}.toml"
    config.write_text(MODELS.format(address=address, token=token,
                                    sampling=shipped_sampling(temperature, args.seed)))  # fmt: skip
    db = folder / f"results-{temperature}.db"
    started = time.monotonic()
    done = trinityctl("bench", *args.suites, "-n", str(args.n), "--json", "--db", str(db),
                      "--config", str(config))  # fmt: skip
    report = json.loads(done.stdout)
    with Store(db) as store:
        runs = store.runs(report["bench_run_id"])
    tasks = [t["task"] for t in report["tasks"]]
    flagged = sum(next(iter(t["models"].values()))["identical_replies"] > 0
                  for t in report["tasks"])  # fmt: skip
    mine = [[r for r in runs if r.task == task] for task in tasks]
    scores = [r.score or 0.0 for r in runs]
    return {
        "temperature": temperature,
        "tasks": len(tasks),
        "distinct_replies": sum(len({r.response for r in m}) for m in mine),
        "distinct_code": sum(len({r.code for r in m if r.code}) for m in mine),
        "passed": sum(s >= 100.0 for s in scores),
        "mean": statistics.fmean(scores),
        "std": statistics.fmean(statistics.pstdev([r.score or 0.0 for r in m]) for m in mine),
        "identical_flag": flagged,
        "seeds": sum(len({r.seed for r in m}) for m in mine),
        "wall_s": time.monotonic() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=10)
    parser.add_argument("--temperatures", type=float, nargs="+", default=[0.2, 0.5, 0.8, 1.0])
    parser.add_argument("--seed", type=int, default=None, help="base seed (default: shipped)")
    parser.add_argument("--suites", nargs="+", default=["smoke"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running_agent_process(Path(tmp) / "agent") as agent:
        folder = Path(tmp)
        first = folder / "models-up.toml"
        first.write_text(MODELS.format(address=agent.address, token=agent.token_file,
                                       sampling=shipped_sampling(0.0)))  # fmt: skip
        trinityctl("up", "--config", str(first), "--no-smoke", timeout=300)
        rows = [measure(folder, agent.address, agent.token_file, t, args)
                for t in args.temperatures]  # fmt: skip
        trinityctl("down", "--config", str(first), timeout=120)
    runs = args.n * rows[0]["tasks"]
    print(
        f"bench {' '.join(args.suites)} -n {args.n} on SmolLM2: {rows[0]['tasks']} tasks, "
        f"shipped sampling, base seed {args.seed or 'shipped'}, temperature varied; "
        "distinct = summed over tasks, std = mean over tasks, ≡ = tasks flagged"
    )
    print(f"{'temp':>5} {'distinct replies':>17} {'distinct code':>14} {'passed':>8} "
          f"{'mean ± std':>13} {'≡ flag':>7} {'seeds':>6} {'wall s':>7}")  # fmt: skip
    for r in rows:
        print(f"{r['temperature']:>5g} {r['distinct_replies']:>13}/{runs:<3} "
              f"{r['distinct_code']:>10}/{runs:<3} {r['passed']:>4}/{runs:<3} "
              f"{r['mean']:>6.1f} ±{r['std']:>5.1f} {r['identical_flag']:>7} {r['seeds']:>6} "
              f"{r['wall_s']:>7.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
