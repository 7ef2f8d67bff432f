"""trinity.controller.profile's outputs: the table (what fits a terminal, the flags as
notes), the HTML page's SVG charts and the PNG, from points as the agent sends them."""

from __future__ import annotations

import itertools
import re

import pytest
from rich.console import Console
from trinity.controller import charts
from trinity.controller import profile as prof
from trinity.controller.errors import SelectionError


def point(concurrency: int, tok_s: float, model: str = "gpu/m", title: str = "H100 (Q4)",
          **extra) -> prof.Point:  # fmt: skip
    metrics = {"concurrency": concurrency, "output_tok_s": tok_s, "valid": True,
               "ttft_ms": {"p50": 20.0 * concurrency, "p99": 40.0}, "tpot_ms": {"p50": 1.5},
               "e2el_ms": {"p50": 400.0, "p99": 500.0}, "decode_tok_s": 600.0,
               "client_cpu_percent": 12.0, "invalid_reasons": [], **extra}  # fmt: skip
    return prof.Point(model, title, "llamacpp", concurrency, metrics)


def rendered(renderable, width: int) -> str:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))
    console.print(renderable)
    return console.export_text()


def three_nodes() -> list[prof.Point]:
    """A profile of three boxes, H100-like figures (13.4 s TTFT at 64 on the slowest)."""
    boxes = (("dgx1/qwen35-fp8", "DGX1 (3.5 FP8)", 1.0), ("dgx2/qwen36-fp8", "DGX2 (3.6 FP8)",
             0.8), ("desktop5090/qwen36-q4", "RTX 5090 (3.6 Q4)", 1.6))  # fmt: skip
    out = []
    for model, title, speed in boxes:
        for c in (1, 4, 16, 64):
            out.append(point(c, 620.0 * c**0.5 * speed, model, title,
                             ttft_ms={"p50": 210.0 * c / speed, "p99": 13430.0},
                             e2el_ms={"p50": 9000.0, "p99": 51234.0}, tpot_ms={"p50": 12.47},
                             request_s=2.5, gpu={"util_mean": 87.0, "power_mean_w": 310.0,
                                                 "memory_used_max_bytes": 20 * 2**30}))  # fmt: skip
    out[3] = point(64, 4000.0, *boxes[0][:2], valid=False,
                   invalid_reasons=["client CPU 81% > 70%: the load generator may have limited "
                                    "the server"])  # fmt: skip
    return out


def test_levels_parse_and_bad_levels_are_one_line():
    assert prof.parse_levels("1,4,16") == (1, 4, 16)
    for bad in ("0", "1,x", "", "2000"):
        with pytest.raises(SelectionError, match="--concurrency"):
            prof.parse_levels(bad)


def test_html_has_one_svg_chart_per_metric_with_every_level():
    page = prof.html_page("profile-x", [point(1, 600.0), point(16, 3000.0)])
    assert page.count("<svg") == len(prof.CHARTS)
    assert ">16</text>" in page and "H100 (Q4)" in page and "3,000" in page


@pytest.mark.parametrize("width", [80, 120])
def test_default_table_fits_the_terminal_with_every_figure_whole(width):
    text = rendered(prof.table(three_nodes()), width)
    assert "…" not in text
    assert max(len(line.rstrip()) for line in text.splitlines()) <= width
    for figure in ("13.4 s", "51.2 s", "12.5 ms", "2,480", "RTX 5090", "Valid"):
        assert figure in text, figure
    assert "¹ client CPU 81% > 70%" in text  # the reason is a note under the table
    row = next(line for line in text.splitlines() if "4,000" in line)
    assert row.rstrip().endswith("no¹")


def test_wide_table_has_every_column_and_the_default_leaves_them_out():
    names = ["Req/s", "ITL", "vs", "GPU mem", "Util %", "Power W", "J/tok", "Client"]
    wide = rendered(prof.table(three_nodes(), wide=True), 250)
    narrow = rendered(prof.table(three_nodes()), 250)
    assert all(n in wide for n in names) and not any(n in narrow for n in names)
    assert "310" in wide and "20.0" in wide  # power W, GPU memory GiB


