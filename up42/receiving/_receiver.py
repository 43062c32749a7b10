"""`Receiver`: verify a delivery, drop duplicates, run the handlers registered for its event, report the outcome.

The steps before and after the handlers are shared by `handle` and `handle_async`, and the handlers run in the
loop the worker runs them in too (`run_handlers`); only the way a handler is called differs, so a rule changed here
holds for both.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import functools
import inspect
import logging
import math
import secrets
from collections.abc import Callable, Collection, Sequence
from typing import Any, TypeVar

from .._checks import check_positive, check_seconds
from ..errors import InvalidArgumentError
from ._asgi import ReceiverApp
from ._errors import InvalidPayloadError, MalformedHeaderError, RawBodyRequiredError, SignatureVerificationError
from ._events import EventName, WebhookEvent, raw_body
from ._handlers import Handler, HandlersRun, call_handler, run_handlers, run_unawaited
from ._signature import (
    DEFAULT_COVERED_HEADERS,
    DEFAULT_MAX_AGE,
    DEFAULT_TOLERANCE,
    HeadersLike,
    SecretLike,
    check_covered_headers,
    check_secrets,
    check_tolerance,
    verify,
)
from .durable._claims import NO_CLAIM, Claim, HeldClaim, claim_renewer
from .durable._dedupe import (
    DEFAULT_LEASE,
    DEFAULT_TTL,
    STORE_METHODS,
    ClaimState,
    DedupeStore,
)
from .durable._inbox import DEFAULT_RETENTION, Inbox
from .durable._worker import Worker
from .durable.backends import open_inbox
from .durable.backends._memory import InMemoryDedupeStore

__all__ = ["Handler", "Outcome", "OutcomeKind", "Receiver"]

logger = logging.getLogger("up42")

H = TypeVar("H", bound=Handler)

DEFAULT_MAX_BODY_SIZE = 1024 * 1024


class OutcomeKind(enum.StrEnum):
    """What became of a delivery."""

    HANDLED = "handled"
    """Verified, and every handler for its event returned."""
    IGNORED = "ignored"
    """Verified, but no handler is registered for its event (nor a fallback)."""
    DUPLICATE = "duplicate"
    """Verified, but its message id was handled before; no handler ran."""
    IN_PROGRESS = "in_progress"
    """Verified, but the message is being handled right now (here or by another receiver); no handler ran. The
    answer asks the sender to retry, so the message is handled should that first attempt fail."""
    BAD_SIGNATURE = "bad_signature"
    """Not shown to come from UP42: missing or wrong signature, stale or future timestamp, changed body."""
    MALFORMED = "malformed"
    """Unreadable: a signature header or digest that cannot be parsed, or an authentic body that is no message."""
    HANDLER_FAILED = "handler_failed"
    """A handler raised; the message id is released so that the sender's retry is handled again."""
    STORE_FAILED = "store_failed"
    """The de-duplication store raised (Redis unreachable, say); no handler ran."""
    QUEUED = "queued"
    """Verified and stored in the receiver's inbox, where a worker runs the handlers."""
    INBOX_FAILED = "inbox_failed"
    """The inbox could not be written; nothing is acknowledged, so the sender retries."""


_STATUS = {
    OutcomeKind.HANDLED: 200,
    OutcomeKind.IGNORED: 200,
    OutcomeKind.DUPLICATE: 200,
    OutcomeKind.IN_PROGRESS: 503,
    OutcomeKind.BAD_SIGNATURE: 401,
    OutcomeKind.MALFORMED: 400,
    OutcomeKind.HANDLER_FAILED: 500,
    OutcomeKind.STORE_FAILED: 503,
    OutcomeKind.QUEUED: 200,
    OutcomeKind.INBOX_FAILED: 503,
}


