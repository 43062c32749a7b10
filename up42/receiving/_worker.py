"""`Worker`: take messages from an inbox and run their handlers, at least once, whatever the backend.

One loop for every backend: take as many messages as there are free slots, run each one's handlers in a task
(coroutine handlers in the loop, plain functions in a daemon thread), each within a timeout, renew the leases of
all held messages every third of a lease, then settle each message: done, back to pending after an exponential
backoff, or failed once it has used its attempts. A worker that dies holds nothing for long: its leases run out
and another worker takes them, or fails them if they had their attempts. A worker asked to stop holds nothing at
all: it cancels the handlers still running, gives their messages back at once, and returns without waiting for a
handler that ignores the cancellation or a thread that cannot be stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import logging
import os
import secrets
import signal
import socket
import threading
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from ..errors import InvalidArgumentError
from ._daemon import DaemonThreads
from ._dedupe import check_positive
from ._events import WebhookEvent, parse
from ._inbox import DEFAULT_RETENTION, Inbox, Taken

__all__ = ["DEFAULT_HANDLER_TIMEOUT", "DEFAULT_MAX_ATTEMPTS", "DEFAULT_WORKER_LEASE", "HandlerLookup", "Worker"]

logger = logging.getLogger("up42")

HandlerLookup = Callable[[str], Sequence[Callable[[WebhookEvent], Any]]]
"""Given an event name, the handlers to run for it (a `Receiver`'s registrations)."""

DEFAULT_WORKER_LEASE = 30.0
DEFAULT_HANDLER_TIMEOUT = 300.0
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_BACKOFF = 1.0
DEFAULT_MAX_BACKOFF = 600.0
PRUNE_EVERY = 600.0
"""Seconds between two prunings of done messages by one worker."""
ERROR_CHARS = 8000
"""How much of a handler's traceback the inbox keeps (its end, where the error is)."""


def handler_name(handler: Callable[..., Any]) -> str:
    """How logs and errors name a handler."""
    return getattr(handler, "__qualname__", None) or repr(handler)


class Worker:
    """Runs a receiver's handlers for the messages of an inbox until `stop` (or SIGTERM in `serve`).

    Args:
        inbox: Where the messages are.
        handlers: The handlers for an event name.
        concurrency: Messages handled at once by this worker.
        lease: Seconds a taken message stays this worker's without renewal; renewed every third of it while the
            handlers run. After a crash the message waits this long before another worker takes it.
        timeout: Seconds one handler may run on one message; a handler still running then fails that attempt
            (retried like any failure). A coroutine is cancelled; a plain function cannot be stopped, so it runs
            on in its thread and what it returns is dropped.
        max_attempts: Attempts before a message is failed. An attempt cut short by a crash counts: a message whose
            worker died on its last attempt is failed when another worker would take it.
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
        timeout: float = DEFAULT_HANDLER_TIMEOUT,
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
        self.timeout = check_positive(timeout, "timeout")
        self.max_attempts = max_attempts
        self.backoff = check_positive(backoff, "backoff")
        self.max_backoff = check_positive(max_backoff, "max_backoff")
        self.retention = check_positive(retention, "retention")
        self.poll = check_positive(poll, "poll")
        self._handlers = handlers
        # The lease owner: host and process say who holds what; the random tail tells apart a restarted process.
        self.name = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        # The messages whose handlers run now: renewed while they run, given back if the worker stops. A message
        # leaves it when its handlers end, before it is settled.
        self._held: dict[str, Taken] = {}
        self._threads = DaemonThreads()
        self._stop_requested = False
        self._stopping: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"Worker(name={self.name!r}, inbox={self.inbox!r}, concurrency={self.concurrency})"

    def stop(self) -> None:
        """Ask `run` to return soon, whatever its handlers do. Callable from any thread, also before `run` starts.

        `run` takes nothing more, cancels the handlers still running and gives their messages back to pending at
        once (that attempt not counted), lets the messages already being settled finish, and returns without
        waiting for a handler that ignores its cancellation or runs on in its thread.
        """
        self._stop_requested = True  # read by a `run` that has not started yet
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: `run` has returned
                loop.call_soon_threadsafe(stopping.set)

    def serve(self) -> None:
        """Run in a new event loop until SIGTERM or SIGINT (when called in the main thread) or `stop`.

        Nothing a handler left behind holds the return, nor the exit of the process: the loop's default executor
        (``asyncio.to_thread``) runs on daemon threads, and tasks that ignored their cancellation are dropped with
        the loop.
        """
        loop = asyncio.new_event_loop()
        loop.set_default_executor(self._threads)
        asyncio.set_event_loop(loop)
        signals = (signal.SIGTERM, signal.SIGINT) if threading.current_thread() is threading.main_thread() else ()
        try:
            for sig in signals:
                loop.add_signal_handler(sig, self.stop)
            loop.run_until_complete(self.run())
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            for sig in signals:
                loop.remove_signal_handler(sig)
            asyncio.set_event_loop(None)
            abandoned = asyncio.all_tasks(loop)
            if abandoned:
                logger.warning(
                    "worker %s abandons %d handler(s) ignoring their cancellation", self.name, len(abandoned)
                )
            # Said once above; asyncio would otherwise report each of them as destroyed while pending.
            loop.set_exception_handler(_unless_abandoned)
            loop.close()

    async def run(self) -> None:
        """Take and handle messages until `stop`; then give back the messages whose handlers still run."""
        self._loop = asyncio.get_running_loop()
        self._stopping = stopping = asyncio.Event()
        if self._stop_requested:
            stopping.set()
        running: dict[asyncio.Task[None], Taken] = {}
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
                    taken = await asyncio.to_thread(self.inbox.take, self.name, self.lease, free, self.max_attempts)
                except Exception:
                    logger.exception("could not take messages from %r; trying again", self.inbox)
                    await _pause(stopping, max(self.poll, 1.0))
                    continue
                for message in taken:
                    # Held before the task starts, so the renewer covers it from the first moment.
                    self._held[message.message_id] = message
                    task = asyncio.create_task(self._process(message))
                    running[task] = message
                    task.add_done_callback(running.pop)
                if not taken:
                    await _pause(stopping, self.poll)
        finally:
            renewer.cancel()
            await self._withdraw(running)
            self._stop_requested = False
            logger.info("worker %s stopped", self.name)

    async def _withdraw(self, running: dict[asyncio.Task[None], Taken]) -> None:
        """Cancel the handlers still running and give their messages back; let the settling messages finish."""
        withdrawn = [message for message in running.values() if self._held.get(message.message_id) is message]
        self._held.clear()
        for task, message in running.items():
            if message in withdrawn:
                task.cancel()
        if withdrawn:
            logger.info("worker %s gives %d running message(s) back to pending", self.name, len(withdrawn))
            await asyncio.to_thread(self._release, withdrawn)
        # Prompt: a cancelled task stops waiting for its handler at once, whatever the handler does.
        await asyncio.gather(*running, return_exceptions=True)

    def _release(self, messages: Sequence[Taken]) -> None:
        for message in messages:
            self._settle("give back", message, self.inbox.release, message, self.name)

    async def _process(self, message: Taken) -> None:
        try:
            note = await self._run_handlers(message)
        except Exception as error:
            self._held.pop(message.message_id, None)
            await asyncio.to_thread(self._settle_failure, message, error)
        else:
            self._held.pop(message.message_id, None)
            await asyncio.to_thread(self._settle, "complete", message, self.inbox.complete, message, self.name, note)

    async def _run_handlers(self, message: Taken) -> str | None:
        """Run the message's handlers one after the other, each within the timeout; a note when there are none."""
        event = parse(message.body)
        handlers = self._handlers(event.event)
        if not handlers:
            logger.warning(
                "no handler for %s events, message %s: marked done without running anything",
                event.event,
                message.message_id,
            )
            return f"no handler for {event.event} events: done without running anything (worker {self.name})"
        for handler in handlers:
            if not await _finished_within(self._call(handler, event), self.timeout):
                raise TimeoutError(f"handler {handler_name(handler)} timed out after {self.timeout:g} s")
        return None

    async def _call(self, handler: Callable[[WebhookEvent], Any], event: WebhookEvent) -> None:
        if inspect.iscoroutinefunction(handler):
            result = handler(event)
        else:
            # A daemon thread of its own, so a handler that never returns cannot hold the process at exit.
            context = contextvars.copy_context()
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(self._threads, context.run, handler, event)
        if inspect.isawaitable(result):
            await result

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
            pruned = await asyncio.to_thread(self.inbox.prune, self.retention)
        except Exception:
            logger.exception("could not prune done messages from %r", self.inbox)
            return
        if pruned:
            logger.info("pruned %d done message(s) older than %g s", pruned, self.retention)


def _unless_abandoned(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The loop's default exception handling, except for a task destroyed while pending (one that was abandoned)."""
    task = context.get("task")
    if isinstance(task, asyncio.Task) and not task.done():
        return
    loop.default_exception_handler(context)


async def _pause(stopping: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)


async def _finished_within(call: Awaitable[None], seconds: float) -> bool:
    """Await `call` for at most `seconds`; False when it ran longer.

    The call runs in a task of its own, cancelled (on a timeout, or when the caller is cancelled) but never
    waited for: a coroutine that ignores its cancellation, or a thread that cannot be stopped, runs on unattended.
    """
    task = asyncio.ensure_future(call)
    try:
        done, _ = await asyncio.wait({task}, timeout=seconds)
    finally:
        task.cancel()
    if done:
        task.result()
    return bool(done)


async def _until_one_ends(stopping: asyncio.Event, running: dict[asyncio.Task[None], Taken]) -> None:
    waiting = asyncio.create_task(stopping.wait())
    try:
        await asyncio.wait({*running, waiting}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()
