"""The spec's two error bodies, and the code each status gets in them.

The API answers an error in the ``{"data": null, "error": {"code", "message", "details"}}`` envelope, with a
symbolic code; the identity provider's token and userinfo endpoints answer as OAuth2 does (RFC 6749, section 5.2):
``{"error": "invalid_grant", "error_description": ...}``. Rate limits and server failures come in the envelope on
every host.
"""

from __future__ import annotations

import http
from typing import Any

from ._spec import Operation

# The symbolic code of each status, as UP42 (and the sandbox) names them; any other status is named after HTTP's
# own phrase for it (502 BAD_GATEWAY).
CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "RESOURCE_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


def error_code(status: int) -> str:
    """The symbolic code of ``status`` in an error envelope, such as ``RESOURCE_NOT_FOUND`` for 404."""
    if status in CODES:
        return CODES[status]
    try:
        return http.HTTPStatus(status).name
    except ValueError:
        return str(status)


def envelope(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The API's error envelope: no data, and the error's code, message and details."""
    return {"data": None, "error": {"code": code, "message": message, "details": details}}


def oauth_error(error: str, description: str) -> dict[str, str]:
    """The identity provider's error body: an OAuth2 error code and what it means."""
    return {"error": error, "error_description": description}


def error_body(operation: Operation, status: int, message: str | None = None) -> dict[str, Any]:
    """The error body the spec documents for ``operation`` answering ``status``, with a fitting code.

    The OAuth2 shape where the documented body is an OAuth2 error (``createToken`` and ``getUserinfo`` refusing
    credentials or a token), the envelope everywhere else. ``message`` defaults to HTTP's phrase for the status.

    Raises:
        ValueError: ``status`` is not an error status the operation documents with a JSON body.
    """
    if status < 400:
        raise ValueError(f"{status} is not an error status")
    response = operation.response(status)
    if response is None:
        documented = ", ".join(operation.statuses)
        raise ValueError(f"{operation.operation_id} does not document {status} (documented: {documented})")
    schema = response.content.get("application/json")
    if schema is None:
        raise ValueError(f"{operation.operation_id} documents no JSON body for {status}")
    spec = operation.spec
    error = spec.resolve(spec.resolve(schema).get("properties", {}).get("error", {}))
    text = message if message is not None else _phrase(status)
    if error.get("type") == "string":
        return oauth_error(_oauth_code(operation, status), text)
    return envelope(error_code(status), text)


def _oauth_code(operation: Operation, status: int) -> str:
    if status == 401:
        # The token endpoint refuses credentials; an endpoint that takes a token refuses the token.
        return "invalid_token" if operation.authenticated else "invalid_grant"
    if status == 403:
        return "insufficient_scope"
    if status >= 500:
        return "server_error"
    return "invalid_request"


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return f"status {status}"
