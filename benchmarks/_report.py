"""The results of a run written into the performance page: the tables, the pictures and the machine that made them.

Only the part of the page between the two markers is replaced; what the page says around it is written by hand.
"""

from __future__ import annotations

import datetime
import os
import platform
import re
from pathlib import Path

from benchmarks._harness import Row, Scaling, table
from benchmarks._plots import svg

BEGIN = "<!-- results: written by python -m benchmarks --docs -->"
END = "<!-- end of results -->"


def machine() -> str:
    """The machine, the interpreter and the day, as one sentence."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        model = found.group(1).strip() if found else model
    return (
        f"{platform.system()} on {os.cpu_count()} cores ({model}), Python {platform.python_version()}, "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d}"
    )


def results(rows: list[Row], scalings: list[Scaling], command: str) -> str:
    """The Markdown of the results section; pictures are referred to as ``img/bench-<key>.svg``."""
    parts = [f"Measured with `{command}` on {machine()}.", "", table(rows)]
    for scaling in scalings:
        parts += ["", f"![{scaling.title}](img/bench-{scaling.key}.svg)", "", scaling.table()]
    return "\n".join(parts)


def write(page: Path, rows: list[Row], scalings: list[Scaling], command: str) -> None:
    """Replace the results section of ``page`` and write the pictures into ``img/`` beside it."""
    text = page.read_text()
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"{page} has no results section: the lines {BEGIN!r} and {END!r} mark it")
    pictures = page.parent / "img"
    pictures.mkdir(exist_ok=True)
    for scaling in scalings:
        (pictures / f"bench-{scaling.key}.svg").write_text(svg(scaling))
    body = results(rows, scalings, command)
    page.write_text(text[: start + len(BEGIN)] + "\n\n" + body + "\n\n" + text[end:])
