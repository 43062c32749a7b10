"""Row 4: the time ``import up42`` takes in a fresh interpreter, against ``import httpx``."""

from __future__ import annotations

import os
import statistics
import sys

from benchmarks._harness import Row, Sizes, micros, run_python

# Timed inside the child, so interpreter start-up (the same for both) is left out of the figure.
PROBE = "import time; started = time.perf_counter(); import {module}; print(time.perf_counter() - started)"


# Compiled bytecode is cached, as after `pip install`, whatever the calling shell says.
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def import_seconds(module: str) -> float:
    """Seconds one fresh interpreter spends importing ``module``."""
    return float(run_python(sys.executable, "-c", PROBE.format(module=module), env=ENV))


def rows(sizes: Sizes) -> list[Row]:
    """Row 4, alternating the two imports so both see the same machine state."""
    ours: list[float] = []
    theirs: list[float] = []
    import_seconds("up42")  # writes the bytecode caches
    for _ in range(sizes.imports):
        theirs.append(import_seconds("httpx"))
        ours.append(import_seconds("up42"))
    sdk, baseline = statistics.median(ours), statistics.median(theirs)
    return [
        Row(
            "4",
            f"import up42, fresh interpreter (median of {sizes.imports})",
            micros(sdk),
            micros(baseline),
            sdk / baseline,
            1.5,
            note="baseline: import httpx",
        )
    ]
