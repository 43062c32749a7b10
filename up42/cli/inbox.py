"""``up42 inbox list | show ID | replay (ID ... | --failed)``: look into a receiver's inbox and replay messages."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from typing import Any

import click

from .._messages import timestamp
from .._urls import shown_url
from ..receiving.durable._inbox import Inbox, InboxNotFoundError, InboxRecord, InboxStatus, InboxURLError
from ..receiving.durable.backends import open_inbox
from ._common import emit_json, fields, say, table

ENV_INBOX = "UP42_INBOX"


def _given_inbox(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    # Not `required=True`: click's own line would not say that the variable can give it instead.
    if value is None:
        raise click.UsageError(f"Missing option '--inbox': give the inbox URL, or set ${ENV_INBOX}", ctx)
    return value


inbox_option = click.option(
    "--inbox",
    "url",
    envvar=ENV_INBOX,
    callback=_given_inbox,
    help=f"The inbox URL: sqlite:///path.db, redis://host:port/db or postgresql://user:password@host:port/dbname"
    f" (default: ${ENV_INBOX}).",
)


@contextlib.contextmanager
def opened(url: str) -> Iterator[Inbox]:
    """The inbox at ``url``, which must exist (nothing is created); whatever its backend raises is one line."""
    try:
        inbox = open_inbox(url, create=False)
    except InboxURLError as error:
        raise click.BadParameter(str(error), param_hint="'--inbox'") from None
    except (ModuleNotFoundError, InboxNotFoundError) as error:  # the redis or postgres extra, named; no inbox there
        raise click.ClickException(str(error)) from None
    except Exception as error:
        raise _failed(url, error) from None
    try:
        yield inbox
    except click.ClickException:
        raise
    except Exception as error:
        raise _failed(url, error) from None
    finally:
        with contextlib.suppress(Exception):
            inbox.close()


def _failed(url: str, error: Exception) -> click.ClickException:
    # sqlite3, redis and psycopg errors alike: the command line shows one line naming the inbox, never a traceback.
    return click.ClickException(f"the inbox at {shown_url(url)} failed: {error}")


def _time(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _listed_error(record: InboxRecord) -> str:
    """What a list shows of the record's error: the last line (the exception and its message); none once done."""
    error = record.error
    if record.status is InboxStatus.DONE or not error or not error.strip():
        return ""
    return error.strip().splitlines()[-1]


def _json(record: InboxRecord, *, listed: bool) -> dict[str, Any]:
    """The record as ``--json`` prints it, as the API writes its objects: camelCase keys and RFC 3339 UTC times."""
    return {
        "messageId": record.message_id,
        "event": record.event,
        "status": record.status.value,
        "attempts": record.attempts,
        "error": (_listed_error(record) if listed else record.error) or None,
        "receivedAt": _iso(record.received_at),
        "updatedAt": _iso(record.updated_at),
        "dueAt": _iso(record.due_at),
        "note": record.note,
        "body": record.body.decode("utf-8", "replace") if record.body else None,
    }


def _iso(seconds: float) -> str:
    return timestamp(datetime.datetime.fromtimestamp(seconds, datetime.UTC))


@click.group()
def inbox() -> None:
    """Look into a receiver's inbox, replay messages.

    See what is pending, running, done or failed.
    """


@inbox.command("list")
@inbox_option
@click.option("--status", type=click.Choice([status.value for status in InboxStatus]), help="Only these.")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True, help="The newest N.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def list_messages(url: str, status: str | None, limit: int, as_json: bool) -> None:
    """List the messages, newest first.

    One row per message: id, event, status, attempts, times and, until it is done, its last error.
    """
    with opened(url) as box:
        records = box.records(InboxStatus(status) if status else None, limit)
    if as_json:
        emit_json([_json(record, listed=True) for record in records])
        return
    table(
        ["MESSAGE ID", "EVENT", "STATUS", "ATTEMPTS", "RECEIVED", "UPDATED", "ERROR"],
        [_row(record) for record in records],
    )


def _row(record: InboxRecord) -> tuple[str, ...]:
    return (
        record.message_id,
        record.event,
        record.status.value,
        str(record.attempts),
        _time(record.received_at),
        _time(record.updated_at),
        _listed_error(record),
    )


@inbox.command()
@inbox_option
@click.argument("message_id")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
def show(url: str, message_id: str, as_json: bool) -> None:
    """Show one message.

    That is its state, its last error in full, and its body.
    """
    with opened(url) as box:
        record = box.get(message_id)
    if record is None:
        raise click.ClickException(f"no message {message_id} in the inbox")
    if as_json:
        emit_json(_json(record, listed=False))
        return
    message_id, event, status, attempts, received, updated, _ = _row(record)
    shown = {"message id": message_id, "event": event, "status": status, "attempts": attempts}
    shown.update(received=received, updated=updated, due=_time(record.due_at))
    if record.note:
        shown["note"] = record.note
    fields(shown)
    if record.error:
        # A done message keeps the error of the attempt before the one that succeeded.
        click.echo("error of an earlier attempt:" if record.status is InboxStatus.DONE else "error:")
        say(record.error.rstrip(), lines=True)
    click.echo("body:")
    say(record.body.decode("utf-8", "replace"), lines=True)


@inbox.command()
@inbox_option
@click.argument("message_ids", nargs=-1, metavar="[ID]...")
@click.option("--failed", "all_failed", is_flag=True, help="Replay every failed message.")
def replay(url: str, message_ids: tuple[str, ...], all_failed: bool) -> None:
    """Replay messages: run their handlers again.

    They go back to pending with attempts from zero, so a worker runs them.
    """
    if bool(message_ids) == all_failed:
        raise click.UsageError("give message ids or --failed (one of the two)")
    with opened(url) as box:
        ids = box.failed() if all_failed else list(message_ids)
        found = [(message_id, box.replay(message_id)) for message_id in ids]
    unknown = [message_id for message_id, status in found if status is None]
    for message_id, status in found:
        if status is InboxStatus.RUNNING:
            say(f"{message_id}: running; left to its worker")
        elif status is not None:
            say(f"{message_id}: {status.value} -> pending")
    if all_failed and not ids:
        click.echo("no failed messages")
    if unknown:
        raise click.ClickException(f"no message {', '.join(unknown)} in the inbox")
