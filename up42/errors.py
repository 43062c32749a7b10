"""Every error the SDK raises, in one tree.

```
UP42Error                        catch this to catch everything from the SDK
├── InvalidArgumentError         a bad argument, refused before any request (also a ValueError and a TypeError)
├── NotAuthenticatedError        no credentials, or the facade used before up42.authenticate()
├── APIConnectionError           the request did not complete (DNS, refused, reset, TLS, ...)
│   └── APITimeoutError          ... because a timeout or the call's deadline expired
├── ResponseParseError           a success response whose body breaks the API contract, or a body over the cap
└── APIError                     the API answered with an error status; carries status, code, message, details
    ├── AuthenticationError      401, and wrong credentials at the token endpoint
    ├── PermissionDeniedError    403
    ├── NotFoundError            404
    ├── ValidationError          400, 422
    ├── RateLimitError           429; `retry_after` holds the server's hint in seconds
    └── ServerError              5xx, including gateway pages that are not JSON
```

Messages name what failed (method and path, status, the server's code and message) and never contain an
access token, a password or a webhook secret. What an error keeps of a response (message, code, details, headers,
body) has the client's credentials masked by value, its password, its tokens and every secret it sent, whatever
the server repeated them in; the body also by key name (``"secret": "********"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "InvalidArgumentError",
    "NotAuthenticatedError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseParseError",
    "ServerError",
    "UP42Error",
    "ValidationError",
]


class UP42Error(Exception):
    """Base class of every error raised by the SDK."""


class InvalidArgumentError(UP42Error, ValueError, TypeError):
    """An argument has the wrong type or value; nothing was sent.

    It is also a `ValueError` and a `TypeError`, so code written against plain Python conventions catches it too.
    """


class NotAuthenticatedError(UP42Error):
    """No credentials were found, or the module-level functions were called before `up42.authenticate()`."""


class APIConnectionError(UP42Error):
    """The request did not complete: the host could not be resolved or reached, or the connection broke.

    Attributes:
        attempts: How many times the request was tried (more than one when it was retried).
    """

    def __init__(self, message: str, *, attempts: int = 1) -> None:
        super().__init__(message)
        self.attempts = attempts


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout expired, or the call ran past its ``deadline``."""


class ResponseParseError(UP42Error):
    """A response could not be read as the API contract describes (missing fields, wrong types, not JSON).

    Also raised for a body longer than the client's ``max_response_size``, which is refused while it arrives.

    Attributes:
        status: The HTTP status of the response.
        body: The start of the response body (at most 2,000 characters) with credentials masked, by value and by
            key name; empty for a body refused for its size.
    """

    def __init__(self, message: str, *, status: int, body: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class APIError(UP42Error):
    """The API answered with an error status.

    Attributes:
        status: The HTTP status code.
        code: The error code from the error envelope: a string such as ``"RESOURCE_NOT_FOUND"``, an integer, or
            None when the body carried none (for example an HTML page from a gateway).
        message: The server's message, or the HTTP reason phrase when the body carried none; the client's
            credentials in it are masked.
        details: The ``details`` object of the error envelope, if any, with the client's credentials masked.
        method: The HTTP method of the failed request.
        path: The path of the failed request (it never holds credentials).
        headers: The response headers; those named for a credential (``Authorization``, ``Set-Cookie``,
            ``X-Api-Key``, ...) masked whole, the others' values as ``message``.
        body: The start of the response body (at most 2,000 characters) with credentials masked, by value and by
            key name; it is never part of ``str(error)``.
        attempts: How many times the request was tried (more than one when it was retried).
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | int | None = None,
        details: Mapping[str, Any] | None = None,
        method: str = "",
        path: str = "",
        headers: Mapping[str, str] | None = None,
        body: str = "",
        attempts: int = 1,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.details = dict(details) if details is not None else None
        self.method = method
        self.path = path
        self.headers = dict(headers or {})
        self.body = body
        self.attempts = attempts
        super().__init__(self._describe())

    def _describe(self) -> str:
        code = f" {self.code}" if self.code is not None and str(self.code) != str(self.status) else ""
        where = f"{self.method} {self.path}" if self.method else ""
        tries = f"after {self.attempts} attempts" if self.attempts > 1 else ""
        context = "; ".join(part for part in (where, tries) if part)
        return f"HTTP {self.status}{code}: {self.message}" + (f" ({context})" if context else "")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, code={self.code!r}, message={self.message!r})"


class AuthenticationError(APIError):
    """401: the credentials were refused, or the token was rejected even after a refresh."""


class PermissionDeniedError(APIError):
    """403: the account may not access this workspace or webhook."""


class NotFoundError(APIError):
    """404: no such webhook (or workspace)."""


class ValidationError(APIError):
    """400 or 422: the API refused the request's content (for example a URL that is not HTTPS)."""


class RateLimitError(APIError):
    """429: too many requests.

    Attributes:
        retry_after: Seconds the server asked to wait (from ``Retry-After``), or None when it gave no hint.
    """

    def __init__(self, status: int, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(status, message, **kwargs)


class ServerError(APIError):
    """5xx: the API or a gateway in front of it failed."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: ValidationError,
    429: RateLimitError,
}


def error_class_for(status: int) -> type[APIError]:
    """Return the `APIError` subclass for an HTTP status code."""
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, APIError)
