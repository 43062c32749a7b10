"""``up42 sandbox``: run the local UP42."""

from __future__ import annotations

import sys
from typing import Any

import click

from .._signals import StopSignals
from ._common import SANDBOX_EXTRA, say, show_log


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; keep it on loopback: the /sandbox/ paths need no token. On loopback, requests "
    "addressed to other names (DNS rebinding) are refused; on 0.0.0.0 anyone who reaches it may use it.",
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
    """Run a local UP42.

    It serves the token, userinfo and webhook endpoints, with signed deliveries. State is kept in memory, or in the --db
    file where it survives restarts, pending retries included. Open the printed dashboard URL in a browser to see the
    webhooks and deliveries and resend one. Simulate events with `up42 trigger`, inspect deliveries with `up42
    deliveries` (or the /sandbox/ paths, described in openapi/sandbox.yaml). Plain http webhook URLs are accepted for
    loopback hosts so local receivers work, except at the sandbox's own port.
    """
    # From here a Ctrl+C or SIGTERM asks the server to stop once it can: the imports and the setting up below are
    # never cut in the middle, where an interrupt can be lost and leave the sandbox serving.
    with StopSignals():
        try:
            from ..sandbox import Faults, Sandbox  # needs the sandbox extra
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
        say(f"UP42 sandbox listening on {server.url}")
        say(f"  username  {server.username}")
        say(f"  password  {server.password}")
        say(f"  state     {db or 'in memory (lost when it stops; --db keeps it)'}")
        say(f"  dashboard {server.url}/dashboard")
        say("Point the SDK and the up42 command at it:")
        say(f"  export {env}")
        say(f"  or once: up42 login --base-url {server.url} --username {server.username}")
        sys.stdout.flush()
        show_log("up42.sandbox", "%(asctime)s %(message)s")
        server.serve()
