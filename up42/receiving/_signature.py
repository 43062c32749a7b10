"""UP42's delivery signature, both ways: `sign` makes the headers, `verify` checks them.

The scheme, as UP42's own validation code shows it: ``Signature-Input: up42-sig=("h1" "h2");created=<unix>``
lists header names, and ``Signature: up42-sig=<base64>`` carries HMAC-SHA256, keyed with the webhook secret, of
those headers' values concatenated in that order with no separator. The body is covered only through a digest
header, so `sign` lists ``content-digest`` (RFC 9530) and `verify` insists on a covered digest by default.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import functools
import hashlib
import hmac
import math
import re
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from .._checks import check_seconds, is_number, is_whole
from ..errors import InvalidArgumentError
from ._errors import (
    CoveredHeaderError,
    DigestMismatchError,
    MalformedHeaderError,
    MessageFromFutureError,
    MessageTooOldError,
    MissingHeaderError,
    SignatureExpiredError,
    SignatureFromFutureError,
    SignatureMismatchError,
    UnsignedBodyError,
)
from ._events import WebhookEvent, event_from_json, raw_body
from ._structured import InnerList, Item, parse_dictionary

__all__ = [
    "DEFAULT_COVERED_HEADERS",
    "DEFAULT_MAX_AGE",
    "DEFAULT_TOLERANCE",
    "HeadersLike",
    "SecretLike",
    "content_digest",
    "sign",
    "verify",
]

LABEL = "up42-sig"
SIGNED_HEADERS = ("content-type", "content-digest")
CONTENT_TYPE = "application/json"
DEFAULT_TOLERANCE = 300
"""Seconds the signature's ``created`` time may lie from the receiver's clock, in either direction."""
DEFAULT_MAX_AGE = 86_400
"""Seconds after its own ``timestamp`` that a message is still accepted: 24 hours, room for late redeliveries."""
MAX_HEADER_LENGTH = 8192
"""The longest Signature-Input, Signature or digest header `verify` reads, in characters."""
MAX_COVERED_HEADERS = 64
"""The most header names a Signature-Input may list."""
DEFAULT_COVERED_HEADERS = frozenset({"content-type", "content-length", "date"})
"""The headers a signature that covers no digest may cover when ``allow_unsigned_body=True``.

The headers a sender that signs no digest is likely to sign, each with a value of a strict form. A header whose
value is free text could hold the values of other headers, since the covered values are concatenated unseparated.
"""

HeadersLike = Mapping[str, str] | Mapping[bytes, bytes] | Iterable[tuple[str | bytes, str | bytes]]
"""A mapping of header names to values, or (name, value) pairs such as an ASGI scope's ``headers``."""

SecretLike = str | Sequence[str]
"""One webhook secret, or several while a secret is being rotated."""

_DIGESTS: dict[str, Callable[[bytes], Any]] = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}
_SHOWN = 60


def _shown(text: str) -> str:
    # Header text comes from the sender; keep messages short whatever it sends.
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "...")


def content_digest(body: bytes) -> str:
    """The RFC 9530 ``Content-Digest`` value of a body: ``sha-256=:<base64 of SHA-256(body)>:``."""
    return f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode('ascii')}:"


class _Key:
    """One secret as HMAC-SHA256 (RFC 2104): the SHA-256 states after its inner and outer padded key blocks.

    The one-shot ``hmac.digest`` sets the key up again on every call, which costs more than hashing the short signed
    text; these states are made once per secret and copied for each message.
    """

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes) -> None:
        if len(key) > _BLOCK:
            key = hashlib.sha256(key).digest()
        key = key.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(key.translate(_INNER_PAD))
        self._outer = hashlib.sha256(key.translate(_OUTER_PAD))

    def mac(self, message: bytes) -> bytes:
        """HMAC-SHA256 of ``message`` with this key."""
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()


_BLOCK = hashlib.sha256().block_size
_INNER_PAD = bytes(byte ^ 0x36 for byte in range(256))
_OUTER_PAD = bytes(byte ^ 0x5C for byte in range(256))


