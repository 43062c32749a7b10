"""Reading HTTP responses: typed results for success, typed errors for everything else. No I/O happens here."""

from __future__ import annotations

import dataclasses
import datetime
import email.utils
import enum
import functools
import json
import types
import typing
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any, Protocol, TypeVar

import attrs
import httpx
import up42_api.models
from up42_api import Client as GeneratedClient
from up42_api.models import ErrorDetailsType0, ErrorEnvelope, OAuthError
from up42_api.types import Response, Unset

from .errors import APIError, RateLimitError, ResponseParseError, error_class_for

BODY_EXCERPT = 2000

# What the generated from_dict raises when a body breaks the contract (missing key, wrong shape, bad date).
PARSE_ERRORS = (KeyError, TypeError, ValueError, AttributeError)

# The generated parsers read only `raise_on_unexpected_status` from the client they are given.
_PARSER = GeneratedClient(base_url="")

M = TypeVar("M")


class Endpoint(Protocol):
    """A generated endpoint module (up42_api.api.<tag>.<operation>)."""

    _get_kwargs: Callable[..., dict[str, Any]]
    _build_response: Callable[..., Response[Any]]


@dataclasses.dataclass(frozen=True)
class Call:
    """One API operation about to be sent: the generated endpoint and its arguments."""

    endpoint: Endpoint
    kwargs: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    on_auth_host: bool = False
    bearer: str | None = dataclasses.field(default=None, repr=False)
    # None: decided by the HTTP method; True for a POST that is safe to repeat (asking for a token).
    idempotent: bool | None = None

    def request(self) -> dict[str, Any]:
        """The keyword arguments for ``httpx.Client.request``, built by the generated code."""
        return self.endpoint._get_kwargs(**self.kwargs)


class Body:
    """A response as the generated parser reads it, with the JSON decoded at most once.

    The generated code decodes the body to build its models, and `Reply.data` needs the same body as plain
    JSON; handing both this object means one decode instead of two.
    """

    __slots__ = ("_decoded", "content", "headers", "status_code")

    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        self.content = response.content
        self.headers = response.headers
        self._decoded: Any = _NOT_DECODED

    def json(self) -> Any:
        """The decoded body (decoded on first use, as `httpx.Response.json` would)."""
        if self._decoded is _NOT_DECODED:
            self._decoded = json.loads(self.content)
        return self._decoded


_NOT_DECODED = object()


@dataclasses.dataclass(frozen=True)
class Reply:
    """A successful response, parsed by the generated code."""

    parsed: Any
    response: httpx.Response
    body: Body

    def expect(self, model: type[M]) -> M:
        """Return the parsed body as ``model`` after checking every field against its declared type."""
        if not isinstance(self.parsed, model):
            raise _parse_error(self.response, f"expected a {model.__name__} body")
        problem = type_problem(self.parsed)
        if problem:
            raise _parse_error(self.response, problem)
        return self.parsed

    def data(self) -> Any:
        """The ``data`` member of the envelope exactly as sent (the models re-serialise dates differently).

        It is the JSON the models were built from; callers copy what they hand out.
        """
        return self.body.json()["data"]


def read(call: Call, response: httpx.Response, *, attempts: int = 1) -> Reply:
    """Turn a response into a `Reply`, or raise the typed error it stands for."""
    status = response.status_code
    if not 200 <= status < 300:
        raise error_from_response(response, attempts=attempts)
    if status not in _KNOWN_STATUSES:
        raise _parse_error(response, f"HTTP {status} is not a status this API answers with")
    body = Body(response)
    try:
        built = call.endpoint._build_response(client=_PARSER, response=body)
    except PARSE_ERRORS as error:
        raise _parse_error(response, _explain(error)) from error
    return Reply(parsed=built.parsed, response=response, body=body)


_KNOWN_STATUSES = frozenset(int(s) for s in HTTPStatus)


def error_from_response(response: httpx.Response, *, attempts: int = 1) -> APIError:
    """Build the `APIError` subclass for an error response from its status and (UP42 or OAuth) error body."""
    status = response.status_code
    message, code, details = _error_fields(response)
    kwargs: dict[str, Any] = {
        "attempts": attempts,
        "code": code,
        "details": details,
        "method": response.request.method,
        "path": response.request.url.path,
        "headers": response.headers,
        "body": _excerpt(response),
    }
    cls = error_class_for(status)
    if cls is RateLimitError:
        return RateLimitError(status, message, retry_after=retry_after(response.headers.get("retry-after")), **kwargs)
    return cls(status, message, **kwargs)


def _error_fields(response: httpx.Response) -> tuple[str, str | int | None, dict[str, Any] | None]:
    fallback = response.reason_phrase or "error"
    try:
        payload = response.json()
    except ValueError:
        kind = response.headers.get("content-type", "no content type").split(";")[0]
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


def _excerpt(response: httpx.Response) -> str:
    try:
        return response.text[:BODY_EXCERPT]
    except (UnicodeDecodeError, LookupError):
        return repr(response.content[:BODY_EXCERPT])