@dataclasses.dataclass(frozen=True)
class Outcome:
    """The result of `Receiver.handle`, ready to become an HTTP response.

    Attributes:
        kind: What happened.
        event: The verified event; None when verification failed.
        error: The verification error, or the exception a handler or the store raised.
        handlers: The names of the handlers that ran to completion.
        retry_after: Seconds after which the sender should try again, for `IN_PROGRESS`; None otherwise.
    """

    kind: OutcomeKind
    event: WebhookEvent | None = None
    error: BaseException | None = None
    handlers: tuple[str, ...] = ()
    retry_after: int | None = None

    @property
    def status_code(self) -> int:
        """The HTTP status to answer: 2xx acknowledges, 4xx refuses, 5xx asks the sender to retry."""
        return _STATUS[self.kind]

    @property
    def ok(self) -> bool:
        """True when the delivery is acknowledged (handled, ignored or a duplicate)."""
        return self.status_code < 300

    @property
    def headers(self) -> dict[str, str]:
        """Headers to answer with besides the status: ``Retry-After`` when the sender should wait before retrying."""
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}

    @property
    def detail(self) -> str:
        """A one-line reason that is safe to send back: it never holds a handler's exception text."""
        if self.kind in (OutcomeKind.BAD_SIGNATURE, OutcomeKind.MALFORMED):
            return str(self.error)
        if self.kind is OutcomeKind.HANDLER_FAILED:
            return "a handler failed; retry later"
        if self.kind is OutcomeKind.STORE_FAILED:
            return "the de-duplication store is unavailable; retry later"
        if self.kind is OutcomeKind.INBOX_FAILED:
            return "the inbox is unavailable; retry later"
        if self.kind is OutcomeKind.IN_PROGRESS:
            return "this message is being handled; retry later"
        return self.kind.value


