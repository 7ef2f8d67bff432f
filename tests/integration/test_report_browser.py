"""The bench HTML report in a real browser: Debian's headless Chromium driven by selenium
through chromium-driver (tests/browser.py; nothing is downloaded). The page is made by
the real command line from a small hand-written results database
(tests/fakes/small_bench.py): clicking a failed cell reveals its runs with the failing
check's message, the filters hide what they should, two models' code sit side by side,
a reply's <script> never runs, and the console stays clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import browser
from tests.fakes.small_bench import write_bench
from tests.integration.conftest import trinityctl

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(browser.missing()), reason=browser.missing() or "browser present"),
]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    write_bench(folder / "results.db")
    out = folder / "bench.html"
    done = trinityctl("report", "last", "--format", "html", "-o", str(out),
                      "--db", str(folder / "results.db"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def driver():
    with browser.chromium() as d:
        yield d


@pytest.fixture
def opened(driver, page):
    driver.get(page.as_uri())
    return driver


def css(driver, selector: str):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def visible_runs(driver) -> list[str]:
    return [r.get_attribute("id") for r in css(driver, "details.run") if r.is_displayed()]


def test_page_loads_with_no_console_errors_and_runs_folded(opened):
    assert browser.console_errors(opened) == []
    assert len(css(opened, "details.run")) == 8
    assert visible_runs(opened) == []  # every task section starts closed
    assert opened.execute_script("return window.pwned === undefined")


def test_clicking_a_failed_cell_reveals_its_runs_and_the_failing_check(opened):
    (cell,) = [
        a for a in css(opened, "#heatmap a") if a.get_attribute("href").endswith("#cell-0-0")
    ]
    assert cell.text == "50.0 ±50.0 ~"  # coding_basics/roman_numerals × SMOLLM2
    visible = css(opened, "body")[0].text
    assert "import failed: SyntaxError" not in visible  # folded until asked for
    cell.click()
    failed, passed = css(opened, "#cell-0-0 details.run")
    assert failed.get_attribute("data-failed") == "1" and passed.get_attribute("data-failed") == "0"
    # The failed run opens; the one that passed stays folded.
    assert failed.get_attribute("open") is not None and passed.get_attribute("open") is None
    assert "why: the code does not load: SyntaxError: unmatched ')' at line 2" in failed.text
    rows = [r.text for r in failed.find_elements("css selector", "table.checks tr.fail")]
    assert len(rows) == 9 and "import failed: SyntaxError: unmatched ')'" in rows[0]
    assert "return n)" in failed.find_element("css selector", "pre.code").text
    assert browser.console_errors(opened) == []


def test_failed_only_hides_the_passing_runs(opened):
    for task in css(opened, "details.task"):
        opened.execute_script("arguments[0].open = true", task)
    for run in css(opened, "details.run"):
        opened.execute_script("arguments[0].open = true", run)
    assert len(visible_runs(opened)) == 8
    css(opened, "#f-failed")[0].click()
    shown = visible_runs(opened)
    assert len(shown) == 4
    assert all(opened.find_element("id", r).get_attribute("data-failed") == "1" for r in shown)
    assert css(opened, "#f-count")[0].text == "4 of 8 runs"
    css(opened, "#f-failed")[0].click()
    assert len(visible_runs(opened)) == 8


def test_model_category_and_flaky_filters(opened):
    from selenium.webdriver.support.ui import Select

    for element in css(opened, "details.task, details.run"):
        opened.execute_script("arguments[0].open = true", element)
    Select(css(opened, "#f-model")[0]).select_by_visible_text("QWEN")
    assert {
        opened.find_element("id", r).get_attribute("data-column") for r in visible_runs(opened)
    } == {"b/qwen"}
    Select(css(opened, "#f-model")[0]).select_by_value("")
    Select(css(opened, "#f-category")[0]).select_by_visible_text("factual")
    shown = visible_runs(opened)
    assert len(shown) == 4 and all(r.startswith("run-") for r in shown)
    assert not css(opened, "#task-0")[0].is_displayed()  # the coding task is hidden
    Select(css(opened, "#f-category")[0]).select_by_value("")
    css(opened, "#f-flaky")[0].click()
    # Flaky cells: roman × SMOLLM2 (0 and 100), roman × QWEN (88.9 and 0: both below 90 —
    # not flaky), korean × SMOLLM2 (0 and 100).
    flaky = {opened.find_element("id", r).find_element("xpath", "..").get_attribute("id")
             for r in visible_runs(opened)}  # fmt: skip
    assert flaky == {"cell-0-0", "cell-1-0"}


def test_two_models_code_side_by_side(opened):
    css(opened, "#task-0 > summary")[0].click()
    css(opened, "#task-0 details.sbs > summary")[0].click()
    panes = css(opened, "#task-0 .pane")
    assert len(panes) == 2
    left, right = (p.text for p in panes)
    assert "return n)" in left  # SMOLLM2 run 1: the code that does not load
    assert "return 'I' * n" in right  # QWEN run 1
    assert browser.console_errors(opened) == []


def test_a_link_to_a_cell_opens_its_failed_runs(driver, page):
    driver.get(page.as_uri() + "#cell-1-0")
    wrong, right = css(driver, "#cell-1-0 details.run")
    assert wrong.get_attribute("open") is not None and right.get_attribute("open") is None
    assert "wrong answer: got '태종" in wrong.text
    assert "<script>" in wrong.text  # shown as text, not run
    driver.get(page.as_uri() + "#cell-1-1")  # korean × QWEN: nothing failed, so all open
    runs = css(driver, "#cell-1-1 details.run")
    assert len(runs) == 2 and all(r.get_attribute("open") is not None for r in runs)
    assert driver.execute_script("return window.pwned === undefined")


def test_opening_a_run_by_hand_shows_its_body(opened):
    css(opened, "#task-1 > summary")[0].click()  # factual_korean/hangul_creator
    run = css(opened, "#cell-1-1 details.run")[0]
    assert run.find_element("css selector", ".body").text == ""
    run.find_element("css selector", "summary").click()
    body = run.find_element("css selector", ".body")
    assert "reply" in body.text and "정답: 세종대왕" in body.text
    assert "answer pass" in body.text.replace("\n", " ")
    assert browser.console_errors(opened) == []
