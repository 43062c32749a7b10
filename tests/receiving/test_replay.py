"""Replays: the message's own timestamp, covered by the signed digest, bounds how long a captured delivery works."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import pytest

from up42.errors import InvalidArgumentError
from up42.receiving import (
    DEFAULT_MAX_AGE,
    InvalidPayloadError,
    MessageFromFutureError,
    MessageTimestampError,
    MessageTooOldError,
    SignatureVerificationError,
    sign,
    verify,
)

SECRET = "replay-secret"
SENT = 1_780_000_000  # when UP42 created and first signed the message
HOUR = 3600
DAY = 24 * HOUR


def _body(timestamp: object = "2026-05-28T20:26:40Z") -> bytes:
    """A message with this timestamp (None: without one)."""
    message: dict[str, Any] = {
        "event": "order.status",
        "liveMode": True,
        "messageId": "a7d1c2e3-0f4b-4c5d-8e6f-7a8b9c0d1e2f",
        "body": {
            "orderId": "o-1",
            "orderType": "ARCHIVE",
            "dataHostName": "host",
            "status": "FULFILLED",
            "statusIsFinal": True,
        },
    }
    if timestamp is not None:
        message["timestamp"] = timestamp
    return json.dumps(message).encode()


BODY = _body()


def test_the_body_timestamp_is_the_sending_time() -> None:
    # The fixture's two times must agree, or the tests below would prove nothing.
    assert datetime.datetime.fromisoformat("2026-05-28T20:26:40Z").timestamp() == SENT


def _rewrite_created(headers: dict[str, str], created: int) -> dict[str, str]:
    # What an attacker holding a captured delivery can do: `created` is not among the signed values.
    forged = dict(headers)
    forged["Signature-Input"] = re.sub(r"created=[0-9]+", f"created={created}", headers["Signature-Input"])
    return forged


def test_a_captured_delivery_with_created_rewritten_days_later_is_refused() -> None:
    captured = sign(BODY, SECRET, created=SENT)
    later = SENT + 3 * DAY
    forged = _rewrite_created(captured, later)
    assert forged["Signature"] == captured["Signature"]  # nothing else was recomputed
    with pytest.raises(MessageTooOldError) as caught:
        verify(BODY, forged, SECRET, now=later + 1)
    error = caught.value
    assert isinstance(error, MessageTimestampError)
    assert isinstance(error, SignatureVerificationError)
    assert error.age == 3 * DAY + 1
    assert error.limit == DEFAULT_MAX_AGE
    assert error.timestamp == datetime.datetime.fromtimestamp(SENT, datetime.UTC)
    assert "259201 s old, more than the 86400 s max_age" in str(error)


def test_the_same_rewrite_inside_max_age_passes_the_signature_check() -> None:
    # Inside the window the rewritten delivery is indistinguishable from a redelivery; the Receiver's
    # de-duplication, which remembers each message id for longer than max_age, is what answers it.
    forged = _rewrite_created(sign(BODY, SECRET, created=SENT), SENT + 6 * HOUR)
    assert verify(BODY, forged, SECRET, now=SENT + 6 * HOUR).message_id


def test_a_legitimate_redelivery_hours_later_passes() -> None:
    # UP42 redelivers the same body, so the same timestamp, under a fresh signature.
    redelivered_at = SENT + 20 * HOUR
    event = verify(BODY, sign(BODY, SECRET, created=redelivered_at), SECRET, now=redelivered_at + 2)
    assert event.timestamp.timestamp() == SENT


def test_max_age_is_inclusive_and_configurable() -> None:
    at = SENT + HOUR
    headers = sign(BODY, SECRET, created=at)
    assert verify(BODY, headers, SECRET, now=at, max_age=HOUR).message_id
    with pytest.raises(MessageTooOldError) as caught:
        verify(BODY, headers, SECRET, now=at + 0.5, max_age=HOUR)
    assert caught.value.limit == HOUR


def test_a_message_from_further_ahead_than_the_tolerance_is_refused() -> None:
    # Only the sender can stamp a message, but a timestamp far ahead would stretch the replay window past max_age.
    ahead = _body("2026-05-28T20:31:41Z")  # 301 s after SENT
    headers = sign(ahead, SECRET, created=SENT)
    with pytest.raises(MessageFromFutureError) as caught:
        verify(ahead, headers, SECRET, now=SENT)
    assert caught.value.age == -301
    assert caught.value.limit == 300
    assert "301 s in the future, more than the 300 s tolerance" in str(caught.value)
    assert verify(ahead, headers, SECRET, now=SENT, tolerance=301).message_id


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (_body(None), "the message has no timestamp field"),
        (_body("yesterday"), "timestamp is not an ISO 8601 date-time"),
        (_body(1_780_000_000), "timestamp must be a str, not int"),
    ],
)
def test_a_missing_or_unreadable_timestamp_is_refused(body: bytes, text: str) -> None:
    with pytest.raises(InvalidPayloadError, match=text):
        verify(body, sign(body, SECRET, created=SENT), SECRET, now=SENT)


def test_the_age_is_checked_only_after_the_signature_holds() -> None:
    # An old message with a wrong signature says nothing about its age: the signature is refused first.
    with pytest.raises(SignatureVerificationError) as caught:
        verify(BODY, sign(BODY, "a-guess", created=SENT + 3 * DAY), SECRET, now=SENT + 3 * DAY)
    assert not isinstance(caught.value, MessageTimestampError)


@pytest.mark.parametrize("max_age", [-1, float("inf"), float("nan"), True, "1d", None])
def test_an_unusable_max_age_is_an_invalid_argument(max_age: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="max_age must be"):
        verify(BODY, sign(BODY, SECRET, created=SENT), SECRET, now=SENT, max_age=max_age)
