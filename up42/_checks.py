"""Checks of arguments that the client, receiving, the sandbox and the command line share. No I/O.

- `is_number` and `is_whole` are the one place that knows a bool is not a number (Python makes it an int).
- `check_positive` and `check_seconds` check the numbers of seconds that receiving takes.
- `url_problem` says what keeps a URL from being one to send requests to.

Each caller words its own message around these answers, so a message names the argument as the caller knows it.
Receiving imports this module: it imports nothing from the client side (httpx loads only where a URL is checked).
"""

from __future__ import annotations

import math
from typing import TypeGuard
from urllib.parse import urlsplit

from ._urls import shown_url
from .errors import InvalidArgumentError

WHITESPACE = "it contains whitespace"
"""The `url_problem` of a URL with a space, a tab or a line break in it."""


# A tuple made once: `int | float` written in the call would build a new union object on every call.
_NUMBER_TYPES = (int, float)


def is_number(value: object) -> TypeGuard[int | float]:
    """Whether ``value`` is an int or a float; a bool is neither here (``True`` is not a count of seconds)."""
    return isinstance(value, _NUMBER_TYPES) and not isinstance(value, bool)


def is_whole(value: object) -> TypeGuard[int]:
    """Whether ``value`` is an int; a bool is not one here."""
    return isinstance(value, int) and not isinstance(value, bool)


def check_positive(value: object, name: str) -> float:
    """Return `value`, or raise `InvalidArgumentError` naming the argument unless it is a positive finite number."""
    if not is_number(value) or not 0 < value < math.inf:
        raise InvalidArgumentError(f"{name} must be a positive number")
    return value


def check_seconds(value: object, name: str) -> float:
    """Return `value` as seconds, or raise `InvalidArgumentError` naming the argument unless it is a non-negative
    finite number."""
    if not is_number(value) or not 0 <= value < math.inf:
        raise InvalidArgumentError(f"{name} must be a finite, non-negative number of seconds")
    return float(value)


def url_problem(url: str, *, http: bool = True) -> str | None:
    """What keeps ``url`` from being a URL that httpx sends requests to, in a few words; None when nothing does.

    With ``http`` (the default) it must also be an http(s) URL with a host; without, the caller judges its scheme
    and host. A quoted parser message has any user name and password in it masked.
    """
    if any(char.isspace() for char in url):
        return WHITESPACE
    try:
        parts = urlsplit(url)
    except ValueError as error:  # an unclosed IPv6 bracket, say; the message may quote the user name and password
        return f"it cannot be parsed ({shown_url(str(error))})"
    if http and parts.scheme not in ("http", "https"):
        return "it must start with http:// or https://"
    if http and not parts.hostname:
        return "it has no host"
    try:
        parts.port  # noqa: B018 - reading it is the check: it raises for a port that is no number or out of range
    except ValueError:
        return "its port is not a number from 0 to 65535"
    # Imported here, where a URL to send to is checked: receiving imports this module and must not load httpx.
    import httpx

    try:
        httpx.URL(url)  # what sends to it must take it too
    except (ValueError, httpx.InvalidURL) as error:
        return f"it cannot be sent to ({shown_url(str(error))})"
    return None
