"""The ``up42`` command group, its subcommands, and how a run ends: exit codes and one-line failures."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from .._version import __version__
from ..errors import UP42Error
from ._common import INTERRUPTED, check_text, fail, summarise
from .conformance import conformance
from .deliveries import deliveries
from .inbox import inbox
from .listen import listen
from .login import login, logout, whoami
from .sandbox import sandbox
from .trigger import trigger
from .webhooks import webhooks
from .worker import worker

__all__ = ["cli", "run"]

# click 8.2 raises this for a bare group; older releases print the help and exit 0 by themselves (caught: nothing)
_NO_ARGS_IS_HELP: type[click.UsageError] | tuple[()] = getattr(click.exceptions, "NoArgsIsHelpError", ())


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, "--version", prog_name="up42")
def cli() -> None:
    """Manage UP42 webhooks, receive their signed deliveries, and run a local UP42 sandbox.

    Log in once with `up42 login` (or pass --username/--password, or set UP42_USERNAME and UP42_PASSWORD).
    Try it offline: start `up42 sandbox`, then `up42 login --base-url` with the URL it prints.
    """


for command in (login, logout, whoami, webhooks, trigger, deliveries, listen, sandbox, worker, inbox, conformance):
    cli.add_command(command)
check_text(cli)
summarise(cli)


def run(args: Sequence[str] | None = None) -> None:
    """Run the command line and exit: 0 on success, 1 on a failure, 2 on a usage error, 130 when interrupted."""
    try:
        code = cli.main(args=args, prog_name="up42", standalone_mode=False)
    except _NO_ARGS_IS_HELP as error:
        # A bare `up42` (or `up42 webhooks`) asks what there is: the usage and the commands, not an error.
        click.echo(error.ctx.get_help() if error.ctx else cli.get_help(click.Context(cli)))
        sys.exit(0)
    except click.UsageError as error:
        hint = f" (see '{error.ctx.command_path} --help')" if error.ctx else ""
        fail(f"{error.format_message()}{hint}", error.exit_code)
    except click.ClickException as error:
        fail(error.format_message(), error.exit_code)
    except (click.Abort, KeyboardInterrupt):
        raise SystemExit(INTERRUPTED) from None  # Ctrl+C asked to stop; there is nothing to report
    except (UP42Error, OSError, ValueError) as error:
        fail(str(error), 1)
    sys.exit(code if isinstance(code, int) else 0)
