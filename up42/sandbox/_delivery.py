"""Deliveries: sign a message, POST it, record the attempt, and retry live deliveries with backoff.

Every delivery is stored ``pending`` before its first attempt. Test deliveries (``liveMode`` false) are sent once
and reported in the TestRun. A failed live delivery stays pending with the time its next attempt is due, growing
exponentially; a scheduler task sends due deliveries until one attempt succeeds, the attempts run out, or the
webhook is deleted or deactivated. Because the schedule lives in the database, a restart resumes every pending
delivery.

Pacing: a delivery has one attempt in flight at a time. The scheduler skips deliveries in flight, and a resend
waits for the attempt in flight to end. Each attempt has a deadline, the policy's ``timeout``, on the whole
exchange up to the answer's status, headers and the first `ANSWER_LIMIT` bytes of its body, which the attempt
keeps (a receiver that trickles them is cut off there). At most
`PARALLEL_ATTEMPTS` attempts are in flight at once, over as many connections; the others wait their turn, and
their deadline starts when they go. An attempt is also leased in the database for its deadline plus a margin,
which only a restart after a crash mid-attempt waits out. The request or task that takes a delivery gives it back
however it ends: one cancelled (a trigger whose client left), even before its attempt starts, frees it for the
scheduler and for resends.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import functools
import logging
import ssl
import time
from collections.abc import AsyncIterator, Coroutine, Iterable, Iterator, Sequence
from typing import Any

import httpx
from starlette.concurrency import run_in_threadpool

from up42._backoff import backoff
from up42._messages import encode, message, test_body, timestamp
from up42._posting import DeliveryResult, delivery_headers, post_delivery
from up42._version import __version__

from ._answers import ANSWER_LIMIT, kept
from ._store import Attempt, Delivery, Store, StoredWebhook, stop_reason
from ._validation import never_resolves, pointing_back, points_back

logger = logging.getLogger("up42.sandbox")

USER_AGENT = f"up42-sandbox/{__version__}"


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """How live deliveries are retried: ``attempts`` in all, pauses from ``first_delay`` growing by ``factor``.

    ``timeout`` is each attempt's deadline in seconds, from its connection to the receiver's status, headers and
    the first `ANSWER_LIMIT` bytes of its answer's body.
    """

    attempts: int = 5
    first_delay: float = 1.0
    factor: float = 2.0
    max_delay: float = 60.0
    timeout: float = 10.0

    def delay(self, attempt: int) -> float:
        """The pause before attempt number ``attempt`` (2 and up)."""
        return backoff(attempt - 2, first=self.first_delay, cap=self.max_delay, factor=self.factor)


# Added to the deadline for the lease of an attempt in flight: a crash mid-send is resumed after both.
LEASE_MARGIN = 5.0
# Attempts in flight at once, and connections in the pool; more attempts wait for one of them to end.
PARALLEL_ATTEMPTS = 100


# Deliveries held by one caller (with an attempt taken and not yet over), each with an event set when it is.
Held = dict[str, asyncio.Event]

# Why a delivery cannot be sent again.
GONE = "its webhook was deleted"


class WebhookGoneError(Exception):
    """A delivery cannot be resent: its webhook no longer exists."""


@dataclasses.dataclass(frozen=True)
class AttemptReport:
    """How one attempt went, and the delivery's state after it."""

    headers: dict[str, str]
    status: int | None
    reason: str
    error: str | None
    state: str

    @property
    def ok(self) -> bool:
        """Whether the receiver acknowledged the delivery (any 2xx)."""
        return self.error is None


@functools.cache
def _tls() -> ssl.SSLContext:
    # Loading the CA certificates takes a noticeable moment; every sandbox in a process shares one context.
    return ssl.create_default_context()


def _later(seconds: float) -> str:
    return timestamp(datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=seconds))


def _seconds_until(moment: str) -> float:
    return (datetime.datetime.fromisoformat(moment) - datetime.datetime.now(datetime.UTC)).total_seconds()


