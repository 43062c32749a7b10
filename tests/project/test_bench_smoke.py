"""The benchmarks run end to end with tiny sizes: every row of the table is printed (no figure is judged here)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
ROWS = {"1", "2", "2a", "2b", "3", "4", "4b", "5", "5b", "5c", "5d", "5e", "6", "7", "RSS-2", "RSS-S"}
# How each cost grows with a size: one table and one picture each.
SCALINGS = {"list", "verify", "sandbox-log", "sandbox-dashboard", "inbox-drain", "inbox-backlog"}
# Row 8 splits into 8a and 8b once a full run has made the old SDK's venv; before, it prints one "not measured" row.
OLD_SDK_ROWS = [{"8"}, {"8a", "8b"}]


def test_quick_run_prints_every_row_and_writes_the_results_into_a_page(tmp_path: Path) -> None:
    page = tmp_path / "performance.md"
    page.write_text((ROOT / "docs" / "performance.md").read_text())
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--docs", str(page)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        # A guard against a row that hangs, not a measure: the quick run takes half a minute alone, longer beside
        # a busy test run, since its rows start real servers and workers.
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    printed = set(re.findall(r"^\| (\S+) +\|", done.stdout, flags=re.MULTILINE))
    assert printed >= ROWS, done.stdout
    assert any(printed >= rows for rows in OLD_SDK_ROWS), done.stdout
    assert "Traceback" not in done.stderr
    written = page.read_text()
    assert "Measured with `python -m benchmarks --quick --docs " in written
    keys = re.findall(r"\]\(img/bench-([\w-]+)\.svg\)", written)
    titles = re.findall(r"^\*\*(.+)\*\*$", done.stdout, flags=re.MULTILINE)
    assert sorted(keys) == sorted(SCALINGS)
    assert len(titles) == len(SCALINGS)
    for key in keys:
        assert (tmp_path / "img" / f"bench-{key}.svg").read_text().startswith("<svg ")
