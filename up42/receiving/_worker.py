"""`Worker`: take messages from an inbox and run their handlers, at least once, whatever the backend.

One loop for every backend: take as many messages as there are free slots, run each one's handlers in a task
(coroutine handlers in the loop, plain functions in a thread), renew the leases of all held messages every third
of a lease, then settle each message: done, back to pending after an exponential backoff, or failed once it has
used its attempts. A worker that dies holds nothing for long: its leases run out and another worker takes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
import secrets
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import InvalidArgumentError
from ._dedupe import check_positive
from ._events import WebhookEvent, parse
from ._inbox import DEFAULT_RETENTION, Inbox, Taken

__all__ = ["DEFAULT_MAX_ATTEMPTS", "DEFAULT_WORKER_LEASE", "HandlerLookup", "Worker"]

logger = logging.getLogger("up42")

HandlerLookup = Callable[[str], Sequence[Callable[[WebhookEvent], Any]]]
"""Given an event name, the handlers to run for it (a `Receiver`'s registrations)."""

DEFAULT_WORKER_LEASE = 30.0
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_BACKOFF = 1.0
DEFAULT_MAX_BACKOFF = 600.0
PRUNE_EVERY = 600.0
"""Seconds between two prunings of done messages by one worker."""
ERROR_CHARS = 8000
"""How much of a handler's traceback the inbox keeps (its end, where the error is)."""


class Worker:
    """Runs a receiver's handlers for the messages of an inbox until `stop` (or SIGTERM in `serve`).

    Args:
        inbox: Where the messages are.
        handlers: The handlers for an event name.
        concurrency: Messages handled at once by this worker.
        lease: Seconds a taken message stays this worker's without renewal; renewed every third of it while the
            handlers run. After a crash the message waits this long before another worker takes it.
        max_attempts: Attempts before a message is failed (an attempt cut short by a crash counts).
        backoff: Seconds before the first retry; each further retry waits twice as long, at most `max_backoff`.
        max_backoff: The longest wait between two attempts.
        retention: Seconds a done message is kept before it is pruned.
        poll: Seconds to wait before looking again when the inbox had nothing to take.
    """

    def __init__(
        self,
        inbox: Inbox,
        handlers: HandlerLookup,
        *,
        concurrency: int = 4,
        lease: float = DEFAULT_WORKER_LEASE,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        backoff: float = DEFAULT_BACKOFF,
        max_backoff: float = DEFAULT_MAX_BACKOFF,
        retention: float = DEFAULT_RETENTION,
        poll: float = 0.1,
    ) -> None:
        for name, count in (("concurrency", concurrency), ("max_attempts", max_attempts)):
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise InvalidArgumentError(f"{name} must be a whole number of at least 1")
        self.inbox = inbox
        self.concurrency = concurrency
        self.lease = check_positive(lease, "lease")
        self.max_attempts = max_attempts
        self.backoff = check_positive(backoff, "backoff")
        self.max_backoff = check_positive(max_backoff, "max_backoff")
        self.retention = check_positive(retention, "retention")
        self.poll = check_positive(poll, "poll")
        self._handlers = handlers
        # The lease owner: host and process say who holds what; the random tail tells apart a restarted process.
        self.name = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self._held: dict[str, Taken] = {}
        self._stopping: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"Worker(name={self.name!r}, inbox={self.inbox!r}, concurrency={self.concurrency})"

    def stop(self) -> None:
        """Ask `run` to take nothing more and return once the running handlers are done. Callable from any thread."""
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)

    def serve(self) -> None:
        """Run in a new event loop until SIGTERM or SIGINT (when called in the main thread) or `stop`."""

        async def main() -> None:
            if threading.current_thread() is threading.main_thread():
                loop = asyncio.get_running_loop()
                for sig in (signal.SIGTERM, signal.SIGINT):
                    loop.add_signal_handler(sig, self.stop)
            await self.run()

        asyncio.run(main())

    async def run(self) -> None:
        """Take and handle messages until `stop`; then let the running handlers finish and settle."""
        self._loop = asyncio.get_running_loop()
        self._stopping = stopping = asyncio.Event()
        running: set[asyncio.Task[None]] = set()
        renewer = asyncio.create_task(self._renew_forever())
        next_prune = 0.0
        logger.info("worker %s started on %r", self.name, self.inbox)
        try:
            while not stopping.is_set():
                if time.monotonic() >= next_prune:
                    await self._prune()
                    next_prune = time.monotonic() + PRUNE_EVERY
                free = self.concurrency - len(running)
                if not free:
                    await _until_one_ends(stopping, running)
                    continue
                try:
                    taken = await asyncio.to_thread(self.inbox.take, self.name, self.lease, free)
                except Exception:
                    logger.exception("could not take messages from %r; trying again", self.inbox)
                    await _pause(stopping, max(self.poll, 1.0))
                    continue
                for message in taken:
                    # Held before the task starts, so the renewer covers it from the first moment.
                    self._held[message.message_id] = message
                    task = asyncio.create_task(self._process(message))
                    running.add(task)
                    task.add_done_callback(running.discard)
                if not taken:
                    await _pause(stopping, self.poll)
        finally:
            if running:
                logger.info("worker %s waits for %d running message(s)", self.name, len(running))
                await asyncio.gather(*running, return_exceptions=True)
            renewer.cancel()
            logger.info("worker %s stopped", self.name)

    async def _process(self, message: Taken) -> None:
        try:
            try:
                event = parse(message.body)
                for handler in self._handlers(event.event):
                    result = (
                        handler(event)
                        if inspect.iscoroutinefunction(handler)
                        else await asyncio.to_thread(handler, event)
                    )
                    if inspect.isawaitable(result):
                        await result
            except Exception as error:
                await asyncio.to_thread(self._settle_failure, message, error)
            else:
                await asyncio.to_thread(self._settle, "complete", message, self.inbox.complete, message, self.name)
        finally:
            self._held.pop(message.message_id, None)

    def _settle_failure(self, message: Taken, error: Exception) -> None:
        text = "".join(traceback.format_exception(error))[-ERROR_CHARS:]
        if message.attempts >= self.max_attempts:
            logger.error("message %s failed after %d attempt(s)", message.message_id, message.attempts, exc_info=error)
            self._settle("fail", message, self.inbox.fail, message, self.name, text)
            return
        delay = min(self.backoff * 2 ** (message.attempts - 1), self.max_backoff)
        logger.warning(
            "a handler failed on message %s (attempt %d of %d); retrying in %g s",
            message.message_id,
            message.attempts,
            self.max_attempts,
            delay,
            exc_info=error,
        )
        self._settle("retry", message, self.inbox.retry, message, self.name, text, delay)

    @staticmethod
    def _settle(what: str, message: Taken, write: Callable[..., bool], *args: Any) -> None:
        try:
            held = write(*args)
        except Exception:
            # Not lost: the lease runs out and the message is taken again.
            logger.exception(
                "could not %s message %s; it is taken again once its lease runs out", what, message.message_id
            )
            return
        if not held:
            logger.warning(
                "the lease on message %s ran out while its handlers ran; another worker may have run them too",
                message.message_id,
            )

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.lease / 3)
            held = list(self._held.values())
            if not held:
                continue
            try:
                kept = await asyncio.to_thread(self.inbox.renew, held, self.name, self.lease)
            except Exception:
                # The next round tries again; a lease renewed every third of it survives two failed rounds.
                logger.exception("could not renew the leases of worker %s", self.name)
                continue
            for message, still in zip(held, kept, strict=True):
                if not still and self._held.pop(message.message_id, None) is not None:
                    logger.warning("lost the lease on message %s to another worker", message.message_id)

    async def _prune(self) -> None:
        try:
            pruned = await asyncio.to_thread(self.inbox.prune, time.time() - self.retention)
        except Exception:
            logger.exception("could not prune done messages from %r", self.inbox)
            return
        if pruned:
            logger.info("pruned %d done message(s) older than %g s", pruned, self.retention)


async def _pause(stopping: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)


async def _until_one_ends(stopping: asyncio.Event, running: set[asyncio.Task[None]]) -> None:
    waiting = asyncio.create_task(stopping.wait())
    try:
        await asyncio.wait({*running, waiting}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()
