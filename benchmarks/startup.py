"""Row 4: the time ``import up42`` takes in a fresh interpreter, against ``import httpx``.

``import up42`` loads the client side on first use, so row 4b also times ``import up42`` followed by touching
``up42.Client``: what a program that talks to the API really pays.
"""

from __future__ import annotations

import os
import statistics
import sys

from benchmarks._harness import Row, Sizes, micros, run_python

# Timed inside the child, so interpreter start-up (the same for both) is left out of the figure.
PROBE = "import time; started = time.perf_counter(); {statement}; print(time.perf_counter() - started)"


# Compiled bytecode is cached, as after `pip install`, whatever the calling shell says.
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


STATEMENTS = {"4": "import up42", "4b": "import up42; up42.Client"}


def import_seconds(statement: str) -> float:
    """Seconds one fresh interpreter spends running the import ``statement``."""
    return float(run_python(sys.executable, "-c", PROBE.format(statement=statement), env=ENV))


def rows(sizes: Sizes) -> list[Row]:
    """Rows 4 and 4b, alternating with the baseline so all see the same machine state."""
    ours: dict[str, list[float]] = {row: [] for row in STATEMENTS}
    theirs: list[float] = []
    import_seconds(STATEMENTS["4b"])  # writes the bytecode caches
    for _ in range(sizes.imports):
        theirs.append(import_seconds("import httpx"))
        for row, statement in STATEMENTS.items():
            ours[row].append(import_seconds(statement))
    baseline = statistics.median(theirs)
    return [
        Row(
            row,
            f"{statement}, fresh interpreter (median of {sizes.imports})",
            micros(statistics.median(ours[row])),
            micros(baseline),
            statistics.median(ours[row]) / baseline,
            1.5,
            note="baseline: import httpx",
        )
        for row, statement in STATEMENTS.items()
    ]
