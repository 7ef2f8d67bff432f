"""The profile page as a person sees it, from the H100 runs kept in docs/gpu-runs (real
figures, two runs of one model drawn as two lines), rendered and photographed by headless
Chromium (Debian's `chromium`): docs/screenshots/profile.png, shown in the README.

    .venv/bin/python scripts/screenshot_profile.py [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

from trinity.controller import profile as prof

ROOT = Path(__file__).resolve().parent.parent
RUNS = {"h100-a": "H100, run a", "h100-b": "H100, run b"}


def points() -> list[prof.Point]:
    out = []
    for run, title in RUNS.items():
        data = json.loads((ROOT / f"docs/gpu-runs/2026-11-25-{run}/profile.json").read_text())
        for p in data["points"]:
            out.append(prof.Point(f"{run}/smollm2", f"SmolLM2 Q4_1, {title}", p["backend"],
                                  p["concurrency"], p["metrics"]))  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--out", type=Path, default=ROOT / "docs/screenshots/profile.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "profile.html"
        page.write_text(prof.html_page("profile-20261125-h100", points()))
        subprocess.run(
            [args.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--screenshot={args.out}", "--window-size=1000,1250", page.as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
