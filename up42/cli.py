"""The ``up42`` command line: manage webhooks, receive deliveries locally, and run the local sandbox.

    up42 webhooks list|get ID|create|update ID|delete ID|test ID|events
    up42 listen --port 8043 --secret S [--forward-to URL]
    up42 sandbox [--port 8042] [--db state.sqlite]

This is the only module of the package that prints. Failures print one line to stderr and exit non-zero.
"""

from __future__ import annotations

import contextvars
import dataclasses
import datetime
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click
import httpx

from ._client import Client
from ._config import ENV_BASE_URL, ENV_PASSWORD, ENV_USERNAME
from ._version import __version__
from .errors import UP42Error
from .receiving import JobStatus, OrderStatus, Receiver, WebhookEvent

if TYPE_CHECKING:
    from .sandbox._server import Server

F = TypeVar("F", bound=Callable[..., Any])

MASK = "********"
ENV_WEBHOOK_SECRET = "UP42_WEBHOOK_SECRET"  # noqa: S105 - the name of a variable, not a secret
SANDBOX_EXTRA = "the sandbox extra is not installed: pip install 'up42-webhooks[sandbox]'"


@dataclasses.dataclass(frozen=True)
class Connection:
    """Where to connect and how to print, from the options of ``up42 webhooks`` and of its subcommand."""

    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    base_url: str | None = None
    as_json: bool = False
    show_secret: bool = False

    def merged(self, other: Connection) -> Connection:
        """These settings, overridden by whatever ``other`` sets."""
        return Connection(
            username=other.username or self.username,
            password=other.password or self.password,
            base_url=other.base_url or self.base_url,
            as_json=other.as_json or self.as_json,
            show_secret=other.show_secret or self.show_secret,
        )

    def with_environment(self) -> Connection:
        """These settings, with the ``UP42_*`` variables for what no option set (options win over variables)."""
        return Connection(
            username=self.username or os.environ.get(ENV_USERNAME) or None,
            password=self.password or os.environ.get(ENV_PASSWORD) or None,
            base_url=self.base_url or os.environ.get(ENV_BASE_URL) or None,
            as_json=self.as_json,
            show_secret=self.show_secret,
        )

    def client(self) -> Client:
        """An `up42.Client` for these credentials (the SDK reads the environment for whatever is unset)."""
        return Client(self.username, self.password, base_url=self.base_url)


