"""``up42 listen`` as a subprocess between a sandbox and real receiver apps: verify, show, filter, forward, fail."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.cli import SECRET, fails, ok, run
from tests.support.listen import Listener, deliver
from tests.support.loopback import LoopbackServer, QuietHandler
from tests.support.receivers import Recorder
from up42._posting import READ_LIMIT as FORWARD_READ_LIMIT
from up42._server import Server, bind, url_of
from up42.cli.listen import FORWARD_DEADLINE
from up42.receiving import sign, verify
from up42.sandbox import Sandbox

App = tuple[Recorder, str]


@pytest.fixture
def serve_app() -> Iterator[Callable[..., App]]:
    """Start receiver apps on free ports; each call gives the recorder and its URL."""
    servers: list[Server] = []

    def start(*statuses: int) -> App:
        recorder = Recorder(list(statuses))
        server = Server(recorder, bind("127.0.0.1", 0))
        server.start()
        servers.append(server)
        return recorder, f"{server.url}/app"

    yield start
    for server in servers:
        server.stop()


def create_webhook(sandbox: Sandbox, url: str, *options: str, secret: str = SECRET) -> str:
    """A webhook of the sandbox, made with the CLI; its id."""
    created = ok(sandbox, "webhooks", "create", "--json", "--name", "listener", "--url", url, "--secret", secret,
                 *options)  # fmt: skip
    return str(json.loads(created)["id"])


def test_listen_verifies_prints_and_forwards_deliveries_to_every_target(
    up42_sandbox: Sandbox, serve_app: Callable[..., App]
) -> None:
    (first, first_url), (second, second_url) = serve_app(), serve_app()
    listener = Listener("--secret", SECRET, "--forward-to", first_url, "--forward-to", second_url)
    try:
        assert listener.next_line(listener.out) == f"Verified deliveries are forwarded to {first_url}, {second_url}.\n"
        good = create_webhook(up42_sandbox, listener.url, "--event", "order.status")
        assert json.loads(ok(up42_sandbox, "webhooks", "test", good, "--json"))["testsSucceeded"] == 1
        printed = listener.lines_until(listener.out, f"forwarded to {second_url}: 200")
        assert any("verified order.status (test" in line and "FULFILLED" in line for line in printed)
        assert any(f"forwarded to {first_url}: 200" in line for line in printed)
        ((first_headers, first_body),), ((second_headers, second_body),) = first.requests, second.requests
        assert first_body == second_body  # the same bytes to each target, still verifiable
        assert verify(first_body, first_headers, SECRET).is_test
        assert verify(second_body, second_headers, SECRET).is_test
        for header in ("signature", "signature-input", "content-digest", "user-agent"):
            assert first_headers[header] == second_headers[header]

        bad = create_webhook(up42_sandbox, listener.url, "--event", "order.status", secret="another-secret")
        failed_test = run(up42_sandbox, "webhooks", "test", bad, "--json")
        assert failed_test.returncode == 1  # so a CI step fails when the receiver refuses
        assert json.loads(failed_test.stdout)["testsFailed"] == 1
        assert failed_test.stderr == "error: order.status: Test request failed: the receiver answered 401\n"
        assert any("refused a delivery (401)" in line for line in listener.lines_until(listener.err, "refused"))
    finally:
        out, err = listener.stop()
    assert (len(first.requests), len(second.requests)) == (1, 1)
    assert (out, err) == ([], [])
    assert up42_sandbox.deliveries()[1]["status"] == 401


def test_json_lines_show_only_the_selected_events(up42_sandbox: Sandbox, serve_app: Callable[..., App]) -> None:
    app, app_url = serve_app()
    listener = Listener("--secret", SECRET, "--json", "--events", "job.status", "--forward-to", app_url)
    try:
        assert "Only job.status deliveries are shown" in listener.next_line(listener.err)
        create_webhook(up42_sandbox, listener.url, "--event", "order.status", "--event", "job.status", "--active")
        skipped = up42_sandbox.trigger("order.status")
        assert skipped["deliveries"][0]["status"] == 200  # acknowledged, so the sender does not retry
        shown = up42_sandbox.trigger("job.status")
        line = json.loads(listener.next_line(listener.out))
        ((headers, body),) = app.requests  # order.status was not forwarded
        assert verify(body, headers, SECRET).event == "job.status"
        sent = json.loads(body)
        assert line.pop("time").endswith("+00:00")
        assert line == {
            "outcome": "verified",
            "status": 200,
            "event": "job.status",
            "messageId": shown["messageId"],
            "liveMode": True,
            "body": sent["body"],
            "error": None,
            "forwards": [{"url": app_url, "status": 200, "error": None}],
        }

        forged = json.dumps({**sent, "messageId": "forged"}).encode()
        answer = httpx.post(listener.url, content=forged, headers=sign(forged, "not-the-secret"), trust_env=False)
        assert answer.status_code == 401
        refused = json.loads(listener.next_line(listener.out))
        assert (refused["outcome"], refused["status"], refused["forwards"]) == ("refused", 401, [])
        assert refused["event"] is refused["messageId"] is refused["body"] is None  # nothing unverified is shown
        assert refused["error"]
    finally:
        out, err = listener.stop()
    assert out == []  # nothing but the two JSON lines on stdout
    assert len(app.requests) == 1
    assert [line for line in err if "refused a delivery (401)" in line] == err[-1:]


def test_a_failed_forward_is_one_line_and_the_sender_is_told_to_retry(
    up42_sandbox: Sandbox, serve_app: Callable[..., App]
) -> None:
    (good, good_url), (broken, broken_url) = serve_app(), serve_app(500)
    closed = bind("127.0.0.1", 0)
    down_url = f"{url_of(closed)}/app"  # nothing listens there: connection refused
    closed.close()
    listener = Listener("--secret", SECRET, *(f"--forward-to={url}" for url in (good_url, down_url, broken_url)))
    try:
        hook = create_webhook(up42_sandbox, listener.url, "--event", "order.status")
        failed_test = run(up42_sandbox, "webhooks", "test", hook, "--json")
        assert failed_test.returncode == 1
        assert failed_test.stderr == "error: order.status: Test request failed: the receiver answered 502\n"
        printed = listener.lines_until(listener.out, f"forwarded to {good_url}: 200")
        assert any("verified order.status (test" in line for line in printed)
    finally:
        out, err = listener.stop()
    assert out == []
    assert not any("Traceback" in line for line in err)
    assert len(err) == 2, err  # one line per failed target, nothing from logging
    down, answered = sorted(err, key=lambda line: broken_url in line)
    assert f"forwarding to {down_url} failed: ConnectError" in down
    assert answered.endswith(f"forwarding to {broken_url} failed: answered 500\n")
    assert (len(good.requests), len(broken.requests)) == (1, 1)
    assert up42_sandbox.deliveries()[0]["status"] == 502


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://127.0.0.1/app", "http:// or https://"),
        ("localhost:8000/app", "http:// or https://"),
        ("http:///app", "no host"),
        ("http://127.0.0.1:99999/app", "port"),
        ("http://127.0.0.1:80a/app", "port"),
        ("http://127.0.0.1/my app", "whitespace"),
        ("http://[::1/app", "Invalid IPv6 URL"),
    ],
)
def test_a_malformed_target_url_is_refused_at_start(url: str, problem: str) -> None:
    error = fails(run(None, "listen", "--port", "0", "--secret", SECRET, "--forward-to", url), code=2)
    assert "--forward-to" in error
    assert problem in error


def test_an_unknown_event_name_is_refused_at_start() -> None:
    result = run(None, "listen", "--port", "0", "--secret", SECRET, "--events", "order.status,order.sttus",
                 "--events", "job.status")  # fmt: skip
    error = fails(result, code=2)
    assert "unknown event order.sttus (known: job.status, order.status)" in error


# Forward targets that hold the listener: an answer that never ends, and one far larger than any app sends.

MiB = 1024 * 1024
HUGE = 1024 * MiB


class Target(LoopbackServer):
    """A forward target that answers every POST as ``behaviour`` says."""

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.body_bytes_sent = 0
        super().__init__(_TargetHandler)


class _TargetHandler(QuietHandler):
    server: Target

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        # A broken connection is the listener giving up, as it should.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            getattr(self, f"_{self.server.behaviour}")()

    def _trickle(self) -> None:
        self.trickle()

    def _endless(self) -> None:
        """An answer whose first 8 KiB come at once, and the rest never."""
        self.send_response(200)
        self.send_header("Content-Length", str(HUGE))
        self.end_headers()
        self.wfile.write(b"x" * FORWARD_READ_LIMIT)
        self.wfile.flush()
        self.server.stopping.wait()

    def _huge(self) -> None:
        """A 1 GiB answer, sent as fast as the listener reads it."""
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(HUGE))
        self.end_headers()
        chunk = b"x" * MiB
        for _ in range(HUGE // MiB):
            self.wfile.write(chunk)
            self.server.body_bytes_sent += len(chunk)


def peak_rss(pid: int) -> int:
    """The most memory the process ``pid`` has held so far, in bytes (its VmHWM)."""
    status = Path(f"/proc/{pid}/status").read_text()
    (line,) = [line for line in status.splitlines() if line.startswith("VmHWM:")]
    kib = int(line.split()[1])
    return kib * 1024


def test_a_target_that_trickles_its_answer_is_given_up_at_the_deadline() -> None:
    target = Target("trickle")
    url = f"{target.url}/app"
    listener = Listener("--secret", SECRET, "--forward-to", url)
    try:
        answer = deliver(listener.url)  # without a deadline, this waits until the guard runs out
        failed = listener.next_line(listener.err)
    finally:
        out, err = listener.stop()
        target.stop()
    assert answer.status_code == 502  # the sender retries later
    assert "verified order.status (live" in out[-1]
    assert failed.endswith(f"  forwarding to {url} failed: no whole answer within {FORWARD_DEADLINE:g} s\n")
    assert err == []


def test_a_huge_answer_is_not_read_into_memory() -> None:
    target = Target("huge")
    url = f"{target.url}/app"
    listener = Listener("--secret", SECRET, "--forward-to", url)
    try:
        answer = deliver(listener.url)
        forwarded = listener.lines_until(listener.out, f"forwarded to {url}:")
        peak = peak_rss(listener.proc.pid)
    finally:
        out, err = listener.stop()
        target.stop()
    assert answer.status_code == 200
    assert forwarded[-1].endswith(f"  forwarded to {url}: 200\n")
    assert peak < 256 * MiB, f"listen held {peak / MiB:.0f} MiB for a {HUGE // MiB} MiB answer"
    assert target.body_bytes_sent < HUGE  # the listener stopped reading
    assert (out, err) == ([], [])


def test_an_answer_is_read_only_until_its_first_8_kib_have_come() -> None:
    target = Target("endless")
    url = f"{target.url}/app"
    listener = Listener("--secret", SECRET, "--forward-to", url)
    try:
        answer = deliver(listener.url)  # reading on would wait for the rest until the forward deadline
        forwarded = listener.lines_until(listener.out, f"forwarded to {url}:")
    finally:
        out, err = listener.stop()
        target.stop()
    assert answer.status_code == 200
    assert forwarded[-1].endswith(f"  forwarded to {url}: 200\n")
    assert (out, err) == ([], [])
    shown = " ".join(ok(None, "listen", "--help").split())
    assert "read until 8 KiB of it have come: reading stops with the network read, of at most 64 KiB," in shown


def test_a_password_in_a_forward_url_is_never_printed() -> None:
    password = "pw-in-the-url-never-shown"
    closed = bind("127.0.0.1", 0)
    target = f"http://me:{password}@127.0.0.1:{closed.getsockname()[1]}/hook"
    closed.close()
    listener = Listener("--secret", SECRET, "--forward-to", target)
    try:
        sent = run(None, "trigger", "order.status", "--to", listener.url, "--secret", SECRET)
        failed = listener.lines_until(listener.err, "forwarding to")
    finally:
        out, err = listener.stop()
    assert sent.returncode == 1  # the listener answered 502: its forward failed
    assert "forwarding to http://********@127.0.0.1:" in failed[-1]
    assert any("forwarded to http://********@127.0.0.1:" in line for line in out)  # the banner
    refused = fails(run(None, "listen", "--secret", SECRET, "--forward-to", f"ftp://me:{password}@127.0.0.1/"), code=2)
    for text in (*out, *err, *failed, refused, sent.stderr):
        assert password not in text
