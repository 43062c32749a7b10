"""What a worker does beside its event loop, so that a handler that blocks the loop cannot stop it.

A coroutine handler that calls ``time.sleep``, loops on the CPU or waits in a blocking call holds the event loop:
nothing scheduled on it runs, neither the handlers' timeouts nor the callbacks of ``loop.add_signal_handler``. So:

- `Watchdog`, a thread, posts a callback to the loop on every tick to learn whether the loop still runs. Once the
  loop has left one unanswered for `LOOP_GRACE` seconds, it asks the worker what to do and ends the process with
  the status it gets: nothing else stops a handler that holds the loop. (The leases are renewed meanwhile by a
  thread of their own, the `Renewer` every holder of leases uses.)
- `stop_signals` hears SIGTERM and SIGINT in a thread of their own, through ``signal.set_wakeup_fd``: the
  interpreter's C-level handler writes the signal there at once, while the Python-level handlers run only when
  the main thread gets back to Python code, which a handler blocked in a C call may not do for hours.

Neither helps against a handler that holds the interpreter lock (a long call into C code that does not release
it): no Python thread runs until that call returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from types import FrameType

__all__ = ["LOOP_GRACE", "Watchdog", "stop_signals"]

LOOP_GRACE = 5.0
"""Seconds the event loop may leave the watchdog's callback unanswered before the worker is asked what to do."""
TICK = 0.25
"""Seconds between two looks of the watchdog."""
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Watchdog:
    """A daemon thread that ends the process of a worker whose event loop stops running. For a worker that owns it.

    Args:
        loop_blocked: Called on each tick once the loop has been silent for `LOOP_GRACE` seconds; returns the
            status to end the process with (after it gave the messages back), or None to wait on.
    """

    def __init__(self, loop_blocked: Callable[[], int | None]) -> None:
        self._loop_blocked = loop_blocked
        self._halt = threading.Event()
        self._answered = threading.Event()

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start watching `loop`, the one the worker runs in."""
        threading.Thread(target=self._watch, args=(loop,), name="up42-watchdog", daemon=True).start()

    def halt(self) -> None:
        """Stop watching (the thread ends within a tick); harmless when it never started."""
        self._halt.set()

    def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        # Ticks this thread ran through while the loop left its callback unanswered: a pause of the whole process
        # (a frozen machine) counts once, so it is not taken for a blocked loop.
        silent = 0
        self._answered.set()
        while not self._halt.wait(TICK):
            if self._answered.is_set():
                silent = 0
                self._answered.clear()
                with contextlib.suppress(RuntimeError):  # the loop has closed; halt comes next
                    loop.call_soon_threadsafe(self._answered.set)
            else:
                silent += 1
            if silent * TICK >= LOOP_GRACE:
                status = self._loop_blocked()
                if status is not None:
                    os._exit(status)


@contextlib.contextmanager
def stop_signals(stop: Callable[[], None]) -> Iterator[None]:
    """While inside, SIGTERM and SIGINT call `stop` from a thread of their own. Main thread only.

    The previous handlers and wakeup fd are put back on the way out.
    """
    reader, writer = socket.socketpair()
    writer.setblocking(False)  # as set_wakeup_fd requires

    def listen() -> None:
        # Each byte is a signal's number; the writer's closing ends the loop.
        while received := reader.recv(64):
            if any(number in STOP_SIGNALS for number in received):
                stop()

    listener = threading.Thread(target=listen, name="up42-signals", daemon=True)
    listener.start()
    # The Python-level handler only keeps the default action (ending the process, KeyboardInterrupt) away.
    previous = {number: signal.signal(number, _ignore) for number in STOP_SIGNALS}
    previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous_fd)
        for number, handler in previous.items():
            if handler is not None:  # None: set outside Python, which cannot be put back from here
                signal.signal(number, handler)
        writer.close()
        listener.join()
        reader.close()


def _ignore(number: int, frame: FrameType | None) -> None:
    """The Python-level handler: the signal is handled by `stop_signals`'s thread."""
