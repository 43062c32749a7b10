"""The scaling results, their pictures and the performance page's results section, built from made-up figures."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from benchmarks._harness import Row, Scaling
from benchmarks._plots import svg
from benchmarks._report import BEGIN, END, write

ROOT = Path(__file__).resolve().parent.parent.parent
SVG = "{http://www.w3.org/2000/svg}"


def scaling(sdk: tuple[float, ...]) -> Scaling:
    return Scaling(
        "list",
        "get_webhooks() of N webhooks, per webhook",
        "webhooks",
        (10, 100, 1000, 10000),
        "us per webhook",
        {"SDK": sdk, "raw httpx": (3.0, 1.5, 1.4, 1.5)},
        flat="SDK",
    )


def test_a_flat_line_passes_and_one_that_grows_misses() -> None:
    flat = scaling((5.0, 2.0, 2.1, 2.4))
    assert flat.growth == pytest.approx(1.2)
    assert flat.verdict == "PASS"
    grows = scaling((5.0, 2.0, 3.5, 9.0))
    assert grows.growth == pytest.approx(4.5)
    assert grows.verdict == "MISS"
    assert "largest / smallest 4.50x, target <= 1.5x: MISS" in grows.table()
    assert Scaling("drain", "t", "workers", (1, 2), "msg/s", {"SQLite": (1.0, 2.0)}, higher_is_better=True).verdict == (
        "report"
    )


def test_the_table_has_a_row_per_size_and_a_column_per_line() -> None:
    lines = scaling((5.0, 2.0, 2.1, 2.4)).table().splitlines()
    header = next(line for line in lines if line.startswith("| webhooks"))
    assert [cell.strip() for cell in header.strip("|").split("|")] == [
        "webhooks",
        "SDK (us per webhook)",
        "raw httpx (us per webhook)",
    ]
    assert [line.split("|")[1].strip() for line in lines if re.match(r"\| [\d,]+ ", line)] == [
        "10",
        "100",
        "1,000",
        "10,000",
    ]


def test_the_picture_draws_each_line_through_its_points_higher_figures_higher() -> None:
    root = ET.fromstring(svg(scaling((5.0, 2.0, 2.1, 2.4))))  # noqa: S314 - made by the test itself
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2
    points = [tuple(map(float, pair.split(","))) for pair in lines[0].attrib["points"].split()]
    assert len(points) == 4
    assert [x for x, _ in points] == sorted(x for x, _ in points)
    # SVG's y grows downwards: the SDK's 5.0 at ten webhooks is drawn above its 2.0 at a hundred.
    assert points[0][1] < points[1][1]
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert "get_webhooks() of N webhooks, per webhook" in texts
    assert {"SDK", "raw httpx", "10,000"} <= set(texts)


def test_writing_replaces_only_the_results_section_and_draws_each_scaling(tmp_path: Path) -> None:
    page = tmp_path / "performance.md"
    page.write_text(f"# Performance\n\nby hand\n\n{BEGIN}\n\nold figures\n\n{END}\n\nnotes by hand\n")
    row = Row("5", "verify", "10 us", "8 us", 1.25, 1.6)
    write(page, [row], [scaling((5.0, 2.0, 2.1, 2.4))], "python -m benchmarks --docs performance.md")
    text = page.read_text()
    assert text.startswith("# Performance\n\nby hand\n\n")
    assert text.endswith(f"{END}\n\nnotes by hand\n")
    assert "old figures" not in text
    assert "Measured with `python -m benchmarks --docs performance.md` on " in text
    assert "| 5 | verify | 10 us | 8 us | 1.25x | <= 1.6x | PASS |" in re.sub(" +", " ", text)
    assert "![get_webhooks() of N webhooks, per webhook](img/bench-list.svg)" in text
    assert ET.parse(tmp_path / "img" / "bench-list.svg").getroot().tag == f"{SVG}svg"  # noqa: S314 - written above


def test_a_page_without_the_markers_is_refused_untouched(tmp_path: Path) -> None:
    page = tmp_path / "performance.md"
    page.write_text("# Performance\n")
    with pytest.raises(ValueError, match="has no results section"):
        write(page, [], [], "python -m benchmarks --docs")
    assert page.read_text() == "# Performance\n"


def test_the_performance_page_shows_a_full_run_and_every_picture_it_names() -> None:
    text = (ROOT / "docs" / "performance.md").read_text()
    section = text[text.index(BEGIN) : text.index(END)]
    command = re.search(r"Measured with `([^`]+)`", section)
    assert command is not None, "the results section was not written by a run"
    assert "--docs" in command.group(1)
    assert "--quick" not in command.group(1)
    assert "--only" not in command.group(1)
    pictures = re.findall(r"\]\((img/bench-[\w-]+\.svg)\)", section)
    assert pictures
    for picture in pictures:
        assert (ROOT / "docs" / picture).is_file(), picture
