"""`up42 sandbox` as a real process: restarts with --db, kill -9 during writes, and each fault-injection flag."""

from __future__ import annotations

import logging
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import up42
from tests.support.cli import UP42
from tests.support.receivers import Recorder
from tests.support.sandbox_process import PASSWORD, USERNAME, SandboxProcess
from up42._server import Server, bind
from up42.receiving import parse

TOKEN = "/realms/public/protocol/openid-connect/token"


def until_ok(request: Callable[[], httpx.Response], attempts: int = 50) -> Any:
    """The JSON of the first 200 answer (fault injection may refuse some requests)."""
    for _ in range(attempts):
        response = request()
        if response.status_code == 200:
            return response.json()
        time.sleep(0.05)
    raise AssertionError(f"no 200 answer in {attempts} attempts")


def token(url: str) -> str:
    form = {"grant_type": "password", "username": USERNAME, "password": PASSWORD, "client_id": "up42-sdk"}
    return str(until_ok(lambda: httpx.post(f"{url}{TOKEN}", data=form, timeout=10))["access_token"])


def test_the_banner_names_the_url_credentials_and_environment(tmp_path: Path) -> None:
    with SandboxProcess("--db", str(tmp_path / "state.sqlite")) as sandbox:
        export = sandbox.wait_for("  export ")
    assert export == f"export UP42_BASE_URL={sandbox.url} UP42_USERNAME={USERNAME} UP42_PASSWORD={PASSWORD}"
    assert sandbox.url.startswith("http://127.0.0.1:")
    assert any(str(tmp_path / "state.sqlite") in line for line in sandbox.output)


def test_a_restart_on_the_same_port_and_db_keeps_webhooks_workspace_and_tokens(tmp_path: Path) -> None:
    db = str(tmp_path / "state.sqlite")
    with SandboxProcess("--db", db) as first:
        with up42.Client(USERNAME, PASSWORD, base_url=first.url) as client:
            hook = client.create_webhook("kept", "https://example.com/hook", ["order.status"], secret="kept-secret")
            workspace = client.workspace_id
        old_token = token(first.url)
        assert first.stop() == 0

    with SandboxProcess("--db", db, port=first.port) as second:
        assert second.url == first.url
        with up42.Client(USERNAME, PASSWORD, base_url=second.url) as client:
            assert client.workspace_id == workspace
            (again,) = client.get_webhooks(return_json=True)
        assert again["id"] == hook.id
        assert (again["name"], again["secret"]) == ("kept", "kept-secret")
        response = httpx.get(
            f"{second.url}/workspaces/{workspace}/webhooks", headers={"Authorization": f"Bearer {old_token}"}
        )
        assert response.status_code == 200


def test_kill_9_during_a_burst_of_creates_loses_no_acknowledged_webhook(tmp_path: Path) -> None:
    db = str(tmp_path / "state.sqlite")
    acknowledged: list[str] = []
    with SandboxProcess("--db", db) as first:
        headers = {"Authorization": f"Bearer {token(first.url)}"}
        with httpx.Client(base_url=first.url, headers=headers, timeout=5) as http:
            workspace = http.get("/realms/public/protocol/openid-connect/userinfo").json()["sub"]

        def burst() -> None:
            with httpx.Client(base_url=first.url, headers=headers, timeout=5) as http:
                for n in range(2000):
                    body = {"name": f"hook-{n}", "url": "https://example.com/hook", "events": ["order.status"]}
                    try:
                        response = http.post(f"/workspaces/{workspace}/webhooks", json=body)
                    except httpx.HTTPError:
                        return
                    if response.status_code == 200:
                        acknowledged.append(response.json()["data"]["id"])

        writer = threading.Thread(target=burst)
        writer.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < 40 and time.monotonic() < deadline and writer.is_alive():
            time.sleep(0.005)
        first.proc.kill()
        writer.join(timeout=30)
        assert not writer.is_alive()
        assert first.stop() == -signal.SIGKILL
    assert len(acknowledged) >= 40

    with (
        SandboxProcess("--db", db, port=first.port) as second,
        up42.Client(USERNAME, PASSWORD, base_url=second.url) as client,
    ):
        stored = {hook.id for hook in client.get_webhooks()}
    assert set(acknowledged) <= stored


def test_fail_rate_1_answers_503_everywhere_but_the_sandbox_paths_and_processes_nothing() -> None:
    with SandboxProcess("--fail-rate", "1") as sandbox:
        form = {"grant_type": "password", "username": USERNAME, "password": PASSWORD, "client_id": "up42-sdk"}
        refused = httpx.post(f"{sandbox.url}{TOKEN}", data=form)
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
        assert httpx.get(f"{sandbox.url}/webhooks/events").status_code == 503
        assert httpx.post(f"{sandbox.url}/workspaces/w/webhooks", json={}).status_code == 503
        assert httpx.get(f"{sandbox.url}/sandbox/deliveries").status_code == 200
        assert httpx.post(f"{sandbox.url}/sandbox/events", json={"event": "order.status"}).status_code == 200


