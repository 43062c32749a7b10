"""The stored login: the file's safety, the precedence rules, and ``up42 login`` / ``logout`` / ``whoami``."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

import up42
from tests.support.cli import UP42, environment, fails, login, ok, run
from tests.support.loopback import NOTHING_LISTENS, LoopbackServer, QuietHandler
from up42._client._config import REGIONS, resolve
from up42._client._login import StoredLogin, forget_login, load_login, login_path, save_login
from up42.sandbox import Sandbox

PASSWORD = "stored-pa55word-never-shown"


def config_home() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"])


def plant(content: bytes) -> Path:
    """Write ``content`` where the login belongs, readable by its owner alone as a login is."""
    path = login_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    path.chmod(0o600)
    return path


def test_the_login_is_private_and_written_whole() -> None:
    path = save_login(StoredLogin("me@example.com", PASSWORD, base_url="http://127.0.0.1:8042"))
    assert path == config_home() / "up42" / "login.json"
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["login.json"]  # no temporary file left behind
    assert load_login() == StoredLogin("me@example.com", PASSWORD, base_url="http://127.0.0.1:8042")
    assert PASSWORD not in repr(load_login())
    save_login(StoredLogin("other@example.com", "x", region="sa"))  # replaces, never appends
    assert load_login() == StoredLogin("other@example.com", "x", region="sa")
    assert forget_login() is True
    assert load_login() is None
    assert forget_login() is False


def test_a_folder_others_could_list_is_made_private() -> None:
    folder = config_home() / "up42"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    save_login(StoredLogin("me@example.com", PASSWORD))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_relative_config_home_is_ignored_as_the_xdg_spec_says() -> None:
    assert login_path({"XDG_CONFIG_HOME": "relative/dir"}) == Path.home() / ".config" / "up42" / "login.json"
    assert login_path({}) == Path.home() / ".config" / "up42" / "login.json"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json " + PASSWORD.encode(), "not valid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (json.dumps({"username": "me@example.com"}).encode(), "lacks a username or a password"),
        (json.dumps({"username": "u", "password": PASSWORD, "region": 3}).encode(), "is not a string"),
        (b"\xff\xfe" + PASSWORD.encode(), "not UTF-8"),
    ],
)
def test_an_unusable_login_says_how_to_fix_it_and_never_quotes_it(content: bytes, reason: str) -> None:
    plant(content)
    with pytest.raises(up42.NotAuthenticatedError, match=reason) as caught:
        load_login()
    assert "up42 login" in str(caught.value)
    assert PASSWORD not in str(caught.value)


def test_arguments_beat_variables_which_beat_the_stored_login() -> None:
    save_login(StoredLogin("stored@example.com", PASSWORD, base_url="http://127.0.0.1:8042"))
    hosts, credentials = resolve(None, None, None, None, None, env=os.environ)
    assert (credentials.username, credentials.password, hosts.api) == (
        "stored@example.com",
        PASSWORD,
        "http://127.0.0.1:8042",
    )
    env = {**os.environ, "UP42_USERNAME": "env@example.com", "UP42_PASSWORD": "env-pw"}
    hosts, credentials = resolve(None, None, None, None, None, env=env)
    # The stored login is one account at one place: other credentials do not inherit its sandbox URL.
    assert (credentials.username, hosts.api) == ("env@example.com", REGIONS["eu"].api)
    hosts, credentials = resolve("arg@example.com", "arg-pw", None, "sa", None, env=env)
    assert (credentials.username, hosts.api) == ("arg@example.com", REGIONS["sa"].api)
    # Naming its own place again is fine.
    assert resolve(None, None, None, None, "http://127.0.0.1:8042/", env=os.environ)[1].password == PASSWORD


@pytest.mark.parametrize(
    ("region", "base_url", "env"),
    [
        ("sa", None, {}),
        (None, "http://127.0.0.1:9999", {}),
        (None, None, {"UP42_REGION": "eu"}),
        (None, None, {"UP42_BASE_URL": "https://proxy.example.com"}),
    ],
    ids=["region", "base_url", "UP42_REGION", "UP42_BASE_URL"],
)
def test_the_stored_password_is_never_sent_to_another_place(
    region: str | None, base_url: str | None, env: dict[str, str]
) -> None:
    save_login(StoredLogin("stored@example.com", PASSWORD, base_url="http://127.0.0.1:8042"))
    with pytest.raises(up42.NotAuthenticatedError, match="is for http://127.0.0.1:8042, not ") as caught:
        resolve(None, None, None, region, base_url, env={**os.environ, **env})
    assert PASSWORD not in str(caught.value)


@pytest.mark.parametrize(
    ("env", "stored", "named"),
    [
        ({"UP42_BASE_URL": "nope"}, None, "UP42_BASE_URL must be an http(s) URL"),
        ({"UP42_BASE_URL": "http://[::1/"}, None, "UP42_BASE_URL must be an http(s) URL"),
        ({"UP42_REGION": "xx"}, None, "UP42_REGION: unknown region 'xx'"),
        ({}, StoredLogin("u@x.com", "pw", base_url="nope"), "the stored login's base_url (run 'up42 login'"),
        ({}, StoredLogin("u@x.com", "pw", region="xx"), "the stored login's region (run 'up42 login'"),
    ],
)
def test_a_bad_place_names_where_it_came_from(env: dict[str, str], stored: StoredLogin | None, named: str) -> None:
    if stored is not None:
        save_login(stored)
    credentials = (None, None) if stored is not None else ("u@x.com", "pw")
    with pytest.raises(up42.InvalidArgumentError, match=re.escape(named)):
        resolve(*credentials, None, None, None, env={**os.environ, **env})


def test_without_any_credentials_the_error_names_every_way_in() -> None:
    with pytest.raises(up42.NotAuthenticatedError, match="UP42_USERNAME and UP42_PASSWORD, or run 'up42 login'"):
        up42.Client()


def sandbox_login(sandbox: Sandbox, password: str | None = None) -> subprocess.CompletedProcess[str]:
    return login(sandbox.url, sandbox.username, sandbox.password if password is None else password)


def test_log_in_once_then_every_command_and_script_uses_it(up42_sandbox: Sandbox) -> None:
    logged_in = sandbox_login(up42_sandbox)
    assert logged_in.returncode == 0, logged_in.stderr
    assert f"Logged in as {up42_sandbox.username} at {up42_sandbox.url}" in logged_in.stdout
    assert up42_sandbox.password not in logged_in.stdout + logged_in.stderr
    assert stat.S_IMODE(login_path().stat().st_mode) == 0o600

    # No flags, no UP42_* variables: the stored login is enough.
    assert json.loads(ok(None, "webhooks", "list", "--json")) == []
    who = json.loads(ok(None, "whoami", "--json"))
    assert (who["username"], who["baseUrl"], who["region"]) == (up42_sandbox.username, up42_sandbox.url, None)
    text = ok(None, "whoami")
    assert f"workspace  {who['workspaceId']}" in text
    assert up42_sandbox.password not in text

    script = "import up42; up42.authenticate(); print(len(up42.get_webhooks()))"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("UP42_")}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment, timeout=60, check=False
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "0\n", "")

    # A variable beats the stored login: a wrong password from the environment is used, and refused.
    assert "refused the credentials" in fails(run(up42_sandbox, "webhooks", "list", env={"UP42_PASSWORD": "nope"}))
    # And a flag beats both.
    flagged = run(up42_sandbox, "whoami", "--password", up42_sandbox.password, env={"UP42_PASSWORD": "nope"})
    assert flagged.returncode == 0, flagged.stderr

    assert "Logged out" in ok(None, "logout")
    assert not login_path().exists()
    assert "Not logged in" in ok(None, "logout")
    assert "up42 login" in fails(run(None, "whoami"))


def test_a_refused_login_stores_nothing(up42_sandbox: Sandbox) -> None:
    refused = sandbox_login(up42_sandbox, password="wrong-pw-xyz")
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1
    assert refused.stderr.startswith("error: ")
    assert "wrong-pw-xyz" not in refused.stderr
    assert not login_path().exists()


def test_a_refused_login_keeps_the_previous_one(up42_sandbox: Sandbox) -> None:
    assert sandbox_login(up42_sandbox).returncode == 0
    before = login_path().read_bytes()
    assert sandbox_login(up42_sandbox, password="wrong").returncode == 1
    assert login_path().read_bytes() == before


def test_login_usage_errors_exit_2(up42_sandbox: Sandbox) -> None:
    assert "--region" in fails(run(None, "login", "--region", "us", "--username", "u", "--password-stdin"), code=2)
    both = run(None, "login", "--region", "eu", "--base-url", up42_sandbox.url, "--username", "u")
    assert "not both" in fails(both, code=2)
    assert "no password" in fails(sandbox_login(up42_sandbox, password=""), code=2)


def login_without_a_terminal(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``up42 login`` as a script runs it: no UP42_* variables, standard input a pipe or closed, never a terminal."""
    return subprocess.run(
        [UP42, "login", "--base-url", NOTHING_LISTENS, *args],
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=True,
        text=True,
        env=environment(None),
        timeout=60,
        check=False,
    )


