"""``up42 trigger`` as a subprocess: through a real sandbox to real receivers, and straight to a receiver."""

from __future__ import annotations

import json

from tests.support.cli import fails, ok, run
from tests.support.listen import Listener
from tests.support.loopback import NOTHING_LISTENS
from tests.support.receivers import SECRET, Apps, Recorder
from up42.receiving import Receiver, verify
from up42.sandbox import RetryPolicy, Sandbox


def test_trigger_delivers_a_live_signed_event_with_overrides(up42_sandbox: Sandbox) -> None:
    with Apps(up42_sandbox) as apps:
        app, received = apps.verifying()
        hook_id = apps.webhook(app, ["order.status"])
        apps.webhook(app, ["job.status"])
        out = ok(up42_sandbox, "trigger", "order.status", "--set", "status=FAILED_PERMANENTLY", "--set",
                 "orderType=TASKING")  # fmt: skip

    (event,) = received  # verified with the webhook's secret by a real receiver
    assert (event.event, event.live_mode, str(event.body.status), event.body.order_type) == (
        "order.status",
        True,
        "FAILED_PERMANENTLY",
        "TASKING",
    )
    assert event.body.status_is_final is True  # the rest of the realistic body stays
    lines = out.splitlines()
    assert lines[0] == f"Triggered order.status: message {event.message_id}"
    assert lines[1].split() == ["ID", "WEBHOOK", "STATUS", "STATE", "ERROR"]
    delivery_id, webhook_id, status, state = lines[2].split()
    assert (webhook_id, status, state) == (hook_id, "200", "delivered")
    assert delivery_id.startswith("dlv_")
    assert len(lines) == 3


def test_trigger_json_with_a_body_and_one_webhook(up42_sandbox: Sandbox) -> None:
    body = json.dumps({"jobId": "job-42", "status": "RUNNING"})
    with Apps(up42_sandbox) as apps:
        app, received = apps.verifying()
        first = apps.webhook(app, ["job.status"])
        apps.webhook(app, ["job.status"])
        result = json.loads(
            ok(up42_sandbox, "trigger", "job.status", "--body", body, "--set", "status=FAILED", "--webhook", first,
               "--json")
        )  # fmt: skip

    (event,) = received
    assert (event.body.raw["jobId"], str(event.body.status)) == ("job-42", "FAILED")
    assert (result["event"], result["messageId"]) == ("job.status", event.message_id)
    assert [(d["webhookId"], d["state"], d["status"]) for d in result["deliveries"]] == [(first, "delivered", 200)]


def test_a_failing_receiver_is_reported_but_the_event_was_accepted(up42_sandbox: Sandbox) -> None:
    with Apps(up42_sandbox) as apps:
        hook_id = apps.webhook(Recorder([500] * 10), ["order.status"])
        out = ok(up42_sandbox, "trigger", "order.status").splitlines()
    row = out[2].split()
    assert row[1:] == [hook_id, "500", "pending", "the", "receiver", "answered", "500"]
    # The sandbox retries a pending delivery: the hint says so and how to watch it, and offers no resend.
    assert out[3:] == [
        "1 of 1 not delivered.",
        f"Pending ones are retried by the sandbox; watch with `up42 deliveries show {row[0]}`.",
    ]


def test_a_failed_delivery_is_offered_a_resend() -> None:
    with Sandbox(retry=RetryPolicy(attempts=1)) as sandbox, Apps(sandbox) as apps:
        hook_id = apps.webhook(Recorder([500]), ["order.status"])
        out = ok(sandbox, "trigger", "order.status").splitlines()
    row = out[2].split()
    assert row[1:4] == [hook_id, "500", "failed"]
    assert out[3:] == [
        "1 of 1 not delivered.",
        f"Failed ones are not retried; once your app is fixed, `up42 deliveries resend {row[0]}`.",
    ]


def test_nothing_subscribed_says_so(up42_sandbox: Sandbox) -> None:
    out = ok(up42_sandbox, "trigger", "job.status")
    assert "No active webhook is subscribed to job.status" in out
    assert "up42 webhooks create --active --event job.status" in out


def test_bad_input_is_a_usage_error_naming_what_to_fix(up42_sandbox: Sandbox) -> None:
    def usage_error(*args: str) -> str:
        return fails(run(up42_sandbox, "trigger", *args), code=2)

    assert "--body: not valid JSON" in usage_error("order.status", "--body", "{not json")
    assert "--body: must be a JSON object" in usage_error("order.status", "--body", "[1, 2]")
    unknown_field = usage_error("order.status", "--set", "colour=red")
    assert "body.colour" in unknown_field
    assert "orderId, orderType, dataHostName, status, statusIsFinal" in unknown_field
    assert "true or false" in usage_error("order.status", "--set", "statusIsFinal=yes")
    assert "'LOST' is not a known order status" in usage_error("order.status", "--set", "status=LOST")
    assert "body.orderId: missing" in usage_error("order.status", "--body", '{"status": "PLACED"}')
    assert "'job.status', 'order.status'" in usage_error("order.shipped")
    assert "not both" in usage_error("job.status", "--region", "eu", "--base-url", "http://a")
    assert "go with --to" in usage_error("job.status", "--secret", SECRET)
    assert up42_sandbox.deliveries() == []


