"""What the commands share: where the account and the place come from, their options, output and failures."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import click

from .._checks import url_problem
from .._client._clients import Client
from .._client._config import (
    ENV_BASE_URL,
    ENV_PASSWORD,
    ENV_REGION,
    ENV_USERNAME,
    REGIONS,
    Credentials,
    Hosts,
    checked_base_url,
    resolve,
)
from .._client._login import load_login
from .._extras import missing_extra
from .._text import MASK, lone_surrogate
from .._urls import shown_url
from ..errors import InvalidArgumentError

F = TypeVar("F", bound=Callable[..., Any])

INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl+C

SANDBOX_EXTRA = missing_extra("sandbox")
NO_CREDENTIALS = (
    f"no UP42 credentials: run 'up42 login' once, or pass --username and --password, "
    f"or set {ENV_USERNAME} and {ENV_PASSWORD}"
)


@dataclasses.dataclass(frozen=True)
class Connection:
    """Where to connect and how to print, from the options of a command group and of its subcommand."""

    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    base_url: str | None = None
    region: str | None = None
    as_json: bool = False
    show_secret: bool = False

    def merged(self, other: Connection) -> Connection:
        """These settings, overridden by whatever ``other`` sets."""
        return Connection(
            username=other.username or self.username,
            password=other.password or self.password,
            base_url=other.base_url or self.base_url,
            region=other.region or self.region,
            as_json=other.as_json or self.as_json,
            show_secret=other.show_secret or self.show_secret,
        )

    def client(self) -> Client:
        """An `up42.Client`: options, then ``UP42_*`` variables, then the stored login (per the SDK's rules).

        The username and the password are taken one by one (``--password`` with ``$UP42_USERNAME`` works);
        what is missing is reported with what to type, never with a Python argument's name.
        """
        username, password = self._given()
        return Client(username, password, base_url=self.base_url, region=self.region)

    def account(self) -> tuple[Hosts, Credentials]:
        """Where a `client` would connect and as whom, found by the same rules, without connecting."""
        username, password = self._given()
        return resolve(username, password, None, self.region, self.base_url)

    def _given(self) -> tuple[str | None, str | None]:
        """The username and password from the options or ``UP42_*``; both None for the stored login."""
        username = self.username or variable(ENV_USERNAME)
        password = self.password or variable(ENV_PASSWORD)
        if username is None and password is None:
            if load_login() is None:
                raise click.ClickException(NO_CREDENTIALS)
        elif password is None:
            raise click.ClickException(f"no password for {username}: pass --password or set {ENV_PASSWORD}")
        elif username is None:
            raise click.ClickException(f"a password but no account: pass --username or set {ENV_USERNAME}")
        check_place_variables(self.base_url, self.region)
        return username, password


def variable(name: str) -> str | None:
    """The environment variable ``name``; None when it is unset or empty.

    Raises:
        click.UsageError: It is not UTF-8 text: named, as `Text` names an option, and never shown.
    """
    value = os.environ.get(name) or None
    if value is not None and lone_surrogate(value) is not None:
        raise click.UsageError(f"Invalid value for ${name}: not valid UTF-8 text")
    return value


def check_place_variables(base_url: str | None, region: str | None) -> None:
    """Refuse ``--base-url`` with ``--region``; when neither is given, check the variables the SDK then reads.

    Raises:
        click.UsageError: Both options are given, or ``UP42_BASE_URL`` or ``UP42_REGION`` is not UTF-8 text.
    """
    if base_url and region:
        raise click.UsageError("give --base-url or --region, not both")
    if not (base_url or region):
        variable(ENV_BASE_URL)
        variable(ENV_REGION)


class Text(click.types.StringParamType):
    """Text given to a parameter: valid UTF-8, or a usage error that names the parameter.

    Python hands on command-line bytes (and environment values) that are not UTF-8 as lone surrogates, which no
    request, file or terminal can take: refused here, before any command sees them, rather than failing later
    with a codec's message. The value is never shown, since it may be a password or a secret.
    """

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """The text, unchanged, or a usage error saying it is not UTF-8 (click names the option and its variable)."""
        text = super().convert(value, param, ctx)
        if lone_surrogate(text) is not None:
            self.fail("not valid UTF-8 text", param, ctx)
        return text


TEXT = Text()


def check_text(command: click.Command) -> None:
    """Make every plain-text parameter of ``command``, and of its subcommands, a `Text`.

    Done once for the whole command tree rather than with ``type=`` on each option, so that no option can miss
    it. Other types check their own values: choices and numbers refuse what they do not know in a line of their
    own, `Text` subclasses (URLs, times) check as it does, and file paths (``click.Path``) take any bytes the
    system allows.
    """
    for param in command.params:
        if type(param.type) is click.types.StringParamType:
            param.type = TEXT
    if isinstance(command, click.Group):
        for subcommand in command.commands.values():
            check_text(subcommand)


def summarise(command: click.Command) -> None:
    """Give ``command``, and its subcommands, the first sentence of their help as the summary a listing shows.

    Left to itself, click cuts a summary to what the terminal's width leaves, mid-phrase and with ``...``. Each
    command's help opens with a short sentence instead, shown whole on any terminal.
    """
    if command.help and not command.short_help:
        paragraph = " ".join(command.help.split("\n\n")[0].split())
        command.short_help = re.split(r"(?<=\.)\s", paragraph, maxsplit=1)[0]
    if isinstance(command, click.Group):
        for subcommand in command.commands.values():
            summarise(subcommand)


def _base_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Check ``--base-url`` as the SDK would, so a bad one is a usage error that names the option."""
    if value is None:
        return None
    try:
        return checked_base_url(value, "--base-url")
    except InvalidArgumentError as error:
        raise click.BadParameter(str(error).removeprefix("--base-url "), ctx, param) from None


def _base_url_option(text: str) -> Callable[[F], F]:
    return click.option("--base-url", callback=_base_url, help=text)


def _place_options(func: F, stored: str) -> F:
    options = [
        _base_url_option(
            f"One origin for the API and auth endpoints, e.g. a sandbox (default: ${ENV_BASE_URL}, {stored}UP42)."
        ),
        click.option(
            "--region",
            type=click.Choice(sorted(REGIONS)),
            help=f"UP42's region (default: ${ENV_REGION}, {stored}eu).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def place_options(func: F) -> F:
    """``--base-url`` and ``--region``: where UP42 (or a sandbox) is; by default the stored login's place."""
    return _place_options(func, "else the stored login's, else ")


def sandbox_place_option(func: F) -> F:
    """``--base-url`` alone, for the commands only a sandbox answers (UP42's regions have none to offer)."""
    return _base_url_option(f"The sandbox's URL (default: ${ENV_BASE_URL}, else the stored login's).")(func)


def new_place_options(func: F) -> F:
    """``--base-url`` and ``--region`` of a new login, which never defaults to the place of the one it replaces."""
    return _place_options(func, "else ")


def connection_options(func: F) -> F:
    """The options every command that calls the UP42 API takes, on the group and on each subcommand alike."""
    options = [
        click.option("--username", help=f"UP42 account, an email address (default: ${ENV_USERNAME}, else the login)."),
        click.option("--password", help=f"Its password (default: ${ENV_PASSWORD}, else the login)."),
        place_options,
        click.option("--json", "as_json", is_flag=True, help="Print JSON (the API's camelCase fields)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def show_secret_option(func: F) -> F:
    """``--show-secret``, for the commands that print a webhook's secret or its URL (which may hold a password)."""
    return click.option(
        "--show-secret",
        is_flag=True,
        help="Show webhook secrets, and a user name and password in a webhook's URL, instead of masking them.",
    )(func)


def connection(ctx: click.Context, /, **options: Any) -> Connection:
    """The group's settings overridden by the subcommand's."""
    group = ctx.find_object(Connection) or Connection()
    return group.merged(Connection(**options))


def json_text(value: Any, *, indent: int | None = None) -> str:
    """``value`` as JSON safe to print: every character `printable` would escape is written as a ``\\uXXXX`` escape.

    JSON escapes C0 controls itself, but leaves DEL, C1 controls (U+009B is a one-character CSI), bidi overrides
    and other format characters raw. Escaped, they are the same value once parsed, and other text stays readable.
    """
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    return "".join(char if char.isprintable() or char == "\n" else _json_escape(char) for char in text)


def _json_escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond the BMP, JSON writes a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def emit_json(value: Any) -> None:
    """Print ``value`` as indented JSON, as `json_text` makes it."""
    click.echo(json_text(value, indent=2))


def masked(hook: dict[str, Any], show_secret: bool) -> dict[str, Any]:
    """A webhook's dict with its secret, and a user name and password in its URL, masked, unless ``show_secret``."""
    shown = dict(hook)
    if show_secret:
        return shown
    if shown.get("secret"):
        shown["secret"] = MASK
    if isinstance(shown.get("url"), str):
        shown["url"] = shown_url(shown["url"])
    return shown


def printable(value: object, *, lines: bool = False) -> str:
    """``str(value)`` safe to print: every character Python's ``repr`` would escape is escaped as it would be.

    That is control characters (C0, DEL, C1: a name holding ESC or BEL cannot drive the terminal), bidi
    overrides and other format characters, lone surrogates, and separators other than the space. With
    ``lines``, newlines are kept, so a block of text (a traceback, a body) keeps its lines.
    """
    text = str(value)
    if text.isprintable():
        return text
    if lines:
        return "\n".join(printable(line) for line in text.split("\n"))
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def say(text: object, *, err: bool = False, lines: bool = False) -> None:
    """Print ``text`` for people, as `printable` makes it: one line, or a block of lines with ``lines``."""
    click.echo(printable(text, lines=lines), err=err)


class PrintableFormatter(logging.Formatter):
    """Log lines with their values made `printable`, for the commands that show their log on the terminal."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as the base class formats it, tracebacks included, every line escaped."""
        return printable(super().format(record), lines=True)


def show_log(name: str, fmt: str) -> None:
    """Show the INFO and higher records of the logger ``name`` on stderr, timed and made `printable`."""
    handler = logging.StreamHandler()
    handler.setFormatter(PrintableFormatter(fmt, "%H:%M:%S"))
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Print aligned columns under upper-case headers; the cells are made `printable`."""
    cells = [list(map(printable, row)) for row in rows]
    widths = [max([len(header), *(len(row[i]) for row in cells)]) for i, header in enumerate(headers)]
    for row in [list(headers), *cells]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def fields(values: Mapping[str, Any]) -> None:
    """Print one ``name  value`` line per item, the values `printable` and aligned after the longest name."""
    width = max(map(len, values))
    for name, value in values.items():
        say(f"{name:<{width}}  {value}")


def fail(message: str, code: int) -> None:
    """Print ``error: <message>`` on one line of stderr, made `printable`, and exit with ``code``."""
    say(f"error: {' '.join(message.split())}", err=True)
    raise SystemExit(code)


ENV_WEBHOOK_SECRET = "UP42_WEBHOOK_SECRET"  # noqa: S105 - the name of a variable, not a secret


class HttpURL(Text):
    """An http(s) URL to send to, checked when the command starts rather than failing on the first request."""

    name = "url"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """The URL, unchanged, or a usage error saying what is wrong with it."""
        url = super().convert(value, param, ctx)
        problem = url_problem(url)
        if problem:
            self.fail(
                f"{shown_url(url)!r} is not an http(s) URL such as http://127.0.0.1:8000/webhooks: {problem}",
                param,
                ctx,
            )
        return url


def status_text(row: Mapping[str, Any]) -> str:
    """A delivery's or an attempt's HTTP status as a table shows it: ``-`` when no answer came."""
    return "-" if row.get("status") is None else str(row["status"])


def outcome_table(rows: Sequence[dict[str, Any]]) -> None:
    """Print how each delivery went: id, webhook, the last status, state and error."""
    table(
        ["ID", "WEBHOOK", "STATUS", "STATE", "ERROR"],
        [(row["id"], row["webhookId"], status_text(row), row["state"], row.get("error") or "") for row in rows],
    )
