"""A place the commands cannot use is one line, in words, the same for every command: down, not UP42, not TLS."""

from __future__ import annotations

import subprocess

import pytest

from tests.support.cli import fails, run
from tests.support.loopback import NOTHING_LISTENS, Answering

PASSWORD = "pw-never-shown"
ACCOUNT = {"UP42_USERNAME": "me@example.com", "UP42_PASSWORD": PASSWORD}


def log_in(base_url: str) -> subprocess.CompletedProcess[str]:
    return run(
        None, "login", "--base-url", base_url, "--username", "me@example.com", "--password-stdin", stdin=f"{PASSWORD}\n"
    )


def test_a_place_that_is_down_reads_the_same_for_every_command() -> None:
    # The SDK's commands retry a refused connection (the request never left), then say so.
    for result in (
        run(None, "whoami", "--base-url", NOTHING_LISTENS, env=ACCOUNT),
        run(None, "webhooks", "list", "--base-url", NOTHING_LISTENS, env=ACCOUNT),
        log_in(NOTHING_LISTENS),
    ):
        assert (
            fails(result) == f"error: cannot reach UP42 at {NOTHING_LISTENS}: connection refused (after 4 attempts)\n"
        )
    # The sandbox's own commands know that the place is a sandbox, and how to start one.
    for command in (["trigger", "order.status"], ["deliveries", "list"]):
        assert fails(run(None, *command, env={"UP42_BASE_URL": NOTHING_LISTENS})) == (
            f"error: cannot reach the sandbox at {NOTHING_LISTENS}: connection refused; "
            "start it with `up42 sandbox` (or pass --base-url)\n"
        )


@pytest.mark.parametrize(
    ("status", "content_type", "body", "what"),
    [
        (404, "text/html", b"<html><h1>Not Found</h1></html>", "an HTML page"),
        (401, "text/html", b"<h1>Log in first</h1>", "an HTML page"),
        (200, "text/plain", b"hello", "a text/plain body"),
    ],
)
def test_login_at_a_server_that_is_not_up42_says_so(
    servers: list[Answering], status: int, content_type: str, body: bytes, what: str
) -> None:
    server = Answering(status, content_type, body)
    servers.append(server)

    message = fails(log_in(server.url))

    assert f"{server.url} is not an UP42 API: its token endpoint answered with {what}" in message
    assert "refused the credentials" not in message
    assert PASSWORD not in message


def test_https_to_a_plain_http_port_is_said_in_words_after_one_try(servers: list[Answering]) -> None:
    server = Answering()
    servers.append(server)

    assert fails(log_in(server.tls_url)) == (
        f"error: cannot reach UP42 at {server.tls_url}: the server there does not speak TLS (https) on that port; "
        f"for a local sandbox use {server.url}\n"
    )
    assert server.connections == 1  # a failed handshake is not tried again
    # Something answers there, so the sandbox's commands do not say to start one.
    assert fails(run(None, "deliveries", "list", "--base-url", server.tls_url)) == (
        f"error: cannot reach the sandbox at {server.tls_url}: the server there does not speak TLS (https) on that "
        f"port; for a local sandbox use {server.url}\n"
    )