def test_without_a_terminal_login_names_the_ways_to_give_what_it_would_ask() -> None:
    for stdin in (None, "typed-ahead-password\n"):  # closed, or a pipe: nobody at a terminal either way
        password = fails(login_without_a_terminal("--username", "me@example.com", stdin=stdin), code=2)
        assert "no terminal to ask for the password: set UP42_PASSWORD, or pipe it in with --password-stdin" in password
        assert "typed-ahead-password" not in password
        account = fails(login_without_a_terminal(stdin=stdin), code=2)
        assert "no terminal to ask for the username: pass --username or set UP42_USERNAME" in account
    # Standard input holds the password alone, so the account cannot be read from it too.
    piped = fails(login_without_a_terminal("--password-stdin", stdin=f"{PASSWORD}\n"), code=2)
    assert "--password-stdin needs the account too: pass --username or set UP42_USERNAME" in piped
    assert PASSWORD not in piped
    assert not login_path().exists()


def test_password_stdin_takes_the_first_line_without_its_line_end(up42_sandbox: Sandbox) -> None:
    for rest in ("\nnot the password\n", "\r\nnot the password\n", ""):  # at the end of the input, no line end
        result = subprocess.run(
            [UP42, "login", "--base-url", up42_sandbox.url, "--username", up42_sandbox.username, "--password-stdin"],
            input=f"{up42_sandbox.password}{rest}",
            capture_output=True,
            text=True,
            env=environment(None),
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert up42_sandbox.password not in result.stdout + result.stderr
        assert load_login() == StoredLogin(up42_sandbox.username, up42_sandbox.password, base_url=up42_sandbox.url)
        forget_login()


def test_an_unreadable_login_is_one_line_that_says_what_to_type(up42_sandbox: Sandbox) -> None:
    plant(b"{broken")
    for command in (["whoami"], ["webhooks", "list"]):
        message = fails(run(None, *command))
        assert "cannot be used (not valid JSON); run 'up42 login'" in message
    # Explicit credentials never need the file, so it does not get in their way.
    assert ok(up42_sandbox, "whoami")
    assert "Logged out" in ok(None, "logout")


def test_missing_pieces_are_named_as_what_to_type() -> None:
    assert "pass --password or set UP42_PASSWORD" in fails(run(None, "webhooks", "list", "--username", "me@x.com"))
    assert "pass --username or set UP42_USERNAME" in fails(run(None, "webhooks", "list", "--password", "pw"))
    message = fails(run(None, "webhooks", "list"))
    assert "up42 login" in message
    assert "cfg_file" not in message


def _read_until(fd: int, needle: bytes, timeout: float = 20) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        assert time.monotonic() < deadline, seen
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    return seen


def test_the_prompts_ask_for_what_is_missing_and_never_echo_the_password(up42_sandbox: Sandbox) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("UP42_")}
    controller, terminal = pty.openpty()
    child = subprocess.Popen(
        [UP42, "login", "--base-url", up42_sandbox.url],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=environment,
        close_fds=True,
    )
    os.close(terminal)
    try:
        _read_until(controller, b"username")
        os.write(controller, f"{up42_sandbox.username}\n".encode())
        _read_until(controller, b"Password")
        os.write(controller, f"{up42_sandbox.password}\n".encode())
        screen = _read_until(controller, b"stored in")
        assert child.wait(timeout=30) == 0
    finally:
        child.kill()
        os.close(controller)
    assert b"Logged in as" in screen
    assert up42_sandbox.password.encode() not in screen
    assert load_login() == StoredLogin(up42_sandbox.username, up42_sandbox.password, base_url=up42_sandbox.url)


