"""`allow_unsigned_body=True`: the covered-name list is not signed, so it is held to an allowlist."""

from __future__ import annotations

import base64
import datetime
import hmac
import json
import time
from typing import Any

import pytest

from up42.errors import InvalidArgumentError
from up42.receiving import (
    DEFAULT_COVERED_HEADERS,
    CoveredHeaderError,
    OutcomeKind,
    Receiver,
    UnsignedBodyError,
    sign,
    verify,
)

SECRET = "unsigned-body-secret"
NOW = 1_780_000_000


def _message(status: str) -> bytes:
    return json.dumps(
        {
            "event": "order.status",
            "liveMode": True,
            "messageId": f"m-{status}",
            "timestamp": "2026-05-28T20:26:40Z",
            "body": {
                "orderId": "o-1",
                "orderType": "ARCHIVE",
                "dataHostName": "host",
                "status": status,
                "statusIsFinal": True,
            },
        }
    ).encode()


CAPTURED_BODY = _message("FULFILLED")
CAPTURED = sign(CAPTURED_BODY, SECRET, created=NOW)
DIGEST = CAPTURED["Content-Digest"]
SIGNED_TEXT = CAPTURED["Content-Type"] + DIGEST  # what the captured signature is an HMAC of
FORGED_BODY = _message("FAILED_PERMANENTLY")


def _claimed_for(headers: dict[str, str]) -> dict[str, str]:
    """The captured signature, unchanged, claimed for these headers, whose values join to the same signed text."""
    assert "".join(headers.values()) == SIGNED_TEXT
    listed = " ".join(f'"{name}"' for name in headers)
    return headers | {"Signature-Input": f"up42-sig=({listed});created={NOW}", "Signature": CAPTURED["Signature"]}


def _mac_b64(*values: str) -> str:
    # The HMAC UP42 computes, for a sender that signs no digest: of the values concatenated.
    return base64.b64encode(hmac.digest(SECRET.encode(), "".join(values).encode(), "sha256")).decode()


def _digestless(headers: dict[str, str]) -> dict[str, str]:
    """A delivery from a sender that signs these headers and no digest."""
    listed = " ".join(f'"{name}"' for name in headers)
    return headers | {
        "Signature-Input": f"up42-sig=({listed});created={NOW}",
        "Signature": "up42-sig=" + _mac_b64(*headers.values()),
    }


def test_the_attack_the_captured_values_in_one_made_up_header_carry_another_body() -> None:
    headers = _claimed_for({"x-up42-values": SIGNED_TEXT})
    with pytest.raises(CoveredHeaderError) as caught:
        verify(FORGED_BODY, headers, SECRET, now=NOW, allow_unsigned_body=True)
    error = caught.value
    assert isinstance(error, UnsignedBodyError)
    assert error.header == "x-up42-values"
    expected = "lists 'x-up42-values', which is not in covered_headers (content-length, content-type, date)"
    assert expected in str(error)


@pytest.mark.parametrize(
    "moved",
    [
        {"content-type": SIGNED_TEXT},
        {"content-type": "application/json", "date": DIGEST},
        {"content-type": "application/json", "content-length": DIGEST[:4], "date": DIGEST[4:]},
    ],
    ids=["into-content-type", "into-date", "split-across-three"],
)
def test_the_captured_values_spread_over_allowed_headers_are_refused_too(moved: dict[str, str]) -> None:
    # Every name is on the allowlist, yet the signed values still hold the captured body's digest.
    with pytest.raises(CoveredHeaderError, match="its signed values hold a body digest") as caught:
        verify(FORGED_BODY, _claimed_for(moved), SECRET, now=NOW, allow_unsigned_body=True)
    assert caught.value.header is None


def test_a_legacy_digest_among_the_signed_values_is_refused() -> None:
    legacy = "SHA-256=" + DIGEST.removeprefix("sha-256=:").removesuffix(":")
    headers = _digestless({"Content-Type": "application/json", "Date": legacy})
    with pytest.raises(CoveredHeaderError, match="hold a body digest"):
        verify(FORGED_BODY, headers, SECRET, now=NOW, allow_unsigned_body=True)


def test_a_delivery_signed_over_allowed_headers_without_a_digest_passes() -> None:
    headers = _digestless({"Content-Type": "application/json", "Date": "Thu, 28 May 2026 20:26:40 GMT"})
    assert verify(CAPTURED_BODY, headers, SECRET, now=NOW, allow_unsigned_body=True).message_id == "m-FULFILLED"


def test_the_allowlist_is_an_argument_matched_in_any_case() -> None:
    headers = _digestless({"Content-Type": "application/json", "X-UP42-Event": "order.status"})
    with pytest.raises(CoveredHeaderError) as caught:
        verify(CAPTURED_BODY, headers, SECRET, now=NOW, allow_unsigned_body=True)
    assert caught.value.header == "x-up42-event"
    allowed = DEFAULT_COVERED_HEADERS | {"X-UP42-Event"}
    event = verify(CAPTURED_BODY, headers, SECRET, now=NOW, allow_unsigned_body=True, covered_headers=allowed)
    assert event.message_id == "m-FULFILLED"


def test_without_the_option_the_refusal_stays_the_plain_unsigned_body_error() -> None:
    with pytest.raises(UnsignedBodyError) as caught:
        verify(FORGED_BODY, _claimed_for({"x-up42-values": SIGNED_TEXT}), SECRET, now=NOW)
    assert type(caught.value) is UnsignedBodyError


def test_a_signature_covering_a_digest_is_not_held_to_the_allowlist() -> None:
    # The digest authenticates the body, so other covered headers do no harm.
    headers = CAPTURED | {"X-Request-Id": "r-1"}
    values = [headers["Content-Type"], headers["Content-Digest"], "r-1"]
    headers["Signature-Input"] = f'up42-sig=("content-type" "content-digest" "x-request-id");created={NOW}'
    headers["Signature"] = "up42-sig=" + _mac_b64(*values)
    assert verify(CAPTURED_BODY, headers, SECRET, now=NOW, allow_unsigned_body=True).message_id


@pytest.mark.parametrize("covered_headers", ["content-type", b"date", None, 3, ["date", ""], [None]])
def test_an_unusable_allowlist_is_an_invalid_argument(covered_headers: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="covered_headers"):
        verify(CAPTURED_BODY, CAPTURED, SECRET, now=NOW, covered_headers=covered_headers)


def test_a_receiver_holds_deliveries_to_its_own_allowlist() -> None:
    now = int(time.time())
    body = json.loads(CAPTURED_BODY) | {"timestamp": datetime.datetime.fromtimestamp(now, datetime.UTC).isoformat()}
    raw = json.dumps(body).encode()
    signed = {"Content-Type": "application/json", "X-UP42-Event": "order.status"}
    headers = signed | {
        "Signature-Input": f'up42-sig=("content-type" "x-up42-event");created={now}',
        "Signature": "up42-sig=" + _mac_b64(*signed.values()),
    }
    wide = Receiver(SECRET, allow_unsigned_body=True, covered_headers=DEFAULT_COVERED_HEADERS | {"x-up42-event"})
    narrow = Receiver(SECRET, allow_unsigned_body=True)
    assert narrow.handle(raw, headers).kind is OutcomeKind.BAD_SIGNATURE
    assert wide.handle(raw, headers).kind is OutcomeKind.IGNORED  # verified; no handler is registered
    with pytest.raises(InvalidArgumentError, match="covered_headers"):
        Receiver(SECRET, covered_headers="content-type")
