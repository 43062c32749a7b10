"""How long to wait before trying again: one exponential schedule for every retry loop. The standard library only.

The client's retries, the sandbox's redeliveries and the worker's retries of a failed handler each pass their own
first wait, growth factor and cap; the client adds its jitter on top.
"""

from __future__ import annotations


def backoff(retry: int, *, first: float, cap: float, factor: float = 2.0) -> float:
    """The wait before retry number ``retry`` (0 for the first): ``first * factor ** retry``, at most ``cap``."""
    try:
        return min(cap, first * factor**retry)
    except OverflowError:  # factor ** retry is past the largest float: any first wait but none outgrows the cap
        return cap if first else 0.0