def test_fail_rate_half_fails_about_half_and_a_failed_request_changes_nothing() -> None:
    with SandboxProcess("--fail-rate", "0.5") as sandbox:
        headers = {"Authorization": f"Bearer {token(sandbox.url)}"}
        with httpx.Client(base_url=sandbox.url, headers=headers, timeout=10) as http:
            workspace = until_ok(lambda: http.get("/realms/public/protocol/openid-connect/userinfo"))["sub"]
            body = {"name": "n", "url": "https://example.com/hook", "events": ["order.status"]}
            statuses = [http.post(f"/workspaces/{workspace}/webhooks", json=body).status_code for _ in range(200)]
            assert set(statuses) == {200, 503}
            assert 40 <= statuses.count(503) <= 160
            listed = until_ok(lambda: http.get(f"/workspaces/{workspace}/webhooks"))["data"]
        assert len(listed) == statuses.count(200)


def test_rate_limit_answers_429_with_retry_after_beyond_n_per_second() -> None:
    with SandboxProcess("--rate-limit", "2") as sandbox, httpx.Client(base_url=sandbox.url) as http:
        statuses = [http.get("/webhooks/events") for _ in range(10)]
        assert [r.status_code for r in statuses[:2]] == [401, 401]  # within the limit: handled (no token)
        limited = [r for r in statuses if r.status_code == 429]
        assert limited
        retry_after = int(limited[0].headers["Retry-After"])
        assert retry_after == 1
        assert limited[0].json()["error"]["code"] == "TOO_MANY_REQUESTS"
        assert all(http.get("/sandbox/deliveries").status_code == 200 for _ in range(10))
        time.sleep(retry_after)
        assert http.get("/webhooks/events").status_code == 401


