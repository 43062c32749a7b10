"""Signing and verifying deliveries: fixed vectors, round trips, every failure reason, property tests."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from up42.errors import InvalidArgumentError
from up42.receiving import (
    DigestMismatchError,
    InvalidPayloadError,
    MalformedHeaderError,
    MessageTooOldError,
    MissingHeaderError,
    RawBodyRequiredError,
    SignatureExpiredError,
    SignatureFromFutureError,
    SignatureMismatchError,
    SignatureTimestampError,
    SignatureVerificationError,
    UnsignedBodyError,
    WebhookEvent,
    _signature,
    sign,
    verify,
)

BODY = (
    b'{"event":"order.status","liveMode":true,"messageId":"6f1f7a2e-4a38-4c39-9a47-1d2f5c6b8e90",'
    b'"timestamp":"2023-01-09T03:34:52.267042Z","body":{"orderId":"00000000-0000-0000-0000-000000000001",'
    b'"orderType":"TASKING","dataHostName":"test-up42-host-name","status":"FULFILLED","statusIsFinal":true}}'
)
SECRET = "whsec-up42-vector-1"
CREATED = 1673235292
NOW = CREATED + 10

# Vector 1: what `sign` must produce, written down once and recomputed below with hashlib/hmac alone.
DIGEST = "sha-256=:dkVj/oXNk0S9uKrZfWq550KYxq03B5zPgaa3Y0hyuM8=:"
SIGNATURE = "uuC57JY3rHCEUxNh9b7zF0gLbQ0kNglWIn2tmPqhUQ4="
HEADERS = {
    "Content-Type": "application/json",
    "Content-Digest": DIGEST,
    "Signature-Input": f'up42-sig=("content-type" "content-digest");created={CREATED}',
    "Signature": f"up42-sig={SIGNATURE}",
}

# Vector 2: lowercase names as UP42's own sample reads them, other covered headers, a legacy Digest, a non-ASCII
# secret.
SECRET_2 = "ünïcode-secret"
DATE = "Mon, 09 Jan 2023 03:34:52 GMT"
LEGACY_DIGEST = "SHA-256=dkVj/oXNk0S9uKrZfWq550KYxq03B5zPgaa3Y0hyuM8="
HEADERS_2 = {
    "date": DATE,
    "digest": LEGACY_DIGEST,
    "signature-input": f'up42-sig=("date" "digest");created={CREATED};keyid="k1"',
    "signature": "up42-sig=elpvML43wnMBlSxL99E4/+eZgmUmBmNNA0rhERRc7S8=",
}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _hmac(secret: str, message: str) -> str:
    return _b64(hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest())


def _signed(body: bytes = BODY, created: int = CREATED, secret: str = SECRET, **changes: str) -> dict[str, str]:
    headers = sign(body, secret, created=created)
    headers.update(changes)
    return headers


def _refusal(headers: Any, body: Any = BODY, secret: Any = SECRET, **kwargs: Any) -> SignatureVerificationError:
    kwargs.setdefault("now", NOW)
    with pytest.raises(SignatureVerificationError) as caught:
        verify(body, headers, secret, **kwargs)
    return caught.value


# --- vectors ---------------------------------------------------------------------------------------------------


def test_vector_values_follow_from_hashlib_and_hmac_alone() -> None:
    assert f"sha-256=:{_b64(hashlib.sha256(BODY).digest())}:" == DIGEST
    assert _hmac(SECRET, "application/json" + DIGEST) == SIGNATURE
    assert HEADERS_2["signature"] == "up42-sig=" + _hmac(SECRET_2, DATE + LEGACY_DIGEST)


def test_sign_reproduces_the_vector() -> None:
    assert sign(BODY, SECRET, created=CREATED) == HEADERS


def test_sign_accepts_text_and_defaults_created_to_now() -> None:
    headers = sign(BODY.decode(), SECRET)
    assert headers["Content-Digest"] == DIGEST
    # created is the current time, so the default tolerance holds; the vector's message itself is from 2023.
    verify(BODY, headers, SECRET, max_age=2**40)


def test_verify_accepts_the_vectors() -> None:
    event = verify(BODY, HEADERS, SECRET, now=NOW)
    assert event.message_id == "6f1f7a2e-4a38-4c39-9a47-1d2f5c6b8e90"
    assert event.event == "order.status"
    assert verify(BODY, HEADERS_2, SECRET_2, now=NOW).raw == json.loads(BODY)


def test_a_digest_mismatch_in_the_legacy_digest_header_is_caught() -> None:
    headers = dict(HEADERS_2)
    error = _refusal(headers, body=BODY.replace(b"FULFILLED", b"CANCELED!"), secret=SECRET_2)
    assert isinstance(error, DigestMismatchError)
    assert "Digest (sha-256)" in str(error)


# --- round trips and accepted variations --------------------------------------------------------------------


def test_round_trip_with_text_body_and_aware_datetime_now() -> None:
    now = datetime.datetime.fromtimestamp(NOW, tz=datetime.UTC)
    assert verify(BODY.decode(), _signed(), SECRET, now=now).live_mode is True


@pytest.mark.parametrize("secrets", [[SECRET], ["old-secret", SECRET], (SECRET, "next-secret"), ["a", "b", SECRET]])
def test_rotation_passes_when_any_secret_matches(secrets: list[str]) -> None:
    assert verify(BODY, _signed(), secrets, now=NOW).event == "order.status"


def test_rotation_fails_when_no_secret_matches_and_says_how_many_were_tried() -> None:
    error = _refusal(_signed(), secret=["old", "older"])
    assert isinstance(error, SignatureMismatchError)
    assert "any of the 2 secrets" in str(error)


@pytest.mark.parametrize("case", [str.lower, str.upper, str.title])
def test_header_names_match_in_any_case(case: Any) -> None:
    headers = {case(name): value for name, value in _signed().items()}
    assert verify(BODY, headers, SECRET, now=NOW).message_id


def test_headers_as_asgi_byte_pairs() -> None:
    pairs = [(name.lower().encode(), value.encode()) for name, value in _signed().items()]
    assert verify(BODY, pairs, SECRET, now=NOW).message_id


def test_signature_in_a_colon_wrapper_is_accepted() -> None:
    assert verify(BODY, _signed(Signature=f"up42-sig=:{SIGNATURE}:"), SECRET, now=NOW).message_id


def test_other_signature_members_beside_up42_sig_are_ignored() -> None:
    signature = f"other=:AAAA:, up42-sig={SIGNATURE}, third=abc=="
    signature_input = (
        'other=("date");created=1, up42-sig=("content-type" "content-digest");created='
        f'{CREATED};alg="hmac-sha256", third=("x")'
    )
    headers = _signed(Signature=signature, **{"Signature-Input": signature_input})
    assert verify(BODY, headers, SECRET, now=NOW).message_id


def test_repeated_signature_headers_are_combined() -> None:
    pairs = [(name, value) for name, value in _signed().items()] + [("Signature", "other=:AAAA:")]
    assert verify(BODY, pairs, SECRET, now=NOW).message_id


def test_surrounding_whitespace_in_header_values_is_ignored() -> None:
    headers = {name: f"  {value}\t" for name, value in _signed().items()}
    assert verify(BODY, headers, SECRET, now=NOW).message_id


# --- tolerance edges -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tolerance", [0, 1, 300, 3600])
def test_exactly_at_the_bound_passes_in_both_directions(tolerance: int) -> None:
    # A message stamped at the signing second, so that only the signature's bound is at stake.
    body = BODY.replace(b"52.267042Z", b"52Z")
    headers = _signed(body=body)
    assert verify(body, headers, SECRET, tolerance=tolerance, now=CREATED + tolerance).message_id
    assert verify(body, headers, SECRET, tolerance=tolerance, now=CREATED - tolerance).message_id


def test_one_second_past_the_bound_fails_and_says_by_how_much() -> None:
    error = _refusal(_signed(), now=CREATED + 301)
    assert isinstance(error, SignatureExpiredError)
    assert isinstance(error, SignatureTimestampError)
    assert error.skew == 301
    assert error.tolerance == 300
    assert "created 301 s ago, more than the 300 s tolerance" in str(error)


def test_the_future_beyond_the_bound_fails_and_says_so() -> None:
    error = _refusal(_signed(), now=CREATED - 301)
    assert isinstance(error, SignatureFromFutureError)
    assert error.skew == 301
    assert "created 301 s in the future, more than the 300 s tolerance" in str(error)


def test_an_hour_in_the_future_fails() -> None:
    assert isinstance(_refusal(_signed(created=NOW + 3600)), SignatureFromFutureError)


def test_fractional_clock_is_reported_precisely() -> None:
    error = _refusal(_signed(), now=CREATED + 300.25)
    assert "created 300.25 s ago" in str(error)


def test_an_expires_parameter_in_the_past_fails() -> None:
    body_digest = f"sha-256=:{_b64(hashlib.sha256(BODY).digest())}:"
    signature_input = f'up42-sig=("content-type" "content-digest");created={CREATED};expires={CREATED + 5}'
    headers = {
        "content-type": "application/json",
        "content-digest": body_digest,
        "signature-input": signature_input,
        "signature": "up42-sig=" + _hmac(SECRET, "application/json" + body_digest),
    }
    assert verify(BODY, headers, SECRET, now=CREATED + 5).message_id
    error = _refusal(headers, now=CREATED + 6)
    assert isinstance(error, SignatureExpiredError)
    assert "expired 1 s ago" in str(error)


# --- every failure reason --------------------------------------------------------------------------------------


def _without(name: str) -> dict[str, str]:
    headers = _signed()
    del headers[name]
    return headers


@pytest.mark.parametrize(
    ("headers", "kind", "text"),
    [
        pytest.param({}, MissingHeaderError, "signature-input header is missing", id="no-headers"),
        pytest.param(_without("Signature-Input"), MissingHeaderError, "signature-input", id="no-input"),
        pytest.param(_without("Signature"), MissingHeaderError, "the signature header is missing", id="no-signature"),
        pytest.param(
            _without("Content-Digest"), MissingHeaderError, "content-digest header is missing", id="covered-absent"
        ),
        pytest.param(
            _signed(**{"Signature-Input": 'up42-sig=("content-type" "content-digest")'}),
            MalformedHeaderError,
            "no created parameter",
            id="no-created",
        ),
        pytest.param(
            _signed(**{"Signature-Input": 'up42-sig=("content-type");created="soon"'}),
            MalformedHeaderError,
            "created parameter is not a whole number",
            id="created-text",
        ),
        pytest.param(
            _signed(**{"Signature-Input": 'up42-sig=("content-type");created=-5'}),
            MalformedHeaderError,
            "created parameter is not a whole number",
            id="created-negative",
        ),
        pytest.param(
            _signed(**{"Signature-Input": 'up42-sig=("content-type" "content-digest";created=1'}),
            MalformedHeaderError,
            "not a structured dictionary",
            id="unclosed-list",
        ),
        pytest.param(
            _signed(**{"Signature-Input": f'sig1=("content-type");created={CREATED}'}),
            MalformedHeaderError,
            "has no up42-sig member",
            id="no-up42-label",
        ),
        pytest.param(
            _signed(**{"Signature-Input": f'up42-sig="content-type";created={CREATED}'}),
            MalformedHeaderError,
            "not a parenthesised list",
            id="not-a-list",
        ),
        pytest.param(
            _signed(**{"Signature-Input": f"up42-sig=();created={CREATED}"}),
            MalformedHeaderError,
            "covers no headers",
            id="empty-list",
        ),
        pytest.param(
            _signed(**{"Signature-Input": f'up42-sig=("@method" "content-digest");created={CREATED}'}),
            MalformedHeaderError,
            "derived component '@method'",
            id="derived",
        ),
        pytest.param(
            _signed(**{"Signature-Input": f'up42-sig=("content-type" "Content-Type");created={CREATED}'}),
            MalformedHeaderError,
            "twice",
            id="duplicate-component",
        ),
        pytest.param(
            _signed(**{"Signature-Input": f'up42-sig=(1 "content-type");created={CREATED}'}),
            MalformedHeaderError,
            "lists '1', which is not a header name",
            id="number-component",
        ),
        pytest.param(_signed(Signature="sig1=abc"), MalformedHeaderError, "no up42-sig member", id="no-sig-member"),
        pytest.param(
            _signed(Signature=f"up42-sig={SIGNATURE}, up42-sig={SIGNATURE}"),
            MalformedHeaderError,
            "2 up42-sig members",
            id="two-sig-members",
        ),
        pytest.param(_signed(Signature="up42-sig=not base64!"), MalformedHeaderError, "not base64", id="bad-base64"),
        pytest.param(
            _signed(Signature="up42-sig=" + _hmac("wrong", "x")),
            SignatureMismatchError,
            "does not match the secret",
            id="wrong-mac",
        ),
        pytest.param(
            _signed(**{"Content-Type": "text/plain"}),
            SignatureMismatchError,
            "content-type, content-digest) was changed",
            id="covered-header-changed",
        ),
        pytest.param(
            _signed(**{"Content-Digest": DIGEST}) | {"Signature": "up42-sig=" + _hmac(SECRET, "x")},
            SignatureMismatchError,
            "does not match",
            id="truncated-signature",
        ),
    ],
)
def test_each_failure_reason_has_its_class_and_says_which_check_failed(
    headers: dict[str, str], kind: type[SignatureVerificationError], text: str
) -> None:
    error = _refusal(headers)
    assert type(error) is kind
    assert text in str(error)
    assert SECRET not in str(error) and SECRET not in repr(error)


def test_missing_header_error_names_the_header() -> None:
    error = _refusal(_without("Content-Digest"))
    assert isinstance(error, MissingHeaderError)
    assert error.header == "content-digest"
    assert "though Signature-Input lists it" in str(error)


def test_a_changed_body_fails_the_digest_check() -> None:
    error = _refusal(_signed(), body=BODY.replace(b"TASKING", b"ARCHIVE"))
    assert isinstance(error, DigestMismatchError)
    assert "does not match Content-Digest (sha-256)" in str(error)


def test_a_reserialised_body_fails_the_digest_check() -> None:
    reserialised = json.dumps(json.loads(BODY), indent=2).encode()
    assert isinstance(_refusal(_signed(), body=reserialised), DigestMismatchError)


def _signed_over(covered: dict[str, str], created: int = CREATED) -> dict[str, str]:
    names = " ".join(f'"{name}"' for name in covered)
    return covered | {
        "signature-input": f"up42-sig=({names});created={created}",
        "signature": "up42-sig=" + _hmac(SECRET, "".join(covered.values())),
    }


def test_a_signature_that_covers_no_digest_is_refused_unless_allowed() -> None:
    headers = _signed_over({"content-type": "application/json", "x-request-id": "r-1"})
    error = _refusal(headers)
    assert isinstance(error, UnsignedBodyError)
    assert "allow_unsigned_body=True" in str(error)
    allowed = {"content-type", "X-Request-Id"}
    assert verify(BODY, headers, SECRET, now=NOW, allow_unsigned_body=True, covered_headers=allowed).message_id


@pytest.mark.parametrize(
    ("digest", "kind", "text"),
    [
        ("md5=:AAAA:", DigestMismatchError, "no sha-256 or sha-512 digest"),
        ("sha-256=abc", MalformedHeaderError, "not a byte sequence"),
        ("sha-256=:AAAA", MalformedHeaderError, "Content-Digest is not a structured dictionary"),
        (f"sha-512=:{_b64(hashlib.sha512(BODY).digest())}:, sha-256=:AAAA:", DigestMismatchError, "(sha-256)"),
    ],
)
def test_bad_content_digest_values(digest: str, kind: type[Exception], text: str) -> None:
    error = _refusal(_signed_over({"content-type": "application/json", "content-digest": digest}))
    assert type(error) is kind
    assert text in str(error)


def test_sha_512_content_digest_is_checked() -> None:
    digest = f"sha-512=:{_b64(hashlib.sha512(BODY).digest())}:"
    assert verify(BODY, _signed_over({"content-digest": digest}), SECRET, now=NOW).message_id


def test_bad_legacy_digest_value() -> None:
    error = _refusal(_signed_over({"digest": "SHA-256=***"}))
    assert isinstance(error, MalformedHeaderError)
    assert "Digest's 'SHA-256' value is not base64" in str(error)


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (b"{not json", "not UTF-8 JSON"),
        (b"\xff\xfe", "not UTF-8 JSON"),
        (b"[1, 2]", "JSON list, not an object"),
        (b"[" * 100_000 + b"]" * 100_000, "not UTF-8 JSON"),
        (b'{"event": "order.status"}', "no liveMode field"),
    ],
)
def test_an_authentic_body_that_is_not_a_message_is_invalid_payload(body: bytes, text: str) -> None:
    error = _refusal(_signed(body=body), body=body)
    assert isinstance(error, InvalidPayloadError)
    assert text in str(error)


@pytest.mark.parametrize("body", [json.loads(BODY), [1], 42, None])
def test_a_parsed_body_is_refused_with_the_reason(body: Any) -> None:
    error = _refusal(_signed(), body=body)
    assert isinstance(error, RawBodyRequiredError)
    assert isinstance(error, InvalidArgumentError)
    assert "raw bytes" in str(error)
    assert "re-serialised" in str(error) or "serialised again" in str(error)


def test_headers_of_the_wrong_shape_are_a_malformed_header_error() -> None:
    assert isinstance(_refusal([("only-one",)]), MalformedHeaderError)
    assert isinstance(_refusal({"signature": None}), MalformedHeaderError)
    assert isinstance(_refusal(42), MalformedHeaderError)


@pytest.mark.parametrize(
    ("secret", "kwargs"),
    [
        ("", {}),
        ([], {}),
        (["ok", ""], {}),
        (b"bytes", {}),
        (None, {}),
        ("s", {"tolerance": -1}),
        ("s", {"tolerance": float("inf")}),
        ("s", {"now": datetime.datetime(2023, 1, 1)}),
        ("s", {"now": "now"}),
        ("s", {"now": float("nan")}),
    ],
)
def test_unusable_arguments_are_invalid_argument_errors(secret: Any, kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        verify(BODY, _signed(), secret, **kwargs)
    assert not isinstance(caught.value, SignatureVerificationError)


@pytest.mark.parametrize(
    ("secret", "created"),
    [("", None), (None, None), (["s"], None), ("\ud800", None), ("s", -1), ("s", 1.5), ("s", True)],
)
def test_sign_refuses_unusable_arguments(secret: Any, created: Any) -> None:
    with pytest.raises(InvalidArgumentError):
        sign(BODY, secret, created=created)


# --- property tests --------------------------------------------------------------------------------------------


def _verify_or_refuse(body: bytes | str, headers: Any) -> None:
    outcome: WebhookEvent | SignatureVerificationError
    try:
        outcome = verify(body, headers, ["one", SECRET], now=NOW)
    except SignatureVerificationError as error:
        outcome = error
    assert isinstance(outcome, WebhookEvent) or (str(outcome) and SECRET not in str(outcome))


_names = st.sampled_from(["Signature", "Signature-Input", "Content-Digest", "Content-Type", "signature", "x-other"])
_values = st.one_of(
    st.text(),
    st.text(alphabet='up42-sig=()";:, created0123456789abc+/=@\t\\', max_size=80),
    st.builds(lambda tail: "up42-sig=" + tail, st.text(max_size=60)),
    st.builds(lambda tail: 'up42-sig=("content-type" "content-digest");' + tail, st.text(max_size=40)),
)


@settings(max_examples=400, deadline=None)
@given(
    body=st.one_of(st.binary(max_size=300), st.text(max_size=300)),
    headers=st.dictionaries(_names, _values, max_size=6),
)
def test_arbitrary_headers_and_bodies_raise_only_verification_errors(
    body: bytes | str, headers: dict[str, str]
) -> None:
    _verify_or_refuse(body, headers)


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=300), headers=st.lists(st.tuples(st.binary(max_size=20), st.binary(max_size=80))))
def test_arbitrary_raw_header_pairs_raise_only_verification_errors(body: bytes, headers: list[Any]) -> None:
    _verify_or_refuse(body, headers + list(_signed(body=body).items()))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_single_byte_change_to_the_body_fails(data: st.DataObject) -> None:
    headers = _signed()
    position = data.draw(st.integers(0, len(BODY) - 1))
    replacement = data.draw(st.integers(0, 255).filter(lambda byte: byte != BODY[position]))
    changed = BODY[:position] + bytes([replacement]) + BODY[position + 1 :]
    with pytest.raises(DigestMismatchError):
        verify(changed, headers, SECRET, now=NOW)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_single_character_change_to_a_covered_header_fails(data: st.DataObject) -> None:
    headers = _signed()
    name = data.draw(st.sampled_from(["Content-Type", "Content-Digest"]))
    value = headers[name]
    position = data.draw(st.integers(0, len(value) - 1))
    replacement = data.draw(st.characters(codec="ascii").filter(lambda char: char != value[position]))
    headers[name] = value[:position] + replacement + value[position + 1 :]
    # Whitespace at either end is trimmed like any HTTP parser does, so such a change is no change.
    assume(headers[name].strip(" \t") != value)
    with pytest.raises(SignatureMismatchError):
        verify(BODY, headers, SECRET, now=NOW)


_messages = st.fixed_dictionaries(
    {
        "event": st.text(max_size=20),
        "liveMode": st.booleans(),
        "messageId": st.text(max_size=40),
        "timestamp": st.just("2024-01-01T00:00:00Z"),
        "body": st.dictionaries(st.text(max_size=10), st.integers() | st.text(max_size=10), max_size=4),
    }
).map(lambda message: json.dumps(message, ensure_ascii=False).encode())


@settings(max_examples=300, deadline=None)
@given(
    body=st.binary(max_size=300) | _messages,
    secret=st.text(min_size=1, max_size=40),
    created=st.integers(0, 2**40),
)
def test_whatever_sign_makes_verify_accepts_up_to_the_json(body: bytes, secret: str, created: int) -> None:
    outcome: WebhookEvent | SignatureVerificationError
    try:
        # Any created time, however far from the messages' own timestamp: the message's age is tested elsewhere.
        outcome = verify(
            body, sign(body, secret, created=created), [secret], now=created, max_age=2**41, tolerance=2**41
        )
    except SignatureVerificationError as error:
        outcome = error
    # The signature always holds; only a body that is no webhook message is refused.
    assert isinstance(outcome, InvalidPayloadError) or outcome.raw == json.loads(body)


# --- the fast paths agree with the general ones ----------------------------------------------------------------


@given(key=st.binary(max_size=200), message=st.binary(max_size=300))
def test_a_keys_hmac_is_the_standard_libraries(key: bytes, message: bytes) -> None:
    # Keys shorter than, as long as and longer than SHA-256's 64-byte block (those are hashed first).
    assert _signature._Key(key).mac(message) == hmac.digest(key, message, "sha256")


def test_a_keys_states_are_copied_not_consumed() -> None:
    key = _signature._Key(b"k")
    assert key.mac(b"one") == key.mac(b"one") == hmac.digest(b"k", b"one", "sha256")


@pytest.mark.parametrize(
    "names",
    [
        pytest.param({"Signature": "x", "signature": "y"}, id="names differing only in case"),
        pytest.param({b"Signature": b"x"}, id="byte names"),
        pytest.param({"Signature": b"x"}, id="byte value"),
    ],
)
def test_dicts_the_quick_path_cannot_read_are_read_by_the_general_one(names: dict[Any, Any]) -> None:
    general = _signature._lowercase(list(names.items()))
    assert _signature._lowercase(names) == general


def test_a_dict_naming_one_header_in_two_cases_joins_their_values() -> None:
    headers = _signed()
    headers["signature"] = "other=:AAAA:"  # beside "Signature": one field, two values
    assert verify(BODY, headers, SECRET, now=NOW).message_id
    headers["signature"] = f"up42-sig={SIGNATURE}"  # the same member twice is refused, as with pairs
    assert isinstance(_refusal(headers), MalformedHeaderError)


def test_a_secret_list_and_a_tuple_holding_no_text_are_read_without_the_cache() -> None:
    assert verify(BODY, _signed(), [SECRET], now=NOW).message_id
    with pytest.raises(InvalidArgumentError):
        verify(BODY, _signed(), (SECRET, ["unhashable"]), now=NOW)  # type: ignore[arg-type]


def test_remembered_limits_tell_true_from_one() -> None:
    assert isinstance(_refusal(_signed(), max_age=1), MessageTooOldError)  # 10 s old; max_age=1 is now remembered
    with pytest.raises(InvalidArgumentError):
        verify(BODY, _signed(), SECRET, now=NOW, max_age=True)
    # A list of covered headers cannot be remembered (it is no key), and is still checked.
    with pytest.raises(InvalidArgumentError):
        verify(BODY, _signed(), SECRET, now=NOW, covered_headers=[""])


def _signed_over_digest(digest: str) -> dict[str, str]:
    # A Content-Digest of one's choosing, signed as UP42 would sign it.
    return {"Content-Digest": digest, "Signature": "up42-sig=" + _hmac(SECRET, "application/json" + digest)}


@pytest.mark.parametrize(
    ("changes", "kind"),
    [
        # The usual spellings' length and prefix, with what only the general parsers may judge.
        ({"Signature": f"up42-sig=-{SIGNATURE[1:]}"}, MalformedHeaderError),  # URL-safe base64
        ({"Signature": f"up42-sig={SIGNATURE[:20]}={SIGNATURE[21:]}"}, MalformedHeaderError),  # padding inside
        ({"Signature": f"up42-sig={SIGNATURE[:-1]}A"}, SignatureMismatchError),  # 33 bytes, no padding
        (_signed_over_digest("sha-256=:" + "-" * 43 + "=:"), MalformedHeaderError),
        ({"Signature-Input": 'up42-sig=("content-type" "content-digest");created=' + "1" * 16}, MalformedHeaderError),
        ({"Signature-Input": 'up42-sig=("content-type" "content-digest");created=\uff11'}, MalformedHeaderError),
    ],
)
def test_text_shaped_like_the_usual_spelling_but_not_it_is_judged_by_the_general_parsers(
    changes: dict[str, str], kind: type[Exception]
) -> None:
    assert type(_refusal(_signed(**changes))) is kind
