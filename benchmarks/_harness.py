"""What every row shares: interleaved timing, background servers, and the printed table."""

from __future__ import annotations

import contextlib
import dataclasses
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclasses.dataclass(frozen=True)
class Sizes:
    """How much work each row does; `QUICK` only proves that every row runs."""

    calls: int = 2000  # row 1
    webhooks: int = 1000  # row 2
    list_calls: int = 5  # row 2, calls per round
    concurrent: int = 500  # row 3
    fanout: tuple[int, int] = (300, 1000)  # rows 9 and 9b
    imports: int = 20  # row 4
    verifies: int = 2000  # row 5
    load_requests: int = 20000  # row 6, per measurement
    load_seconds: float = 10.0  # row 6, cap per measurement
    deliveries: int = 1000  # row 7
    held_webhooks: int = 10000  # sandbox RSS
    rounds: int = 7
    install_old_sdk: bool = True  # row 8 makes its venv when missing
    quick: bool = False  # a group picks its own tiny sizes (e.g. of a Scaling) when set


QUICK = Sizes(
    calls=20,
    webhooks=20,
    list_calls=2,
    concurrent=10,
    fanout=(10, 20),
    imports=2,
    verifies=20,
    load_requests=200,
    load_seconds=2.0,
    deliveries=10,
    held_webhooks=20,
    rounds=2,
    install_old_sdk=False,
    quick=True,
)


@dataclasses.dataclass(frozen=True)
class Row:
    """One line of the table. ``higher_is_better`` flips the meaning of the ratio (throughput)."""

    number: str
    what: str
    sdk: str
    baseline: str
    ratio: float | None = None
    target: float | None = None
    higher_is_better: bool = False
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.ratio is None or self.target is None:
            return "report"
        met = self.ratio >= self.target if self.higher_is_better else self.ratio <= self.target
        return "PASS" if met else "MISS"

    def cells(self) -> list[str]:
        ratio = "-" if self.ratio is None else f"{self.ratio:.2f}x"
        target = "-" if self.target is None else f"{'>=' if self.higher_is_better else '<='} {self.target:g}x"
        return [self.number, self.what, self.sdk, self.baseline, ratio, target, self.verdict]


@dataclasses.dataclass(frozen=True)
class Scaling:
    """How a cost grows with a size: one small table in the output and one picture on the performance page.

    ``lines`` maps a name (``"SDK"``, ``"raw httpx"``) to one figure per size in ``sizes``, in ``unit``. When
    ``flat`` names a line, that line must not grow with the size: its figure at the largest size may be at most
    ``limit`` times its smallest figure (give per-item costs, per-KiB costs or the cost of one page, so that
    "flat" is what a good implementation shows). ``higher_is_better`` marks throughputs, which are reported only.
    """

    key: str  # names the picture: docs/img/bench-<key>.svg
    title: str
    size_name: str  # what the sizes count: "webhooks", "body size", "deliveries in the log"
    sizes: tuple[int, ...]
    unit: str
    lines: dict[str, tuple[float, ...]]
    flat: str | None = None
    limit: float = 1.5
    higher_is_better: bool = False
    note: str = ""

    @property
    def growth(self) -> float | None:
        """The flat line's figure at the largest size over its smallest figure."""
        if self.flat is None:
            return None
        figures = self.lines[self.flat]
        return figures[-1] / min(figures)

    @property
    def verdict(self) -> str:
        growth = self.growth
        if growth is None:
            return "report"
        return "PASS" if growth <= self.limit else "MISS"

    def table(self) -> str:
        """A Markdown table: one row per size, one column per line, then the growth and its limit."""
        header = [self.size_name, *(f"{name} ({self.unit})" for name in self.lines)]
        body = [
            [f"{size:,}", *(_figure(figures[i]) for figures in self.lines.values())]
            for i, size in enumerate(self.sizes)
        ]
        lines = [f"**{self.title}**", "", *_markdown([header, *body])]
        if self.flat is not None:
            growth = f"{self.flat}: largest / smallest {self.growth:.2f}x"
            lines += ["", f"{growth}, target <= {self.limit:g}x: {self.verdict}"]
        if self.note:
            lines += ["", self.note]
        return "\n".join(lines)


def _figure(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.3g}"


def _markdown(lines: list[list[str]]) -> list[str]:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]

    def fmt(cells: list[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    return [fmt(lines[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *(fmt(c) for c in lines[1:])]


HEADER = ["#", "what", "SDK (median)", "baseline (median)", "ratio", "target", "result"]


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table, followed by their notes."""
    out = _markdown([HEADER, *(row.cells() for row in rows)])
    notes = [f"{row.number}: {row.note}" for row in rows if row.note]
    return "\n".join(out + (["", *notes] if notes else []))


def timed(work: Callable[[], object]) -> float:
    """Seconds ``work`` took."""
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def compare(sdk: Callable[[], object], baseline: Callable[[], object], rounds: int) -> tuple[float, float]:
    """Median seconds of ``sdk`` and of ``baseline``, alternated round by round after one warm-up of each.

    Alternating spreads drift (CPU frequency, other processes) evenly over both sides.
    """
    sdk()
    baseline()
    sdk_times: list[float] = []
    base_times: list[float] = []
    for _ in range(rounds):
        base_times.append(timed(baseline))
        sdk_times.append(timed(sdk))
    return statistics.median(sdk_times), statistics.median(base_times)


def median_time(work: Callable[[], object], rounds: int) -> float:
    """Median seconds of ``work`` over ``rounds`` rounds, after one warm-up."""
    work()
    return statistics.median(timed(work) for _ in range(rounds))


def micros(seconds: float) -> str:
    """A duration for the table."""
    return f"{seconds * 1e6:,.0f} us" if seconds < 0.01 else f"{seconds * 1e3:,.1f} ms"


@dataclasses.dataclass(frozen=True)
class Child:
    """A server process started by `background`."""

    port: int
    pid: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def peak_rss_kib(self) -> int:
        """The process's peak resident set so far (Linux), in KiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        raise RuntimeError("no VmHWM line in /proc/<pid>/status")


@contextlib.contextmanager
def background(*args: str) -> Iterator[Child]:
    """Run ``python -m <args>`` until the block ends; it must print its port first.

    The child stops when its standard input closes, so it cannot outlive the benchmark.
    """
    process = subprocess.Popen(  # noqa: S603 - our own interpreter running our own module
        [sys.executable, "-m", *args], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        if not first:
            raise RuntimeError(f"python -m {' '.join(args)} exited before it was ready")
        yield Child(int(first), process.pid)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_python(python: str, *args: str, timeout: float = 300, env: dict[str, str] | None = None) -> str:
    """Run an interpreter to completion and return what it printed; fail loudly if it failed."""
    done = subprocess.run(  # noqa: S603 - interpreters and scripts of this repository
        [python, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False, env=env
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed with exit code {done.returncode}:\n{done.stderr[-2000:]}")
    return done.stdout
