"""``up42 trigger``: simulate a platform event through a sandbox, or sign one and POST it straight to a receiver."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import click
import httpx

from .._client._config import USER_AGENT
from .._messages import (
    EventBodyError,
    apply_overrides,
    check_body,
    encode,
    loads_json,
    message,
    sample_body,
    unencodable,
)
from .._posting import READ_LIMIT, DeliveryResult, delivery_headers, post_delivery
from .._urls import shown_url
from ..receiving._catalog import EVENT_NAMES
from ._common import ENV_WEBHOOK_SECRET, HttpURL, emit_json, outcome_table, place_options, say
from ._sandbox_api import SandboxAPI, sandbox_url

# What a receiver gets to answer, as the sandbox's deliveries allow it.
RECEIVER_TIMEOUT = 10.0
EXCERPT = 200


def _body(event: str, body_json: str | None, assignments: Sequence[str]) -> dict[str, Any]:
    """The body to send: ``--body`` or a realistic sample, with the ``--set`` overrides, checked by the schema."""
    body = sample_body(event) if body_json is None else _given_body(body_json)
    try:
        body = apply_overrides(event, body, assignments)
    except EventBodyError as error:
        raise click.BadParameter(str(error), param_hint="--set") from None
    try:
        check_body(event, body)
    except EventBodyError as error:
        # The sandbox would refuse it too; a receiver must never be handed a body UP42 would not send.
        raise click.UsageError(f"{error} (change it with --body or --set)") from None
    return body


def _given_body(body_json: str) -> dict[str, Any]:
    try:
        # Strict JSON: no NaN or Infinity, which neither the sandbox nor a receiver could read.
        body = loads_json(body_json)
    except (ValueError, RecursionError) as error:
        raise click.BadParameter(f"not valid JSON ({error})", param_hint="--body") from None
    if not isinstance(body, dict):
        raise click.BadParameter(
            'must be a JSON object, such as \'{"status": "FAILED_PERMANENTLY"}\'', param_hint="--body"
        )
    _check_text(body)
    return body


def _check_text(body: dict[str, Any]) -> None:
    # A \ud800 escape in --body leaves text that cannot be sent (arguments that are not UTF-8 never get here).
    field = unencodable(body, "body")
    if field is not None:
        raise click.BadParameter(f"{field} is not valid text: it holds a lone surrogate", param_hint="--body")


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else f"{flat[:EXCERPT]}..."


def _send_to(url: str, event: str, body: Mapping[str, Any], secret: str | None, as_json: bool) -> None:
    """Build the message as UP42 does, sign it unless ``secret`` is None, POST it to ``url``; fail unless 2xx."""
    shown = shown_url(url)
    payload = message(event, body, live=True)
    raw = encode(payload)
    # An uncompressed answer, as only its first bytes are read and an excerpt of them is shown.
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"} | delivery_headers(raw, secret)
    # One request needs no asyncio debugging, whose notes on slow steps (the first request loads the network
    # backend) would reach the terminal under PYTHONDEVMODE.
    result = asyncio.run(_post(url, raw, headers), debug=False)
    failure = result.failure
    if isinstance(failure, httpx.ConnectError):
        raise click.ClickException(f"cannot reach {shown}: nothing accepts connections; is your app running?")
    if isinstance(failure, TimeoutError | httpx.TimeoutException):
        raise click.ClickException(f"{shown} did not answer within {RECEIVER_TIMEOUT:g} s")
    if failure is not None:
        raise click.ClickException(f"sending to {shown} failed: {shown_url(str(failure))}")
    status = f"{result.status} {result.reason}".strip()
    answer = _excerpt(result.answer.decode("utf-8", errors="replace"))
    if not result.ok:
        raise click.ClickException(f"{shown} answered {status}" + (f": {answer}" if answer else ""))
    if as_json:
        emit_json({"url": shown, "messageId": payload["messageId"], "status": result.status, "response": answer})
        return
    signed = "signed" if secret is not None else "unsigned"
    say(f"Sent {event} (message {payload['messageId']}, {signed}) to {shown}: {status}")
    if answer:
        say(f"  {answer}")


async def _post(url: str, body: bytes, headers: dict[str, str]) -> DeliveryResult:
    async with httpx.AsyncClient(timeout=RECEIVER_TIMEOUT, trust_env=False) as http:
        return await post_delivery(http, url, body, headers, deadline=RECEIVER_TIMEOUT, read_limit=READ_LIMIT)


def _trigger_in_sandbox(
    event: str, body: Mapping[str, Any], webhook_id: str | None, base_url: str | None, region: str | None, as_json: bool
) -> None:
    with SandboxAPI(sandbox_url(base_url, region)) as sandbox:
        result = sandbox.trigger(event, body, webhook_id)
    if as_json:
        emit_json(result)
        return
    rows = result["deliveries"]
    say(f"Triggered {event}: message {result['messageId']}")
    if not rows:
        say(
            f"No active webhook is subscribed to {event}, so nothing was delivered; "
            f"create one with `up42 webhooks create --active --event {event} ...`."
        )
        return
    outcome_table(rows)
    pending = [row["id"] for row in rows if row["state"] == "pending"]
    failed = [row["id"] for row in rows if row["state"] == "failed"]
    if pending or failed:
        say(f"{len(pending) + len(failed)} of {len(rows)} not delivered.")
    # A pending delivery is the sandbox's to retry: resending it now would only send the message twice.
    if pending:
        watch = f"show {pending[0]}" if len(pending) == 1 else "list --status pending"
        say(f"Pending ones are retried by the sandbox; watch with `up42 deliveries {watch}`.")
    if failed:
        again = failed[0] if len(failed) == 1 else "--failed"
        say(f"Failed ones are not retried; once your app is fixed, `up42 deliveries resend {again}`.")


@click.command()
@click.argument("event", metavar="EVENT", type=click.Choice(sorted(EVENT_NAMES)))
@click.option(
    "--body", "body_json", metavar="JSON", help="The event's body as a JSON object (default: a realistic one)."
)
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Override one field of the body, e.g. status=FAILED_PERMANENTLY (true/false for booleans); repeatable. "
    "Setting an order's status sets statusIsFinal to match, unless you set that too.",
)
@click.option("--webhook", "webhook_id", metavar="ID", help="Deliver to this webhook only (default: every active one).")
@click.option(
    "--to",
    metavar="URL",
    type=HttpURL(),
    help="No sandbox: sign the message as UP42 does and POST it straight to this URL (your app).",
)
@click.option(
    "--secret",
    envvar=ENV_WEBHOOK_SECRET,
    show_envvar=True,
    help="With --to: the webhook secret to sign with.",
)
@click.option("--unsigned", is_flag=True, help="With --to: send no signature (your app should refuse it).")
@place_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the sandbox's answer).")
@click.pass_context
def trigger(
    ctx: click.Context,
    /,
    event: str,
    body_json: str | None,
    assignments: tuple[str, ...],
    webhook_id: str | None,
    to: str | None,
    secret: str | None,
    unsigned: bool,
    base_url: str | None,
    region: str | None,
    as_json: bool,
) -> None:
    """Simulate a platform EVENT.

    That is a live, signed delivery to every active webhook subscribed to it. The sandbox delivers it (start one with
    `up42 sandbox`; it is found by --base-url, $UP42_BASE_URL or the stored login) and this prints the messageId and
    each delivery's outcome. It exits 0 once the sandbox accepted the event, even if a delivery failed: pending ones are
    retried, failed ones can be resent, and `up42 deliveries` shows them.

    With --to URL there is no sandbox and no account: the message is signed with --secret exactly as UP42 signs
    it and POSTed to URL, and the command exits 0 only when URL answers 2xx.
    """
    body = _body(event, body_json, assignments)
    # $UP42_WEBHOOK_SECRET may be set for `up42 listen`; only a --secret typed here contradicts another option.
    typed_secret = ctx.get_parameter_source("secret") is click.core.ParameterSource.COMMANDLINE
    if to is None:
        if typed_secret or unsigned:
            raise click.UsageError("--secret and --unsigned go with --to; the sandbox signs with each webhook's secret")
        _trigger_in_sandbox(event, body, webhook_id, base_url, region, as_json)
        return
    if webhook_id or base_url or region:
        raise click.UsageError("--to sends straight to URL: --webhook, --base-url and --region are for a sandbox")
    if unsigned and typed_secret:
        raise click.UsageError("give --secret or --unsigned, not both")
    if not unsigned and not secret:
        raise click.UsageError("--to needs --secret S (or $UP42_WEBHOOK_SECRET) to sign with, or --unsigned")
    _send_to(to, event, body, None if unsigned else secret, as_json)