def test_charts_have_round_ticks_in_readable_units_and_a_log2_concurrency_axis():
    svg = prof.svg_charts(three_nodes())
    ticks = re.findall(r'class="ytick">([^<]*)<', svg)
    assert "13.4" not in "".join(ticks) and "e+" not in "".join(ticks)
    assert {"0", "5 s", "10 s", "15 s", "20 s"} <= set(ticks)  # TTFT p50 up to 16.8 s
    assert {"20 s", "40 s", "60 s"} <= set(ticks)  # E2EL p99 51.2 s: round seconds
    assert {"2,000", "4,000", "8,000"} <= set(ticks)  # output tok/s up to 7,936
    xs = [float(x) for x in re.findall(r'<text x="([\d.]+)"[^>]*class="xtick">', svg)[:4]]
    gaps = [b - a for a, b in itertools.pairwise(xs)]
    assert max(gaps) - min(gaps) < 0.5 and min(gaps) > 100  # 1, 4, 16, 64 evenly: log2
    assert "concurrency (log₂ scale)" in svg


def test_every_node_is_a_line_on_each_chart_in_one_colour_everywhere():
    svg = prof.svg_charts(three_nodes())
    palette = charts.colours(["dgx1/qwen35-fp8", "dgx2/qwen36-fp8", "desktop5090/qwen36-q4"])
    assert len(set(palette.values())) == 3
    for colour in palette.values():  # a line and a legend swatch per chart
        assert svg.count(f'<polyline fill="none" stroke="{colour}"') == len(prof.CHARTS)
    assert (
        charts.colours(["dgx2/qwen36-fp8", "dgx1/qwen35-fp8", "desktop5090/qwen36-q4"]) == palette
    )


def test_the_legend_sits_below_the_plot_not_over_the_lines():
    svg = charts.line_chart("t", [charts.Series("a/b", "A", ((1, 5.0), (4, 9.0)))], "tok/s")
    legend_y = float(re.search(r'y="([\d.]+)" font-size="11" class="legend"', svg)[1])
    lowest_point = max(float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg))
    axis_label_y = float(re.search(r'y="([\d.]+)" text-anchor="middle" font-size="10" '
                                   r'class="xlabel"', svg)[1])  # fmt: skip
    assert legend_y > axis_label_y > lowest_point


@pytest.mark.parametrize(
    ("value", "ticks"),
    [(13430, [0, 5000, 10000, 15000]), (7, [0, 2, 4, 6, 8]), (0.9, [0, 0.25, 0.5, 0.75, 1]),
     (4027, [0, 2000, 4000, 6000]), (0, [0, 1])],
)  # fmt: skip
def test_nice_ticks_are_round_and_cover_the_top(value, ticks):
    assert charts.nice_ticks(value) == ticks


def test_durations_read_as_people_say_them():
    assert charts.format_ms(850) == "850 ms" and charts.format_ms(13430) == "13.4 s"
    assert charts.format_ms(12.47) == "12.5 ms" and charts.format_ms(0.5) == "0.5 ms"
    assert charts.axis_labels([0, 500, 1000, 1500], "ms") == ["0", "0.5 s", "1 s", "1.5 s"]


def test_table_flags_multi_token_chunks_throttling_and_counted_tokens():
    flagged = point(4, 100.0, multi_token_chunks=True, tokens_per_chunk=2.5,
                    gpu={"throttled": True}, tokens_from_usage=False)  # fmt: skip
    text = rendered(prof.table([point(1, 600.0), flagged]), 120)
    assert "2.50 tok/chunk" in text and "throttled" in text
    assert "tokens counted from chunks" in text and "yes" in text


def test_table_shows_the_busiest_load_process_and_how_many_there_were():
    text = rendered(
        prof.table([point(1, 600.0), point(64, 4000.0, client_processes=4)], wide=True), 400
    )
    rows = [line for line in text.splitlines() if "600" in line or "4,000" in line]
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
