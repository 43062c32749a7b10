"""``up42 webhooks``: list, create, change, test and delete the webhooks of a workspace."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from .._client._clients import Client
from .._client._webhooks import Webhook
from .._text import MASK
from .._urls import shown_url
from ..errors import NotFoundError
from ._common import (
    Connection,
    F,
    connection,
    connection_options,
    emit_json,
    fields,
    masked,
    say,
    show_secret_option,
    table,
)


def _show_hook(hook: dict[str, Any], settings: Connection) -> None:
    shown = masked(hook, settings.show_secret)
    if settings.as_json:
        emit_json(shown)
        return
    secret = shown.get("secret") or "(none)"
    if secret == MASK:
        secret += "  (--show-secret reveals it)"
    fields(
        {
            "id": shown["id"],
            "name": shown["name"],
            "url": shown["url"],
            "events": ", ".join(shown["events"]),
            "active": "yes" if shown["active"] else "no",
            "secret": secret,
            "created": shown.get("createdAt", ""),
            "updated": shown.get("updatedAt", ""),
        }
    )


def _target(client: Client, webhook_id: str, action: str) -> Webhook:
    """The webhook to ``action`` (update, delete, test), looked up first.

    A 404 here would name the GET of the lookup, which the user never asked for; it names the command instead.
    """
    try:
        return client.initialize_webhook(webhook_id)
    except NotFoundError:
        raise click.ClickException(f"no webhook {webhook_id!r} in this workspace; nothing to {action}") from None


@click.group()
@connection_options
@show_secret_option
@click.pass_context
def webhooks(ctx: click.Context, /, **options: Any) -> None:
    """Manage the webhooks of your workspace.

    List, create, change, test and delete them.
    """
    ctx.obj = Connection(**options)


@webhooks.command("list")
@connection_options
@show_secret_option
@click.pass_context
def list_webhooks(ctx: click.Context, /, **options: Any) -> None:
    """List every webhook of the workspace."""
    settings = connection(ctx, **options)
    with settings.client() as client:
        hooks = [masked(hook, settings.show_secret) for hook in client.get_webhooks(return_json=True)]
    if settings.as_json:
        emit_json(hooks)
    elif not hooks:
        say("No webhooks yet; create one with `up42 webhooks create`.")
    else:
        rows = [(h["id"], h["name"], "yes" if h["active"] else "no", ",".join(h["events"]), h["url"]) for h in hooks]
        table(["ID", "NAME", "ACTIVE", "EVENTS", "URL"], rows)


@webhooks.command("get")
@click.argument("webhook_id", metavar="ID")
@connection_options
@show_secret_option
@click.pass_context
def get_webhook(ctx: click.Context, /, webhook_id: str, **options: Any) -> None:
    """Show one webhook."""
    settings = connection(ctx, **options)
    with settings.client() as client:
        _show_hook(client.initialize_webhook(webhook_id).info, settings)


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
@show_secret_option
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
    """Register a webhook.

    Like every command, it masks the secret unless --show-secret is given.
    """
    settings = connection(ctx, **options)
    with settings.client() as client:
        hook = client.create_webhook(name, url, list(events), active=active, secret=secret)
        _show_hook(hook.info, settings)


@webhooks.command("update")
@click.argument("webhook_id", metavar="ID")
@click.option("--name", help="The new name.")
@click.option("--url", help="The new delivery URL (HTTPS).")
@_events_option(required=False)
@click.option("--secret", help="The new signing secret ('' removes it).")
@click.option("--active/--inactive", default=None, help="Resume or pause live deliveries.")
@connection_options
@show_secret_option
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
    """Change some fields of a webhook, keep the rest."""
    if name is None and url is None and not events and secret is None and active is None:
        raise click.UsageError("nothing to change: give --name, --url, --event, --secret, --active or --inactive")
    settings = connection(ctx, **options)
    with settings.client() as client:
        hook = _target(client, webhook_id, "update")
        hook.update(name=name, url=url, events=list(events) or None, active=active, secret=secret)
        _show_hook(hook.info, settings)


@webhooks.command("delete")
@click.argument("webhook_id", metavar="ID")
@connection_options
@click.pass_context
def delete_webhook(ctx: click.Context, /, webhook_id: str, **options: Any) -> None:
    """Delete a webhook."""
    settings = connection(ctx, **options)
    with settings.client() as client:
        _target(client, webhook_id, "delete").delete()
    if settings.as_json:
        emit_json({"id": webhook_id, "deleted": True})
    else:
        say(f"Deleted webhook {webhook_id}.")


@webhooks.command("test")
@click.argument("webhook_id", metavar="ID")
@connection_options
@show_secret_option
@click.pass_context
def test_webhook(ctx: click.Context, /, webhook_id: str, **options: Any) -> None:
    """Send test deliveries to a webhook.

    One test delivery goes per subscribed event, and the command shows how the receiver answered. Exits 0 only when
    every test delivery succeeded; otherwise each failure is printed on stderr and the exit status is 1, so the command
    can gate a CI step.
    """
    settings = connection(ctx, **options)
    with settings.client() as client:
        hook = _target(client, webhook_id, "test")
        run = hook.trigger_test_events()
    url = hook.url if settings.show_secret else shown_url(hook.url)
    tests = [_shown_test(test, hook.url, url) for test in run.get("tests", [])]
    if settings.as_json:
        emit_json({**run, "tests": tests} if "tests" in run else run)
    else:
        failed = run.get("testsFailed", run["testsRun"] - run["testsSucceeded"])
        deliveries = "delivery" if run["testsRun"] == 1 else "deliveries"
        say(f"Sent {run['testsRun']} test {deliveries} to {url}: {run['testsSucceeded']} succeeded, {failed} failed.")
        rows = [(test["eventName"], "ok" if test["success"] else "FAILED", test.get("message") or "") for test in tests]
        if rows:
            table(["EVENT", "RESULT", "MESSAGE"], rows)
    failures = [test for test in tests if not test["success"]]
    for test in failures:
        say(f"error: {test['eventName']}: {test.get('message') or 'the test delivery failed'}", err=True)
    if failures or run["testsSucceeded"] < run["testsRun"]:
        if not failures:  # a TestRun without its list of tests
            say(f"error: {run['testsRun'] - run['testsSucceeded']} test deliveries failed", err=True)
        raise click.exceptions.Exit(1)


def _shown_test(test: dict[str, Any], url: str, shown: str) -> dict[str, Any]:
    """A test of a run with the webhook's URL, which its ``response`` names, as the terminal may show it."""
    if not isinstance(test.get("response"), str):
        return test
    return {**test, "response": test["response"].replace(url, shown)}


@webhooks.command("events")
@connection_options
@click.pass_context
def list_events(ctx: click.Context, /, **options: Any) -> None:
    """List the events a webhook can subscribe to."""
    settings = connection(ctx, **options)
    with settings.client() as client:
        events = client.get_webhook_events()
    if settings.as_json:
        emit_json(events)
    else:
        rows = [(e["name"], e.get("title", ""), e.get("description", "")) for e in events]
        table(["NAME", "TITLE", "DESCRIPTION"], rows)