def _parse_error(response: httpx.Response, problem: str) -> ResponseParseError:
    request = response.request
    return ResponseParseError(
        f"HTTP {response.status_code} from {request.method} {request.url.path}: "
        f"the response breaks the API contract: {problem}",
        status=response.status_code,
        body=_excerpt(response),
    )


def _explain(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"missing field {error.args[0]!r}" if error.args else "missing field"
    if isinstance(error, json.JSONDecodeError):
        return "the body is not JSON"
    return f"{type(error).__name__}: {error}"


def type_problem(value: Any, path: str = "") -> str | None:
    """Describe the first field of a generated model whose value does not have its declared type, or None.

    The generated ``from_dict`` checks presence, not types: ``"active": "yes"`` would otherwise pass silently.
    """
    if _conforms(value):
        return None
    for name, hint in _field_hints(type(value)).items():
        problem = _mismatch(getattr(value, name), hint, f"{path}{name}")
        if problem:
            return problem
    return None


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _field_hints(cls: type[Any]) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        # Nested models are imported only for type checking in generated modules; resolve them from the package.
        resolved = typing.get_type_hints(cls, localns=vars(up42_api.models))
        hints = {f.name: resolved[f.name] for f in attrs.fields(cls) if f.name != "additional_properties"}
        _HINTS[cls] = hints
    return hints


def _mismatch(value: Any, hint: Any, path: str) -> str | None:
    # The rules live in the predicates; this only walks into lists and nested models to name the first bad field.
    if _predicate(hint)(value):
        return None
    if typing.get_origin(hint) is list and isinstance(value, list):
        (item,) = typing.get_args(hint)
        for index, element in enumerate(value):
            problem = _mismatch(element, item, f"{path}[{index}]")
            if problem:
                return problem
    if isinstance(hint, type) and attrs.has(hint) and isinstance(value, hint):
        return type_problem(value, f"{path}.")
    return _wrong(value, hint, path)


# Checking a list of a thousand webhooks must be cheap: `_conforms` answers yes or no with a predicate built once
# per model class, and only a "no" pays for `_mismatch`'s explanation.
Predicate = Callable[[Any], bool]
_PREDICATES: dict[type[Any], Predicate] = {}


def _conforms(value: Any) -> bool:
    cls = type(value)
    predicate = _PREDICATES.get(cls)
    if predicate is None:
        predicate = _PREDICATES[cls] = _model_predicate(cls)
    return predicate(value)


def _model_predicate(cls: type[Any]) -> Predicate:
    # Most fields are settled by one isinstance call; they go first, in a plain loop (the hot path).
    plain: list[tuple[str, tuple[type[Any], ...]]] = []
    other: list[tuple[str, Predicate]] = []
    for name, hint in _field_hints(cls).items():
        accepted = _classes(hint)
        if accepted is None:
            other.append((name, _predicate(hint)))
        else:
            plain.append((name, accepted))

    def conforms(value: Any) -> bool:
        for name, accepted in plain:
            if not isinstance(getattr(value, name), accepted):
                return False
        return all(check(getattr(value, name)) for name, check in other)

    return conforms


def _classes(hint: Any) -> tuple[type[Any], ...] | None:
    """The classes that satisfy ``hint`` when one isinstance call decides, else None."""
    if typing.get_origin(hint) in (types.UnionType, typing.Union):
        options = [_classes(option) for option in typing.get_args(hint)]
        return None if None in options else tuple(cls for option in options if option for cls in option)
    if hint is type(None):
        return (type(None),)
    if (
        isinstance(hint, type)
        and not attrs.has(hint)
        and issubclass(hint, str | bool | enum.Enum | datetime.datetime | Unset)
    ):
        return (hint,)
    return None


@functools.cache
def _predicate(hint: Any) -> Predicate:
    """Whether a value has the type ``hint`` declares (built once per hint)."""
    accepted = _classes(hint)
    if accepted is not None:
        return lambda value: isinstance(value, accepted)
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = tuple(_predicate(option) for option in typing.get_args(hint))
        return lambda value: any(option(value) for option in options)
    if origin is typing.Literal:
        allowed = typing.get_args(hint)
        return lambda value: value in allowed
    if origin is list:
        (item,) = typing.get_args(hint)
        return _list_predicate(_predicate(item))
    if hint is Any or origin is dict:
        return lambda value: True
    if hint is int:
        return lambda value: isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return lambda value: isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(hint, type) and attrs.has(hint):
        return lambda value: isinstance(value, hint) and _conforms(value)
    return lambda value: True


def _list_predicate(each: Predicate) -> Predicate:
    return lambda value: isinstance(value, list) and all(map(each, value))


def _wrong(value: Any, hint: Any, path: str) -> str:
    expected = getattr(hint, "__name__", None) or str(hint).replace("up42_api.models.", "").replace("types.", "")
    return f"field {path!r} should be {expected}, got {type(value).__name__}"
