"""A real headless Chromium for tests, screenshots and the report benchmark: Debian's
`chromium` driven by Debian's `chromium-driver` through selenium. Both executables are
named explicitly, so selenium never looks for (or downloads) a browser or a driver."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("TRINITY_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("TRINITY_CHROMEDRIVER", "/usr/bin/chromedriver")


def missing() -> str:
    """Why no browser can be driven here ('' when one can)."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (Path(path).is_file() or shutil.which(path)):
            return f"{path} is not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (the dev extra has it)"
    return ""


@contextlib.contextmanager
def chromium(width: int = 1300, height: int = 1000) -> Iterator[Any]:
    """A headless Chromium (selenium WebDriver) that keeps the page's console log."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}", "--hide-scrollbars"):  # fmt: skip
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver: Any) -> list[str]:
    """The page's console messages at SEVERE level (errors, failed loads)."""
    return [m["message"] for m in driver.get_log("browser") if m.get("level") == "SEVERE"]


def cpu_s(driver: Any) -> float:
    """CPU seconds (user + system) used so far by the browser's processes (every process
    the driver started): how much work a page was, whatever else the machine is doing."""
    import psutil

    total = 0.0
    for process in psutil.Process(driver.service.process.pid).children(recursive=True):
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def load_ms(driver: Any) -> float:
    """How long the last page took from navigation start to the end of its load event."""
    entry = driver.execute_script(
        "const n = performance.getEntriesByType('navigation')[0];"
        "return n ? n.loadEventEnd - n.startTime : null;"
    )
    return float(entry)