def test_latency_delays_every_api_request() -> None:
    with SandboxProcess("--latency", "300") as sandbox:
        started = time.monotonic()
        response = httpx.get(f"{sandbox.url}/webhooks/events")
        assert response.status_code == 401
        assert time.monotonic() - started >= 0.3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fail-rate", "2"], "--fail-rate"),
        (["--rate-limit", "0"], "--rate-limit"),
        (["--latency", "-1"], "--latency"),
        (["--token-ttl", "0"], "--token-ttl"),
    ],
)
def test_out_of_range_flags_are_refused_in_one_line(args: list[str], message: str) -> None:
    result = subprocess.run([UP42, "sandbox", *args], capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert message in result.stderr


@pytest.mark.parametrize("option", ["--username", "--password"])
def test_credentials_that_are_not_utf8_are_refused_in_one_line(option: str) -> None:
    # Bytes that are not UTF-8 reach Python as lone surrogates, which no token request could be compared with.
    result = subprocess.run(
        [UP42, "sandbox", "--port", "0", option, b"qu\xffux"], capture_output=True, timeout=30, check=False
    )
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.count(b"\n") == 1
    assert result.stderr.startswith(f"error: Invalid value for '{option}': not valid UTF-8 text".encode())
    assert b"ux" not in result.stderr  # the value is never echoed


def test_a_port_in_use_is_reported_in_one_line() -> None:
    with SandboxProcess() as running:
        result = subprocess.run(
            [UP42, "sandbox", "--port", str(running.port)], capture_output=True, text=True, timeout=30, check=False
        )
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr
    assert str(running.port) in result.stderr


def test_a_database_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    not_a_database = tmp_path / "notes.sqlite"
    not_a_database.write_text("these are notes, not a database " * 10)
    for db, problem in [
        (tmp_path / "missing" / "x.sqlite", "cannot open the database"),
        (not_a_database, "is not a sandbox database"),
    ]:
        # Development mode turns a socket left open into a warning on stderr, which would make a second line.
        result = subprocess.run(
            [sys.executable, "-X", "dev", UP42, "sandbox", "--port", "0", "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert result.returncode == 1, result.stderr
        assert result.stdout == ""
        assert result.stderr.startswith("error: ")
        assert result.stderr.count("\n") == 1, result.stderr
        assert problem in result.stderr
        assert str(db) in result.stderr
    assert not_a_database.read_text().startswith("these are notes")  # left as it was


def test_kill_9_right_after_an_event_loses_no_pending_delivery(tmp_path: Path) -> None:
    db = str(tmp_path / "state.sqlite")
    recorder = Recorder([500])  # the first attempt fails; the retry, after the restart, succeeds
    receiver = Server(recorder, bind("127.0.0.1", 0))
    receiver.start()
    try:
        with SandboxProcess("--db", db) as first:
            with up42.Client(USERNAME, PASSWORD, base_url=first.url) as client:
                hook = client.create_webhook("flaky", f"{receiver.url}/hook", ["order.status"], active=True)
            published = httpx.post(f"{first.url}/sandbox/events", json={"event": "order.status"}, timeout=30)
            first.proc.kill()  # before the retry, due a second later by default
            assert first.stop() == -signal.SIGKILL
        (delivery,) = published.json()["data"]["deliveries"]
        assert (delivery["webhookId"], delivery["state"], delivery["status"]) == (hook.id, "pending", 500)
        assert len(recorder.requests) == 1

        with SandboxProcess("--db", db, port=first.port) as second:
            url = f"{second.url}/sandbox/deliveries/{delivery['id']}"
            deadline = time.monotonic() + 20
            while (shown := httpx.get(url).json()["data"])["state"] == "pending":
                assert time.monotonic() < deadline, shown
                time.sleep(0.05)
    finally:
        receiver.stop()
    assert (shown["state"], shown["attempt"], shown["status"]) == ("delivered", 2, 200)
    assert [parse(body).message_id for _, body in recorder.requests] == [delivery["messageId"]] * 2


def test_ctrl_c_as_the_banner_appears_exits_quietly() -> None:
    # The banner comes before the server starts: the signal lands somewhere in its start, whichever moment that is.
    proc = subprocess.Popen([UP42, "sandbox", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("UP42 sandbox listening on ")
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 0, stderr
    assert not stderr.strip(), stderr


def test_only_the_cancelled_lifespan_report_is_dropped() -> None:
    from up42._server import _QuietCancellation

    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, message, None, None)

    cancelled = 'Traceback (most recent call last):\n  File "x", line 1\nasyncio.exceptions.CancelledError\n'
    assert not _QuietCancellation().filter(record(cancelled))
    assert _QuietCancellation().filter(record("Traceback (most recent call last):\nValueError: broken startup\n"))
    assert _QuietCancellation().filter(record("Application startup failed. Exiting."))


def test_a_bound_socket_accepts_connections_before_the_server_runs() -> None:
    sock = bind("127.0.0.1", 0)
    try:
        # The banner is printed before uvicorn starts: a client connecting in between must wait, not be refused.
        with socket.create_connection(sock.getsockname()[:2], timeout=5):
            pass
    finally:
        sock.close()


# Each moment runs the sandbox command in a fresh interpreter with one step of its start wrapped, so that the signal
# arrives while that step runs. The "finaliser" moments send it from inside a __del__, where Python prints a
# KeyboardInterrupt and drops it: while the command tree loads, and while the store opens.
SIGNAL_AT = """
import gc, signal, sys
moment, sig = sys.argv[1], getattr(signal, sys.argv[2])

class Finaliser:
    def __del__(self):
        signal.raise_signal(sig)

def finalise():
    cycle = Finaliser()
    cycle.self = cycle
    del cycle
    gc.collect()

def step():
    finalise() if moment.endswith("finaliser") else signal.raise_signal(sig)

def before(owner, name):
    original = getattr(owner, name)
    def wrapper(*args, **kwargs):
        step()
        return original(*args, **kwargs)
    setattr(owner, name, wrapper)

class Loading:
    # Finds nothing; only notices the command tree being imported.
    def find_spec(self, name, path=None, target=None):
        if name == "up42.cli.webhooks":
            sys.meta_path.remove(self)
            step()
        return None

if moment.startswith("loading"):
    sys.meta_path.insert(0, Loading())
else:
    import asyncio.unix_events, uvicorn
    from up42.sandbox import _delivery, _sandbox, _store
    before(*{
        "store": (_store.Store, "__init__"),
        "store-finaliser": (_store.Store, "__init__"),
        "app": (_sandbox, "create_app"),
        "loop": (asyncio.unix_events._UnixSelectorEventLoop, "__init__"),
        "runner": (asyncio.Runner, "run"),
        "startup": (uvicorn.Server, "startup"),
        "lifespan": (_delivery.Deliverer, "start"),
        "serving": (uvicorn.Server, "main_loop"),
    }[moment])
from up42.cli import main
main(["sandbox", "--port", "0"])
"""
STEPS = ["store", "store-finaliser", "app", "loop", "runner", "startup", "lifespan", "serving"]


# SIGTERM before the command runs keeps its default (the process ends at once); Ctrl+C is caught from the start.
@pytest.mark.parametrize(
    ("moment", "sig"),
    [("loading", "SIGINT"), ("loading-finaliser", "SIGINT")]
    + [(moment, sig) for moment in STEPS for sig in ("SIGINT", "SIGTERM")],
)
def test_a_signal_at_each_step_of_the_start_stops_the_sandbox_quietly(moment: str, sig: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SIGNAL_AT, moment, sig], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode in (0, 130), (result.returncode, result.stderr)
    assert not result.stderr.strip(), result.stderr