def _signed_text(values: Sequence[str]) -> bytes:
    # The covered values, concatenated. Header text handed over as str may hold lone surrogates; they must fail the
    # comparison, not raise.
    return "".join(values).encode("utf-8", "surrogatepass")


def check_secrets(secret: object) -> list[bytes]:
    """The secrets as keys, or `InvalidArgumentError` unless `secret` is one non-empty string or a sequence of them."""
    if secret == "":
        # Most often an unset variable read as "": say so, and what a webhook without a secret needs instead.
        raise InvalidArgumentError(
            "the secret is empty; a webhook without a secret is delivered unsigned: read it with up42.receiving.parse"
        )
    if isinstance(secret, str):
        return [_key(secret)]  # non-empty: checked above
    if not isinstance(secret, Sequence) or isinstance(secret, bytes | bytearray) or not secret:
        raise InvalidArgumentError("secret must be a non-empty string or a non-empty sequence of strings")
    keys = []
    for item in secret:
        if not isinstance(item, str):
            raise InvalidArgumentError(f"every secret must be a string, not {type(item).__name__}")
        if not item:
            raise InvalidArgumentError("one of the secrets is empty")
        keys.append(_key(item))
    return keys


def _key(secret: str) -> bytes:
    try:
        return secret.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArgumentError("a secret holds characters that UTF-8 cannot encode") from None


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        # HTTP header bytes are Latin-1 on the wire; ASGI hands them over undecoded.
        return bytes(value).decode("latin-1")
    raise MalformedHeaderError(f"header names and values must be str or bytes, not {type(value).__name__}")


def _lowercase(headers: HeadersLike) -> dict[str, str]:
    if type(headers) is dict:
        # The usual dict of text names and values, each name once in any case, read by one comprehension of C
        # calls; anything else (bytes, names that differ only in case) by the general loop below.
        try:
            fields = {_lower(name): _strip(value, " \t") for name, value in headers.items()}
        except TypeError:  # a name or value that is not text
            pass
        else:
            if len(fields) == len(headers):
                return fields
    try:
        # Mappings (dict, Starlette's Headers) and werkzeug's Headers all offer items(); ASGI gives plain pairs.
        pairs = headers.items() if hasattr(headers, "items") else headers
        fields = {}
        repeated: dict[str, list[str]] = {}
        for name, value in pairs:
            key = (name if isinstance(name, str) else _text(name)).lower()
            text = (value if isinstance(value, str) else _text(value)).strip(" \t")
            if key in fields:
                repeated.setdefault(key, [fields[key]]).append(text)
            else:
                fields[key] = text
    except (TypeError, ValueError) as error:
        raise MalformedHeaderError("headers must be a mapping or a sequence of (name, value) pairs") from error
    # A repeated field means its values joined by a comma (RFC 9110 section 5.3); joined once, since appending
    # each repeat to the text so far would take time quadratic in the number of repeats.
    for key, values in repeated.items():
        fields[key] = ", ".join(values)
    return fields


_lower = str.lower
_strip = str.strip


def _required(headers: Mapping[str, str], name: str, why: str) -> str:
    value = headers.get(name)
    if value is None:
        raise MissingHeaderError(f"the {name} header is missing{why}", header=name)
    return value


def _covered_values(headers: Mapping[str, str], covered: Sequence[str]) -> list[str]:
    values = list(map(headers.get, covered))
    if None in values:
        for name in covered:
            _required(headers, name, " though Signature-Input lists it")  # raises at the first one missing
    return values  # type: ignore[return-value]  # no None among them, as checked


def _bounded_required(headers: Mapping[str, str], name: str, why: str) -> str:
    value = headers.get(name)
    if value is None or len(value) > MAX_HEADER_LENGTH:
        return _bounded(name, _required(headers, name, why))  # raises: the header is missing or too long
    return value


