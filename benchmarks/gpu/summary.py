"""The GPU run's figures side by side, as markdown: our profile (load from the agent),
the server's own counters, llama-bench, and the harness-overhead ratios.

    python benchmarks/gpu/summary.py OUT_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _f(value: Any, fmt: str = ".1f") -> str:
    return "—" if value is None else format(value, fmt)


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value * 100:+.2f} %"


def main(out: Path) -> None:
    lines = []
    gpu = (out / "gpu.txt").read_text().strip() if (out / "gpu.txt").exists() else "?"
    lines += [f"GPU: {gpu}", ""]
    bench = json.loads((out / "llama-bench.json").read_text())
    tests = {("pp" if b["n_prompt"] else "tg") + str(b["n_prompt"] or b["n_gen"]): b for b in bench}
    tg = _get(tests.get("tg128"), "avg_ts")
    lines += [
        f"llama-bench: tg128 {_f(tg)} tok/s, pp512 {_f(_get(tests.get('pp512'), 'avg_ts'), '.0f')} tok/s",
        "",
        "| Concurrency | Output tok/s | Decode tok/s (ours) | Decode tok/s (server timings) | "
        "Δ | Generated tokens: usage vs server counter | TTFT p50 ms | TPOT p50 ms | "
        "E2EL p99 ms | Client CPU | GPU power W | J/token | Valid |",
        "|" + "---|" * 13,
    ]
    profile = json.loads((out / "profile.json").read_text())
    for point in profile["points"]:
        m = point["metrics"]
        server = m.get("server") or {}
        lines.append(
            f"| {m['concurrency']} | {_f(m['output_tok_s'])} | {_f(m['decode_tok_s'])} | "
            f"{_f(server.get('decode_tok_s'))} | {_pct(server.get('decode_diff'))} | "
            f"{server.get('usage_tokens')} vs {_f(server.get('generation_tokens'), '.0f')} "
            f"({_pct(server.get('tokens_diff'))}) | {_f(_get(m, 'ttft_ms', 'p50'), '.0f')} | "
            f"{_f(_get(m, 'tpot_ms', 'p50'), '.2f')} | {_f(_get(m, 'e2el_ms', 'p99'), '.0f')} | "
            f"{_f(m['client_cpu_percent'], '.0f')} % | {_f(_get(m, 'gpu', 'power_mean_w'), '.0f')} | "
            f"{_f(_get(m, 'gpu', 'j_per_token'), '.3f')} | "
            f"{'yes' if m['valid'] else '; '.join(m['invalid_reasons'])} |"
        )
    first = profile["points"][0]["metrics"] if profile["points"] else {}
    if tg and first.get("decode_tok_s"):
        lines += ["", f"Single-stream decode, ours / llama-bench tg128: "
                      f"{first['decode_tok_s'] / tg:.3f}"]  # fmt: skip
    overhead_file = out / "overhead.json"
    if overhead_file.exists():
        lines += ["", "| Concurrency | Straight to llama-server tok/s | Through controller → agent "
                      "tok/s | Ratio |", "|---|---|---|---|"]  # fmt: skip
        for row in json.loads(overhead_file.read_text()):
            lines.append(f"| {row['concurrency']} | {row['direct_tok_s']:.1f} | "
                         f"{row['harness_tok_s']:.1f} | {row['ratio']:.3f} |")  # fmt: skip
    print("\n".join(lines))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
