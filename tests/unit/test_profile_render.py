"""trinity.controller.profile's outputs: the table flags, the HTML page's SVG charts and
the PNG, from points as the agent sends them."""

from __future__ import annotations

import pytest
from trinity.controller import profile as prof
from trinity.controller.errors import SelectionError


def point(concurrency: int, tok_s: float, **extra) -> prof.Point:
    metrics = {"concurrency": concurrency, "output_tok_s": tok_s, "valid": True,
               "ttft_ms": {"p50": 20.0 * concurrency, "p99": 40.0}, "tpot_ms": {"p50": 1.5},
               "e2el_ms": {"p50": 400.0, "p99": 500.0}, "decode_tok_s": 600.0,
               "client_cpu_percent": 12.0, "invalid_reasons": [], **extra}  # fmt: skip
    return prof.Point("gpu/m", "H100 (Q4)", "llamacpp", concurrency, metrics)


def test_levels_parse_and_bad_levels_are_one_line():
    assert prof.parse_levels("1,4,16") == (1, 4, 16)
    for bad in ("0", "1,x", "", "2000"):
        with pytest.raises(SelectionError, match="--concurrency"):
            prof.parse_levels(bad)


def test_html_has_one_svg_chart_per_metric_with_every_level():
    page = prof.html_page("profile-x", [point(1, 600.0), point(16, 3000.0)])
    assert page.count("<svg") == len(prof.CHARTS)
    assert ">16</text>" in page and "H100 (Q4)" in page and "3000" in page


def test_table_flags_multi_token_chunks_throttling_and_counted_tokens():
    flagged = point(4, 100.0, multi_token_chunks=True, tokens_per_chunk=2.5,
                    gpu={"throttled": True}, tokens_from_usage=False)  # fmt: skip
    from rich.console import Console

    console = Console(width=400, record=True)
    console.print(prof.table([point(1, 600.0), flagged]))
    text = console.export_text()
    assert "2.50 tok/chunk" in text and "throttled" in text
    assert "tokens counted from chunks" in text and "yes" in text


def test_table_shows_the_busiest_load_process_and_how_many_there_were():
    from rich.console import Console

    console = Console(width=400, record=True)
    console.print(prof.table([point(1, 600.0), point(64, 4000.0, client_processes=4)]))
    rows = [line for line in console.export_text().splitlines() if "H100 (Q4)" in line]
    assert "12% x4" in rows[1] and "12%" in rows[0] and " x" not in rows[0].split("12%")[1]


def test_processes_bounds_are_one_line():
    assert prof.check_processes(0) == 0 and prof.check_processes(64) == 64
    for bad in (-1, 65):
        with pytest.raises(SelectionError, match=f"--processes {bad}: between 0"):
            prof.check_processes(bad)


def test_png_is_written(tmp_path):
    path = tmp_path / "profile.png"
    prof.write_png([point(1, 600.0), point(16, 3000.0)], path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
