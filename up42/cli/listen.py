"""``up42 listen``: a local receiver that verifies deliveries, prints them, and forwards them to your app."""

from __future__ import annotations

import contextvars
import datetime
import json
import sys
from typing import Any

import click
import httpx

from ..receiving import JobStatus, OrderStatus, Receiver, WebhookEvent
from ._common import SANDBOX_EXTRA

ENV_WEBHOOK_SECRET = "UP42_WEBHOOK_SECRET"  # noqa: S105 - the name of a variable, not a secret


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


@click.command()
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
    try:
        from ..sandbox._server import Server, bind  # needs the sandbox extra
    except ImportError:
        raise click.ClickException(SANDBOX_EXTRA) from None
    server = Server(_Listener(Receiver(secret), forward_to), bind(host, port))
    click.echo(f"Listening on {server.url}/ for deliveries signed with the given secret (Ctrl+C stops).")
    if forward_to:
        click.echo(f"Verified deliveries are forwarded to {forward_to}.")
    sys.stdout.flush()
    server.run()
