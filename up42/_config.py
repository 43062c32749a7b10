"""Where the SDK talks to and as whom: regions, base URLs, credentials and timeouts."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from ._version import __version__
from .errors import InvalidArgumentError, NotAuthenticatedError

USER_AGENT = f"up42-webhooks/{__version__}"

# The generated client has no timeout at all; a hung connection must not hang the caller forever.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

ENV_USERNAME = "UP42_USERNAME"
ENV_PASSWORD = "UP42_PASSWORD"  # noqa: S105 - the name of a variable, not a password
ENV_BASE_URL = "UP42_BASE_URL"


@dataclasses.dataclass(frozen=True)
class Hosts:
    """The API origin and the auth origin (the same origin for a sandbox or a proxy)."""

    api: str
    auth: str


REGIONS: Mapping[str, Hosts] = {
    "eu": Hosts(api="https://api.up42.com", auth="https://auth.up42.com"),
    "sa": Hosts(api="https://api.sa.up42.com", auth="https://auth.sa.up42.com"),
}


@dataclasses.dataclass(frozen=True)
class Credentials:
    """A username and password; the password never shows in a repr."""

    username: str
    password: str = dataclasses.field(repr=False)


def resolve_hosts(region: str, base_url: str | None, env: Mapping[str, str] = os.environ) -> Hosts:
    """Pick the hosts: an explicit base URL, then ``UP42_BASE_URL``, then the region."""
    url = base_url if base_url is not None else env.get(ENV_BASE_URL) or None
    if url is not None:
        origin = _checked_base_url(url)
        return Hosts(api=origin, auth=origin)
    if region not in REGIONS:
        raise InvalidArgumentError(f"unknown region {region!r}; choose one of {', '.join(sorted(REGIONS))}")
    return REGIONS[region]


def _checked_base_url(url: object) -> str:
    if not isinstance(url, str):
        raise InvalidArgumentError(f"base_url must be a string, not {type(url).__name__}")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidArgumentError(f"base_url must be an http(s) URL such as http://127.0.0.1:8042, got {url!r}")
    if parts.username or parts.password:
        raise InvalidArgumentError("base_url must not carry credentials; pass username and password instead")
    return url.strip().rstrip("/")


def resolve_credentials(
    username: str | None,
    password: str | None,
    cfg_file: str | os.PathLike[str] | None,
    env: Mapping[str, str] = os.environ,
) -> Credentials:
    """Find the credentials: arguments first, then ``cfg_file``, then the environment."""
    if username is not None or password is not None:
        return _pair(username, password, "the username and password arguments")
    if cfg_file is not None:
        return _from_file(Path(cfg_file))
    if env.get(ENV_USERNAME) or env.get(ENV_PASSWORD):
        return _pair(env.get(ENV_USERNAME), env.get(ENV_PASSWORD), f"{ENV_USERNAME} and {ENV_PASSWORD}")
    raise NotAuthenticatedError(
        "no UP42 credentials: pass username and password, pass cfg_file (a JSON file with both), "
        f"or set {ENV_USERNAME} and {ENV_PASSWORD}"
    )


def _pair(username: object, password: object, source: str) -> Credentials:
    return Credentials(
        username=_required("username", username, source),
        password=_required("password", password, source),
    )


def _required(name: str, value: object, source: str) -> str:
    if isinstance(value, str) and value:
        return value
    got = "nothing" if value is None or value == "" else f"a {type(value).__name__}"
    raise InvalidArgumentError(f"{name} from {source} must be a non-empty string, got {got}")


def _from_file(path: Path) -> Credentials:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidArgumentError(f"cannot read cfg_file {str(path)!r}: {error.strerror or error}") from None
    except (ValueError, RecursionError):
        # The decoder's message quotes the file's text, which may hold the password.
        raise InvalidArgumentError(f"cfg_file {str(path)!r} is not valid JSON") from None
    if not isinstance(data, dict):
        raise InvalidArgumentError(f"cfg_file {str(path)!r} must hold a JSON object with username and password")
    return _pair(data.get("username"), data.get("password"), f"cfg_file {str(path)!r}")
