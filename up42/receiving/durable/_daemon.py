"""`DaemonThreads`: an executor for calls that may never return, which the interpreter does not wait for at exit.

A `ThreadPoolExecutor` joins its threads when the interpreter exits, and ``asyncio.to_thread`` runs on one; so a
plain-function handler stuck in ``time.sleep(3600)`` or a dead socket would hold a worker process that was asked to
stop. Here each call gets a daemon thread of its own: abandoned, it dies with the process. The executor counts the
calls its caller gave up on that still run, so that they can be bounded.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

__all__ = ["DaemonThreads"]

P = ParamSpec("P")
T = TypeVar("T")


class DaemonThreads(concurrent.futures.ThreadPoolExecutor):
    """Runs each submitted call in a new daemon thread.

    A `ThreadPoolExecutor` by type only, because ``loop.set_default_executor`` accepts nothing else; its pool is
    never used. A call cannot be stopped once it runs: cancelling its future only drops the result.
    """

    def __init__(self, name: str = "up42-handler") -> None:
        super().__init__(max_workers=1, thread_name_prefix=name)
        self._name = name
        self._abandoned: set[concurrent.futures.Future[Any]] = set()
        self._abandoned_lock = threading.Lock()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> concurrent.futures.Future[T]:
        """Start `fn` in a daemon thread; its future has its result or its exception."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def call() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as error:  # as ThreadPoolExecutor does: the awaiting side decides what to raise
                future.set_exception(error)
            else:
                future.set_result(result)

        threading.Thread(target=call, name=self._name, daemon=True).start()
        return future

    def abandon(self, future: concurrent.futures.Future[Any]) -> None:
        """Count the call of `future`, which nobody waits for any more, among `abandoned` until it returns."""
        with self._abandoned_lock:
            if future.done():
                return
            self._abandoned.add(future)
        # Called at once when the call has returned since: it is never counted for long.
        future.add_done_callback(self._forget)

    @property
    def abandoned(self) -> int:
        """How many abandoned calls still run."""
        with self._abandoned_lock:
            return len(self._abandoned)

    def _forget(self, future: concurrent.futures.Future[Any]) -> None:
        with self._abandoned_lock:
            self._abandoned.discard(future)