class Receiver:
    """Verifies deliveries and dispatches them to handlers, each message once.

    Examples:
        >>> receiver = Receiver(["new-secret", "old-secret"])
        >>> @receiver.on("order.status")
        ... def order_changed(event: WebhookEvent) -> None:
        ...     print(event.body.status)
        >>> outcome = receiver.handle(raw_body, headers)  # doctest: +SKIP
        >>> outcome.status_code  # doctest: +SKIP
        200

    Handlers for an event run in the order they were registered; `on_any` handlers run for events that have no
    handler of their own. Sync and async handlers may be mixed. A handler that raises makes the outcome
    `HANDLER_FAILED` (HTTP 500), so the sender retries, and the message id is released so the retry runs every
    handler again: write handlers that tolerate running twice.

    De-duplication claims a message before its handlers run, with a lease that is renewed while they run (see
    `up42.receiving.DedupeStore`). A delivery of a message that is still being handled is answered
    `IN_PROGRESS` (503 with ``Retry-After``), never acknowledged, so it is not lost if the first attempt fails.
    A run that ends any other way than by success, a cancellation or an interrupt included, releases the claim.
    """

    def __init__(
        self,
        secret: SecretLike,
        *,
        tolerance: float = DEFAULT_TOLERANCE,
        max_age: float = DEFAULT_MAX_AGE,
        dedupe: DedupeStore | bool | None = True,
        lease: float = DEFAULT_LEASE,
        allow_unsigned_body: bool = False,
        covered_headers: Collection[str] = DEFAULT_COVERED_HEADERS,
        inbox: str | Inbox | None = None,
    ) -> None:
        """Set up a receiver.

        Args:
            secret: The webhook secret, or several during a rotation (see `verify`).
            tolerance: Seconds the signature's ``created`` time may lie from now, either way.
            max_age: Seconds after its own timestamp that a message is still accepted (see `verify`). The
                de-duplication store must remember handled messages at least ``max_age + tolerance`` (a
                timestamp may lie ``tolerance`` ahead), so that a replay of any message young enough to pass is
                a duplicate.
            dedupe: True for an `InMemoryDedupeStore` that remembers messages that long (`DEFAULT_TTL` at
                least), False (or None) to handle every delivery, or a store of your own (a `RedisDedupeStore`
                when several processes receive). A store whose ``ttl`` is shorter is refused.
            lease: Seconds a claim on a message lasts without renewal. The receiver renews it every third of
                that while the handlers run, so it only matters when the holding process dies: the message can
                be handled again after at most this long. Also the ``Retry-After`` of an `IN_PROGRESS` answer.
            allow_unsigned_body: Passed to `verify`.
            covered_headers: Passed to `verify`: with ``allow_unsigned_body``, the only headers a digest-less
                signature may cover.
            inbox: Where to store deliveries instead of handling them: a URL (``sqlite:///inbox.db``,
                ``redis://host:6379/0``, ``postgresql://user:password@host:5432/dbname``) or an `Inbox`. Each
                verified delivery is then stored under its messageId and acknowledged (`OutcomeKind.QUEUED`, or
                `DUPLICATE` when it is held already); `work` or ``up42 worker`` runs the handlers. See the durable
                receiving guide.

        Raises:
            InvalidArgumentError: An unusable secret, time or store: one that lacks a method of `DedupeStore`,
                or one that forgets sooner than ``max_age``.
        """
        check_secrets(secret)
        # A copy, so that changing the caller's list later does not change what this receiver accepts.
        self._secret: SecretLike = secret if isinstance(secret, str) else tuple(secret)
        self._tolerance = check_tolerance(tolerance)
        self._max_age = check_seconds(max_age, "max_age")
        self._lease = check_positive(lease, "lease")
        self._allow_unsigned_body = allow_unsigned_body
        self._covered_headers = check_covered_headers(covered_headers)
        # An inbox drops redeliveries itself, so no store is made for it; a store passed in is still checked.
        wanted = inbox is None or not isinstance(dedupe, bool)
        store = _store(dedupe, self._max_age + self._tolerance) if wanted else None
        # The renewer also carries the store: both exist exactly when de-duplication is on.
        self._renewer = claim_renewer(store, self._lease) if store is not None else None
        self._handlers: dict[str, list[Handler]] = {}
        self._fallback: list[Handler] = []
        self._inbox = open_inbox(inbox) if isinstance(inbox, str) else inbox

    def __repr__(self) -> str:
        # The secret is deliberately absent.
        events = sorted(self._handlers)
        store = type(self._renewer.store).__name__ if self._renewer is not None else None
        return f"Receiver(events={events!r}, fallback={len(self._fallback)}, dedupe={store})"

    def on(self, event: str) -> Callable[[H], H]:
        """Register the decorated function for one event name, e.g. ``@receiver.on("order.status")``.

        A name this SDK does not know (see `EventName`) is registered all the same, so an event UP42 adds later
        can be handled before the SDK lists it, but a warning is logged: a misspelt name would never fire.
        """
        if not isinstance(event, str) or not event:
            raise InvalidArgumentError("the event name must be a non-empty string such as 'order.status'")
        if not EventName(event).is_known:
            logger.warning(
                "registered a handler for %r, an event this SDK does not know (it knows %s): "
                "check the spelling; a name UP42 never sends never fires",
                event,
                ", ".join(EventName),
            )

        def register(handler: H) -> H:
            self._handlers.setdefault(event, []).append(handler)
            return handler

        return register

    def on_any(self, handler: H) -> H:
        """Register the decorated function for every event that has no handler of its own (names new to the SDK too)."""
        self._fallback.append(handler)
        return handler

    def handle(self, body: bytes | str, headers: HeadersLike) -> Outcome:
        """Verify a delivery and run its handlers in this thread; coroutine handlers run in a new event loop.

        Inside a running event loop, use `handle_async`. Never raises for any body or headers; an interrupt
        (``KeyboardInterrupt``, ``SystemExit``) raised by a handler is passed on after the claim is released.
        """
        admitted = self._admit(body, headers)
        if isinstance(admitted, Outcome):
            return admitted
        event, handlers = admitted
        if self._inbox is not None:
            return self._enqueue(self._inbox, event, body)
        claim = self._claim(event)
        if isinstance(claim, Outcome):
            return claim
        handled = False
        try:
            claim.keep_alive()
            outcome = self._outcome(event, run_unawaited(run_handlers(event, handlers, _call_here)))
            handled = outcome.kind is OutcomeKind.HANDLED
        finally:
            claim.settle(handled)
        return outcome

    async def handle_async(self, body: bytes | str, headers: HeadersLike) -> Outcome:
        """Verify a delivery and run its handlers: coroutines in this loop, plain functions in a worker thread.

        The de-duplication store is also called from a worker thread, so a network store never blocks the loop.
        Never raises for any body or headers. Cancelled (by `asyncio.wait_for`, or a server whose client went
        away), it releases the claim and passes the cancellation on; a plain function already running in its
        worker thread cannot be stopped, so the claim is released when it returns.
        """
        admitted = self._admit(body, headers)
        if isinstance(admitted, Outcome):
            return admitted
        event, handlers = admitted
        if self._inbox is not None:
            return await asyncio.to_thread(self._enqueue, self._inbox, event, body)
        claiming = asyncio.ensure_future(asyncio.to_thread(self._claim, event))
        try:
            claim = await asyncio.shield(claiming)
        except asyncio.CancelledError:
            # The store's thread goes on and may still grant the claim: released as soon as it is, or the message
            # would answer "in progress" for a whole lease although nobody handles it.
            claiming.add_done_callback(_release_unused)
            raise
        if isinstance(claim, Outcome):
            return claim
        in_thread = functools.partial(_in_thread, claim)
        handled = False
        try:
            claim.keep_alive()
            outcome = self._outcome(
                event, await run_handlers(event, handlers, functools.partial(call_handler, in_thread=in_thread))
            )
            handled = outcome.kind is OutcomeKind.HANDLED
        finally:
            # Shielded: a second cancellation stops this wait, not the settling in the worker thread.
            await asyncio.shield(asyncio.to_thread(claim.settle, handled))
        return outcome

    def asgi_app(self, *, max_body_size: int = DEFAULT_MAX_BODY_SIZE, workers: int = 0) -> ReceiverApp:
        """An ASGI application answering each POSTed delivery with this receiver's outcome (see `ReceiverApp`).

        With an inbox, ``workers=N`` also runs a `Worker` of that concurrency in the server's lifespan.
        """
        background = self.worker(concurrency=workers) if workers else None
        return ReceiverApp(self, max_body_size=max_body_size, background=background)

    def worker(self, **options: Any) -> Worker:
        """A `Worker` running this receiver's handlers for its inbox; `options` are the Worker's settings.

        The inbox is what drops a redelivery, so a worker keeps done messages at least as long as this receiver
        accepts a message (``max_age + tolerance``): ``retention`` defaults to the longer of that and
        `DEFAULT_RETENTION`, and a shorter one is refused.

        Raises:
            InvalidArgumentError: The receiver has no inbox, a setting is unusable, or ``retention`` is shorter
                than ``max_age + tolerance``.
        """
        if self._inbox is None:
            raise InvalidArgumentError("this Receiver has no inbox to work on: create it with inbox='sqlite:///...'")
        window = self._max_age + self._tolerance
        options.setdefault("retention", max(DEFAULT_RETENTION, window))
        worker = Worker(self._inbox, self._handlers_for, **options)
        if worker.retention < window:
            raise InvalidArgumentError(
                f"retention must be at least {window:g} s, as long as this receiver accepts a message "
                f"(max_age + tolerance), not {worker.retention:g} s: a redelivery that arrives after its done "
                "message was pruned would run the handlers again"
            )
        return worker

    def work(self, **options: Any) -> None:
        """Run the handlers for the inbox's messages in this process until SIGTERM or SIGINT (see `worker`)."""
        self.worker(**options).serve()

    # The steps shared by handle and handle_async.

    def _admit(self, body: bytes | str, headers: HeadersLike) -> tuple[WebhookEvent, Sequence[Handler]] | Outcome:
        try:
            event = verify(
                body,
                headers,
                self._secret,
                tolerance=self._tolerance,
                max_age=self._max_age,
                allow_unsigned_body=self._allow_unsigned_body,
                covered_headers=self._covered_headers,
            )
        except (MalformedHeaderError, InvalidPayloadError, RawBodyRequiredError) as error:
            # INFO, not WARNING: anyone can post to a public URL, and the outcome carries the reason anyway.
            logger.info("refused a malformed webhook delivery: %s", error)
            return Outcome(OutcomeKind.MALFORMED, error=error)
        except SignatureVerificationError as error:
            logger.info("refused a webhook delivery: %s", error)
            return Outcome(OutcomeKind.BAD_SIGNATURE, error=error)
        handlers = self._handlers_for(event.event)
        # With an inbox every verified message is stored: the workers may know handlers this process does not.
        if not handlers and self._inbox is None:
            logger.info("no handler for %s event, message %s", event.event, event.message_id)
            return Outcome(OutcomeKind.IGNORED, event=event)
        return event, handlers

    def _handlers_for(self, event: str) -> Sequence[Handler]:
        return list(self._handlers.get(event) or self._fallback)

    @staticmethod
    def _enqueue(inbox: Inbox, event: WebhookEvent, body: bytes | str) -> Outcome:
        try:
            stored = inbox.put(event.message_id, event.event, raw_body(body))
        except Exception as error:
            logger.exception("could not store message %s in the inbox", event.message_id)
            return Outcome(OutcomeKind.INBOX_FAILED, event=event, error=error)
        if not stored:
            logger.info("dropped a duplicate of message %s (%s)", event.message_id, event.event)
            return Outcome(OutcomeKind.DUPLICATE, event=event)
        return Outcome(OutcomeKind.QUEUED, event=event)

    def _claim(self, event: WebhookEvent) -> Claim | Outcome:
        if self._renewer is None:
            return NO_CLAIM
        store = self._renewer.store
        # A random owner token, so that only this run can renew or release its claim.
        owner = secrets.token_hex(16)
        try:
            state = ClaimState(store.claim(event.message_id, owner, self._lease))
        except Exception as error:
            logger.exception("the de-duplication store failed for message %s", event.message_id)
            return Outcome(OutcomeKind.STORE_FAILED, event=event, error=error)
        if state is ClaimState.CLAIMED:
            return HeldClaim(self._renewer, event.message_id, owner)
        if state is ClaimState.IN_PROGRESS:
            logger.info("message %s (%s) is being handled; asked the sender to retry", event.message_id, event.event)
            return Outcome(OutcomeKind.IN_PROGRESS, event=event, retry_after=math.ceil(self._lease))
        logger.info("dropped a duplicate of message %s (%s)", event.message_id, event.event)
        return Outcome(OutcomeKind.DUPLICATE, event=event)

    @staticmethod
    def _outcome(event: WebhookEvent, run: HandlersRun) -> Outcome:
        if run.error is None:
            return Outcome(OutcomeKind.HANDLED, event=event, handlers=run.ran)
        logger.error(
            "webhook handler %s failed on message %s (%s)",
            run.failed,
            event.message_id,
            event.event,
            exc_info=run.error,
        )
        return Outcome(OutcomeKind.HANDLER_FAILED, event=event, error=run.error)


