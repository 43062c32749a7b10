"""`Worker`: take messages from an inbox and run their handlers, at least once, whatever the backend.

One loop for every backend: take as many messages as there are free slots, run each one's handlers in a task
(coroutine handlers in the loop, plain functions in a daemon thread), each within a timeout, then settle each
message: done, back to pending after an exponential backoff, or failed once it has used its attempts. A plain
function that runs past its timeout cannot be stopped: its thread keeps its slot until it returns. The inbox is
read and written on a small thread pool of its own.

Beside the loop, a `Renewer` thread renews the leases of all held messages every third of a lease, so a handler
that blocks the loop does not lose its message to another worker. A worker that dies holds nothing for long: its
leases run out and another worker takes them, or fails them if they had their attempts. A worker asked to stop
holds nothing at all: it cancels the handlers still running, gives their messages back at once, and returns
without waiting for a handler that ignores the cancellation or a thread that cannot be stopped. When a handler
blocks the loop, a worker that owns its process (`serve` in the main thread) ends the process instead, once a stop
was asked for or a handler ran past its timeout: a `Watchdog` thread sees the loop stand still.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import dataclasses
import functools
import logging
import math
import os
import secrets
import socket
import threading
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from ..._backoff import backoff
from ..._checks import check_positive, is_whole
from ..._text import one_line
from ...errors import InvalidArgumentError
from .._events import WebhookEvent, parse
from .._handlers import Handler, call_handler, handler_name, run_handlers
from ._daemon import DaemonThreads
from ._inbox import DEFAULT_RETENTION, Inbox, Taken, WakesWorkers
from ._leases import Renewer
from ._watchdog import LOOP_GRACE, Watchdog, stop_signals

__all__ = ["DEFAULT_HANDLER_TIMEOUT", "DEFAULT_MAX_ATTEMPTS", "DEFAULT_WORKER_LEASE", "HandlerLookup", "Worker"]

logger = logging.getLogger("up42")

T = TypeVar("T")

HandlerLookup = Callable[[str], Sequence[Callable[[WebhookEvent], Any]]]
"""Given an event name, the handlers to run for it (a `Receiver`'s registrations)."""

DEFAULT_WORKER_LEASE = 30.0
DEFAULT_HANDLER_TIMEOUT = 300.0
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_BACKOFF = 1.0
DEFAULT_MAX_BACKOFF = 600.0
OUTAGE_BACKOFF = 15.0
"""The longest wait between two takes while the inbox fails (it is down, or unreachable)."""
PRUNE_EVERY = 600.0
"""Seconds between two prunings of done messages by one worker."""
ERROR_CHARS = 8000
"""How much of a handler's traceback the inbox keeps (its end, where the error is)."""


@dataclasses.dataclass(eq=False)
class _Holding:
    """A message whose handlers run, with the handler running now and when it must end (``time.monotonic``)."""

    message: Taken
    handler: str = ""
    deadline: float = math.inf


class Worker:
    """Runs a receiver's handlers for the messages of an inbox until `stop` (or SIGTERM in `serve`).

    Args:
        inbox: Where the messages are.
        handlers: The handlers for an event name.
        concurrency: Messages handled at once by this worker. A plain function that ran past its timeout keeps its
            slot until it returns, so the worker never runs more handler threads than this.
        lease: Seconds a taken message stays this worker's without renewal; renewed every third of it while the
            handlers run. After a crash the message waits this long before another worker takes it.
        timeout: Seconds one handler may run on one message; a handler still running then fails that attempt
            (retried like any failure). A coroutine is cancelled; a plain function cannot be stopped, so it runs
            on in its thread and what it returns is dropped. A coroutine that blocks the event loop cannot be
            cancelled either: see `serve`.
        max_attempts: Attempts before a message is failed. An attempt cut short by a crash counts: a message whose
            worker died on its last attempt is failed when another worker would take it.
        backoff: Seconds before the first retry; each further retry waits twice as long, at most `max_backoff`.
        max_backoff: The longest wait between two attempts.
        retention: Seconds a done message is kept before it is pruned. Nothing here compares it with a receiver's
            de-duplication window: `Receiver.worker` does, and refuses a shorter one.
        poll: Seconds to wait before looking again when the inbox had nothing to take; an inbox that tells its
            workers of a new message (PostgreSQL's) ends the wait at once.
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
            if not is_whole(count) or count < 1:
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
        # leaves it when its handlers end, before it is settled. Shared with the renewer and watchdog threads.
        self._leases: Renewer[Inbox, _Holding] = Renewer(inbox, self.lease, self._renew, self._lost, key=_message_id)
        self._threads = DaemonThreads()
        # Every inbox call ends within the backend's own timeouts, so a plain pool does, unlike the handlers' threads.
        self._io = concurrent.futures.ThreadPoolExecutor(concurrency + 1, thread_name_prefix="up42-inbox")
        self._told_abandoned = 0
        self._failed_renewals = 0  # in a row; only the lease renewer's thread reads and writes it
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
        self._stop_requested = True  # read by a `run` that has not started yet, and by the watchdog
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: `run` has returned
                loop.call_soon_threadsafe(stopping.set)

    def serve(self) -> None:
        """Run in a new event loop until SIGTERM or SIGINT (when called in the main thread) or `stop`.

        Called in the main thread, the worker owns its process, and a handler cannot keep it from stopping unless it
        holds the interpreter lock. A thread hears the signals. When a coroutine handler blocks the event loop
        (``time.sleep``, work on the CPU, a blocking call) so that the loop runs nothing else for 5 seconds, a
        watchdog thread ends the process with ``os._exit``: once a stop was asked for, with status 0, the running
        messages given back to pending; once a handler is past its timeout, with status 1, the messages past their
        timeout failing that attempt and the others given back. Another thread renews the leases meanwhile.

        Nothing a handler left behind holds the return, nor the exit of the process: handler threads and the loop's
        default executor (``asyncio.to_thread`` in a handler) are daemon threads, and tasks that ignored their
        cancellation are dropped with the loop.
        """
        owns_process = threading.current_thread() is threading.main_thread()
        loop = asyncio.new_event_loop()
        loop.set_default_executor(self._threads)
        asyncio.set_event_loop(loop)
        try:
            with stop_signals(self.stop) if owns_process else contextlib.nullcontext():
                loop.run_until_complete(self._run(ends_process=owns_process))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
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
        """Take and handle messages until `stop`; then give back the messages whose handlers still run.

        In a loop of your own, a coroutine handler that blocks the loop cannot be stopped (`serve` ends its process
        instead): the worker keeps renewing its leases from a thread, and waits for it.
        """
        await self._run(ends_process=False)

    async def _run(self, *, ends_process: bool) -> None:
        self._loop = loop = asyncio.get_running_loop()
        self._stopping = stopping = asyncio.Event()
        if self._stop_requested:
            stopping.set()
        running: dict[asyncio.Task[None], _Holding] = {}
        watchdog = Watchdog(self._loop_blocked)
        if ends_process:
            watchdog.start(loop)
        next_prune = 0.0
        failed_takes = 0
        logger.info("worker %s started on %r", self.name, self.inbox)
        try:
            while not stopping.is_set():
                if time.monotonic() >= next_prune:
                    await self._prune()
                    next_prune = time.monotonic() + PRUNE_EVERY
                abandoned = self._threads.abandoned
                free = self.concurrency - len(running) - abandoned
                if free <= 0:
                    self._tell_abandoned(abandoned)
                    # An abandoned thread that returns frees a slot without a task ending: look again after a poll.
                    await _until_one_ends(stopping, running, self.poll if abandoned else None)
                    continue
                self._told_abandoned = 0
                try:
                    taken = await self._in_io(self.inbox.take, self.name, self.lease, free, self.max_attempts)
                except Exception as error:
                    # One line for the outage, not a traceback for each attempt while it lasts.
                    if not failed_takes:
                        logger.error(
                            "could not take messages from %r: %s; trying again, less often while it fails",
                            self.inbox,
                            one_line(error),
                        )
                    failed_takes += 1
                    await _pause(stopping, backoff(failed_takes - 1, first=max(self.poll, 1.0), cap=OUTAGE_BACKOFF))
                    continue
                if failed_takes:
                    logger.warning(
                        "worker %s takes from %r again, after %d failed tries", self.name, self.inbox, failed_takes
                    )
                    failed_takes = 0
                for message in taken:
                    # Held before the task starts, so that its lease is renewed from the first moment.
                    holding = _Holding(message)
                    self._leases.hold(holding)
                    task = asyncio.create_task(self._process(holding))
                    running[task] = holding
                    task.add_done_callback(running.pop)
                if not taken:
                    await self._idle(stopping)
        finally:
            try:
                await self._withdraw(running)
            finally:
                watchdog.halt()
                self._stop_requested = False
                logger.info("worker %s stopped", self.name)

    async def _idle(self, stopping: asyncio.Event) -> None:
        """Wait `poll` seconds before the next take, or less: until a stop, or a put the inbox tells of."""
        if not isinstance(self.inbox, WakesWorkers):
            await _pause(stopping, self.poll)
            return
        started = time.monotonic()
        try:
            await _until_stopped_or(stopping, self._in_io(self.inbox.wait_for_put, self.poll))
        except Exception:
            # The next take meets the failure, if it lasts, and says so; the poll still comes.
            logger.debug("could not wait for new messages in %r", self.inbox, exc_info=True)
            await _pause(stopping, self.poll - (time.monotonic() - started))

    def _tell_abandoned(self, abandoned: int) -> None:
        """Log, once for each count, that threads which ran past their timeout keep the worker from taking more."""
        if abandoned and abandoned != self._told_abandoned:
            logger.warning(
                "worker %s takes no more messages for now: %d handler thread(s) that ran past their timeout still "
                "run, each holding one of its %d slots until it returns",
                self.name,
                abandoned,
                self.concurrency,
            )
        self._told_abandoned = abandoned

    async def _in_io(self, call: Callable[..., T], *args: Any) -> T:
        """`call` on the inbox's thread pool."""
        return await asyncio.get_running_loop().run_in_executor(self._io, call, *args)

    async def _withdraw(self, running: dict[asyncio.Task[None], _Holding]) -> None:
        """Cancel the handlers still running and give their messages back; let the settling messages finish."""
        held = self._leases.drop_all()
        withdrawn = [holding for holding in running.values() if holding in held]
        for task, holding in running.items():
            if holding in withdrawn:
                task.cancel()
        if withdrawn:
            logger.info("worker %s gives %d running message(s) back to pending", self.name, len(withdrawn))
            await self._in_io(self._release, [holding.message for holding in withdrawn])
        # Prompt: a cancelled task stops waiting for its handler at once, whatever the handler does.
        await asyncio.gather(*running, return_exceptions=True)

    def _release(self, messages: Sequence[Taken]) -> None:
        for message in messages:
            self._settle("give back", message, self.inbox.release, message, self.name)

    async def _process(self, holding: _Holding) -> None:
        message, note = holding.message, None
        try:
            event = parse(message.body)
        except Exception as error:
            failure: Exception | None = error
        else:
            handlers = self._handlers(event.event)
            if handlers:
                call = functools.partial(self._call_within_timeout, holding)
                failure = (await run_handlers(event, handlers, call)).error
            else:
                failure, note = None, self._nothing_to_run(event, message)
        self._leases.drop(holding)
        if failure is not None:
            await self._in_io(self._settle_failure, message, failure)
        else:
            await self._in_io(self._settle, "complete", message, self.inbox.complete, message, self.name, note)

    def _nothing_to_run(self, event: WebhookEvent, message: Taken) -> str:
        """Log that no handler is registered for the message's event; the note to mark it done with."""
        logger.warning(
            "no handler for %s events, message %s: marked done without running anything",
            event.event,
            message.message_id,
        )
        return f"no handler for {event.event} events: done without running anything (worker {self.name})"

    async def _call_within_timeout(self, holding: _Holding, handler: Handler, event: WebhookEvent) -> None:
        holding.handler, holding.deadline = handler_name(handler), time.monotonic() + self.timeout
        if not await _finished_within(call_handler(handler, event, self._in_thread), self.timeout):
            raise self._timed_out(holding)

    def _timed_out(self, holding: _Holding, why: str = "") -> TimeoutError:
        return TimeoutError(f"handler {holding.handler} timed out after {self.timeout:g} s{why}")

    async def _in_thread(self, handler: Handler, event: WebhookEvent) -> Any:
        # A daemon thread of its own, so a handler that never returns cannot hold the process at exit.
        future = self._threads.submit(contextvars.copy_context().run, handler, event)
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            # Cut short by the timeout or a stop, the call runs on: it keeps a slot until it returns.
            self._threads.abandon(future)
            raise

    def _settle_failure(self, message: Taken, error: Exception) -> None:
        text = "".join(traceback.format_exception(error))[-ERROR_CHARS:]
        if message.attempts >= self.max_attempts:
            logger.error("message %s failed after %d attempt(s)", message.message_id, message.attempts, exc_info=error)
            self._settle("fail", message, self.inbox.fail, message, self.name, text)
            return
        delay = backoff(message.attempts - 1, first=self.backoff, cap=self.max_backoff)
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
        except Exception as error:
            # Not lost: the lease runs out and the message is taken again. One line, as the inbox is most likely
            # unreachable: the traceback would say nothing more, once per message.
            logger.error(
                "could not %s message %s: %s; it is taken again once its lease runs out",
                what,
                message.message_id,
                one_line(error),
            )
            logger.debug("why the %s of message %s failed", what, message.message_id, exc_info=True)
            return
        if not held:
            logger.warning(
                "the lease on message %s ran out while its handlers ran; another worker may have run them too",
                message.message_id,
            )

    def _renew(self, inbox: Inbox, held: Sequence[_Holding], lease: float) -> list[_Holding]:
        """Renew the leases of the held messages (in the renewer's thread); those lost."""
        try:
            kept = inbox.renew([holding.message for holding in held], self.name, lease)
        except Exception as error:
            # The next round tries again; a lease renewed every third of it survives two failed rounds. One line
            # for a run of failures (an outage), not one each round.
            if not self._failed_renewals:
                logger.error("could not renew the leases of worker %s: %s; trying again", self.name, one_line(error))
            logger.debug("why renewing the leases of worker %s failed", self.name, exc_info=True)
            self._failed_renewals += 1
            return []
        if self._failed_renewals:
            logger.warning("worker %s renews its leases again, after %d failed tries", self.name, self._failed_renewals)
            self._failed_renewals = 0
        return [holding for holding, still in zip(held, kept, strict=True) if not still]

    @staticmethod
    def _lost(holding: _Holding) -> None:
        logger.warning("lost the lease on message %s to another worker", holding.message.message_id)

    def _loop_blocked(self) -> int | None:
        """What the watchdog does once the loop has not run for `LOOP_GRACE` s: the status to exit with, or None.

        The loop can neither give the messages back after a stop nor enforce a timeout, so this does it from the
        watchdog's thread, and the process ends: the handler that holds the loop cannot be stopped otherwise.
        """
        now, stopping = time.monotonic(), self._stop_requested
        held = self._leases.drop_all(when=lambda held: stopping or any(holding.deadline <= now for holding in held))
        overdue = [holding for holding in held if holding.deadline <= now]
        if not stopping and not overdue:
            return None
        if stopping:
            logger.warning(
                "worker %s gives %d running message(s) back to pending and ends its process: a handler blocks "
                "the event loop",
                self.name,
                len(held),
            )
            self._release([holding.message for holding in held])
            return 0
        logger.error(
            "worker %s ends its process: %s ran past the %g s timeout and blocked the event loop for %g s or more;"
            " %d other running message(s) go back to pending",
            self.name,
            ", ".join(f"handler {holding.handler} on message {holding.message.message_id}" for holding in overdue),
            self.timeout,
            LOOP_GRACE,
            len(held) - len(overdue),
        )
        for holding in overdue:
            self._settle_failure(holding.message, self._timed_out(holding, ", blocking the event loop"))
        self._release([holding.message for holding in held if holding not in overdue])
        return 1

    async def _prune(self) -> None:
        try:
            pruned = await self._in_io(self.inbox.prune, self.retention)
        except Exception:
            logger.exception("could not prune done messages from %r", self.inbox)
            return
        if pruned:
            logger.info("pruned %d done message(s) older than %g s", pruned, self.retention)


def _message_id(holding: _Holding) -> str:
    return holding.message.message_id


def _unless_abandoned(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The loop's default exception handling, except for a task destroyed while pending (one that was abandoned)."""
    task = context.get("task")
    if isinstance(task, asyncio.Task) and not task.done():
        return
    loop.default_exception_handler(context)


async def _pause(stopping: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)


async def _until_stopped_or(stopping: asyncio.Event, call: Awaitable[None]) -> None:
    """Await `call`, or only until `stopping` is set: the call then runs on unattended, its outcome dropped."""
    task = asyncio.ensure_future(call)
    waiting = asyncio.create_task(stopping.wait())
    try:
        await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()
        task.cancel()
    if task.done() and not task.cancelled():
        task.result()


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


async def _until_one_ends(
    stopping: asyncio.Event, running: dict[asyncio.Task[None], _Holding], timeout: float | None
) -> None:
    waiting = asyncio.create_task(stopping.wait())
    try:
        await asyncio.wait({*running, waiting}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()
