"""Receive UP42's webhook deliveries: check the signature, then hand over a typed event.

Pure functions, no I/O: bytes and headers in, a `WebhookEvent` or a `SignatureVerificationError` out.

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
"""

from ._asgi import ReceiverApp
from ._dedupe import DEFAULT_LEASE, DEFAULT_TTL, ClaimState, DedupeStore, InMemoryDedupeStore, RedisDedupeStore
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
from ._inbox import DEFAULT_RETENTION, Inbox, InboxRecord, InboxStatus, InboxURLError, Taken, open_inbox
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
from ._worker import Worker

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
