"""The ``up42`` help as a subprocess: whole summaries, and only the options a command acts on."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import click
import pytest

from tests.support.cli import SECRET, fails, ok, run
from tests.support.receivers import Apps, Recorder
from up42.cli import cli
from up42.sandbox import Sandbox


def _groups(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Group]]:
    yield path, group
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _groups(command, (*path, name))


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in group.commands.items():
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


def _listed(help_text: str) -> dict[str, str]:
    """The ``Commands:`` section of a help: each name with its summary, its wrapped lines joined."""
    section = help_text.split("\nCommands:\n", 1)[1]
    listed: dict[str, str] = {}
    name = ""
    for line in section.splitlines():
        entry = re.fullmatch(r"  (\S+)\s+(.*)", line)
        if entry:
            name, listed[entry[1]] = entry[1], entry[2]
        elif line.strip():
            listed[name] += " " + line.strip()
    return listed


@pytest.mark.parametrize("columns", ["80", "50"])
def test_every_summary_in_every_help_is_whole_on_any_terminal(columns: str) -> None:
    groups = list(_groups(cli))
    assert {path for path, _ in groups} >= {(), ("webhooks",), ("deliveries",), ("inbox",)}
    for path, group in groups:
        result = run(None, *path, "--help", env={"COLUMNS": columns})
        assert result.returncode == 0, result.stderr
        listed = _listed(result.stdout)
        assert set(listed) == set(group.commands), path
        for name, summary in listed.items():
            assert not summary.endswith("..."), (path, name, summary)
            # The whole first sentence of the command's help, which is short enough for one line of a listing.
            first = " ".join(group.commands[name].help.split("\n\n")[0].split())  # type: ignore[union-attr]
            assert first.startswith(summary), (path, name, summary)
            assert summary.endswith("."), (path, name, summary)


def test_show_secret_is_offered_only_by_commands_that_print_a_secret(up42_sandbox: Sandbox) -> None:
    # Read from the command tree, which the help is printed from, rather than from one process per command.
    offering = {path for path, command in _commands(cli) if any("--show-secret" in p.opts for p in command.params)}
    password = "pw-in-the-url-never-shown"
    with Apps(up42_sandbox) as apps:
        url = apps.serve(Recorder()).replace("http://", f"http://me:{password}@")
        created = ok(up42_sandbox, "webhooks", "create", "--name", "n", "--url", url, "--event", "order.status",
                     "--secret", SECRET, "--show-secret")  # fmt: skip
        hook_id = created.split()[1]
        # Each command that offers it, and what it then prints: the secret, or the password in the URL.
        revealed = {
            ("webhooks",): ok(up42_sandbox, "webhooks", "--show-secret", "get", hook_id),
            ("webhooks", "list"): ok(up42_sandbox, "webhooks", "list", "--show-secret"),
            ("webhooks", "get"): ok(up42_sandbox, "webhooks", "get", hook_id, "--show-secret"),
            ("webhooks", "create"): created,
            ("webhooks", "update"): ok(up42_sandbox, "webhooks", "update", hook_id, "--name", "m", "--show-secret"),
            ("webhooks", "test"): ok(up42_sandbox, "webhooks", "test", hook_id, "--show-secret"),
        }
    assert offering == set(revealed)
    for path, printed in revealed.items():
        assert password in printed or SECRET in printed, path
    assert json.loads(ok(up42_sandbox, "webhooks", "list", "--json"))[0]["url"] != url  # masked without it


@pytest.mark.parametrize("args", [["list"], ["show", "msg-1"], ["replay", "--failed"]])
def test_a_missing_inbox_says_that_up42_inbox_can_give_it(args: list[str]) -> None:
    missing = fails(run(None, "inbox", *args), code=2)
    assert "Missing option '--inbox': give the inbox URL, or set $UP42_INBOX" in missing