def test_the_stored_login_is_not_used_for_another_place_and_bad_places_are_usage_errors(
    up42_sandbox: Sandbox,
) -> None:
    assert sandbox_login(up42_sandbox).returncode == 0
    elsewhere = fails(run(None, "webhooks", "list", "--base-url", "http://127.0.0.1:9"))
    assert f"is for {up42_sandbox.url}, not http://127.0.0.1:9" in elsewhere
    for bad in ("notaurl", "http://[::1/", "ftp://x"):
        assert "--base-url" in fails(run(None, "webhooks", "list", "--base-url", bad), code=2)
    for command in (["webhooks", "list"], ["whoami"]):
        both = run(None, *command, "--region", "eu", "--base-url", up42_sandbox.url)
        assert "not both" in fails(both, code=2)
    assert "UP42_BASE_URL" in fails(
        run(None, "whoami", env={"UP42_BASE_URL": "nope", "UP42_USERNAME": "u", "UP42_PASSWORD": "p"})
    )


class Recorder(LoopbackServer):
    """Records every request line it gets and refuses them all: a place that must never be sent a password, or a
    proxy that shows where a client meant to go (httpx asks an https proxy to CONNECT to the host)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        super().__init__(_Refusing)


class _Refusing(QuietHandler):
    server: Recorder

    def handle_one(self) -> None:
        self.server.requests.append(self.requestline)
        self.send_response(403)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    do_GET = do_POST = do_CONNECT = handle_one


def test_logging_in_again_never_goes_to_the_place_in_the_file_it_replaces() -> None:
    planted, proxy = Recorder(), Recorder()
    try:
        save_login(StoredLogin("me@example.com", "old-password", base_url=planted.url))
        environment = {k: v for k, v in os.environ.items() if not k.startswith("UP42_") and "proxy" not in k.lower()}
        # The way to UP42 leads through a proxy on loopback, which shows where the login meant to go.
        result = subprocess.run(
            [UP42, "login", "--username", "me@example.com", "--password-stdin"],
            input=f"{PASSWORD}\n",
            capture_output=True,
            text=True,
            env={**environment, "HTTPS_PROXY": proxy.url},
            timeout=120,
            check=False,
        )
    finally:
        planted.stop()
        proxy.stop()

    assert planted.requests == []
    assert proxy.requests and set(proxy.requests) == {"CONNECT auth.up42.com:443 HTTP/1.1"}
    assert "https://auth.up42.com/realms/public/protocol/openid-connect/token" in fails(result)
    assert PASSWORD not in result.stderr
    assert load_login() == StoredLogin("me@example.com", "old-password", base_url=planted.url)  # kept: not replaced


def test_a_linked_folder_is_refused_and_a_shared_file_is_reported(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    config_home().mkdir(parents=True, exist_ok=True)
    (config_home() / "up42").symlink_to(shared)
    with pytest.raises(OSError, match="symbolic link"):
        save_login(StoredLogin("me@example.com", PASSWORD))
    assert stat.S_IMODE(shared.stat().st_mode) == 0o777  # not changed through the link
    assert list(shared.iterdir()) == []
    (config_home() / "up42").unlink()


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o602, 0o610], ids=oct)
def test_a_login_open_to_other_users_is_refused_as_ssh_refuses_such_a_key(mode: int) -> None:
    path = save_login(StoredLogin("me@example.com", PASSWORD))
    path.chmod(mode)
    for command in (["whoami"], ["webhooks", "list"]):
        message = fails(run(None, *command))
        assert f"'{path}' is open to other users (mode {mode:04o})" in message
        assert f"chmod 600 {path}" in message
        assert PASSWORD not in message
    with pytest.raises(up42.NotAuthenticatedError, match=re.escape(f"chmod 600 {path}")):
        up42.Client()
    path.chmod(0o600)
    assert load_login() == StoredLogin("me@example.com", PASSWORD)


def give_away(path: Path) -> None:
    """Make ``path`` another user's file: as root by handing it over, otherwise by linking it to a file of root's."""
    if os.getuid() == 0:
        os.chown(path, 4242, -1)
    else:
        path.unlink()
        path.symlink_to("/etc/passwd")


def test_a_login_of_another_user_is_refused_and_logout_removes_it() -> None:
    path = save_login(StoredLogin("me@example.com", PASSWORD))
    give_away(path)
    owner = path.stat().st_uid
    for command in (["whoami"], ["webhooks", "list"]):
        message = fails(run(None, *command))
        assert f"'{path}' belongs to another user (uid {owner})" in message
        assert "up42 logout" in message
    with pytest.raises(up42.NotAuthenticatedError, match="belongs to another user"):
        resolve(None, None, None, None, None, env=os.environ)
    assert "Logged out" in ok(None, "logout")
    assert not path.exists() and not path.is_symlink()


def test_a_folder_where_the_login_belongs_is_one_line_for_whoami_and_logout() -> None:
    login_path().mkdir(parents=True)
    for command in ("whoami", "logout"):
        assert "is a folder, not a stored login; remove it yourself" in fails(run(None, command))


def test_a_stored_login_holding_text_no_request_can_carry_is_refused_by_name() -> None:
    plant(b'{"username": "me@example.com", "password": "pa\\ud800ss"}')
    with pytest.raises(up42.InvalidArgumentError, match="password from the stored login .* lone surrogate"):
        resolve(None, None, None, None, None, env=os.environ)


URL_PASSWORD = "pw-in-the-url-never-shown"
# Base URLs that carry a password: plainly, with a scheme or a bracket that is wrong too, with a '/' in the
# password (a URL parser reads part of it as a port, or as a path), with a full-width '@', without a scheme.
URLS_WITH_A_PASSWORD = [
    f"ftp://u:{URL_PASSWORD}@host",
    f"http://u:{URL_PASSWORD}@127.0.0.1:8042",
    f"http://u:{URL_PASSWORD}@[::1/",
    f"http://u:{URL_PASSWORD}/x@127.0.0.1",
    f"http://u:8042/{URL_PASSWORD}@127.0.0.1",
    f"http://u:{URL_PASSWORD}\uff20127.0.0.1",
    f"{URL_PASSWORD}@127.0.0.1",
]


@pytest.mark.parametrize("url", URLS_WITH_A_PASSWORD)
def test_a_base_url_with_a_password_is_refused_without_showing_it(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    attempts = [
        lambda: up42.Client("me@example.com", PASSWORD, base_url=url),
        lambda: up42.authenticate(username="me@example.com", password=PASSWORD, base_url=url),
        lambda: resolve("me@example.com", PASSWORD, None, None, None, env={"UP42_BASE_URL": url}),
    ]
    for attempt in attempts:
        with pytest.raises(up42.InvalidArgumentError, match="must not hold a user name or password") as caught:
            attempt()
        assert URL_PASSWORD not in f"{caught.value} {caught.value!r}"
    monkeypatch.setenv("UP42_BASE_URL", url)
    with pytest.raises(up42.InvalidArgumentError, match="UP42_BASE_URL must not") as caught:
        up42.Client("me@example.com", PASSWORD)
    assert URL_PASSWORD not in str(caught.value)


@pytest.mark.parametrize("url", [URLS_WITH_A_PASSWORD[i] for i in (0, 4, 5)])
def test_the_command_line_refuses_a_base_url_with_a_password_without_showing_it(url: str) -> None:
    account = {"UP42_USERNAME": "me@example.com", "UP42_PASSWORD": PASSWORD}
    refusals = [
        (run(None, "webhooks", "list", "--base-url", url, env=account), 2),
        (run(None, "deliveries", "list", "--base-url", url), 2),
        (run(None, "whoami", env={**account, "UP42_BASE_URL": url}), 1),
        (login(url, "me@example.com", PASSWORD), 2),
    ]
    save_login(StoredLogin("me@example.com", PASSWORD, base_url=url))
    refusals.append((run(None, "whoami"), 1))
    for result, code in refusals:
        assert "must not hold a user name or password" in fails(result, code=code)
        assert URL_PASSWORD not in result.stderr
