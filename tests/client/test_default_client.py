"""The default client of the module-level functions is closed: when replaced, and when the interpreter exits."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap

import httpx
import pytest

import up42
from tests.support.mock_api import HOOK, PASSWORD, TOKEN_PATH, USERINFO_PATH, USERNAME, WORKSPACE, Auth, envelope
from up42._client import _default
from up42.sandbox import Sandbox

# Every module-level function, a second login that replaces the first, and no explicit close: the script ends.
SCRIPT = textwrap.dedent(
    """
    import sys
    import up42

    url, username, password = sys.argv[1:]
    up42.authenticate(username=username, password=password, base_url=url)
    up42.get_webhook_events()
    hook = up42.create_webhook(name="exit", url="https://example.com/hook", events=["order.status"])
    up42.authenticate(username=username, password=password, base_url=url)
    up42.initialize_webhook(hook.id).delete()
    assert up42.get_webhooks() == []
    """
)


def test_a_script_using_the_module_level_functions_leaves_nothing_open(up42_sandbox: Sandbox) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error::ResourceWarning", "-c", SCRIPT,
         up42_sandbox.url, up42_sandbox.username, up42_sandbox.password],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")


def _closes(monkeypatch: pytest.MonkeyPatch) -> list[up42.Client]:
    """Record every `Client.close` while still closing."""
    closed: list[up42.Client] = []
    close = up42.Client.close

    def recording(self: up42.Client) -> None:
        closed.append(self)
        close(self)

    monkeypatch.setattr(up42.Client, "close", recording)
    return closed


def test_a_second_login_closes_the_first_client(auth: Auth, monkeypatch: pytest.MonkeyPatch) -> None:
    closed = _closes(monkeypatch)
    up42.authenticate(username=USERNAME, password=PASSWORD)
    first = _default._default
    up42.authenticate(username=USERNAME, password=PASSWORD)
    assert closed == [first]
    assert _default._default is not first


@pytest.mark.usefixtures("facade")
def test_closing_at_exit_closes_the_client_once(monkeypatch: pytest.MonkeyPatch) -> None:
    closed = _closes(monkeypatch)
    client = _default._default
    _default._close_at_exit()
    _default._close_at_exit()  # a second run, or an exit after the client was already closed, does nothing
    assert closed == [client]
    with pytest.raises(up42.NotAuthenticatedError):
        up42.get_webhooks()


@pytest.mark.usefixtures("facade")
def test_a_failure_to_close_at_exit_is_logged_not_raised(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    client = _default._default
    assert client is not None

    def broken() -> None:
        raise OSError("the socket is already gone")

    monkeypatch.setattr(client, "close", broken)
    with caplog.at_level(logging.DEBUG, logger="up42"):
        _default._close_at_exit()
    up42.Client.close(client)  # what the broken close left open
    assert "closing the default UP42 client at exit failed" in caplog.text


def test_the_module_level_functions_send_through_the_users_client_and_leave_it_open() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path == TOKEN_PATH:
            return httpx.Response(200, json={"access_token": "t", "expires_in": 300})
        if request.url.path == USERINFO_PATH:
            return httpx.Response(200, json={"sub": WORKSPACE})
        return httpx.Response(200, json=envelope([HOOK]))

    mine = httpx.Client(transport=httpx.MockTransport(answer))
    up42.authenticate(username=USERNAME, password=PASSWORD, http_client=mine)
    (hook,) = up42.get_webhooks()
    up42.authenticate(username=USERNAME, password=PASSWORD, http_client=mine)  # replaces the default client

    assert hook.id == HOOK["id"]
    assert seen == [TOKEN_PATH, USERINFO_PATH, f"/workspaces/{WORKSPACE}/webhooks", TOKEN_PATH, USERINFO_PATH]
    assert not mine.is_closed
    _default._close_at_exit()
    assert not mine.is_closed
    mine.close()


def test_the_module_level_login_takes_the_pool_size_and_refuses_a_bad_one(auth: Auth) -> None:
    up42.authenticate(username=USERNAME, password=PASSWORD, max_connections=7)
    assert _default._default is not None
    assert _default._default._transport._wire.sender._transport._pool._max_connections == 7
    with pytest.raises(up42.InvalidArgumentError, match="max_connections must be a positive integer"):
        up42.authenticate(username=USERNAME, password=PASSWORD, max_connections=0)
