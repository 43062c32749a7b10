"""``python -m benchmarks [--quick] [--only GROUP ...] [--docs PAGE]``: measure every row and print the tables.

Each figure is the SDK's median next to a baseline's median measured in the same run on loopback; the ratio is
what the targets are about, since absolute times vary from machine to machine.
"""

from __future__ import annotations

import argparse
import platform
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks import _report as report
from benchmarks import client, fanout, inbox, old_sdk, receiving, sandbox, startup
from benchmarks._harness import QUICK, Row, Scaling, Sizes, table

GROUPS: dict[str, Callable[[Sizes], Sequence[Row | Scaling]]] = {
    "client": client.rows,
    "fanout": fanout.rows,
    "startup": startup.rows,
    "receiving": receiving.rows,
    "inbox": inbox.rows,
    "sandbox": sandbox.rows,
    "old-sdk": old_sdk.rows,
}


def _order(row: Row) -> tuple[int, str]:
    """Numbered rows by their number (2 before 10), then the memory rows."""
    number = re.match(r"[0-9]+", row.number)
    return (int(number.group()), row.number) if number else (10**6, row.number)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks that every row runs, measures nothing")
    parser.add_argument("--only", action="append", choices=sorted(GROUPS), help="run only these groups")
    parser.add_argument(
        "--docs",
        metavar="PAGE",
        type=Path,
        help="also write the results into PAGE's results section and the pictures into img/ beside it",
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else Sizes()
    print(f"Python {platform.python_version()} on {platform.machine()}, {'quick' if args.quick else 'full'} sizes")
    results: list[Row | Scaling] = []
    for name in args.only or list(GROUPS):
        print(f"... {name}", file=sys.stderr, flush=True)
        results.extend(GROUPS[name](sizes))
    rows = sorted((result for result in results if isinstance(result, Row)), key=_order)
    scalings = [result for result in results if isinstance(result, Scaling)]
    print(table(rows))
    for scaling in scalings:
        print()
        print(scaling.table())
    if args.docs is not None:
        command = " ".join(["python -m benchmarks", *(argv if argv is not None else sys.argv[1:])])
        report.write(args.docs, rows, scalings, command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
