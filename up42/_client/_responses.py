"""Reading HTTP responses: typed results for success, typed errors for everything else. No I/O happens here."""

from __future__ import annotations

import dataclasses
import datetime
import email.utils
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, Protocol, TypeVar

import httpx
from up42_api import Client as GeneratedClient
from up42_api.models import ErrorDetailsType0, ErrorEnvelope, OAuthError
from up42_api.types import Unset

from .._masking import NO_SECRETS, Secrets
from ..errors import APIError, RateLimitError, ResponseParseError, error_class_for
from ._encodings import CodingError, decoders

BODY_EXCERPT = 2000

# What the generated from_dict raises when a body breaks the contract (missing key, wrong shape, bad date).
PARSE_ERRORS = (KeyError, TypeError, ValueError, AttributeError)
# What decoding a body can raise: deeply nested arrays exhaust the JSON decoder's stack.
DECODE_ERRORS = (ValueError, RecursionError)

# The generated parsers read only `raise_on_unexpected_status` from the client they are given.
_PARSER = GeneratedClient(base_url="")

M = TypeVar("M")


class Endpoint(Protocol):
    """A generated endpoint module (up42_api.api.<tag>.<operation>)."""

    _get_kwargs: Callable[..., dict[str, Any]]
    _parse_response: Callable[..., Any]
    _check_response: Callable[..., bool]


# Not frozen: a frozen dataclass sets each field through object.__setattr__, and every SDK call makes one of these
# (and a Reply), a thousand at a time under fan-out. Nothing changes them after they are made.
@dataclasses.dataclass(slots=True)
class Call:
    """One API operation about to be sent: the generated endpoint and its arguments."""

    endpoint: Endpoint
    kwargs: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    on_auth_host: bool = False
    bearer: str | None = dataclasses.field(default=None, repr=False)
    # None: decided by the HTTP method; True for a POST that is safe to repeat (asking for a token).
    idempotent: bool | None = None
    # True: the response body is only checked against its model; the caller builds models from `Reply.data` when
    # it needs them. A list of a thousand webhooks is mostly never read field by field.
    lazy: bool = False
    # True: the body is not even checked here; the caller checks it (`Reply.checked`) in the pass that builds its
    # result, so that decoding, checking and building a long list run as one (see `_bulk`).
    deferred: bool = False
    # Why an answer cannot have come from UP42 at all (the place is some other server), or None: reported in its
    # stead, whatever its status.
    foreign: Callable[[Answer], str | None] | None = None

    def request(self) -> dict[str, Any]:
        """The keyword arguments for ``httpx.Client.request``, built by the generated code."""
        return self.endpoint._get_kwargs(**self.kwargs)


class Answer:
    """A response as the SDK reads it, whichever backend received it: status, headers, the whole body, the request.

    The generated parsers read it as they would an ``httpx.Response``. Its JSON is decoded at most once: the
    generated code decodes the body to build its models, and `Reply.data` needs the same body as plain JSON.
    Building it costs a fraction of an ``httpx.Response`` (no URL parsing, no stream, headers kept as received
    until an error or a retry reads them), which counts when a thousand calls run at once.
    """

    __slots__ = ("_decoded", "_headers", "_raw_headers", "content", "method", "reason_phrase", "status_code", "url")

    def __init__(
        self,
        status_code: int,
        reason_phrase: str,
        raw_headers: Sequence[tuple[bytes, bytes]],
        method: str,
        url: str,
        content: bytes = b"",
    ) -> None:
        self.status_code = status_code
        self.reason_phrase = reason_phrase
        self._raw_headers = raw_headers
        self._headers: httpx.Headers | None = None
        self.method = method
        self.url = url
        self.content = content
        self._decoded: Any = _NOT_DECODED

    @property
    def headers(self) -> httpx.Headers:
        """The headers as ``httpx.Response.headers`` reads them, made on first use: a success rarely needs them."""
        if self._headers is None:
            self._headers = httpx.Headers(list(self._raw_headers))
        return self._headers

    def header(self, name: str) -> str | None:
        """One header's value as ``headers.get`` reads it (repeats joined by commas), without making `headers`.

        For the headers the SDK reads itself (lengths, dates, media types), which are ASCII.
        """
        if self._headers is not None:
            value: str | None = self._headers.get(name)
            return value
        key = name.lower().encode("ascii")
        # A response has a handful of headers: scanning them is cheaper than indexing them.
        values = [value.decode("latin-1") for raw, value in self._raw_headers if raw.lower() == key]
        return ", ".join(values) if values else None

    @property
    def path(self) -> str:
        """The path of the request it answers, as ``httpx.URL.path`` reads it."""
        return httpx.URL(self.url).path

    @property
    def text(self) -> str:
        """The body as text, decoded as ``httpx.Response.text`` would (charset from the headers, else UTF-8)."""
        # Only the charset is passed on: the body is already decompressed, so its Content-Encoding must not be.
        content_type = self.header("content-type")
        headers = {} if content_type is None else {"content-type": content_type}
        return httpx.Response(self.status_code, headers=headers, content=self.content).text

    def json(self) -> Any:
        """The decoded body (decoded on first use, as ``httpx.Response.json`` would)."""
        if self._decoded is _NOT_DECODED:
            self._decoded = json.loads(self.content)
        return self._decoded