def _bounded(name: str, text: str) -> str:
    # Anyone can post to a receiver; refuse a header too long for any honest signature before reading it.
    if len(text) > MAX_HEADER_LENGTH:
        raise MalformedHeaderError(
            f"the {name} header is {len(text)} characters long, more than the {MAX_HEADER_LENGTH} this receiver reads"
        )
    return text


class _SignatureInput(NamedTuple):
    # A tuple rather than a dataclass: built on every verify, and a tuple is the cheapest immutable record.
    covered: tuple[str, ...]
    created: int
    expires: int | None
    digests: tuple[str, ...]  # the covered body digest headers, in the listed order


def _signature_input(covered: tuple[str, ...], created: int, expires: int | None = None) -> _SignatureInput:
    digests = _SIGNED_DIGESTS if covered is SIGNED_HEADERS else tuple(n for n in covered if n in _BODY_DIGESTS)
    return _SignatureInput(covered, created, expires, digests)


def _int_param(params: Mapping[str, object], name: str) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    if not is_whole(value) or value < 0:
        raise MalformedHeaderError(f"Signature-Input's {name} parameter is not a whole number of Unix seconds")
    return value


# The exact spellings `sign` (and UP42) produce, read by string operations (what `sign` writes) or one regular
# expression (another list of names). Any other text, including every malformed one, goes through the general
# structured-field parser, which reads these spellings the same way.
_PLAIN_SIGNATURE_INPUT = re.compile(rf'{re.escape(LABEL)}=\("([a-z0-9-]+(?:" "[a-z0-9-]+)*)"\);created=([0-9]{{1,15}})')
_SIGNED_INPUT_PREFIX = f'{LABEL}=("' + '" "'.join(SIGNED_HEADERS) + '");created='
# A SHA-256 (the HMAC, a digest) is 44 base64 characters: `up42-sig=<them>` and `sha-256=:<them>:`.
_SIGNATURE_PREFIX = f"{LABEL}="
_SIGNATURE_LENGTH = len(_SIGNATURE_PREFIX) + 44
_DIGEST_PREFIX = "sha-256=:"
_DIGEST_LENGTH = len(_DIGEST_PREFIX) + 44 + 1
# A digest of either header's form, wherever it stands among the signed values.
_DIGEST_TEXT = re.compile("|".join(f"{re.escape(name)}=" for name in _DIGESTS), re.IGNORECASE)


def _parse_signature_input(text: str) -> _SignatureInput:
    if text.startswith(_SIGNED_INPUT_PREFIX):  # what `sign` lists, then the created time
        seconds = text[len(_SIGNED_INPUT_PREFIX) :]
        if 0 < len(seconds) <= 15 and seconds.isascii() and seconds.isdigit():
            return _signature_input(SIGNED_HEADERS, int(seconds))
    plain = _PLAIN_SIGNATURE_INPUT.fullmatch(text)
    if plain:
        names = tuple(plain[1].split('" "'))
        if len(names) <= MAX_COVERED_HEADERS and len(set(names)) == len(names):
            return _signature_input(names, int(plain[2]))
    try:
        members = parse_dictionary(text)
    except ValueError as error:
        raise MalformedHeaderError(f"Signature-Input is not a structured dictionary: {error}") from None
    member = members.get(LABEL)
    if member is None:
        raise MalformedHeaderError(f"Signature-Input has no {LABEL} member")
    if not isinstance(member, InnerList):
        raise MalformedHeaderError(f"Signature-Input's {LABEL} member is not a parenthesised list of header names")
    if len(member.items) > MAX_COVERED_HEADERS:
        raise MalformedHeaderError(
            f"Signature-Input lists {len(member.items)} headers, more than the {MAX_COVERED_HEADERS} this receiver "
            "accepts"
        )
    # A dict keeps the listed order and answers "listed twice?" in constant time, so parsing stays linear.
    covered: dict[str, None] = {}
    for item in member.items:
        name = item.value
        if not isinstance(name, str):
            raise MalformedHeaderError(f"Signature-Input lists {_shown(str(name))}, which is not a header name")
        name = name.lower()
        if name.startswith("@"):
            raise MalformedHeaderError(
                f"Signature-Input lists the derived component {_shown(name)}; only header names are supported"
            )
        if name in covered:
            raise MalformedHeaderError(f"Signature-Input lists {_shown(name)} twice")
        covered[name] = None
    if not covered:
        raise MalformedHeaderError("Signature-Input covers no headers")
    created = _int_param(member.params, "created")
    if created is None:
        raise MalformedHeaderError(f"Signature-Input's {LABEL} member has no created parameter")
    return _signature_input(tuple(covered), created, _int_param(member.params, "expires"))


