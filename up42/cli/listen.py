"""``up42 listen``: a local receiver that verifies deliveries, shows them, and forwards them to your apps."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import secrets
import socket
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import click
import httpx

from .._client._clients import Client
from .._client._config import region_of
from .._client._webhooks import Webhook
from .._posting import READ_LIMIT, post_delivery
from .._signals import StopSignals
from .._urls import shown_url
from ..errors import NotFoundError, UP42Error
from ..receiving import (
    HeadersLike,
    JobStatus,
    OrderStatus,
    Outcome,
    OutcomeKind,
    Receiver,
    ReceiverApp,
    WebhookEvent,
)
from ..receiving._catalog import EVENT_NAMES
from ..receiving._receiver import DEFAULT_MAX_BODY_SIZE
from ._common import (
    ENV_WEBHOOK_SECRET,
    NO_CREDENTIALS,
    SANDBOX_EXTRA,
    Connection,
    HttpURL,
    json_text,
    place_options,
    say,
)
from ._sandbox_api import SandboxAPI

# The whole exchange with a target, from connecting to the last byte read (only the status counts, and an answer
# is read up to `READ_LIMIT`): a per-read timeout alone lets a target that trickles its answer hold the forward for
# ever. Below the sandbox's 10 s delivery timeout, so that a hanging app costs the sender a 502 it retries rather
# than a timeout of its own.
FORWARD_DEADLINE = 8.0
# Hop-by-hop headers and those httpx computes for the new request; everything else, the signature included, is
# forwarded as received.
_NOT_FORWARDED = frozenset({"host", "content-length", "connection", "transfer-encoding"})

Header = tuple[str, str]


@dataclasses.dataclass(frozen=True)
class Forward:
    """How forwarding one delivery to one target went: the target's status, or why it failed."""

    url: str
    status: int | None
    error: str | None

    def to_json(self) -> dict[str, Any]:
        """The ``forwards`` item of a JSON line."""
        return {"url": self.url, "status": self.status, "error": self.error}


@dataclasses.dataclass(frozen=True)
class Report:
    """One delivery that is shown: what the listener answered, and each forward."""

    outcome: Outcome
    forwards: Sequence[Forward] = ()
    time: datetime.datetime = dataclasses.field(default_factory=lambda: datetime.datetime.now(datetime.UTC))

    def to_json(self) -> dict[str, Any]:
        """The JSON line for this delivery (the keys are documented in the command's help)."""
        event = self.outcome.event
        return {
            "time": self.time.isoformat(timespec="milliseconds"),
            "outcome": "refused" if event is None else "verified",
            "status": self.outcome.status_code,
            "event": None if event is None else str(event.event),
            "messageId": None if event is None else event.message_id,
            "liveMode": None if event is None else event.live_mode,
            "body": None if event is None else event.raw.get("body"),
            "error": self.outcome.detail if event is None else None,
            "forwards": [forward.to_json() for forward in self.forwards],
        }


class _ForwardFailed(Outcome):
    """Verified, but a forward target failed: answered 502, so that the sender retries."""

    @property
    def status_code(self) -> int:
        """502 Bad Gateway: the listener is fine, the app behind it is not."""
        return 502

    @property
    def detail(self) -> str:
        """Safe to send back: names no target."""
        return "forwarding failed; retry later"