_NOT_DECODED = object()


class CappedBody:
    """A response body as it comes off the wire, decoded and refused once any layer of it outgrows the size cap.

    No I/O: each backend feeds it the raw bytes. The cap holds for the bytes received and for the output of each of
    their content codings (see `_encodings`), counted a piece at a time as it is decoded: a body refused at the cap
    has never been decoded much beyond it.
    """

    __slots__ = ("_answer", "_chunks", "_decoders", "_limit", "_sizes")

    def __init__(self, answer: Answer, limit: int, declared: str | None, coding: str | None) -> None:
        """``declared`` and ``coding``: the Content-Length and Content-Encoding headers (its lines joined by commas),
        as the backend has them indexed already; ``coding`` is None for a body that comes decoded already too.
        """
        self._answer = answer
        self._limit = limit
        self._chunks: list[bytes] = []
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise too_large(answer, limit)
        try:
            self._decoders = decoders(coding) if coding else []
        except CodingError as error:
            raise _parse_error(answer, str(error), NO_SECRETS) from None
        # The bytes received, then the output of each decoder.
        self._sizes = [0] * (len(self._decoders) + 1)

    def add(self, chunk: bytes) -> None:
        """Take one piece of the body as received, or refuse the body once any layer of it outgrows the cap."""
        try:
            self._take(0, chunk)
        except CodingError as error:
            # A decoder's complaint quotes none of the body, and none of it is kept on the answer yet.
            raise _parse_error(self._answer, str(error), NO_SECRETS) from None

    def _take(self, layer: int, data: bytes) -> None:
        size = self._sizes[layer] + len(data)
        if size > self._limit:
            raise too_large(self._answer, self._limit)
        self._sizes[layer] = size
        if layer == len(self._decoders):
            self._chunks.append(data)
        elif data:
            for piece in self._decoders[layer].feed(data):
                self._take(layer + 1, piece)

    def finish(self) -> Answer:
        """The answer with its whole (decoded) body."""
        self._answer.content = self._chunks[0] if len(self._chunks) == 1 else b"".join(self._chunks)
        return self._answer


@dataclasses.dataclass(slots=True)
class Reply:
    """A successful response, parsed (or, for a lazy call, checked) by the generated code."""

    parsed: Any
    response: Answer
    # What an error about this body masks.
    secrets: Secrets
    # Whether the status is one the generated code knows; for a lazy call, what the check found besides errors.
    documented: bool = True

    def expect(self, model: type[M]) -> M:
        """Return the parsed body as ``model`` (the generated parsers checked every field's type on the way)."""
        if not isinstance(self.parsed, model):
            raise _parse_error(self.response, f"expected a {model.__name__} body", self.secrets)
        return self.parsed

    def expect_checked(self, model: type[Any]) -> None:
        """For a lazy call: make sure the body was checked, as ``model`` (the operation's only success body)."""
        if not self.documented:
            raise _parse_error(self.response, f"expected a {model.__name__} body", self.secrets)

    def checked(self, endpoint: Endpoint) -> Reply:
        """For a deferred call of ``endpoint``: the reply with its body checked now, as a lazy call's would be."""
        return parse(endpoint, self.response, self.secrets, lazy=True)

    def data(self) -> Any:
        """The ``data`` member of the envelope exactly as sent (the models re-serialise dates differently).

        It is the JSON the models were built from; callers copy what they hand out.
        """
        return self.response.json()["data"]


def read(call: Call, response: Answer, secrets: Secrets, *, attempts: int = 1) -> Reply:
    """Turn a response into a `Reply`, or raise the typed error it stands for, with ``secrets`` masked in it."""
    status = response.status_code
    problem = call.foreign(response) if call.foreign is not None else None
    if problem is not None:
        if 200 <= status < 300:
            raise _parse_error(response, problem, secrets, breaks_contract=False)
        raise error_from_response(response, secrets, attempts=attempts, message=problem)
    if not 200 <= status < 300:
        raise error_from_response(response, secrets, attempts=attempts)
    if status not in _KNOWN_STATUSES:
        raise _parse_error(response, f"HTTP {status} is not a status this API answers with", secrets)
    if call.deferred:
        return Reply(parsed=None, response=response, secrets=secrets, documented=False)
    return parse(call.endpoint, response, secrets, lazy=call.lazy)


