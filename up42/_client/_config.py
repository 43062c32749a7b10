"""Where the SDK talks to and as whom: regions, base URLs, credentials and timeouts."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from .._checks import url_problem
from .._text import lone_surrogate
from .._urls import has_at
from .._version import __version__
from ..errors import InvalidArgumentError, NotAuthenticatedError
from ._login import StoredLogin, load_login, login_path

USER_AGENT = f"up42-webhooks/{__version__}"

# The generated client has no timeout at all; a hung connection must not hang the caller forever.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

ENV_USERNAME = "UP42_USERNAME"
ENV_PASSWORD = "UP42_PASSWORD"  # noqa: S105 - the name of a variable, not a password
ENV_BASE_URL = "UP42_BASE_URL"
ENV_REGION = "UP42_REGION"
DEFAULT_REGION = "eu"


@dataclasses.dataclass(frozen=True)
class Hosts:
    """The API origin and the auth origin (the same origin for a sandbox or a proxy)."""

    api: str
    auth: str


REGIONS: Mapping[str, Hosts] = {
    "eu": Hosts(api="https://api.up42.com", auth="https://auth.up42.com"),
    "sa": Hosts(api="https://api.sa.up42.com", auth="https://auth.sa.up42.com"),
}


def region_of(api: str) -> str | None:
    """The name of the region whose API origin is ``api``; None for any other place (a sandbox, a proxy)."""
    return next((name for name, hosts in REGIONS.items() if hosts.api == api), None)


@dataclasses.dataclass(frozen=True)
class Credentials:
    """A username and password; the password never shows in a repr."""

    username: str
    password: str = dataclasses.field(repr=False)


def resolve(
    username: str | None,
    password: str | None,
    cfg_file: str | os.PathLike[str] | None,
    region: str | None,
    base_url: str | None,
    env: Mapping[str, str] = os.environ,
) -> tuple[Hosts, Credentials]:
    """Find the account and the hosts: arguments first, then the ``UP42_*`` variables, then the stored login.

    The stored login (``up42 login``) is one account at one place: it is used only when neither the arguments,
    ``cfg_file`` nor the variables give credentials, and then only at its own place. Its password is never sent
    anywhere else: a base URL or region that names another place needs credentials of its own.
    """
    credentials = _given_credentials(username, password, cfg_file, env)
    if credentials is not None:
        return resolve_hosts(region, base_url, env), credentials
    login = load_login(env)
    if login is None:
        raise NotAuthenticatedError(
            "no UP42 credentials: pass username and password, pass cfg_file (a JSON file with both), "
            f"set {ENV_USERNAME} and {ENV_PASSWORD}, or run 'up42 login' once"
        )
    hosts = resolve_hosts(region, base_url, env, login)
    home = resolve_hosts(None, None, {}, login)
    if hosts != home:
        raise NotAuthenticatedError(
            f"the stored login of {login.username} is for {login.place}, not {hosts.api}; pass a username and "
            f"password for {hosts.api} (or set {ENV_USERNAME} and {ENV_PASSWORD}), or run 'up42 login' there"
        )
    # Checked like every other source: a JSON escape in the file can hold text no request can carry.
    return hosts, _pair(login.username, login.password, f"the stored login {str(login_path(env))!r}")


def resolve_hosts(
    region: str | None,
    base_url: str | None,
    env: Mapping[str, str] = os.environ,
    login: StoredLogin | None = None,
) -> Hosts:
    """The hosts: ``base_url`` or ``region``, else ``UP42_BASE_URL`` or ``UP42_REGION``, else ``login``'s, else eu.

    A bad value is an `InvalidArgumentError` that names where it came from: the argument, the variable, or the
    stored login.
    """
    if base_url is not None:
        return _base_url_hosts(base_url, "base_url")
    if region is not None:
        return _region_hosts(region, "region")
    if env.get(ENV_BASE_URL):
        return _base_url_hosts(env[ENV_BASE_URL], ENV_BASE_URL)
    if env.get(ENV_REGION):
        return _region_hosts(env[ENV_REGION], ENV_REGION)
    if login is not None and login.base_url:
        return _base_url_hosts(login.base_url, "the stored login's base_url (run 'up42 login' to replace it)")
    if login is not None and login.region:
        return _region_hosts(login.region, "the stored login's region (run 'up42 login' to replace it)")
    return REGIONS[DEFAULT_REGION]


def _base_url_hosts(url: object, source: str) -> Hosts:
    origin = checked_base_url(url, source)
    return Hosts(api=origin, auth=origin)


def _region_hosts(region: object, source: str) -> Hosts:
    if not isinstance(region, str) or region not in REGIONS:
        raise InvalidArgumentError(f"{source}: unknown region {region!r}; choose one of {', '.join(sorted(REGIONS))}")
    return REGIONS[region]


def checked_base_url(url: object, source: str = "base_url") -> str:
    """``url`` as an origin without a trailing slash; `InvalidArgumentError` naming ``source`` when unusable."""
    if not isinstance(url, str):
        raise InvalidArgumentError(f"{source} must be a string, not {type(url).__name__}")
    encodable(source, url)
    # Whatever comes before an '@' may be a password, so such a URL is refused without being shown. Any '@'
    # counts, not only the one a URL parser would find: a '/' in a password moves the parser's.
    if has_at(url):
        raise InvalidArgumentError(
            f"{source} must not hold a user name or password (it has an '@'); pass the username and password "
            "apart from the URL"
        )
    if url_problem(url.strip()) is not None:
        raise InvalidArgumentError(f"{source} must be an http(s) URL such as http://127.0.0.1:8042, got {url!r}")
    return url.strip().rstrip("/")


def _given_credentials(
    username: str | None,
    password: str | None,
    cfg_file: str | os.PathLike[str] | None,
    env: Mapping[str, str],
) -> Credentials | None:
    """The credentials from the arguments, else ``cfg_file``, else the environment; None when none gives any."""
    if username is not None or password is not None:
        return _pair(username, password, "the username and password arguments")
    if cfg_file is not None:
        return _from_file(Path(cfg_file))
    if env.get(ENV_USERNAME) or env.get(ENV_PASSWORD):
        return _pair(env.get(ENV_USERNAME), env.get(ENV_PASSWORD), f"{ENV_USERNAME} and {ENV_PASSWORD}")
    return None


def _pair(username: object, password: object, source: str) -> Credentials:
    return Credentials(
        username=_required("username", username, source),
        password=_required("password", password, source),
    )


def encodable(what: str, value: str) -> str:
    """``value`` if a request can carry it, else an `InvalidArgumentError` naming ``what``; nothing is sent.

    A Python string may hold a lone surrogate (from a stray escape such as ``"\\ud800"``, or from bytes of an
    environment variable that were not valid UTF-8), and no UTF-8 request body or URL can carry one.
    """
    position = lone_surrogate(value)
    if position is not None:
        # The position, never the text: the value may be a password or a secret.
        raise InvalidArgumentError(f"{what} is not valid text: it holds a lone surrogate at position {position}")
    return value


def _required(name: str, value: object, source: str) -> str:
    if isinstance(value, str) and value:
        return encodable(f"{name} from {source}", value)
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
