"""``up42 worker MODULE:ATTR``: run a `Receiver`'s handlers for the messages of its inbox until SIGTERM or SIGINT."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path

import click

from ..receiving import Receiver
from ..receiving.durable._worker import (
    DEFAULT_BACKOFF,
    DEFAULT_HANDLER_TIMEOUT,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_WORKER_LEASE,
)
from ._common import F, show_log


def load_receiver(target: str, app_dir: str) -> Receiver:
    """The `Receiver` that ``MODULE:ATTR`` names, imported as uvicorn imports an app (from ``app_dir`` first)."""
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise click.UsageError(f"{target!r} is not MODULE:ATTR, e.g. 'myapp.hooks:receiver'")
    sys.path.insert(0, str(Path(app_dir).resolve()))
    try:
        found: object = importlib.import_module(module_name)
    except ImportError as error:
        if error.name != module_name:
            raise click.ClickException(f"importing {module_name} failed: {error}") from None
        raise click.ClickException(f"no module named {module_name!r} (looked in {app_dir} and on sys.path)") from None
    for name in attribute.split("."):
        try:
            found = getattr(found, name)
        except AttributeError:
            raise click.ClickException(f"module {module_name!r} has no attribute {attribute!r}") from None
    if not isinstance(found, Receiver):
        raise click.ClickException(f"{target} is {_kind(found)}, not an up42.receiving.Receiver")
    return found


def _kind(found: object) -> str:
    """What ``found`` is, for a sentence: a class by name (the class, not an instance), else its object's type."""
    if isinstance(found, type):
        return f"the class {found.__qualname__}"
    return f"an object of type {type(found).__qualname__}"


def _seconds_option(name: str, default: float | None, help: str, shown: str | None = None) -> Callable[[F], F]:
    """An option of seconds, more than zero, with its default shown (or `shown` in its place)."""
    return click.option(
        name, type=click.FloatRange(min=0, min_open=True), default=default, show_default=shown or True, help=help
    )


@click.command()
@click.argument("target", metavar="MODULE:ATTR")
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Messages at once; a handler thread past --timeout holds its slot until it returns.",
)
@_seconds_option(
    "--lease",
    DEFAULT_WORKER_LEASE,
    "Seconds a taken message stays this worker's unrenewed: how long a dead worker's message waits.",
)
@_seconds_option(
    "--timeout",
    DEFAULT_HANDLER_TIMEOUT,
    "Seconds a handler may run on a message; one running longer fails that attempt. A coroutine blocking the event"
    " loop past it ends the worker with status 1.",
)
@click.option(
    "--max-attempts",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_ATTEMPTS,
    show_default=True,
    help="Attempts before a message is marked failed.",
)
@_seconds_option("--backoff", DEFAULT_BACKOFF, "Seconds before the first retry; doubled for each further one.")
@_seconds_option(
    "--retention",
    None,
    "Seconds done messages are kept before they are pruned; at least the receiver's max_age + tolerance.",
    "7 days, or max_age + tolerance when longer",
)
@click.option(
    "--app-dir", type=click.Path(file_okay=False), default=".", show_default=True, help="Folder to import MODULE from."
)
def worker(
    target: str,
    concurrency: int,
    lease: float,
    timeout: float,
    max_attempts: int,
    backoff: float,
    retention: float | None,
    app_dir: str,
) -> None:
    """Run a Receiver's handlers on its inbox.

    The Receiver is the one at MODULE:ATTR; the handlers run for the messages in its inbox. The Receiver must be created
    with an inbox, e.g. Receiver(secret, inbox="sqlite:///inbox.db"). Run as many workers as you like, on any machines
    that reach the inbox. SIGTERM or Ctrl+C stops the worker within 10 s, whatever its handlers do: the handlers still
    running are abandoned and their messages go back to pending for the next worker.
    """
    receiver = load_receiver(target, app_dir)
    options = {"retention": retention} if retention is not None else {}
    # Made before logging is set up, so a refused setting is one line on stderr and nothing more.
    running = receiver.worker(
        concurrency=concurrency, lease=lease, timeout=timeout, max_attempts=max_attempts, backoff=backoff, **options
    )
    show_log("up42", "%(asctime)s %(levelname)s %(message)s")
    running.serve()
