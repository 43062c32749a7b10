"""Unauthenticated header text is bounded and read in linear time: caps are refused, work is counted, not timed."""

from __future__ import annotations

import base64
import hmac
import json
from typing import Any

import pytest

from up42.receiving import MalformedHeaderError, _signature, content_digest, sign, verify
from up42.receiving._signature import MAX_COVERED_HEADERS, MAX_HEADER_LENGTH, _parse_signature_input
from up42.receiving._structured import _Reader

SECRET = "header-limits-secret"
NOW = 1_780_000_000
BODY = json.dumps(
    {
        "event": "job.status",
        "liveMode": True,
        "messageId": "m-1",
        "timestamp": "2026-05-28T20:26:40Z",
        "body": {"status": "SUCCEEDED"},
    }
).encode()


def test_the_caps_are_the_documented_ones() -> None:
    assert (MAX_HEADER_LENGTH, MAX_COVERED_HEADERS) == (8192, 64)


def _padded_signature_input(length: int) -> dict[str, str]:
    # Signature-Input itself is not signed, so a long keyid leaves the signature valid: only the length is at stake.
    headers = sign(BODY, SECRET, created=NOW)
    prefix = headers["Signature-Input"] + ';keyid="'
    headers["Signature-Input"] = prefix + "k" * (length - len(prefix) - 1) + '"'
    assert len(headers["Signature-Input"]) == length
    return headers


def test_a_signature_input_at_the_length_cap_is_read() -> None:
    assert verify(BODY, _padded_signature_input(MAX_HEADER_LENGTH), SECRET, now=NOW).message_id == "m-1"


def test_a_signature_input_over_the_length_cap_is_refused_before_it_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    def never(text: str) -> Any:
        raise AssertionError("an over-long header reached the parser")

    monkeypatch.setattr(_signature, "parse_dictionary", never)
    with pytest.raises(
        MalformedHeaderError, match="signature-input header is 8193 characters long, more than the 8192"
    ):
        verify(BODY, _padded_signature_input(MAX_HEADER_LENGTH + 1), SECRET, now=NOW)


def _covering(names: list[str], digest: str = content_digest(BODY)) -> dict[str, str]:
    """A delivery whose signature covers this Content-Digest and `names`, correctly signed."""
    extra = {name: f"v-{index}" for index, name in enumerate(names)}
    listed = " ".join(f'"{name}"' for name in ["content-digest", *extra])
    signed = "".join([digest, *extra.values()]).encode()
    signature = base64.b64encode(hmac.digest(SECRET.encode(), signed, "sha256")).decode()
    return extra | {
        "Content-Digest": digest,
        "Signature-Input": f"up42-sig=({listed});created={NOW}",
        "Signature": f"up42-sig={signature}",
    }


def test_a_signature_over_the_length_cap_is_refused() -> None:
    headers = sign(BODY, SECRET, created=NOW)
    headers["Signature"] += ", other=" + "A" * MAX_HEADER_LENGTH
    with pytest.raises(MalformedHeaderError, match="the signature header is 8253 characters long"):
        verify(BODY, headers, SECRET, now=NOW)


def test_a_content_digest_over_the_length_cap_is_refused() -> None:
    long_digest = content_digest(BODY) + ", other=:" + "A" * MAX_HEADER_LENGTH + ":"
    with pytest.raises(MalformedHeaderError, match="the content-digest header is 8256 characters long"):
        verify(BODY, _covering([], long_digest), SECRET, now=NOW)


# Lowercase names take the plain reading, capitalised ones the general parser; both enforce the cap.
@pytest.mark.parametrize("spelling", [str.lower, str.capitalize], ids=["plain", "structured"])
def test_the_number_of_covered_names_is_capped(spelling: Any) -> None:
    names = [spelling(f"x-h{index}") for index in range(MAX_COVERED_HEADERS)]
    assert verify(BODY, _covering(names[:-1]), SECRET, now=NOW).message_id == "m-1"  # the digest makes 64
    with pytest.raises(MalformedHeaderError, match="lists 65 headers, more than the 64 this receiver accepts"):
        verify(BODY, _covering(names), SECRET, now=NOW)


class _CountedName(str):
    """A header name that counts how often it is compared for equality."""

    comparisons = 0

    def __eq__(self, other: object) -> bool:
        _CountedName.comparisons += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__

    def lower(self) -> _CountedName:
        return _CountedName(str.lower(self))


def test_reading_many_names_compares_each_a_bounded_number_of_times(monkeypatch: pytest.MonkeyPatch) -> None:
    # The cap bounds the work on any one header, but the reading itself must also be linear: checking each name
    # against the ones before it (a list) made 40,000 names take seconds. Count the comparisons instead of timing.
    names = 2_000
    monkeypatch.setattr(_signature, "MAX_COVERED_HEADERS", names)
    monkeypatch.setattr(_signature, "MAX_HEADER_LENGTH", 10 * names + 100)
    read = _Reader.bare_item
    monkeypatch.setattr(_Reader, "bare_item", lambda self: _CountedName(v) if isinstance(v := read(self), str) else v)
    _CountedName.comparisons = 0
    text = "up42-sig=(" + " ".join(f'"X-H{index}"' for index in range(names)) + ");created=1"
    signed = _parse_signature_input(text)
    assert signed.covered == tuple(f"x-h{index}" for index in range(names))
    assert _CountedName.comparisons <= names  # a quadratic reading makes about names**2 / 2
    with pytest.raises(MalformedHeaderError, match="lists 'x-h0' twice"):
        _parse_signature_input(text.replace('"X-H1999"', '"x-h0"'))


def test_many_repeats_of_a_header_are_joined_into_one_value() -> None:
    # Repeats are gathered and joined once; the Signature-Input they add up to is then held to the length cap.
    repeats = [("Signature-Input", 'up42-sig=("content-digest");created=1')] * 1_000
    with pytest.raises(MalformedHeaderError, match="signature-input header is 38998 characters long"):
        verify(BODY, [*repeats, ("Signature", "up42-sig=AAAA")], SECRET, now=NOW)