def test_an_unknown_or_inactive_webhook_is_one_line(up42_sandbox: Sandbox) -> None:
    assert "no webhook 'nope' in the sandbox" in fails(run(up42_sandbox, "trigger", "job.status", "--webhook", "nope"))
    with Apps(up42_sandbox) as apps:
        paused = apps.webhook(Recorder(), ["job.status"], active=False)
        inactive = fails(run(up42_sandbox, "trigger", "job.status", "--webhook", paused))
        assert inactive == (
            f"error: --webhook {paused}: the webhook is inactive; activate it with "
            f"`up42 webhooks update {paused} --active`\n"
        )
        jobs = apps.webhook(Recorder(), ["job.status"])
        unsubscribed = fails(run(up42_sandbox, "trigger", "order.status", "--webhook", jobs))
        assert f"--webhook {jobs}: the webhook is not subscribed to order.status" in unsubscribed
        assert f"`up42 webhooks update {jobs} --event order.status`" in unsubscribed
        assert "PUT" not in inactive + unsubscribed


def test_setting_an_order_status_keeps_status_is_final_consistent(up42_sandbox: Sandbox) -> None:
    with Apps(up42_sandbox) as apps:
        app, received = apps.verifying()
        apps.webhook(app, ["order.status"])
        for status in ("BEING_PLACED", "PLACED", "FAILED_PERMANENTLY", "CANCELED"):
            ok(up42_sandbox, "trigger", "order.status", "--set", f"status={status}")
        ok(up42_sandbox, "trigger", "order.status", "--set", "status=PLACED", "--set", "statusIsFinal=true")
    finals = [(str(event.body.status), event.body.status_is_final) for event in received]
    assert finals == [
        ("BEING_PLACED", False),
        ("PLACED", False),
        ("FAILED_PERMANENTLY", True),
        ("CANCELED", True),
        ("PLACED", True),  # what is set explicitly wins
    ]


def test_the_issues_own_example_is_refused_with_the_statuses_and_the_help_names_a_valid_one() -> None:
    refused = fails(run(None, "trigger", "order.status", "--set", "status=FAILED", "--to", "http://127.0.0.1:9/"), 2)
    assert "FAILED_PERMANENTLY" in refused
    helped = run(None, "trigger", "--help").stdout
    assert "status=FAILED_PERMANENTLY" in " ".join(helped.split())
    assert "status=FAILED " not in " ".join(helped.split())
    assert '{"status": "FAILED_PERMANENTLY"}' in fails(run(None, "trigger", "order.status", "--body", "[]"), 2)


def test_numbers_json_does_not_have_are_a_body_usage_error_in_both_modes(up42_sandbox: Sandbox) -> None:
    recorder = Recorder()
    with Apps(up42_sandbox) as apps:
        url = apps.serve(recorder)
        for number in ("NaN", "Infinity", "-Infinity", "1e999"):
            body = f'{{"jobId": "j", "status": "RUNNING", "progress": {number}}}'
            through_sandbox = fails(run(up42_sandbox, "trigger", "job.status", "--body", body), code=2)
            straight = fails(run(None, "trigger", "job.status", "--body", body, "--to", url, "--unsigned"), code=2)
            for refused in (through_sandbox, straight):
                assert "--body: not valid JSON" in refused
                assert number.lstrip("-") in refused
    assert recorder.requests == []
    assert up42_sandbox.deliveries() == []


def test_text_that_cannot_be_sent_is_a_usage_error(up42_sandbox: Sandbox) -> None:
    lone = fails(run(up42_sandbox, "trigger", "order.status", "--body", '{"orderId": "\\ud800"}'), code=2)
    assert "--body: body.orderId is not valid text" in lone
    # An argument that is not UTF-8 reaches Python as lone surrogates.
    undecodable = fails(run(up42_sandbox, "trigger", "order.status", "--set", "orderId=\udcff"), code=2)
    assert "Invalid value for '--set': not valid UTF-8 text" in undecodable
    to = fails(
        run(None, "trigger", "job.status", "--set", "jobId=\udcff", "--to", "http://127.0.0.1:9/", "--unsigned"), 2
    )
    assert "Invalid value for '--set': not valid UTF-8 text" in to
    assert up42_sandbox.deliveries() == []


def test_triggering_needs_a_running_sandbox() -> None:
    down = NOTHING_LISTENS
    refused = fails(run(None, "trigger", "order.status", env={"UP42_BASE_URL": down}))
    assert f"cannot reach the sandbox at {down}: connection refused; start it with `up42 sandbox`" in refused
    for place in (["--region", "sa"], []):  # UP42 itself, in eu by default
        needs = fails(run(None, "trigger", "order.status", *place))
        assert "up42 trigger needs a sandbox, and UP42 itself" in needs
        assert "up42 login --base-url" in needs
    with Apps() as apps:
        not_a_sandbox = apps.serve(Recorder([404])).removesuffix("/hook")  # a web server without /sandbox/ paths
        assert "needs a sandbox" in fails(run(None, "trigger", "order.status", "--base-url", not_a_sandbox))


