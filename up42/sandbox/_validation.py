"""Rules for a webhook's writable fields, as UP42 enforces them, with messages that say what to fix.

The one deliberate difference from UP42: a plain ``http://`` URL is accepted when its host is a loopback address
(``localhost``, ``127.0.0.0/8``, ``::1``), so deliveries can reach a receiver on the developer's own machine.
Every other URL must be HTTPS. A URL on loopback at the sandbox's own port is refused: deliveries to it would
reach the sandbox itself (``/sandbox/events`` would set off a delivery per delivery, without end). A stored URL
that points back after a restart on another port is never sent to: each such attempt fails, saying why.

Lengths are bounded so that one request cannot fill the database or every page that lists webhooks: a name takes
at most `NAME_MAX_LENGTH` characters, a URL `URL_MAX_LENGTH`, a secret `SECRET_MAX_LENGTH`, and the event list
`MAX_EVENTS` names, a name listed again counting once (it is stored once). These are the sandbox's own limits (UP42
documents none); they are far beyond any real use.
Text that UTF-8 cannot encode (a lone surrogate) is refused before any of these rules, by the app.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from up42._checks import WHITESPACE, url_problem
from up42.receiving._catalog import EVENT_NAMES

from ._store import WebhookFields

SECRET_MAX_LENGTH = 500
NAME_MAX_LENGTH = 255
URL_MAX_LENGTH = 2048
MAX_EVENTS = 16
DEFAULT_PORTS = {"http": 80, "https": 443}


class InvalidWebhook(Exception):
    """The body breaks one or more rules; ``problems`` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {problem}" for field, problem in problems.items()))
        self.problems = problems


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def points_back(url: str, own_port: int) -> bool:
    """Whether ``url`` is on this machine at ``own_port``, the sandbox's own port (False for a URL that is not one).

    Checked when a webhook is written and again before each delivery: a webhook stored by a sandbox on another
    port points back at one restarted on the port it names.
    """
    try:
        parts = urlsplit(url)
        port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return False
    return is_loopback(parts.hostname or "") and port == own_port


def never_resolves(url: str) -> bool:
    """Whether ``url``'s host is under ``.invalid``, a name that never resolves (RFC 6761, section 6.4).

    Nothing is sent to such a URL, not even a DNS query: on a machine without a network, the lookup could take
    as long as the resolver's timeout before it failed all the same.
    """
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return False
    return host == "invalid" or host.endswith(".invalid")


def pointing_back(own_port: int) -> str:
    """What is wrong with a URL that `points_back`."""
    return f"points back at the sandbox itself (port {own_port} on this machine); point it at your receiver"


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("is required and must be a non-empty string")
    _at_most(value, NAME_MAX_LENGTH)
    return value


def _at_most(value: str, limit: int) -> None:
    if len(value) > limit:
        raise ValueError(f"must be at most {limit} characters long")


def _url(value: Any, own_port: int) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("is required and must be a string such as https://example.com/hook")
    _at_most(value, URL_MAX_LENGTH)
    # Any scheme and host pass here (the client that sends deliveries must take the URL); the rules below judge them.
    problem = url_problem(value, http=False)
    if problem == WHITESPACE:
        raise ValueError("must not contain whitespace")
    if problem is not None:
        raise ValueError("is not a valid URL")
    if points_back(value, own_port):
        raise ValueError(pointing_back(own_port))
    parts = urlsplit(value)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return value
    if parts.scheme == "http" and is_loopback(host):
        return value
    raise ValueError("must be an HTTPS URL (plain http is accepted only for a loopback host such as 127.0.0.1)")


def _events(value: Any) -> list[str]:
    catalog = ", ".join(sorted(EVENT_NAMES))
    if not isinstance(value, list) or not value:
        raise ValueError(f"is required and must be a non-empty list of event names ({catalog})")
    unknown = [item for item in value if not isinstance(item, str) or item not in EVENT_NAMES]
    known = {item for item in value if isinstance(item, str) and item in EVENT_NAMES}
    # A name listed again is stored once, so it counts once; each item that is not a known name counts.
    if len(known) + len(unknown) > MAX_EVENTS:
        raise ValueError(f"must list at most {MAX_EVENTS} event names")
    if unknown:
        raise ValueError(f"has unknown event names {unknown!r}; choose from {catalog}")
    return list(dict.fromkeys(value))


def _active(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _secret(value: Any) -> str | None:
    if value is None:
        return None
    # The value is never echoed: it is meant to be a secret.
    if not isinstance(value, str):
        raise ValueError("must be a string or null")
    _at_most(value, SECRET_MAX_LENGTH)
    return value


def webhook_fields(body: Any, own_port: int) -> WebhookFields:
    """The validated fields of a create or update body; `InvalidWebhook` lists every problem at once.

    ``active`` defaults to false and ``secret`` to none, as on UP42, when the body leaves them out. ``own_port``
    is the sandbox's port, which the URL must not point back at.
    """
    if not isinstance(body, dict):
        raise InvalidWebhook({"body": "must be a JSON object with name, url, events, active and secret"})
    checks: dict[str, Callable[[Any], Any]] = {
        "name": _name,
        "url": functools.partial(_url, own_port=own_port),
        "events": _events,
        "active": _active,
        "secret": _secret,
    }
    defaults: dict[str, Any] = {"active": False, "secret": None}
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for field, check in checks.items():
        try:
            values[field] = check(body[field]) if field in body else check(defaults.get(field))
        except ValueError as problem:
            problems[field] = str(problem)
    if problems:
        raise InvalidWebhook(problems)
    return WebhookFields(**values)
