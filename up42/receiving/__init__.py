"""Receive UP42's webhook deliveries: check the signature, then hand over a typed event.

The core is pure, with no I/O: `verify` takes bytes and headers and returns a `WebhookEvent` or raises a
`SignatureVerificationError` (`_signature`, `_structured`, `_events`, `_catalog`, `_errors`).

    from up42.receiving import verify, SignatureVerificationError

    try:
        event = verify(raw_body, request_headers, secret=[new_secret, old_secret])
    except SignatureVerificationError as error:
        ...  # answer 401; str(error) says which check failed
    if event.event == "order.status" and event.body.status_is_final:
        ...

`Receiver` adds handler dispatch and de-duplication on top, and `Receiver.asgi_app()` serves it over HTTP:

    receiver = Receiver(secret, dedupe=RedisDedupeStore.from_url("redis://localhost:6379/0"))

    @receiver.on("order.status")
    async def order_changed(event: WebhookEvent) -> None: ...

    outcome = receiver.handle(raw_body, request_headers)  # outcome.status_code: 200, 400, 401, 500 or 503

`sign` makes the headers UP42 would send, for tests and local senders. `parse` reads a delivery of a webhook
without a secret (nothing is verified then). The error tree is drawn in `up42.receiving._errors`.

On top of the core, `Receiver` (`_receiver`, running handlers through `_handlers`, served by `_asgi` and, with
the ``django`` extra, by the view of `up42.receiving.django`, which answer alike through `_answers`) does I/O:
it calls your handlers and, with `dedupe=` or `inbox=`, the stores of `up42.receiving.durable` (de-duplication
claims, the inbox and its `Worker`, and their SQLite, Redis and in-memory backends).
"""

from ._asgi import ReceiverApp
from ._errors import (
    CoveredHeaderError,
    DigestMismatchError,
    InvalidPayloadError,
    MalformedHeaderError,
    MessageFromFutureError,
    MessageTimestampError,
    MessageTooOldError,
    MissingHeaderError,
    RawBodyRequiredError,
    SignatureExpiredError,
    SignatureFromFutureError,
    SignatureMismatchError,
    SignatureTimestampError,
    SignatureVerificationError,
    UnsignedBodyError,
)
from ._events import EventName, JobState, JobStatus, OrderState, OrderStatus, OrderType, WebhookEvent, parse
from ._receiver import Handler, Outcome, OutcomeKind, Receiver
from ._signature import (
    DEFAULT_COVERED_HEADERS,
    DEFAULT_MAX_AGE,
    DEFAULT_TOLERANCE,
    HeadersLike,
    SecretLike,
    content_digest,
    sign,
    verify,
)
from .durable._dedupe import DEFAULT_LEASE, DEFAULT_TTL, ClaimState, DedupeStore
from .durable._inbox import (
    DEFAULT_RETENTION,
    Inbox,
    InboxNotFoundError,
    InboxRecord,
    InboxStatus,
    InboxURLError,
    Taken,
)
from .durable._worker import Worker
from .durable.backends import open_inbox
from .durable.backends._memory import InMemoryDedupeStore
from .durable.backends._redis_dedupe import RedisDedupeStore

__all__ = [
    "DEFAULT_COVERED_HEADERS",
    "DEFAULT_LEASE",
    "DEFAULT_MAX_AGE",
    "DEFAULT_RETENTION",
    "DEFAULT_TOLERANCE",
    "DEFAULT_TTL",
    "ClaimState",
    "CoveredHeaderError",
    "DedupeStore",
    "DigestMismatchError",
    "EventName",
    "Handler",
    "HeadersLike",
    "InMemoryDedupeStore",
    "Inbox",
    "InboxNotFoundError",
    "InboxRecord",
    "InboxStatus",
    "InboxURLError",
    "InvalidPayloadError",
    "JobState",
    "JobStatus",
    "MalformedHeaderError",
    "MessageFromFutureError",
    "MessageTimestampError",
    "MessageTooOldError",
    "MissingHeaderError",
    "OrderState",
    "OrderStatus",
    "OrderType",
    "Outcome",
    "OutcomeKind",
    "RawBodyRequiredError",
    "Receiver",
    "ReceiverApp",
    "RedisDedupeStore",
    "SecretLike",
    "SignatureExpiredError",
    "SignatureFromFutureError",
    "SignatureMismatchError",
    "SignatureTimestampError",
    "SignatureVerificationError",
    "Taken",
    "UnsignedBodyError",
    "WebhookEvent",
    "Worker",
    "content_digest",
    "open_inbox",
    "parse",
    "sign",
    "verify",
]
