"""Building many objects at once without the cyclic garbage collector walking them again and again. No I/O.

A collection runs whenever enough container objects have been allocated: decoding a list of a thousand webhooks
and making a `Webhook` of each starts several, and each one walks every object built so far, all of which are
still reachable, so none can be freed. Objects that live through two collections are promoted to the oldest
generation, whose full collections walk the whole heap. Held back until the build is over, the collector meets
each object at most once; and not at all when the caller drops the list before the next collection.
"""

from __future__ import annotations

import gc
from types import TracebackType

__all__ = ["acyclic_build"]


class _AcyclicBuild:
    """See `acyclic_build`."""

    __slots__ = ("_held",)

    def __enter__(self) -> None:
        # Only the build that disabled the collector enables it again: a nested build, another thread's, or a
        # program that runs with the collector off, leaves it as it was.
        self._held = gc.isenabled()
        if self._held:
            gc.disable()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._held:
            gc.enable()


def acyclic_build() -> _AcyclicBuild:
    """Hold automatic garbage collection back while the ``with`` block builds objects that form no cycle.

    For synchronous code only (never across an ``await``, where other tasks would run with it held), and only
    around work that makes nothing but the objects it returns (decoded JSON, one object per item): garbage
    collection is for cycles, and such a build makes none. The collector is enabled again on the way out,
    whatever happens inside, and collects at the next allocation once enough objects have built up.
    """
    return _AcyclicBuild()
