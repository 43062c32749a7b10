"""Why a delivery was refused, as a tree of error classes.

```
SignatureVerificationError       nothing of the delivery can be trusted or used; catch this one
├── MissingHeaderError           Signature or Signature-Input is absent, or a header Signature-Input lists is absent
├── MalformedHeaderError         a signature header or digest header cannot be parsed or is over the size caps,
│                                or `created` is missing
├── SignatureMismatchError       no secret produces the signature: wrong secret, or a covered header was changed
├── SignatureTimestampError      `created` lies outside the tolerance; `skew` says by how much
│   ├── SignatureExpiredError    ... in the past (a replay, a delayed delivery, or a receiver clock running ahead)
│   └── SignatureFromFutureError ... in the future (a receiver clock running behind)
├── DigestMismatchError          the body does not match the signed Content-Digest (or Digest)
├── MessageTimestampError        the body's own `timestamp` lies outside the accepted window
│   ├── MessageTooOldError       ... more than `max_age` ago (a replay of a captured delivery, or a very late one)
│   └── MessageFromFutureError   ... more than `tolerance` ahead (a receiver clock running behind)
├── UnsignedBodyError            the signature holds but covers no digest, so the body could have been swapped
│   └── CoveredHeaderError       ... and, though that is allowed, it covers a header outside the allowlist or
│                                signed values holding a body digest (a captured delivery rearranged)
├── InvalidPayloadError          authentic (or unsigned, via `parse`), but not a webhook message in JSON
└── RawBodyRequiredError         the body was given as a parsed object instead of the bytes received
```

Every message names the check that failed and never contains a secret or the signature itself.
"""

from __future__ import annotations

import datetime

from ..errors import InvalidArgumentError, UP42Error

__all__ = [
    "CoveredHeaderError",
    "DigestMismatchError",
    "InvalidPayloadError",
    "MalformedHeaderError",
    "MessageFromFutureError",
    "MessageTimestampError",
    "MessageTooOldError",
    "MissingHeaderError",
    "RawBodyRequiredError",
    "SignatureExpiredError",
    "SignatureFromFutureError",
    "SignatureMismatchError",
    "SignatureTimestampError",
    "SignatureVerificationError",
    "UnsignedBodyError",
]


class SignatureVerificationError(UP42Error):
    """A delivery was refused; the subclass and the message say which check failed.

    `verify` raises nothing else for any body or headers, so catching this class is enough to answer the sender.
    """


class MissingHeaderError(SignatureVerificationError):
    """A header the check needs is absent.

    Attributes:
        header: The missing header's name, lowercased.
    """

    def __init__(self, message: str, *, header: str) -> None:
        super().__init__(message)
        self.header = header


class MalformedHeaderError(SignatureVerificationError):
    """A header is present but cannot be read (bad structure, no `up42-sig` member, no `created`, bad base64), or it
    is longer, or lists more headers, than `verify` reads."""


class SignatureMismatchError(SignatureVerificationError):
    """The signature is well formed, but none of the secrets produces it from the covered header values."""


class SignatureTimestampError(SignatureVerificationError):
    """The signature's `created` time lies further from now than the tolerance allows.

    Attributes:
        created: The `created` parameter, in Unix seconds.
        now: The receiver's time used for the check, in Unix seconds.
        skew: How far `created` lies from `now`, in seconds, always positive.
        tolerance: The allowed distance, in seconds.
    """

    def __init__(self, message: str, *, created: int, now: float, tolerance: float) -> None:
        super().__init__(message)
        self.created = created
        self.now = now
        self.skew = abs(now - created)
        self.tolerance = tolerance


class SignatureExpiredError(SignatureTimestampError):
    """The signature was created more than `tolerance` seconds ago, or after its own `expires` time."""


class SignatureFromFutureError(SignatureTimestampError):
    """The signature claims to be created more than `tolerance` seconds from now."""


class DigestMismatchError(SignatureVerificationError):
    """The body differs from the one the signed digest header describes, or the digest uses no known algorithm."""


class MessageTimestampError(SignatureVerificationError):
    """The message's own ``timestamp`` lies outside the window `verify` accepts.

    The body, and so its timestamp, is covered by the signed digest, unlike the signature's ``created`` time; this
    is the check that bounds how long a captured delivery can be replayed.

    Attributes:
        timestamp: The message's ``timestamp``.
        now: The receiver's time used for the check, in Unix seconds.
        age: ``now`` minus ``timestamp``, in seconds; negative for a timestamp in the future.
        limit: The bound that was exceeded, in seconds: ``max_age`` for an old message, ``tolerance`` for one from
            the future.
    """

    def __init__(self, message: str, *, timestamp: datetime.datetime, now: float, limit: float) -> None:
        super().__init__(message)
        self.timestamp = timestamp
        self.now = now
        self.age = now - timestamp.timestamp()
        self.limit = limit


class MessageTooOldError(MessageTimestampError):
    """The message was created more than ``max_age`` seconds ago: a replay, or a delivery retried very late."""


class MessageFromFutureError(MessageTimestampError):
    """The message claims to be created more than ``tolerance`` seconds from now: is the receiver's clock behind?"""


class UnsignedBodyError(SignatureVerificationError):
    """The signature covers no digest header, so it says nothing about the body.

    Pass ``allow_unsigned_body=True`` to `verify` to accept such deliveries (the headers are still authenticated).
    """


class CoveredHeaderError(UnsignedBodyError):
    """``allow_unsigned_body=True`` was given, but this signature without a digest cannot be accepted even so.

    The list of covered header names is not signed, and the values are concatenated with no separator, so the
    values of one captured delivery can be spread over other headers. Such a signature is refused when it covers
    a header outside `verify`'s ``covered_headers``, or when its signed values hold a body digest (the delivery
    was signed over a digest that has been moved out of its header).

    Attributes:
        header: The covered header outside the allowlist, lowercased; None when the values held a digest.
    """

    def __init__(self, message: str, *, header: str | None) -> None:
        super().__init__(message)
        self.header = header


class InvalidPayloadError(SignatureVerificationError):
    """The body is not a webhook message: not UTF-8 JSON, not an object, or a required field is missing or mistyped."""


class RawBodyRequiredError(SignatureVerificationError, InvalidArgumentError):
    """The body was passed as a parsed object (a dict, say) rather than the raw bytes or text received.

    The signature binds the exact bytes; JSON serialised again from a parsed object differs in spacing, key order
    or escapes, so it cannot be verified. It is also an `InvalidArgumentError`, since this is a bug in the caller.
    """