class Relay:
    """Shows every delivery and forwards the selected verified ones; a `Receiver` without handlers verifies them.

    De-duplication is off: a redelivery (after a failed forward, say) is shown and forwarded again, so the apps
    see exactly what the sender sends.
    """

    def __init__(
        self, secret: str, *, events: frozenset[str], targets: Sequence[str], show: Callable[[Report], None]
    ) -> None:
        """Verify with ``secret``; show and forward ``events`` (all when empty) to each of ``targets``."""
        self._receiver = Receiver(secret, dedupe=False)
        self._events = events
        self._targets = tuple(targets)
        self._show = show
        self._http = httpx.AsyncClient(timeout=FORWARD_DEADLINE, trust_env=False)

    def asgi_app(self) -> ReceiverApp:
        """An ASGI application answering each POSTed delivery with the relay's outcome."""
        return ReceiverApp(self, max_body_size=DEFAULT_MAX_BODY_SIZE)

    async def handle_async(self, body: bytes | str, headers: HeadersLike) -> Outcome:
        """Verify, then show the delivery and forward it to every target at once; 502 when any target failed."""
        pairs = _header_pairs(headers)  # read twice: to verify, then to forward
        outcome = await self._receiver.handle_async(body, pairs)
        event = outcome.event
        if event is None:  # refused: bad signature or malformed
            self._show(Report(outcome))
            return outcome
        if self._events and event.event not in self._events:
            return outcome  # acknowledged (200, "ignored") but neither shown nor forwarded
        kept = [(name, value) for name, value in pairs if name.lower() not in _NOT_FORWARDED]
        forwards = await asyncio.gather(*(self._forward(url, body, kept) for url in self._targets))
        failed = any(forward.error is not None for forward in forwards)
        # Forwarding is this relay's handler: its failure is reported as one (``"outcome": "handler_failed"``).
        answer = (
            _ForwardFailed(OutcomeKind.HANDLER_FAILED, event=event)
            if failed
            else Outcome(OutcomeKind.HANDLED, event=event)
        )
        self._show(Report(answer, forwards))
        return answer

    async def _forward(self, url: str, body: bytes | str, headers: list[Header]) -> Forward:
        shown = shown_url(url)
        result = await post_delivery(self._http, url, body, headers, deadline=FORWARD_DEADLINE, read_limit=READ_LIMIT)
        if isinstance(result.failure, TimeoutError):
            return Forward(shown, None, f"no whole answer within {FORWARD_DEADLINE:g} s")
        if result.failure is not None:
            return Forward(shown, None, shown_url(_one_line(result.failure)))
        if not result.ok:
            return Forward(shown, result.status, f"answered {result.status}")
        return Forward(shown, result.status, None)


def _header_pairs(headers: HeadersLike) -> list[Header]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(_text(name), _text(value)) for name, value in items]


def _text(value: str | bytes) -> str:
    # HTTP header bytes are latin-1 by definition; decoding so keeps every byte as it came.
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _one_line(error: Exception) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


# Showing deliveries. Problems go to stderr, one line each, in both modes; stdout carries the deliveries.


def _clock(report: Report) -> str:
    return report.time.astimezone().strftime("%H:%M:%S")


def _describe(event: WebhookEvent) -> str:
    body = event.body
    mode = "test" if event.is_test else "live"
    what = ""
    if isinstance(body, OrderStatus):
        what = f": order {body.order_id} is {body.status}"
    elif isinstance(body, JobStatus):
        what = f": job status {body.status}"
    return f"{event.event} ({mode}, message {event.message_id}){what}"


def _show_problems(report: Report) -> None:
    if report.outcome.event is None:
        say(f"{_clock(report)} refused a delivery ({report.outcome.status_code}): {report.outcome.detail}", err=True)
    for forward in report.forwards:
        if forward.error is not None:
            say(f"{_clock(report)}   forwarding to {forward.url} failed: {forward.error}", err=True)


def show_text(report: Report) -> None:
    """Print a delivery for people: a line per verified delivery and per successful forward, problems on stderr."""
    event = report.outcome.event
    if event is not None:
        say(f"{_clock(report)} verified {_describe(event)}")
        for forward in report.forwards:
            if forward.error is None:
                say(f"{_clock(report)}   forwarded to {forward.url}: {forward.status}")
    _show_problems(report)


def show_json(report: Report) -> None:
    """Print a delivery as one JSON object on a line of stdout; problems also get their line on stderr."""
    click.echo(json_text(report.to_json()))
    _show_problems(report)


# Checking the options at start.


