"""Receive UP42's webhook deliveries: check the signature, then hand over a typed event.

Pure functions, no I/O: bytes and headers in, a `WebhookEvent` or a `SignatureVerificationError` out.

    from up42.receiving import verify, SignatureVerificationError

    try:
        event = verify(raw_body, request_headers, secret=[new_secret, old_secret])
    except SignatureVerificationError as error:
        ...  # answer 401; str(error) says which check failed
    if event.event == "order.status" and event.body.status_is_final:
        ...

`sign` makes the headers UP42 would send, for tests and local senders. `parse` reads a delivery of a webhook
without a secret (nothing is verified then). The error tree is drawn in `up42.receiving._errors`.
"""

from ._errors import (
    DigestMismatchError,
    InvalidPayloadError,
    MalformedHeaderError,
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
from ._signature import DEFAULT_TOLERANCE, HeadersLike, SecretLike, content_digest, sign, verify

__all__ = [
    "DEFAULT_TOLERANCE",
    "DigestMismatchError",
    "EventName",
    "HeadersLike",
    "InvalidPayloadError",
    "JobState",
    "JobStatus",
    "MalformedHeaderError",
    "MissingHeaderError",
    "OrderState",
    "OrderStatus",
    "OrderType",
    "RawBodyRequiredError",
    "SecretLike",
    "SignatureExpiredError",
    "SignatureFromFutureError",
    "SignatureMismatchError",
    "SignatureTimestampError",
    "SignatureVerificationError",
    "UnsignedBodyError",
    "WebhookEvent",
    "content_digest",
    "parse",
    "sign",
    "verify",
]
