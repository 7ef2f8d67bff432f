"""The README's pictures of the bench HTML report, taken in Debian's headless Chromium.

    .venv/bin/python scripts/report_screenshots.py [--db FILE] [--bench last] [--out docs]

Renders `trinityctl report BENCH --format html`, then saves two PNGs: the top of the page
(heatmap, verdicts, why it failed, tok/s) and the first failed cell clicked open (its
runs with reply, highlighted code and checks).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import browser  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="Results database (default: trinityctl's).")
    parser.add_argument("--bench", default="last")
    parser.add_argument("--out", type=Path, default=REPO / "docs")
    args = parser.parse_args()
    page = Path(tempfile.mkdtemp(prefix="trinity-shots-")) / "bench.html"
    db = ["--db", str(args.db)] if args.db else []
    subprocess.run([sys.executable, "-m", "trinity.controller", "report", args.bench,
                    "--format", "html", "-o", str(page), *db], check=True)  # fmt: skip
    with browser.chromium(1300, 900) as driver:
        driver.get(page.as_uri())
        driver.save_screenshot(str(args.out / "report-heatmap.png"))
        failed = driver.execute_script(
            "const cell = document.querySelector('.cell details.run[data-failed=\"1\"]');"
            "return cell ? cell.parentElement.id : null;"
        )
        if failed is None:
            raise SystemExit("no failed run to show")
        driver.find_element("css selector", f"#heatmap a[href='#{failed}']").click()
        time.sleep(0.3)
        driver.save_screenshot(str(args.out / "report-run.png"))
        errors = browser.console_errors(driver)
    if errors:
        raise SystemExit(f"console errors: {errors}")
    print(f"wrote {args.out / 'report-heatmap.png'} and {args.out / 'report-run.png'}")


if __name__ == "__main__":
    main()
