"""``up42 login``, ``logout`` and ``whoami``: log in once, and every later command and script uses that login."""

from __future__ import annotations

import sys
from typing import Any

import click

from .._client._clients import Client
from .._client._config import ENV_PASSWORD, ENV_USERNAME, region_of
from .._client._login import StoredLogin, forget_login, load_login, save_login
from ..errors import NotAuthenticatedError
from ._common import (
    Connection,
    check_place_variables,
    emit_json,
    fields,
    new_place_options,
    place_options,
    say,
    variable,
)


@click.command()
@new_place_options
@click.option("--username", help=f"UP42 account, an email address (default: ${ENV_USERNAME}, else asked).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def login(base_url: str | None, region: str | None, username: str | None, password_stdin: bool) -> None:
    """Log in once and store the credentials.

    Every later command and up42.authenticate() use them. The login is checked by fetching a token before anything
    is stored; a refused login stores nothing.

    What is not given is asked for on the terminal (the password without echo); without one, pass --username
    and set $UP42_PASSWORD or pipe the password in with --password-stdin. The place is --base-url or --region, else
    $UP42_BASE_URL or $UP42_REGION, else UP42 (region eu): never the place of the login being replaced, so a
    file planted there cannot draw the new password elsewhere. The login is kept in $XDG_CONFIG_HOME/up42/ (by
    default ~/.config/up42/), readable only by you. Options and UP42_* variables still win over it.
    """
    check_place_variables(base_url, region)
    username = username or variable(ENV_USERNAME)
    if username is None:
        if password_stdin:  # standard input holds the password alone
            raise click.UsageError(f"--password-stdin needs the account too: pass --username or set {ENV_USERNAME}")
        username = _ask("username", "UP42 username (email)", f"pass --username or set {ENV_USERNAME}")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n") if sys.stdin else ""
        if not password:
            raise click.UsageError("--password-stdin read no password from standard input")
    else:
        password = variable(ENV_PASSWORD) or _ask(
            "password", "Password", f"set {ENV_PASSWORD}, or pipe it in with --password-stdin", hide_input=True
        )
    with Client(username, password, base_url=base_url, region=region) as client:
        workspace_id = client.workspace_id
        place = client.base_url
    region_name = region_of(place)
    stored = StoredLogin(username, password, base_url=None if region_name else place, region=region_name)
    path = save_login(stored)
    say(f"Logged in as {username} at {stored.place} (workspace {workspace_id}).")
    say(f"The login is stored in {path}; 'up42 logout' removes it.")


def _ask(what: str, prompt: str, ways: str, *, hide_input: bool = False) -> str:
    """Ask for ``what`` on the terminal; without one, a usage error naming the ``ways`` to give it instead.

    Standard input that is not a terminal (a pipe, a file, closed) has nobody at it: a prompt would read the end
    of it and stop the command without a word, and the password's would first warn that it may be echoed.
    """
    if not (sys.stdin and sys.stdin.isatty()):
        raise click.UsageError(f"no terminal to ask for the {what}: {ways}")
    answer: str = click.prompt(prompt, hide_input=hide_input)
    return answer


@click.command()
def logout() -> None:
    """Forget the stored login."""
    try:
        login = load_login()
    except NotAuthenticatedError:  # unreadable: removing it is exactly the cure
        login = None
    if forget_login():
        who = f" of {login.username}" if login else ""
        say(f"Logged out: removed the stored login{who}.")
    else:
        say("Not logged in; there was no stored login.")


@click.command()
@click.option("--username", help=f"UP42 account (default: ${ENV_USERNAME}, else the stored login).")
@click.option("--password", help=f"Its password (default: ${ENV_PASSWORD}, else the stored login).")
@place_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def whoami(**options: Any) -> None:
    """Show the account the commands act for.

    That is where it logs in and its workspace id; never the password.
    """
    settings = Connection(**options)
    with settings.client() as client:
        workspace_id = client.workspace_id
        account, place = client.username, client.base_url
    region = region_of(place)
    if settings.as_json:
        emit_json({"username": account, "baseUrl": place, "region": region, "workspaceId": workspace_id})
        return
    fields({"account": account, "place": f"region {region} ({place})" if region else place, "workspace": workspace_id})
