"""The ``up42`` command line: log in once, manage webhooks, simulate events, inspect deliveries, run a sandbox.

    up42 login | logout | whoami
    up42 webhooks list|get ID|create|update ID|delete ID|test ID|events
    up42 trigger EVENT [--set FIELD=VALUE] [--to URL --secret S]
    up42 deliveries list|show ID|resend (ID | --failed)
    up42 listen [--secret S] [--forward-to URL ...]   without --secret, a webhook of its own in the sandbox
    up42 sandbox [--port 8042] [--db state.sqlite]
    up42 worker MODULE:ATTR [--concurrency N]      run a Receiver's handlers for the messages in its inbox
    up42 inbox list|show ID|replay (ID ... | --failed) --inbox URL
    up42 conformance [--strict] [--json] [--record DIR]   hold the API's answers to the spec the package ships

One module per command group; `_common` holds what they share. This package is the only code of the SDK that
prints. Failures print one line to stderr and exit non-zero.
"""

from __future__ import annotations

import signal
from collections.abc import Sequence
from typing import Any

from .._signals import StopSignals

__all__ = ["cli", "main"]


def main(args: Sequence[str] | None = None) -> None:
    """Run the command line and exit: 0 on success, 1 on a failure, 2 on a usage error, 130 when interrupted."""
    try:
        # The command tree (click, httpx, the SDK) loads with Ctrl+C held: one that comes meanwhile ends the command
        # once it has loaded, as quietly as later on, instead of raising in the middle of an import (or inside a
        # finaliser, where Python would print it and carry on).
        with StopSignals((signal.SIGINT,)) as loading:
            from ._root import run
        if loading.requested:
            raise KeyboardInterrupt
        run(args)
    except KeyboardInterrupt:
        raise SystemExit(130) from None


def __getattr__(name: str) -> Any:
    # `up42.cli.cli`, the click group, for tests and for embedding; loaded on first use like the rest.
    if name == "cli":
        from ._root import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