def _sha256_base64(text: str) -> bytes | None:
    # Strict: only base64 characters and correct padding; None for anything else, which the general parsers read.
    try:
        return binascii.a2b_base64(text, strict_mode=True)
    except binascii.Error:
        return None


def _parse_signature(text: str) -> bytes:
    if len(text) == _SIGNATURE_LENGTH and text.startswith(_SIGNATURE_PREFIX):
        plain = _sha256_base64(text[len(_SIGNATURE_PREFIX) :])
        if plain is not None:
            return plain
    # Not a strict structured field: UP42 sends plain base64, which is no valid sf-token, so split on '=' at the
    # first one only (base64 padding contains '=' too) and accept the RFC 9421 ':...:' wrapper as well.
    found: list[str] = []
    for member in text.split(","):
        label, _, value = member.partition("=")
        if label.strip(" \t") == LABEL:
            found.append(value.partition(";")[0].strip(" \t"))
    if not found:
        raise MalformedHeaderError(f"the Signature header has no {LABEL} member")
    if len(found) > 1:
        raise MalformedHeaderError(f"the Signature header has {len(found)} {LABEL} members")
    value = found[0]
    if len(value) >= 2 and value[0] == value[-1] == ":":
        value = value[1:-1]
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedHeaderError(f"the Signature header's {LABEL} value is not base64") from None


