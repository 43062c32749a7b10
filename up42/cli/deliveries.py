"""``up42 deliveries``: the sandbox's delivery log, one delivery's exact request and attempts, and resends."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from typing import Any

import click

from .._messages import timestamp
from .._urls import shown_url
from ._common import (
    Connection,
    F,
    Text,
    connection,
    emit_json,
    fields,
    outcome_table,
    sandbox_place_option,
    say,
    status_text,
    table,
)
from ._sandbox_api import SandboxAPI, sandbox_url

STATES = ("delivered", "failed", "pending")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_DURATION = re.compile(r"(\d+)([smhd])")
SINCE = "a duration back from now (30s, 15m, 2h, 3d) or an RFC 3339 time such as 2026-12-07T09:30:00Z"


class Since(Text):
    """A point in time: a duration back from now (``30s``, ``15m``, ``2h``, ``3d``) or an RFC 3339 time.

    Converts to RFC 3339 UTC, as the sandbox takes it.
    """

    name = "since"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """The time ``value`` names, as RFC 3339 UTC."""
        text = super().convert(value, param, ctx).strip()
        duration = _DURATION.fullmatch(text)
        try:
            if duration:
                delta = datetime.timedelta(**{_UNITS[duration[2]]: int(duration[1])})
                return timestamp(datetime.datetime.now(datetime.UTC) - delta)
            moment = datetime.datetime.fromisoformat(text)
            if moment.tzinfo is not None:
                return timestamp(moment)
        except OverflowError:  # 999999d, or a time in year 1 whose UTC falls before it
            self.fail(f"{text!r} reaches back before the year 1", param, ctx)
        except ValueError:
            pass
        self.fail(
            f"{text!r} is neither a duration such as 30s, 15m, 2h or 3d, nor an RFC 3339 time with a zone", param, ctx
        )


def _short_time(value: str) -> str:
    # RFC 3339 to the second: the microseconds only widen the table.
    return f"{value[:19]}Z"


def _delivery_id(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    # An empty id would address the list itself (/sandbox/deliveries/), not a delivery.
    if value is not None and not value.strip():
        raise click.BadParameter(
            "must be a delivery id such as dlv_5f2a9c0e7b1d3a48; `up42 deliveries list` shows them"
        )
    return value


def _sandbox(settings: Connection) -> SandboxAPI:
    return SandboxAPI(sandbox_url(settings.base_url, None))


def _json_option(what: str) -> Callable[[F], F]:
    return click.option("--json", "as_json", is_flag=True, help=f"Print {what} (the sandbox's camelCase fields).")


@click.group()
@sandbox_place_option
@_json_option("JSON")
@click.pass_context
def deliveries(ctx: click.Context, /, **options: Any) -> None:
    """Inspect and resend a sandbox's deliveries.

    There is one delivery per message and webhook, with every attempt. The sandbox is found like every command finds
    UP42: --base-url, else $UP42_BASE_URL, else the stored login.
    """
    ctx.obj = Connection(**options)


@deliveries.command("list")
@click.option("--webhook", "webhook_id", metavar="ID", help="Only the deliveries to this webhook.")
@click.option("--event", metavar="EVENT", help="Only the deliveries of this event, e.g. order.status.")
@click.option("--status", "state", type=click.Choice(STATES), help="Only the deliveries in this state.")
@click.option("--since", type=Since(), help=f"Only the deliveries created since then: {SINCE}.")
@click.option("--limit", type=click.IntRange(min=1), help="Only the newest N of them.")
@sandbox_place_option
@_json_option("one JSON array")
@click.pass_context
def list_deliveries(
    ctx: click.Context,
    /,
    webhook_id: str | None,
    event: str | None,
    state: str | None,
    since: str | None,
    limit: int | None,
    **options: Any,
) -> None:
    """List the deliveries, newest first.

    Each row shows when it was made, the event, messageId, webhook, attempts, last status and state.
    """
    settings = connection(ctx, **options)
    with _sandbox(settings) as sandbox:
        # Newest first, as the dashboard and `up42 inbox list` show theirs (the sandbox answers oldest first).
        rows = sandbox.deliveries(webhookId=webhook_id, event=event, state=state, since=since, limit=limit)[::-1]
    if settings.as_json:
        emit_json(rows)
    elif not rows:
        filtered = any(value is not None for value in (webhook_id, event, state, since, limit))
        say("No deliveries match." if filtered else "No deliveries yet; try `up42 trigger order.status`.")
    else:
        table(
            ["ID", "CREATED", "EVENT", "MESSAGE", "WEBHOOK", "ATTEMPTS", "STATUS", "STATE", "ERROR"],
            [
                (
                    # When the delivery was made, as --since and the dashboard count; `show` has each attempt's.
                    *(row["id"], _short_time(row["createdAt"]), row["event"]),
                    *(row["messageId"], row["webhookId"], row["attempt"], status_text(row), row["state"]),
                    row.get("error") or "",
                )
                for row in rows
            ],
        )


def _masked(detail: dict[str, Any]) -> dict[str, Any]:
    """A delivery's detail with a user name and password in its URLs masked; the sandbox keeps them whole."""
    request = detail.get("request")
    return {
        **detail,
        "request": request and {**request, "url": shown_url(request["url"])},
        "attempts": [{**attempt, "url": shown_url(attempt["url"])} for attempt in detail.get("attempts") or []],
    }