def _event_names(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> frozenset[str]:
    names = {name.strip() for value in values for name in value.split(",") if name.strip()}
    if values and not names:
        raise click.BadParameter("name at least one event", ctx, param)
    unknown = sorted(names - EVENT_NAMES)
    if unknown:
        known = ", ".join(sorted(EVENT_NAMES))
        raise click.BadParameter(f"unknown event {', '.join(unknown)} (known: {known})", ctx, param)
    return frozenset(names)


def _banner(url: str, events: frozenset[str], targets: Sequence[str], *, own: bool) -> list[str]:
    signed = "its own webhook's secret" if own else "the given secret"
    lines = [f"Listening on {url}/ for deliveries signed with {signed} (Ctrl+C stops)."]
    if events:
        lines.append(f"Only {', '.join(sorted(events))} deliveries are shown and forwarded; others are acknowledged.")
    if targets:
        lines.append(f"Verified deliveries are forwarded to {', '.join(map(shown_url, targets))}.")
    return lines


# Setting itself up against a sandbox: a webhook of its own, with a fresh secret, for as long as it listens.

NO_PLACE = (
    "no --secret, and no sandbox to register a webhook with: log in to a sandbox (`up42 login --base-url URL`, "
    "or set UP42_BASE_URL, UP42_USERNAME and UP42_PASSWORD), or give --secret"
)


def _sandbox(base_url: str | None, region: str | None) -> Connection:
    """Where the listener registers its webhook: the place the command is logged in to, when it is a sandbox.

    A sandbox is what answers on its ``/sandbox/`` paths; only a sandbox delivers to a listener on this machine.

    Raises:
        click.UsageError: No place is known, or it is UP42 itself or another server that is not a sandbox.
        click.ClickException: Nothing answers at the place.
    """
    place = Connection(base_url=base_url, region=region)
    try:
        hosts, _ = place.account()
    except click.ClickException as error:
        if error.message == NO_CREDENTIALS:
            raise click.UsageError(NO_PLACE) from None
        raise
    name = region_of(hosts.api)
    if name is not None:
        raise click.UsageError(
            f"--secret is required with UP42 itself (region {name}), which cannot deliver to a listener on this "
            "machine: register a webhook at a public URL that reaches it (a tunnel) with that secret"
        )
    with SandboxAPI(hosts.api) as api:
        if not api.is_sandbox():
            raise click.UsageError(
                f"--secret is required: {hosts.api} is not a sandbox (it has no /sandbox/ paths), and only a "
                "sandbox registers a webhook for a listener on this machine"
            )
    return place


def _loopback(url: str) -> str:
    """The URL of a listener as this machine reaches it: one on every address answers on loopback."""
    return url.replace("//0.0.0.0:", "//127.0.0.1:", 1).replace("//[::]:", "//[::1]:", 1)


@contextlib.contextmanager
def own_webhook(client: Client, url: str, events: frozenset[str], secret: str) -> Iterator[Webhook]:
    """An active webhook for ``events`` (every event when empty) that delivers to ``url``, deleted on leaving.

    Its name says what made it, where it delivers and since when, so that a person who finds it knows it.

    Raises:
        click.ClickException: It could not be deleted (the line names it and says how to delete it).
    """
    now = datetime.datetime.now(datetime.UTC)
    name = f"up42 listen {urlsplit(url).netloc} {now:%Y-%m-%dT%H:%M:%SZ}"
    hook = client.create_webhook(name, url, sorted(events or EVENT_NAMES), active=True, secret=secret)
    try:
        yield hook
    finally:
        try:
            hook.delete()
        except NotFoundError:
            pass  # deleted by someone else meanwhile: gone all the same
        except UP42Error as error:
            raise click.ClickException(
                f"could not delete webhook {hook.id} ({error}); delete it with 'up42 webhooks delete {hook.id}'"
            ) from None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8043, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port.")
@click.option(
    "--secret",
    envvar=ENV_WEBHOOK_SECRET,
    show_envvar=True,
    help="The webhook secret deliveries are verified with. Without it, the place you are logged in to must be a "
    "sandbox, and the listener registers a webhook of its own (see above).",
)
@place_options
@click.option(
    "--events",
    metavar="EVENT[,EVENT...]",
    multiple=True,
    callback=_event_names,
    help=f"Show and forward only these events (repeatable, or comma-separated): {', '.join(sorted(EVENT_NAMES))}. "
    "Other verified deliveries are acknowledged without a word. Without --secret, the listener's webhook "
    "subscribes to these (default: every event).",
)
@click.option(
    "--forward-to",
    "targets",
    type=HttpURL(),
    multiple=True,
    help="Re-post each verified delivery, body and signature headers unchanged, to this http(s) URL "
    "(repeatable: all targets at once).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per delivery on a line (see above).")
def listen(
    host: str,
    port: int,
    secret: str | None,
    base_url: str | None,
    region: str | None,
    events: frozenset[str],
    targets: tuple[str, ...],
    as_json: bool,
) -> None:
    """Receive deliveries locally: verify each signature, show the event, forward it to your apps.

    Against a sandbox (the place you are logged in to, UP42_BASE_URL, or --base-url), without --secret, the
    listener sets itself up: it registers an active webhook named 'up42 listen <host>:<port> <UTC time>' for
    --events, pointing at itself, with a fresh secret, prints 'Ready! Signing secret: ...' on stderr, and deletes
    the webhook when it stops (Ctrl+C, SIGTERM or an error). UP42 itself cannot deliver to this machine: there,
    give --secret and point a webhook at a public URL that reaches the listener.

    With --secret, point a webhook at the printed URL yourself (plain http is fine on loopback with the sandbox).
    Deliveries that fail
    verification are refused with 401 and reported on stderr. Verified ones are acknowledged with 200 and, with
    --forward-to, passed on to every target at once. A target that is down, answers other than 2xx, or has not
    answered in full within 8 s gets one line on stderr, and the sender gets 502, so it retries (an answer is
    read until 8 KiB of it have come: reading stops with the network read, of at most 64 KiB, that brings them).
    Every delivery is shown and forwarded, redeliveries too: de-duplicate in your app.

    With --json, stdout has one JSON object per line for each delivery shown, with these keys (null where they
    do not apply), and the start lines go to stderr:

    \b
      time       when it arrived, ISO 8601 in UTC
      outcome    "verified" or "refused"
      status     what the listener answered: 200, 401 or 400, and 502 when
                 a forward failed
      event      the event name, e.g. "order.status"
      messageId  the message's id (a redelivery has the same)
      liveMode   false for test deliveries
      body       the event's body, as sent
      error      why the delivery was refused
      forwards   one {"url", "status", "error"} per --forward-to target; status is
                 null when the target could not be reached, error null on a 2xx
    """
    try:
        from .._server import Server, bind  # needs the sandbox extra
    except ImportError:
        raise click.ClickException(SANDBOX_EXTRA) from None
    show = show_json if as_json else show_text
    own = secret is None

    def start(sock: socket.socket, secret: str) -> Server:
        server = Server(Relay(secret, events=events, targets=targets, show=show).asgi_app(), sock)
        for line in _banner(server.url, events, targets, own=own):
            say(line, err=as_json)  # in JSON mode stdout is for deliveries only
        sys.stdout.flush()
        return server

    if secret is not None:
        start(bind(host, port), secret).run()
        return
    # From here a Ctrl+C or SIGTERM only asks to stop: once the webhook exists, it is deleted however this ends.
    with StopSignals():
        sandbox = _sandbox(base_url, region)
        new_secret = secrets.token_urlsafe(32)
        with bind(host, port) as sock, sandbox.client() as client:  # the port is checked before a webhook exists
            server = start(sock, new_secret)
            with own_webhook(client, _loopback(server.url) + "/", events, new_secret) as hook:
                # The only place the secret is shown, before the server answers any delivery.
                say(
                    f"Ready! Signing secret: {new_secret}; webhook {hook.id} delivers "
                    f"{', '.join(sorted(events or EVENT_NAMES))} here, and is deleted when this stops.",
                    err=True,
                )
                sys.stderr.flush()
                server.run()