def _seconds(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


class _Options(NamedTuple):
    """The checked arguments of a verify call: each secret as a `_Key`, and the limits."""

    keys: tuple[_Key, ...]
    tolerance: float
    max_age: float
    covered_headers: frozenset[str]


def _checked_options(secret: object, tolerance: object, max_age: object, covered_headers: object) -> _Options:
    return _Options(
        tuple(_Key(key) for key in check_secrets(secret)),
        check_tolerance(tolerance),
        check_seconds(max_age, "max_age"),
        check_covered_headers(covered_headers),
    )


# Remembered for the arguments a receiver passes on every call. typed: True, 1 and 1.0 are one key to a plain
# cache, yet only the numbers are seconds.
_remembered_options = functools.lru_cache(maxsize=16, typed=True)(_checked_options)


def _options(secret: object, tolerance: object, max_age: object, covered_headers: object) -> _Options:
    try:
        return _remembered_options(secret, tolerance, max_age, covered_headers)
    except TypeError:  # a list of secrets or of header names, or something else that cannot be a key
        return _checked_options(secret, tolerance, max_age, covered_headers)


def _check_time(signed: _SignatureInput, now: float, tolerance: float) -> None:
    age = now - signed.created
    if age > tolerance:
        raise SignatureExpiredError(
            f"the signature was created {_seconds(age)} s ago, more than the {_seconds(tolerance)} s tolerance "
            f"(created={signed.created}, now={_seconds(now)}): a replay, a delayed delivery, or a clock running ahead",
            created=signed.created,
            now=now,
            tolerance=tolerance,
        )
    if -age > tolerance:
        raise SignatureFromFutureError(
            f"the signature was created {_seconds(-age)} s in the future, more than the {_seconds(tolerance)} s "
            f"tolerance (created={signed.created}, now={_seconds(now)}): is this machine's clock behind?",
            created=signed.created,
            now=now,
            tolerance=tolerance,
        )
    if signed.expires is not None and now > signed.expires:
        raise SignatureExpiredError(
            f"the signature expired {_seconds(now - signed.expires)} s ago (expires={signed.expires}, "
            f"now={_seconds(now)})",
            created=signed.created,
            now=now,
            tolerance=tolerance,
        )


def _check_content_digest(text: str, body: bytes) -> None:
    if len(text) == _DIGEST_LENGTH and text.startswith(_DIGEST_PREFIX) and text[-1] == ":":
        plain = _sha256_base64(text[len(_DIGEST_PREFIX) : -1])
        if plain is not None:
            _compare_digest("Content-Digest", "sha-256", plain, body)
            return
    try:
        members = parse_dictionary(text)
    except ValueError as error:
        raise MalformedHeaderError(f"Content-Digest is not a structured dictionary: {error}") from None
    _compare_digests("Content-Digest", members, body)


def _check_legacy_digest(text: str, body: bytes) -> None:
    # RFC 3230 Digest: `SHA-256=<base64>`, algorithm names case-insensitive, no colons.
    members: dict[str, Item | InnerList] = {}
    for member in text.split(","):
        name, _, value = member.strip(" \t").partition("=")
        try:
            members[name.lower()] = Item(base64.b64decode(value.strip(" \t"), validate=True))
        except (binascii.Error, ValueError):
            raise MalformedHeaderError(f"Digest's {_shown(name)} value is not base64") from None
    _compare_digests("Digest", members, body)


def _compare_digests(header: str, members: Mapping[str, Item | InnerList], body: bytes) -> None:
    known = [name for name in members if name in _DIGESTS]
    if not known:
        raise DigestMismatchError(f"{header} carries no {' or '.join(_DIGESTS)} digest, so the body cannot be checked")
    for name in known:
        member = members[name]
        expected = member.value if isinstance(member, Item) else None
        if not isinstance(expected, bytes):
            raise MalformedHeaderError(f"{header}'s {name} value is not a byte sequence")
        _compare_digest(header, name, expected, body)


def _compare_digest(header: str, name: str, expected: bytes, body: bytes) -> None:
    if not hmac.compare_digest(expected, _DIGESTS[name](body).digest()):
        raise DigestMismatchError(
            f"the body does not match {header} ({name}): it was changed after signing, or it is not the raw "
            "body as received (decoded, re-encoded or re-serialised)"
        )


_BODY_DIGESTS: dict[str, Callable[[str, bytes], None]] = {
    "content-digest": _check_content_digest,
    "digest": _check_legacy_digest,
}
_SIGNED_DIGESTS = tuple(name for name in SIGNED_HEADERS if name in _BODY_DIGESTS)


def check_covered_headers(covered_headers: object) -> frozenset[str]:
    """The allowlist as lowercase names, or `InvalidArgumentError` unless it is a collection of header names."""
    if covered_headers is DEFAULT_COVERED_HEADERS:
        return DEFAULT_COVERED_HEADERS  # lowercase already; every verify() passes it unless told otherwise
    if isinstance(covered_headers, str | bytes) or not isinstance(covered_headers, Collection):
        raise InvalidArgumentError("covered_headers must be a collection of header names, such as a frozenset")
    if not all(isinstance(name, str) and name for name in covered_headers):
        raise InvalidArgumentError("every name in covered_headers must be a non-empty string")
    return frozenset(name.lower() for name in covered_headers)


def _check_unsigned_body(covered: Sequence[str], values: Sequence[str], allowed: frozenset[str]) -> None:
    # Without a digest nothing binds the list of names to the values, so restrict both to what a digest-less
    # sender plausibly signs; otherwise one captured delivery's values, moved, would vouch for any body.
    outside = [name for name in covered if name not in allowed]
    if outside:
        raise CoveredHeaderError(
            f"the signature covers no digest and lists {_shown(outside[0])}, which is not in covered_headers "
            f"({', '.join(sorted(allowed)) or 'empty'}): the list of names is not signed, so the signed values of "
            "a captured delivery could have been moved into it",
            header=outside[0],
        )
    if _DIGEST_TEXT.search("".join(values)):
        raise CoveredHeaderError(
            "the signature covers no digest header, yet its signed values hold a body digest: a delivery signed "
            "over its digest, with the digest moved out of its header so that any body would pass",
            header=None,
        )


def _now(now: float | datetime.datetime | None) -> float:
    if now is None:
        return time.time()
    if isinstance(now, datetime.datetime):
        if now.tzinfo is None:
            raise InvalidArgumentError("now must be a timezone-aware datetime or Unix seconds")
        return now.timestamp()
    if is_number(now) and math.isfinite(now):
        return float(now)
    raise InvalidArgumentError(f"now must be a timezone-aware datetime or finite Unix seconds, not {now!r}")


def check_tolerance(tolerance: object) -> float:
    """Return the tolerance as seconds, or raise `InvalidArgumentError` unless it is a non-negative number."""
    return check_seconds(tolerance, "tolerance")


def _check_age(event: WebhookEvent, now: float, max_age: float, tolerance: float) -> None:
    # The signature's `created` is not signed, so it cannot bound replays; the body's timestamp is, via the digest.
    age = now - event.timestamp.timestamp()
    if age > max_age:
        raise MessageTooOldError(
            f"the message's timestamp ({event.timestamp.isoformat()}) is {_seconds(age)} s old, more than the "
            f"{_seconds(max_age)} s max_age: a replay of a captured delivery, or one retried very late",
            timestamp=event.timestamp,
            now=now,
            limit=max_age,
        )
    if -age > tolerance:
        raise MessageFromFutureError(
            f"the message's timestamp ({event.timestamp.isoformat()}) is {_seconds(-age)} s in the future, more "
            f"than the {_seconds(tolerance)} s tolerance: is this machine's clock behind?",
            timestamp=event.timestamp,
            now=now,
            limit=tolerance,
        )


def sign(body: bytes | str, secret: str, *, created: int | None = None) -> dict[str, str]:
    """Sign a delivery body the way UP42 does: return the headers to send along with it.

    The signature covers Content-Type and Content-Digest, and the digest covers the body, so `verify` detects a
    change to either. Useful for tests of your receiver and for local senders.

    Args:
        body: The exact bytes (or UTF-8 text) that will be sent.
        secret: The webhook's secret.
        created: The signing time in Unix seconds; now by default.

    Returns:
        ``Content-Type``, ``Content-Digest``, ``Signature-Input`` and ``Signature``.

    Examples:
        >>> headers = sign(b'{"event": "order.status"}', "s3cret", created=1700000000)
        >>> headers["Signature-Input"]
        'up42-sig=("content-type" "content-digest");created=1700000000'
    """
    raw = raw_body(body)
    if not isinstance(secret, str):
        raise InvalidArgumentError(f"secret must be a non-empty string, not {type(secret).__name__}")
    (key,) = check_secrets(secret)
    if created is None:
        created = int(time.time())
    elif not is_whole(created) or created < 0:
        raise InvalidArgumentError("created must be a non-negative whole number of Unix seconds")
    values = {"content-type": CONTENT_TYPE, "content-digest": content_digest(raw)}
    signature = base64.b64encode(_Key(key).mac(_signed_text([values[name] for name in SIGNED_HEADERS])))
    components = " ".join(f'"{name}"' for name in SIGNED_HEADERS)
    return {
        "Content-Type": values["content-type"],
        "Content-Digest": values["content-digest"],
        "Signature-Input": f"{LABEL}=({components});created={created}",
        "Signature": f"{LABEL}={signature.decode('ascii')}",
    }


def verify(
    body: bytes | str,
    headers: HeadersLike,
    secret: SecretLike,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    max_age: float = DEFAULT_MAX_AGE,
    now: float | datetime.datetime | None = None,
    allow_unsigned_body: bool = False,
    covered_headers: Collection[str] = DEFAULT_COVERED_HEADERS,
) -> WebhookEvent:
    """Check that UP42 sent this delivery, recently, unchanged; then parse it.

    Checks, in order: the signature headers are present and well formed, a secret reproduces the signature, the
    signature is no more than `tolerance` seconds old or ahead, and a signed digest header matches the body. Only
    then is the JSON parsed, and the message's own ``timestamp`` must be no more than `max_age` seconds old (nor
    more than `tolerance` seconds ahead).

    The signature covers header values only, not its own ``created`` time, so anyone holding a captured delivery
    can make ``created`` look fresh. The body's timestamp is covered through the digest; `max_age` is what bounds
    how long a captured delivery can be replayed, and de-duplication by ``messageId`` (see `Receiver`) turns a
    replay inside that window into a duplicate.

    Args:
        body: The raw request body, exactly as received (bytes, or text decoded as UTF-8). Not a parsed dict.
        headers: The request headers: a mapping (names in any case) or (name, value) pairs.
        secret: The webhook's secret, or a sequence of secrets during a rotation; any one may match. Each is
            compared in constant time.
        tolerance: How far, in seconds, the signature's ``created`` time may lie from now in either direction (and
            how far ahead the message's timestamp may be): the allowance for clocks that differ.
        max_age: How old, in seconds, the message's own ``timestamp`` may be. A redelivery of a message keeps its
            timestamp, so this is also how late UP42 may redeliver it; 24 hours by default.
        now: The current time (Unix seconds or an aware datetime); the system clock by default.
        allow_unsigned_body: Accept a signature that covers no Content-Digest or Digest header, provided it covers
            only `covered_headers` and its signed values hold no digest. This gives up everything the body says:
            the event, the message id and the timestamp are then not authenticated, so anyone who has seen one
            delivery can send any body with its headers at any time, and `max_age` and de-duplication bound
            nothing. Enable it only if UP42's deliveries turn out to cover no digest, and then treat each event
            as a hint to confirm through the API.
        covered_headers: With `allow_unsigned_body`, the only headers a signature without a digest may cover
            (names in any case); `DEFAULT_COVERED_HEADERS` by default. Add a header only if its value cannot hold
            arbitrary text.

    Returns:
        The parsed `WebhookEvent`.

    Raises:
        SignatureVerificationError: One of its subclasses, naming the check that failed. Nothing else is raised for
            any body or headers. The sender's header text is bounded before it is read: a Signature-Input,
            Signature or digest header longer than 8192 characters, or a Signature-Input listing more than 64
            headers, is a `MalformedHeaderError`.
        InvalidArgumentError: The secret, tolerance, max_age, now or covered_headers argument is unusable (a bug in
            the caller).
    """
    raw = body if type(body) is bytes else raw_body(body)
    keys, limit, oldest, allowed = _options(secret, tolerance, max_age, covered_headers)
    moment = time.time() if now is None else _now(now)
    found = _lowercase(headers)
    why = ": UP42 sends no signature for a webhook without a secret (see up42.receiving.parse)"
    signed = _parse_signature_input(_bounded_required(found, "signature-input", why))
    signature = _parse_signature(_bounded_required(found, "signature", why))
    values = _covered_values(found, signed.covered)
    # Every key is tried, even after a match, so the time taken does not reveal which secret matched.
    message = _signed_text(values)
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(key.mac(message), signature)
    if not matched:
        secrets = "the secret" if len(keys) == 1 else f"any of the {len(keys)} secrets"
        raise SignatureMismatchError(
            f"the signature does not match {secrets}: a wrong secret, or a signed header "
            f"({', '.join(signed.covered)}) was changed"
        )
    if abs(moment - signed.created) > limit or signed.expires is not None:
        _check_time(signed, moment, limit)
    if not signed.digests:
        if not allow_unsigned_body:
            raise UnsignedBodyError(
                "the signature covers no Content-Digest or Digest header, so the body is not authenticated; "
                "pass allow_unsigned_body=True to accept such deliveries"
            )
        _check_unsigned_body(signed.covered, values, allowed)
    for name in signed.digests:
        _BODY_DIGESTS[name](_bounded(name, found[name]), raw)
    event = event_from_json(raw)
    _check_age(event, moment, oldest, limit)
    return event