class Deliverer:
    """Sends deliveries over one HTTP client; its scheduler task sends the pending ones when they are due.

    ``own_port`` is the sandbox's port: an attempt to a URL that points back at it fails unsent.
    """

    def __init__(self, store: Store, policy: RetryPolicy, own_port: int) -> None:
        self._store = store
        self.policy = policy
        self._own_port = own_port  # deliveries are never sent back to the sandbox itself
        self._http = httpx.AsyncClient(
            timeout=policy.timeout,
            limits=httpx.Limits(max_connections=PARALLEL_ATTEMPTS),
            verify=_tls(),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": USER_AGENT},
        )
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._slots = asyncio.Semaphore(PARALLEL_ATTEMPTS)
        # Deliveries with an attempt taken and not yet over, each with an event set when it is.
        self._in_flight: Held = {}
        # Taking deliveries (marking them in the database and here) is one step at a time, so none is taken twice.
        self._taking = asyncio.Lock()

    def start(self) -> None:
        """Start the scheduler on the running loop; it first resumes what the database holds pending."""
        self._spawn(self._schedule())

    async def aclose(self) -> None:
        """Stop the scheduler and the attempts in flight (they stay pending in the database), close the client."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._http.aclose()

    def _spawn(self, work: Coroutine[Any, Any, Any], held: Held | None = None) -> None:
        """Run ``work`` in the background; it owns ``held``, released when it ends (or is cancelled unstarted)."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(functools.partial(self._done, held or {}))

    def _done(self, held: Held, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        failure = None if task.cancelled() else task.exception()
        self._release(held, failed=task.cancelled() or failure is not None)
        # A background failure has no caller to raise to; the delivery stays pending and is resumed on restart.
        if failure is not None:
            logger.error("A background delivery task failed", exc_info=failure)

    def _lease(self) -> str:
        return _later(self.policy.timeout + LEASE_MARGIN)

    def _hold(self, delivery_ids: Iterable[str]) -> Held:
        held = {delivery_id: asyncio.Event() for delivery_id in delivery_ids}
        self._in_flight.update(held)
        return held

    def _release(self, held: Held, *, failed: bool) -> None:
        """End the holds in ``held`` that are still in place (a later hold of the same delivery is left alone).

        After a failure or a cancellation, the scheduler looks at the deliveries again.
        """
        for delivery_id, event in held.items():
            if self._in_flight.get(delivery_id) is event:
                del self._in_flight[delivery_id]
                event.set()
        if failed:
            self._wake.set()

    @contextlib.contextmanager
    def _releasing(self, held: Held) -> Iterator[None]:
        """Release ``held`` when the block ends, however it ends."""
        try:
            yield
        except BaseException:
            self._release(held, failed=True)
            raise
        self._release(held, failed=False)

    @contextlib.asynccontextmanager
    async def _turn(self, delivery_id: str) -> AsyncIterator[None]:
        """Hold one delivery once no attempt of it is in flight, until the block ends."""
        while True:
            async with self._taking:
                running = self._in_flight.get(delivery_id)
                if running is None:
                    held = self._hold([delivery_id])
                    break
            await running.wait()
        with self._releasing(held):
            yield

    async def _schedule(self) -> None:
        while True:
            self._wake.clear()
            try:
                async with self._taking:
                    busy = frozenset(self._in_flight)
                    due = await run_in_threadpool(self._store.claim_due, timestamp(), self._lease(), busy)
                    held = self._hold(delivery.id for delivery in due)
                for delivery in due:
                    self._spawn(self._retry(delivery), {delivery.id: held[delivery.id]})
                due_at = await run_in_threadpool(self._store.next_due, frozenset(self._in_flight))
            except Exception:
                # The scheduler must outlive a failed query: without it no retry is ever sent again.
                logger.exception("The delivery scheduler failed; trying again in a second")
                due_at = _later(1.0)
            wait = None if due_at is None else max(0.0, _seconds_until(due_at))
            # Woken early when an attempt schedules a retry sooner than the one waited for.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    async def _retry(self, delivery: Delivery) -> None:
        """Make the attempt the scheduler has claimed (the task that runs it releases the delivery)."""
        hook = await run_in_threadpool(self._store.webhook, delivery.webhook_id)
        # A test delivery is due again only when the sandbox stopped while sending it.
        reason = stop_reason(hook) if delivery.live_mode else "test deliveries are not retried"
        if reason is not None:
            await run_in_threadpool(self._store.stop, delivery.id, reason)
            logger.info("Stopped retrying %s to webhook %s: %s", delivery.id, delivery.webhook_id, reason)
        elif hook is not None:  # always, as stop_reason gives a reason for a missing webhook
            await self._attempt(hook, delivery, delivery.attempt_count, may_retry=True)

    async def _send(self, hook: StoredWebhook, delivery: Delivery, held: Held, *, may_retry: bool) -> AttemptReport:
        """Make the first attempt of a just opened delivery, and release its hold as soon as it ends."""
        with self._releasing({delivery.id: held[delivery.id]}):
            return await self._attempt(hook, delivery, 1, may_retry=may_retry)

    async def _attempt(self, hook: StoredWebhook, delivery: Delivery, number: int, *, may_retry: bool) -> AttemptReport:
        """Make attempt ``number`` of ``delivery`` to the webhook's current URL and secret, and record it."""
        body = delivery.body.encode()
        secret = hook.fields.secret
        headers = delivery_headers(body, secret)
        async with self._slots:
            sent_at, started = timestamp(), time.perf_counter()
            result, error = await self._post(hook.fields.url, body, headers)
            duration_ms = round((time.perf_counter() - started) * 1000)
        retry = may_retry and delivery.live_mode and error is not None and number < self.policy.attempts
        state = "pending" if retry else "failed" if error else "delivered"
        attempt = Attempt(
            delivery_id=delivery.id,
            webhook_id=delivery.webhook_id,
            event=delivery.event,
            message_id=delivery.message_id,
            live_mode=delivery.live_mode,
            attempt=number,
            url=hook.fields.url,
            headers=result.sent,
            sent_at=sent_at,
            status=result.status,
            error=error,
            duration_ms=duration_ms,
            answer=None if result.status is None else kept(result.content_type, result.answer, secret),
        )
        await run_in_threadpool(
            self._store.finish, attempt, state, _later(self.policy.delay(number + 1)) if retry else None
        )
        if retry:
            self._wake.set()
        elif error and delivery.live_mode:
            logger.warning("Gave up on %s to webhook %s after attempt %d", delivery.id, hook.id, number)
        logger.info("Attempt %d of %s to webhook %s: %s", number, delivery.id, hook.id, error or result.status)
        return AttemptReport(headers, result.status, result.reason, error, state)

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[DeliveryResult, str | None]:
        """POST ``body``: how it went, and the error the delivery log shows (None on a 2xx).

        Nothing is sent to a URL that points back at the sandbox itself, nor to a host that never resolves. Of the
        answer's body, one byte more than `ANSWER_LIMIT` is read, enough to tell whether it went on.
        """
        if points_back(url, self._own_port):
            return DeliveryResult(headers), f"not sent: the URL {pointing_back(self._own_port)}"
        if never_resolves(url):
            return DeliveryResult(headers), "not sent: a .invalid host never resolves (RFC 6761)"
        result = await post_delivery(
            self._http, url, body, headers, deadline=self.policy.timeout, read_limit=ANSWER_LIMIT + 1
        )
        if isinstance(result.failure, TimeoutError):
            return result, f"the receiver did not answer within {self.policy.timeout:g} s"
        if result.failure is not None:
            return result, f"{type(result.failure).__name__}: {result.failure}".rstrip(": ")
        return result, None if result.ok else f"the receiver answered {result.status}"

    async def _open(self, hooks: Sequence[StoredWebhook], payload: dict[str, Any]) -> tuple[list[Delivery], Held]:
        """Store new deliveries of ``payload``, and hold them: the caller releases them, whatever happens next."""
        async with self._taking:
            opened = await run_in_threadpool(
                self._store.open_deliveries, hooks, payload, encode(payload).decode(), self._lease()
            )
            held = self._hold(delivery.id for delivery in opened)
        return opened, held

    async def test(self, hook: StoredWebhook) -> dict[str, Any]:
        """Send one test delivery per subscribed event (stored, never retried) and report them as UP42's TestRun."""
        started = timestamp()
        tests = []
        for event in hook.fields.events:
            payload = message(event, test_body(event), live=False)
            test_started = timestamp()
            (delivery,), held = await self._open([hook], payload)
            with self._releasing(held):
                outcome = await self._attempt(hook, delivery, 1, may_retry=False)
            tests.append(
                {
                    "startedAt": test_started,
                    "eventName": event,
                    "success": outcome.ok,
                    "message": "Test request was successful!"
                    if outcome.ok
                    else f"Test request failed: {outcome.error}",
                    "request": {"headers": outcome.headers, "body": payload},
                    "response": None
                    if outcome.status is None
                    else f"HttpResponse[{hook.fields.url}, {outcome.status} {outcome.reason}]".replace(" ]", "]"),
                }
            )
        succeeded = sum(1 for test in tests if test["success"])
        return {
            "startedAt": started,
            "testsRun": len(tests),
            "testsSucceeded": succeeded,
            "testsFailed": len(tests) - succeeded,
            "tests": tests,
        }

    async def publish(
        self, event: str, body: dict[str, Any], hooks: Sequence[StoredWebhook]
    ) -> tuple[str, list[dict[str, Any]]]:
        """Deliver one live message of ``event`` to each of ``hooks``; its messageId and each first attempt.

        Failed first attempts stay pending and are retried by the scheduler.
        """
        payload = message(event, body, live=True)
        deliveries, held = await self._open(hooks, payload)
        # Also released here: an attempt cancelled before it starts (this request with it) never releases its own.
        with self._releasing(held):
            outcomes = await asyncio.gather(
                *(
                    self._send(hook, delivery, held, may_retry=True)
                    for hook, delivery in zip(hooks, deliveries, strict=True)
                )
            )
        first = [
            {
                "id": delivery.id,
                "webhookId": delivery.webhook_id,
                "messageId": delivery.message_id,
                "state": outcome.state,
                "status": outcome.status,
                "error": outcome.error,
            }
            for delivery, outcome in zip(deliveries, outcomes, strict=True)
        ]
        return payload["messageId"], first

    async def resend(self, delivery_id: str) -> Delivery:
        """Send a delivery's message again (same messageId and body) as its next attempt, signed again.

        Signed again means a new ``created`` time in ``Signature-Input``; the ``Signature`` value changes only when
        the webhook's secret did, as UP42's scheme signs the content type and the body's digest, not ``created``.

        It goes to the webhook's current URL with its current secret, once an attempt in flight has ended. Success
        makes the delivery ``delivered``; a failure leaves a pending delivery on its retry schedule and makes any
        other ``failed``.

        Raises:
            LookupError: No delivery has this id.
            WebhookGoneError: Its webhook was deleted.
        """
        async with self._turn(delivery_id):
            delivery = await run_in_threadpool(self._store.delivery, delivery_id)
            if delivery is None:
                raise LookupError(f"no delivery {delivery_id!r}; list them with GET /sandbox/deliveries")
            hook = await run_in_threadpool(self._store.webhook, delivery.webhook_id)
            if hook is None:
                raise WebhookGoneError(
                    f"delivery {delivery_id!r} cannot be resent: its webhook {delivery.webhook_id!r} was deleted"
                )
            number = await run_in_threadpool(self._store.claim, delivery_id, self._lease())
            if number is None:  # deliveries are never deleted, so this is only a guard
                raise LookupError(f"no delivery {delivery_id!r}")
            await self._attempt(hook, delivery, number, may_retry=delivery.state == "pending")
        return await self._reload(delivery_id)

    async def resend_failed(self, since: datetime.datetime | None = None) -> tuple[list[Delivery], list[Delivery]]:
        """Resend every failed delivery created since ``since`` (all of them without).

        Returns each resent delivery afterwards, and the failed ones skipped because their webhook was deleted
        (they cannot be delivered again, so they are left as they are).
        """
        failed = await run_in_threadpool(functools.partial(self._store.deliveries, state="failed", since=since))
        results = await asyncio.gather(*(self.resend(delivery.id) for delivery in failed), return_exceptions=True)
        resent, skipped = [], []
        for delivery, result in zip(failed, results, strict=True):
            if isinstance(result, WebhookGoneError):
                skipped.append(delivery)
            elif isinstance(result, BaseException):
                raise result
            else:
                resent.append(result)
        return resent, skipped

    async def _reload(self, delivery_id: str) -> Delivery:
        delivery = await run_in_threadpool(self._store.delivery, delivery_id)
        if delivery is None:  # deliveries are never deleted
            raise LookupError(delivery_id)
        return delivery