def connection_options(func: F) -> F:
    """The options every ``up42 webhooks`` command takes, on the group and on each subcommand alike."""
    options = [
        click.option("--username", help=f"UP42 account, an email address (default: ${ENV_USERNAME})."),
        click.option("--password", help=f"Its password (default: ${ENV_PASSWORD})."),
        click.option(
            "--base-url",
            help=f"One origin for the API and auth endpoints, e.g. a sandbox (default: ${ENV_BASE_URL}, else UP42).",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print JSON (the API's camelCase fields)."),
        click.option("--show-secret", is_flag=True, help="Show webhook secrets instead of masking them."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _connection(ctx: click.Context, /, **options: Any) -> Connection:
    group = ctx.find_object(Connection) or Connection()
    return group.merged(Connection(**options)).with_environment()


def _emit_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def _masked(hook: dict[str, Any], show_secret: bool) -> dict[str, Any]:
    shown = dict(hook)
    if shown.get("secret") and not show_secret:
        shown["secret"] = MASK
    return shown


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    rows = [list(map(str, row)) for row in rows]
    widths = [max([len(header), *(len(row[i]) for row in rows)]) for i, header in enumerate(headers)]
    for row in [list(headers), *rows]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def _show_hook(hook: dict[str, Any], connection: Connection) -> None:
    shown = _masked(hook, connection.show_secret)
    if connection.as_json:
        _emit_json(shown)
        return
    secret = shown.get("secret") or "(none)"
    if secret == MASK:
        secret += "  (--show-secret reveals it)"
    fields = [
        ("id", shown["id"]),
        ("name", shown["name"]),
        ("url", shown["url"]),
        ("events", ", ".join(shown["events"])),
        ("active", "yes" if shown["active"] else "no"),
        ("secret", secret),
        ("created", shown.get("createdAt", "")),
        ("updated", shown.get("updatedAt", "")),
    ]
    for name, value in fields:
        click.echo(f"{name:<8} {value}")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, "--version", prog_name="up42")
def cli() -> None:
    """Manage UP42 webhooks, receive their signed deliveries, and run a local UP42 sandbox.

    Credentials and the base URL come from options or from UP42_USERNAME, UP42_PASSWORD and UP42_BASE_URL.
    Try it offline: start `up42 sandbox`, then use the export line it prints.
    """


@cli.group()
@connection_options
@click.pass_context
def webhooks(ctx: click.Context, /, **options: Any) -> None:
    """List, create, change, test and delete the webhooks of your workspace."""
    ctx.obj = Connection(**options)


@webhooks.command("list")
@connection_options
@click.pass_context
def list_webhooks(ctx: click.Context, /, **options: Any) -> None:
    """List every webhook of the workspace."""
    connection = _connection(ctx, **options)
    with connection.client() as client:
        hooks = [_masked(hook, connection.show_secret) for hook in client.get_webhooks(return_json=True)]
    if connection.as_json:
        _emit_json(hooks)
    elif not hooks:
        click.echo("No webhooks yet; create one with `up42 webhooks create`.")
    else:
        rows = [(h["id"], h["name"], "yes" if h["active"] else "no", ",".join(h["events"]), h["url"]) for h in hooks]
        _table(["ID", "NAME", "ACTIVE", "EVENTS", "URL"], rows)


@webhooks.command("get")
@click.argument("webhook_id", metavar="ID")
@connection_options
@click.pass_context
def get_webhook(ctx: click.Context, /, webhook_id: str, **options: Any) -> None:
    """Show one webhook."""
    connection = _connection(ctx, **options)
    with connection.client() as client:
        _show_hook(client.initialize_webhook(webhook_id).info, connection)


def _events_option(required: bool) -> Callable[[F], F]:
    return click.option(
        "--event",
        "events",
        multiple=True,
        required=required,
        help="An event to subscribe to, e.g. order.status; repeat for several (see `up42 webhooks events`).",
    )


@webhooks.command("create")
@click.option("--name", required=True, help="A name for the webhook.")
@click.option("--url", required=True, help="Where deliveries are POSTed (HTTPS).")
@_events_option(required=True)
@click.option("--secret", help="Signs deliveries so the receiver can verify them (recommended).")
@click.option("--active/--inactive", default=False, show_default=True, help="Deliver live events right away.")
@connection_options
@click.pass_context
def create_webhook(
    ctx: click.Context,
    /,
    name: str,
    url: str,
    events: tuple[str, ...],
    secret: str | None,
    active: bool,
    **options: Any,
) -> None:
    """Register a webhook; like every command, it masks the secret unless --show-secret is given."""
    connection = _connection(ctx, **options)
    with connection.client() as client:
        hook = client.create_webhook(name, url, list(events), active=active, secret=secret)
        _show_hook(hook.info, connection)


@webhooks.command("update")
@click.argument("webhook_id", metavar="ID")
@click.option("--name", help="The new name.")
@click.option("--url", help="The new delivery URL (HTTPS).")
@_events_option(required=False)
@click.option("--secret", help="The new signing secret ('' removes it).")
@click.option("--active/--inactive", default=None, help="Resume or pause live deliveries.")
@connection_options
@click.pass_context
def update_webhook(
    ctx: click.Context,
    /,
    webhook_id: str,
    name: str | None,
    url: str | None,
    events: tuple[str, ...],
    secret: str | None,
    active: bool | None,
    **options: Any,
) -> None:
    """Change some fields of a webhook and keep the rest."""
    if name is None and url is None and not events and secret is None and active is None:
        raise click.UsageError("nothing to change: give --name, --url, --event, --secret, --active or --inactive")
    connection = _connection(ctx, **options)
    with connection.client() as client:
        hook = client.initialize_webhook(webhook_id)
        hook.update(name=name, url=url, events=list(events) or None, active=active, secret=secret)
        _show_hook(hook.info, connection)


@webhooks.command("delete")
@click.argument("webhook_id", metavar="ID")
@connection_options
@click.pass_context
def delete_webhook(ctx: click.Context, /, webhook_id: str, **options: Any) -> None:
    """Delete a webhook."""
    connection = _connection(ctx, **options)
    with connection.client() as client:
        client.initialize_webhook(webhook_id).delete()
    if connection.as_json:
        _emit_json({"id": webhook_id, "deleted": True})
    else:
        click.echo(f"Deleted webhook {webhook_id}.")


@webhooks.command("test")
@click.argument("webhook_id", metavar="ID")
@connection_options
@click.pass_context
def test_webhook(ctx: click.Context, /, webhook_id: str, **options: Any) -> None:
    """Send one test delivery per subscribed event and show how the receiver answered."""
    connection = _connection(ctx, **options)
    with connection.client() as client:
        hook = client.initialize_webhook(webhook_id)
        run = hook.trigger_test_events()
    if connection.as_json:
        _emit_json(run)
        return
    failed = run.get("testsFailed", run["testsRun"] - run["testsSucceeded"])
    deliveries = "delivery" if run["testsRun"] == 1 else "deliveries"
    click.echo(
        f"Sent {run['testsRun']} test {deliveries} to {hook.url}: {run['testsSucceeded']} succeeded, {failed} failed."
    )
    rows = [
        (test["eventName"], "ok" if test["success"] else "FAILED", test.get("message") or "")
        for test in run.get("tests", [])
    ]
    if rows:
        _table(["EVENT", "RESULT", "MESSAGE"], rows)


@webhooks.command("events")
@connection_options
@click.pass_context
def list_events(ctx: click.Context, /, **options: Any) -> None:
    """List the event types a webhook can subscribe to."""
    connection = _connection(ctx, **options)
    with connection.client() as client:
        events = client.get_webhook_events()
    if connection.as_json:
        _emit_json(events)
    else:
        rows = [(e["name"], e.get("title", ""), e.get("description", "")) for e in events]
        _table(["NAME", "TITLE", "DESCRIPTION"], rows)


def _server(app: Any, host: str, port: int) -> Server:
    try:
        from .sandbox._server import Server, bind  # needs the sandbox extra
    except ImportError:
        raise click.ClickException(SANDBOX_EXTRA) from None
    return Server(app, bind(host, port))


def _now() -> str:
    return datetime.datetime.now().strftime("%H:%M:%S")


def _describe(event: WebhookEvent) -> str:
    body = event.body
    mode = "test" if event.is_test else "live"
    what = ""
    if isinstance(body, OrderStatus):
        what = f": order {body.order_id} is {body.status}"
    elif isinstance(body, JobStatus):
        what = f": job status {body.status}"
    return f"{event.event} ({mode}, message {event.message_id}){what}"


# The raw delivery being handled, so the handler can forward the exact bytes and signature headers.
_raw_delivery: contextvars.ContextVar[tuple[bytes, list[tuple[bytes, bytes]]]] = contextvars.ContextVar("delivery")


class _Listener:
    """ASGI adapter around a `Receiver`'s app: prints each outcome and forwards verified deliveries."""

    def __init__(self, receiver: Receiver, forward_to: str | None) -> None:
        self._app = receiver.asgi_app()
        self._forward_to = forward_to
        self._http = httpx.AsyncClient(timeout=10, trust_env=False)
        receiver.on_any(self._handle)

    async def _handle(self, event: WebhookEvent) -> None:
        click.echo(f"{_now()} verified {_describe(event)}")
        if self._forward_to is None:
            return
        body, headers = _raw_delivery.get()
        skipped = {b"host", b"content-length", b"connection", b"transfer-encoding"}
        kept = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in headers if name not in skipped]
        try:
            response = await self._http.post(self._forward_to, content=body, headers=kept)
        except httpx.HTTPError as error:
            click.echo(f"{_now()}   forwarding to {self._forward_to} failed: {type(error).__name__}", err=True)
            raise
        click.echo(f"{_now()}   forwarded to {self._forward_to}: {response.status_code}")
        response.raise_for_status()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def recording_receive() -> Any:
            message = await receive()
            chunks.append(message.get("body", b""))
            _raw_delivery.set((b"".join(chunks), list(scope["headers"])))
            return message

        status = 0

        async def reporting_send(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and status >= 300:
                detail = json.loads(message.get("body") or b"{}").get("detail", "")
                click.echo(f"{_now()} refused a delivery ({status}): {detail}", err=True)
            await send(message)

        await self._app(scope, recording_receive, reporting_send)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8043, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port.")
@click.option(
    "--secret",
    required=True,
    envvar=ENV_WEBHOOK_SECRET,
    show_envvar=True,
    help="The webhook secret deliveries are verified with.",
)
@click.option("--forward-to", metavar="URL", help="Re-post each verified delivery, unchanged, to this URL.")
def listen(host: str, port: int, secret: str, forward_to: str | None) -> None:
    """Receive deliveries locally: verify each signature and print the event.

    Point a webhook at the printed URL (plain http is fine on loopback with the sandbox). Deliveries that fail
    verification are refused with 401 and reported on stderr; verified ones are acknowledged with 200 and, with
    --forward-to, passed on with their original body and signature headers (a failed forward answers 500, so
    the sender retries).
    """
    server = _server(_Listener(Receiver(secret), forward_to), host, port)
    click.echo(f"Listening on {server.url}/ for deliveries signed with the given secret (Ctrl+C stops).")
    if forward_to:
        click.echo(f"Verified deliveries are forwarded to {forward_to}.")
    sys.stdout.flush()
    server.run()


@cli.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; keep it on loopback: the /sandbox/ paths need no token.",
)
@click.option("--port", default=8042, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port.")
@click.option("--db", type=click.Path(dir_okay=False), help="SQLite file that keeps the state across restarts.")
@click.option("--username", help="The account that may log in (default: sandbox@example.com).")
@click.option("--password", help="Its password (default: sandbox-password).")
@click.option("--token-ttl", type=click.IntRange(min=1), help="Access token lifetime in seconds (default: 300).")
@click.option(
    "--fail-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Answer this fraction of requests 503 before processing (not /sandbox/ paths).",
)
@click.option(
    "--rate-limit",
    type=click.IntRange(min=1),
    help="Answer 429 with Retry-After beyond this many requests per second.",
)
@click.option("--latency", default=0.0, type=click.FloatRange(min=0), metavar="MS", help="Delay every request.")
def sandbox(
    host: str,
    port: int,
    db: str | None,
    username: str | None,
    password: str | None,
    token_ttl: int | None,
    fail_rate: float,
    rate_limit: int | None,
    latency: float,
) -> None:
    """Run a local UP42: the token, userinfo and webhook endpoints, with signed deliveries.

    State is kept in memory, or in the --db file where it survives restarts. Sandbox-only paths: POST
    /sandbox/events with {"event": "order.status", "body": {...}} delivers a live event to every active
    subscribed webhook (failed deliveries are retried with backoff); GET /sandbox/deliveries lists every
    delivery attempt. Plain http webhook URLs are accepted for loopback hosts so local receivers work.
    """
    try:
        from .sandbox import Faults, Sandbox  # needs the sandbox extra
    except ImportError:
        raise click.ClickException(SANDBOX_EXTRA) from None
    # Unset options keep the Sandbox's own defaults.
    given: dict[str, Any] = {"username": username, "password": password, "token_ttl": token_ttl}
    faults = Faults(fail_rate=fail_rate, rate_limit=rate_limit, latency=latency)
    server = Sandbox(
        host=host,
        port=port,
        db=db,
        faults=faults,
        **{name: value for name, value in given.items() if value is not None},
    )
    env = " ".join(f"{name}={value}" for name, value in server.env.items())
    click.echo(f"UP42 sandbox listening on {server.url}")
    click.echo(f"  username {server.username}")
    click.echo(f"  password {server.password}")
    click.echo(f"  state    {db or 'in memory (lost when it stops; --db keeps it)'}")
    click.echo("Point the SDK and the up42 command at it:")
    click.echo(f"  export {env}")
    sys.stdout.flush()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    logger = logging.getLogger("up42.sandbox")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    server.serve()


def main(args: Sequence[str] | None = None) -> None:
    """Run the command line and exit: 0 on success, 1 on a failure, 2 on a usage error, 130 when interrupted."""
    try:
        code = cli.main(args=args, prog_name="up42", standalone_mode=False)
    except click.UsageError as error:
        hint = f" (see '{error.ctx.command_path} --help')" if error.ctx else ""
        _fail(f"{error.format_message()}{hint}", error.exit_code)
    except click.ClickException as error:
        _fail(error.format_message(), error.exit_code)
    except (click.Abort, KeyboardInterrupt):
        _fail("interrupted", 130)
    except (UP42Error, OSError, ValueError) as error:
        _fail(str(error), 1)
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {' '.join(message.split())}", err=True)
    sys.exit(code)
