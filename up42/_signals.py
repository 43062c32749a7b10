"""`StopSignals`: SIGINT and SIGTERM as a request to stop that a long-running command acts on when it chooses.

Python's own SIGINT handler raises ``KeyboardInterrupt`` wherever the main thread happens to be: inside an import,
inside asyncio's setting up of a loop, or inside a ``__del__``, where Python prints the exception and drops it. A
server that is starting has many such places, and one dropped interrupt leaves it serving after a Ctrl+C. While a
`StopSignals` is installed, the two signals only count; the server checks the count where stopping is safe.

Installed inside another one (a command that guards its whole start, then a server that guards its run), it
carries the outer count over, so a signal that came before the inner one took over is not lost.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any, Self

__all__ = ["StopSignals"]

SIGNALS = (signal.SIGINT, signal.SIGTERM)

Listener = Callable[[int], object]
"""Called with the number of stop signals received so far (1 asks to stop, 2 or more insists)."""


class StopSignals:
    """While entered in the main thread, SIGINT and SIGTERM are counted and passed to the listeners, never raised.

    Entered in another thread it installs nothing (signals reach only the main thread): it never counts.

    Args:
        signals: The signals to hold (SIGINT alone leaves SIGTERM its default: ending the process at once).
    """

    def __init__(self, signals: tuple[signal.Signals, ...] = SIGNALS) -> None:
        self.count = 0
        self._signals = signals
        self._listeners: list[Listener] = []
        self._previous: dict[int, Any] = {}

    @property
    def requested(self) -> bool:
        """Whether a stop signal came since this was entered (or before, to a holder this one is nested in)."""
        return self.count > 0

    def on_signal(self, listener: Listener) -> None:
        """Call ``listener`` on every further stop signal, and at once when one already came."""
        self._listeners.append(listener)
        if self.count:
            listener(self.count)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        # Runs in the main thread between two of its steps, so the count needs no lock.
        self.count += 1
        for listener in list(self._listeners):
            listener(self.count)

    def __enter__(self) -> Self:
        if threading.current_thread() is threading.main_thread():
            # Installed first, then the outer count read: from here on no signal reaches the outer handler, and
            # every one it received is already counted (handlers run in this thread, between two of its steps).
            # One may reach this holder's handler before the outer count is read, so that count is added to this
            # one, never put in its place: replacing it would lose that signal and leave a server serving.
            self._previous = {sig: signal.signal(sig, self._handle) for sig in self._signals}
            outer = [handler.__self__ for handler in self._previous.values() if _is_holder(handler)]
            self.count += max((holder.count for holder in outer), default=0)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous = {}


def _is_holder(handler: object) -> bool:
    """Whether a signal handler is a `StopSignals`' own."""
    return isinstance(getattr(handler, "__self__", None), StopSignals)