def test_to_signs_like_up42_and_the_receiver_verifies_it() -> None:
    recorder = Recorder()
    with Apps() as apps:
        url = apps.serve(recorder)
        out = ok(None, "trigger", "order.status", "--to", url, "--secret", SECRET, "--set", "status=CANCELED")
        as_json = json.loads(ok(None, "trigger", "job.status", "--to", url, "--secret", SECRET, "--json"))
    (headers, body), (json_headers, json_body) = recorder.requests
    event = verify(body, headers, SECRET)
    assert (event.event, event.live_mode, str(event.body.status)) == ("order.status", True, "CANCELED")
    assert body == json.dumps(json.loads(body), separators=(",", ":")).encode()  # compact, as UP42 sends it
    assert out == f"Sent order.status (message {event.message_id}, signed) to {url}: 200 OK\n"
    message_id = verify(json_body, json_headers, SECRET).message_id
    assert as_json == {"url": url, "messageId": message_id, "status": 200, "response": ""}


def test_to_an_app_that_refuses_fails_with_its_answer() -> None:
    recorder = Recorder()
    with Apps() as apps:
        strict = apps.serve(Receiver("another-secret").asgi_app())
        refused = fails(run(None, "trigger", "order.status", "--to", strict, "--secret", SECRET))
        unsigned = ok(None, "trigger", "order.status", "--to", apps.serve(recorder), "--unsigned")
    assert f"{strict} answered 401 Unauthorized: " in refused
    assert SECRET not in refused
    assert "unsigned" in unsigned
    ((headers, _),) = recorder.requests
    assert "signature" not in headers
    assert "cannot reach" in fails(run(None, "trigger", "order.status", "--to", NOTHING_LISTENS, "--unsigned"))


def test_to_usage_errors() -> None:
    def usage_error(*args: str) -> str:
        return fails(run(None, "trigger", "order.status", *args), code=2)

    with Apps() as apps:
        url = apps.serve(Recorder())
        assert "--to needs --secret" in usage_error("--to", url)
        assert "not both" in usage_error("--to", url, "--secret", "s", "--unsigned")
        assert "for a sandbox" in usage_error("--to", url, "--unsigned", "--webhook", "w")
        assert "for a sandbox" in usage_error("--to", url, "--unsigned", "--region", "eu")
        assert "http(s) URL" in usage_error("--to", "localhost:8000", "--unsigned")
        unclosed = usage_error("--to", "http://[::1/", "--unsigned")
        assert "'--to'" in unclosed
        assert "Invalid IPv6 URL" in unclosed
        # The secret may come from the variable `up42 listen` reads too, and --unsigned then ignores it.
        assert run(None, "trigger", "order.status", "--to", url, env={"UP42_WEBHOOK_SECRET": SECRET}).returncode == 0
        unsigned = run(None, "trigger", "order.status", "--to", url, "--unsigned", env={"UP42_WEBHOOK_SECRET": "s"})
        assert unsigned.returncode == 0


def test_to_reaches_up42_listen_which_verifies_it() -> None:
    listener = Listener("--secret", SECRET)
    try:
        out = ok(None, "trigger", "order.status", "--to", listener.url, "--secret", SECRET, "--set", "status=PLACED")
        printed = listener.lines_until(listener.out, "verified")
    finally:
        listener.stop()
    assert f"to {listener.url}: 200 OK\n  {{" in out  # the status, then an excerpt of the answer
    assert "verified order.status (live" in printed[-1]
    assert "PLACED" in printed[-1]


URL_PASSWORD = "pw-in-the-url-never-shown"


def with_password(url: str) -> str:
    return url.replace("http://", f"http://me:{URL_PASSWORD}@", 1)


def test_a_password_in_a_receivers_url_is_sent_but_never_printed() -> None:
    recorder = Recorder()
    with Apps() as apps:
        url = with_password(apps.serve(recorder))
        printed = [
            ok(None, "trigger", "order.status", "--to", url, "--unsigned"),
            ok(None, "trigger", "order.status", "--to", url, "--unsigned", "--json"),
            fails(run(None, "trigger", "order.status", "--to", with_password(NOTHING_LISTENS), "--unsigned")),
            fails(
                run(None, "trigger", "order.status", "--to", f"ftp://me:{URL_PASSWORD}@127.0.0.1/h", "--unsigned"), 2
            ),
            fails(
                run(None, "trigger", "order.status", "--to", f"http://me:{URL_PASSWORD}\uff20127.0.0.1/", "--unsigned"),
                2,
            ),
        ]
    assert "to http://********@127.0.0.1:" in printed[0]
    assert json.loads(printed[1])["url"].startswith("http://********@127.0.0.1:")
    assert "cannot reach http://********@127.0.0.1:" in printed[2]
    for text in printed:
        assert URL_PASSWORD not in text
    assert [headers["authorization"][:6] for headers, _ in recorder.requests] == ["Basic "] * 2