def _show(detail: dict[str, Any]) -> None:
    mode = "live" if detail.get("liveMode") else "test"
    state = detail["state"]
    if state == "pending" and detail.get("nextAttemptAt"):
        state += f", next attempt at {detail['nextAttemptAt']}"
    fields(
        {
            "delivery": detail["id"],
            "event": f"{detail['event']} ({mode})",
            "message": detail["messageId"],
            "webhook": detail["webhookId"],
            "state": state,
            "created": detail.get("createdAt") or "-",
        }
    )
    request = detail.get("request")
    say("")
    if request is None:
        say("No request sent yet.")
    else:
        # Exactly as sent: a receiver's signature check sees these very headers and bytes.
        say(f"POST {request['url']}")
        for name, value in request["headers"].items():
            say(f"{name}: {value}")
        say("")
        say(request["body"], lines=True)
    attempts = detail.get("attempts") or []
    say("")
    say(f"Attempts ({len(attempts)}):")
    table(
        ["#", "SENT", "STATUS", "DURATION", "ERROR"],
        [(a["attempt"], a["sentAt"], status_text(a), f"{a['durationMs']} ms", a.get("error") or "") for a in attempts],
    )
    for attempt in attempts:
        _show_answer(attempt)


def _show_answer(attempt: dict[str, Any]) -> None:
    # Absent from a sandbox that keeps no answers, null for an attempt that had none.
    answer = attempt.get("answer")
    if not answer or not (answer["bytes"] or answer["contentType"]):
        return
    size = f"the first {answer['bytes']} bytes (cut at 4 KiB)" if answer["truncated"] else f"{answer['bytes']} bytes"
    say("")
    kind = answer["contentType"] or "no content type"
    say(f"Answer to attempt {attempt['attempt']}: {status_text(attempt)}, {kind}, {size}")
    if answer["body"] is None:
        say("(not UTF-8 text; not shown)")
    elif answer["body"]:
        say(answer["body"], lines=True)


@deliveries.command("show")
@click.argument("delivery_id", metavar="ID", callback=_delivery_id)
@sandbox_place_option
@_json_option("one JSON object")
@click.pass_context
def show_delivery(ctx: click.Context, /, delivery_id: str, **options: Any) -> None:
    """Show one delivery and its attempts.

    The request shows exactly as sent: URL, every header, the body.
    """
    settings = connection(ctx, **options)
    with _sandbox(settings) as sandbox:
        detail = sandbox.delivery(delivery_id)
    if settings.as_json:
        emit_json(_masked(detail))
    else:
        _show(_masked(detail))


@deliveries.command("resend")
@click.argument("delivery_id", metavar="[ID]", required=False, callback=_delivery_id)
@click.option("--failed", is_flag=True, help="Instead of one ID: resend every delivery that failed.")
@click.option("--since", type=Since(), help=f"With --failed: only those created since then, {SINCE}.")
@sandbox_place_option
@_json_option('one JSON object: the delivery for ID; {"resent": [...], "skipped": [...]} for --failed')
@click.pass_context
def resend(ctx: click.Context, /, delivery_id: str | None, failed: bool, since: str | None, **options: Any) -> None:
    """Resend one delivery, or every failed one.

    The message goes again with the same messageId and body, to the webhook's current URL, signed again (a new
    created time in Signature-Input; the Signature itself covers the content type and digest, so it changes only
    with the secret). With --failed, deliveries whose webhook was deleted are skipped and listed as such.

    Exits 0 when every delivery resent was delivered, 1 when any still failed.
    """
    if (delivery_id is None) == (not failed):
        raise click.UsageError(
            "give a delivery ID or --failed, not both" if failed else "give a delivery ID or --failed"
        )
    if since is not None and not failed:
        raise click.UsageError("--since goes with --failed")
    settings = connection(ctx, **options)
    with _sandbox(settings) as sandbox:
        answer: dict[str, Any] = sandbox.resend_failed(since) if delivery_id is None else sandbox.resend(delivery_id)
    rows, skipped = ([answer], []) if delivery_id is not None else (answer["resent"], answer["skipped"])
    if settings.as_json:
        emit_json(answer if delivery_id is None else _masked(answer))
    else:
        _show_resent(rows, skipped)
    still = [row for row in rows if row["state"] != "delivered"]
    if still:
        raise click.ClickException(_still_failed(still, len(rows)))


def _show_resent(rows: Sequence[dict[str, Any]], skipped: Sequence[dict[str, Any]]) -> None:
    if rows:
        outcome_table(rows)
    for gone in skipped:
        # Not failures of this resend: nothing can deliver them again, so they never count towards the exit code.
        say(f"Skipped {gone['id']}: {gone['reason']} ({gone['webhookId']}).")
    if not rows and not skipped:
        say("No failed deliveries to resend.")


def _still_failed(still: Sequence[dict[str, Any]], total: int) -> str:
    if total == 1:
        row = still[0]
        return f"{row['id']} was not delivered ({row['state']}): {row.get('error') or status_text(row)}"
    return f"{len(still)} of {total} deliveries were not delivered: {', '.join(row['id'] for row in still)}"