def parse(endpoint: Endpoint, response: Answer, secrets: Secrets, *, lazy: bool = False) -> Reply:
    """The `Reply` to a successful response: its body parsed by the generated code of ``endpoint`` (``lazy``: only
    checked), or the `ResponseParseError` of a body that breaks the contract, with ``secrets`` masked in it."""
    try:
        if lazy:
            documented = endpoint._check_response(client=_PARSER, response=response)
            return Reply(parsed=None, response=response, secrets=secrets, documented=documented)
        # The parsed body alone: the generated `_build_response` would also copy the headers and the status.
        parsed = endpoint._parse_response(client=_PARSER, response=response)
    except (*PARSE_ERRORS, *DECODE_ERRORS) as error:
        problem = _explain(error)
    else:
        return Reply(parsed=parsed, response=response, secrets=secrets, documented=parsed is not None)
    # Raised outside the handler, so that the parser's error, which can quote the body unmasked, is neither its
    # cause nor its context: the masked problem says what failed.
    raise _parse_error(response, problem, secrets)


_KNOWN_STATUSES = frozenset(int(s) for s in HTTPStatus)


def error_from_response(
    response: Answer, secrets: Secrets, *, attempts: int = 1, message: str | None = None
) -> APIError:
    """Build the `APIError` subclass for an error response from its status and (UP42 or OAuth) error body.

    ``message`` replaces the body's own. Everything it keeps of the response has ``secrets`` masked (see
    `_masking`).
    """
    status = response.status_code
    found, code, details = _error_fields(response)
    message = found if message is None else message
    kwargs: dict[str, Any] = {
        "attempts": attempts,
        "code": secrets.text(code) if isinstance(code, str) else code,
        "details": secrets.data(details),
        "method": response.method,
        "path": response.path,
        "headers": secrets.headers(response.headers.items()),
        "body": _excerpt(response, secrets),
    }
    message = secrets.text(message)
    cls = error_class_for(status)
    if cls is RateLimitError:
        return RateLimitError(status, message, retry_after=retry_after(response.header("retry-after")), **kwargs)
    return cls(status, message, **kwargs)


def _error_fields(response: Answer) -> tuple[str, str | int | None, dict[str, Any] | None]:
    fallback = response.reason_phrase or "error"
    try:
        payload = response.json()
    except DECODE_ERRORS:
        kind = (response.header("content-type") or "no content type").split(";")[0]
        what = "an empty body" if not response.content else f"a {kind} body of {len(response.content)} bytes"
        return f"{fallback} ({what}, not a JSON error)", None, None
    if not isinstance(payload, dict):
        return fallback, None, None
    try:
        error = ErrorEnvelope.from_dict(payload).error
        details = error.details.to_dict() if isinstance(error.details, ErrorDetailsType0) else None
        code = None if isinstance(error.code, Unset) else error.code
        return str(error.message), code if isinstance(code, str | int) else None, details
    except PARSE_ERRORS:
        pass
    try:
        oauth = OAuthError.from_dict(payload)
        description = oauth.error_description
        return (str(description) if isinstance(description, str) else fallback), str(oauth.error), None
    except PARSE_ERRORS:
        pass
    # Older v1 endpoints put a bare string into "error".
    if isinstance(payload.get("error"), str):
        return payload["error"], None, None
    return fallback, None, None


def retry_after(value: str | None, *, now: datetime.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (a number of seconds or an HTTP date); None if unusable."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.UTC)
        seconds = (when - (now or datetime.datetime.now(datetime.UTC))).total_seconds()
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        return None
    return max(0.0, seconds)


def _excerpt(response: Answer, secrets: Secrets) -> str:
    """The start of the body for an error to keep, with every token, secret and password in it masked."""
    try:
        text = response.text
    except (UnicodeDecodeError, LookupError):
        text = repr(response.content)
    return secrets.excerpt(text, BODY_EXCERPT)


def too_large(response: Answer, limit: int) -> ResponseParseError:
    """The error for a body longer than ``limit`` bytes, refused before it was read whole."""
    return ResponseParseError(
        f"HTTP {response.status_code} from {response.method} {response.path}: the response body is larger than "
        f"max_response_size ({limit} bytes) and was not read",
        status=response.status_code,
    )


def _parse_error(
    response: Answer, problem: str, secrets: Secrets, *, breaks_contract: bool = True
) -> ResponseParseError:
    # The problem can quote a value of the body (an unreadable date, say), which may repeat a credential.
    contract = "the response breaks the API contract: " if breaks_contract else ""
    return ResponseParseError(
        f"HTTP {response.status_code} from {response.method} {response.path}: {contract}{secrets.text(problem)}",
        status=response.status_code,
        body=_excerpt(response, secrets),
    )


def _explain(error: Exception) -> str:
    # The generated parsers mark each field and list item an error passes through, innermost first.
    where = _location(reversed(getattr(error, "__notes__", ())))
    if isinstance(error, KeyError):
        key = str(error.args[0]) if error.args else "?"
        return f"missing field {_location([where, key])!r}"
    if isinstance(error, json.JSONDecodeError):
        return "the body is not JSON"
    if isinstance(error, RecursionError):
        return "the body is JSON nested too deeply to decode"
    if where:
        return f"field {where!r}: {error}"
    return f"{type(error).__name__}: {error}"


def _location(steps: Iterable[str]) -> str:
    """Join field names and ``[index]`` steps into one path, e.g. ``data[0].createdAt``."""
    path = ""
    for step in steps:
        path += step if step.startswith("[") or not path else f".{step}"
    return path