def _store(dedupe: DedupeStore | bool | None, window: float) -> DedupeStore | None:
    """The store to use; ``window`` is how long a message stays acceptable (max_age + tolerance)."""
    if dedupe is None or isinstance(dedupe, bool):
        return InMemoryDedupeStore(ttl=max(DEFAULT_TTL, window)) if dedupe else None
    missing = [name for name in STORE_METHODS if not callable(getattr(dedupe, name, None))]
    if missing:
        raise InvalidArgumentError(
            f"dedupe must be True, False or a DedupeStore; {type(dedupe).__name__} lacks {', '.join(missing)}. "
            "A store implements claim(message_id, owner, lease), renew(message_id, owner, lease), "
            "complete(message_id) and release(message_id, owner) (see up42.receiving.DedupeStore)"
        )
    ttl = getattr(dedupe, "ttl", None)
    if isinstance(ttl, int | float) and ttl < window:
        raise InvalidArgumentError(
            f"the de-duplication store remembers messages for {ttl} s, less than max_age + tolerance ({window:g} s): "
            "a replay of a message older than that but still accepted would be handled again; give the store a "
            "ttl of at least max_age + tolerance"
        )
    return dedupe


def _release_unused(claiming: asyncio.Future[Claim | Outcome]) -> None:
    """Release the claim of a run cancelled while the store was granting it (a store call, so off the loop)."""
    if not claiming.cancelled() and claiming.exception() is None:
        claim = claiming.result()
        if isinstance(claim, Claim):
            asyncio.get_running_loop().run_in_executor(None, claim.settle, False)


async def _in_thread(claim: Claim, handler: Handler, event: WebhookEvent) -> Any:
    """Call a plain-function handler in a worker thread, so that it does not block the loop."""
    return await asyncio.to_thread(_run_in_thread, claim, handler, event)


def _run_in_thread(claim: Claim, handler: Handler, event: WebhookEvent) -> Any:
    with claim.running_in_thread():
        return handler(event)


async def _call_here(handler: Handler, event: WebhookEvent) -> None:
    """Call `handler` in this thread; what it returns is awaited in an event loop of its own."""
    result = handler(event)
    if inspect.isawaitable(result):
        _run_to_completion(result)


def _run_to_completion(awaitable: Any) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(_await(awaitable))
        return
    if inspect.iscoroutine(awaitable):
        awaitable.close()
    raise RuntimeError("an async handler cannot run from Receiver.handle inside an event loop; use handle_async")


async def _await(awaitable: Any) -> None:
    await awaitable
