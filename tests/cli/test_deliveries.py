"""``up42 deliveries`` as a subprocess against a real sandbox and real receivers: list, show, resend, recover."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import httpx

import up42
from tests.support.cli import fails, ok, run, trigger
from tests.support.loopback import NOTHING_LISTENS
from tests.support.receivers import SECRET, Apps, Recorder
from up42.receiving import verify
from up42.sandbox import RetryPolicy, Sandbox


class Redirect:
    """An ASGI app that redirects every request to the same path with a slash added."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        headers = [(b"location", (scope["path"] + "/").encode())]
        await send({"type": "http.response.start", "status": 307, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


def listed(sandbox: Sandbox, *options: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(ok(sandbox, "deliveries", "list", "--json", *options))
    return rows


def still_failed(result: subprocess.CompletedProcess[str]) -> str:
    """The one error line of a resend that printed its outcome but did not deliver."""
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1
    return result.stderr


def test_list_shows_one_row_per_message_and_webhook_and_filters(up42_sandbox: Sandbox) -> None:
    assert "No deliveries yet" in ok(up42_sandbox, "deliveries", "list")
    with Apps(up42_sandbox) as apps:
        orders = apps.webhook(Recorder(), ["order.status"])
        jobs = apps.webhook(Recorder(), ["job.status"])
        order = trigger(up42_sandbox, "order.status")
        job = trigger(up42_sandbox, "job.status")

    # Newest first, as the dashboard and `up42 inbox list` list theirs.
    lines = ok(up42_sandbox, "deliveries", "list").splitlines()
    assert lines[0].split() == ["ID", "CREATED", "EVENT", "MESSAGE", "WEBHOOK", "ATTEMPTS", "STATUS", "STATE", "ERROR"]
    assert lines[1].split()[2:4] == ["job.status", job["messageId"]]
    second = lines[2].split()
    assert second[0] == order["deliveries"][0]["id"]
    assert second[2:] == ["order.status", order["messageId"], orders, "1", "200", "delivered"]

    rows = listed(up42_sandbox)
    # The time shown is when the delivery was made, which --since and the dashboard go by too.
    assert second[1] == rows[1]["createdAt"][:19] + "Z"
    assert [(row["event"], row["webhookId"], row["state"], row["attempt"]) for row in rows] == [
        ("job.status", jobs, "delivered", 1),
        ("order.status", orders, "delivered", 1),
    ]
    assert [row["event"] for row in listed(up42_sandbox, "--event", "job.status")] == ["job.status"]
    assert [row["webhookId"] for row in listed(up42_sandbox, "--webhook", orders)] == [orders]
    assert [row["event"] for row in listed(up42_sandbox, "--limit", "1")] == ["job.status"]  # the newest
    assert listed(up42_sandbox, "--status", "failed") == []
    assert len(listed(up42_sandbox, "--status", "delivered", "--since", "15m")) == 2
    assert listed(up42_sandbox, "--since", "2999-01-01T00:00:00Z") == []
    assert len(listed(up42_sandbox, "--since", "2000-01-01T00:00:00+02:00")) == 2
    assert ok(up42_sandbox, "deliveries", "list", "--status", "pending") == "No deliveries match.\n"


def test_since_says_that_rfc_3339_times_work_too(up42_sandbox: Sandbox) -> None:
    for command in (["list"], ["resend"]):
        shown = " ".join(ok(None, "deliveries", *command, "--help").split())
        assert "--since SINCE" in shown
        assert "(30s, 15m, 2h, 3d) or an RFC 3339 time such as 2026-12-07T09:30:00Z" in shown
    # The example the help gives is taken as it is written (the list's filters are tested below).
    recover = ok(up42_sandbox, "deliveries", "resend", "--failed", "--since", "2026-12-07T09:30:00Z")
    assert recover == "No failed deliveries to resend.\n"


def test_list_refuses_bad_filters(up42_sandbox: Sandbox) -> None:
    for since in ("2w", "yesterday", "2024-05-01T10:00:00", "-3h"):
        assert "--since" in fails(run(up42_sandbox, "deliveries", "list", "--since", since), code=2)
    assert "--status" in fails(run(up42_sandbox, "deliveries", "list", "--status", "lost"), code=2)
    assert "--limit" in fails(run(up42_sandbox, "deliveries", "list", "--limit", "0"), code=2)


def test_a_since_beyond_the_calendar_is_a_usage_error(up42_sandbox: Sandbox) -> None:
    for since in ("99999999999d", "999999d", "9999999999999h", "0001-01-01T00:00:00+01:00"):
        refused = fails(run(up42_sandbox, "deliveries", "list", "--since", since), code=2)
        assert "'--since'" in refused, since
    refused = fails(run(up42_sandbox, "deliveries", "resend", "--failed", "--since", "9999999999999h"), code=2)
    assert "'--since'" in refused
    assert "before the year 1" in refused


def test_a_limit_beyond_what_the_sandbox_lists_is_one_line(up42_sandbox: Sandbox) -> None:
    refused = fails(run(up42_sandbox, "deliveries", "list", "--limit", "99999999999999999999"))
    assert "query parameter limit" in refused
    assert "from 1 to 10000" in refused


def test_an_empty_or_dotted_id_is_never_a_redirect(up42_sandbox: Sandbox) -> None:
    for command in ("show", "resend"):
        refused = fails(run(up42_sandbox, "deliveries", command, ""), code=2)
        assert "ID]'" in refused or "'ID'" in refused
        assert "must be a delivery id" in refused
    for dotted in (".", ".."):
        assert f"no delivery {dotted!r} in the sandbox" in fails(run(up42_sandbox, "deliveries", "show", dotted))
    with Apps() as apps:  # a server that redirects everything is no sandbox, whatever it redirects to
        redirecting = apps.serve(Redirect()).removesuffix("/hook")
        assert "needs a sandbox" in fails(run(None, "deliveries", "--base-url", redirecting, "show", "dlv_x"))


def test_show_prints_the_request_exactly_as_sent_and_every_attempt(up42_sandbox: Sandbox) -> None:
    recorder = Recorder()
    with Apps(up42_sandbox) as apps:
        hook = apps.webhook(recorder, ["order.status"])
        delivery_id = trigger(up42_sandbox, "order.status")["deliveries"][0]["id"]
    ((sent_headers, sent_body),) = recorder.requests

    shown = ok(up42_sandbox, "deliveries", "show", delivery_id)
    summary, request, attempts = shown.split("\n\n", 2)
    assert f"delivery  {delivery_id}" in summary
    assert "order.status (live)" in summary
    assert f"webhook   {hook}" in summary
    assert "state     delivered" in summary
    request_line, *header_lines = request.splitlines()
    assert request_line.startswith("POST http://127.0.0.1:")
    headers = dict(line.split(": ", 1) for line in header_lines)
    for name in ("Signature", "Signature-Input", "Content-Digest", "Content-Type"):
        assert headers[name] == sent_headers[name.lower()]
    body = attempts.split("\n\n")[0]
    assert body.encode() == sent_body  # the bytes themselves, not a re-serialization
    assert verify(body, headers, SECRET).event == "order.status"  # what is shown is enough to check a signature
    attempt_table = attempts.split("\n\n")[1].splitlines()
    assert attempt_table[0] == "Attempts (1):"
    assert attempt_table[1].split() == ["#", "SENT", "STATUS", "DURATION", "ERROR"]
    number, sent_at, status, duration, unit = attempt_table[2].split()
    assert (number, status, unit) == ("1", "200", "ms")
    assert sent_at.endswith("Z")
    assert int(duration) >= 0

    detail = json.loads(ok(up42_sandbox, "deliveries", "show", delivery_id, "--json"))
    assert detail["request"]["body"].encode() == sent_body
    assert [(a["attempt"], a["status"]) for a in detail["attempts"]] == [(1, 200)]


def test_show_prints_what_the_receiver_answered(up42_sandbox: Sandbox) -> None:
    reason = json.dumps({"error": "signature mismatch", "echo": SECRET})
    with Apps(up42_sandbox) as apps:
        hook = apps.webhook(Recorder([401], body=reason.encode(), content_type="application/json"), ["order.status"])
        (delivery,) = up42_sandbox.trigger("order.status", webhook_id=hook)["deliveries"]
        # A delivery may have any number of attempts by now; each has this answer.
        shown = ok(up42_sandbox, "deliveries", "show", delivery["id"])
        detail = json.loads(ok(up42_sandbox, "deliveries", "show", delivery["id"], "--json"))
        image = apps.webhook(Recorder(body=b"\x89PNG\xff" * 1000, content_type="image/png"), ["order.status"])
        (pictured,) = up42_sandbox.trigger("order.status", webhook_id=image)["deliveries"]
        binary = ok(up42_sandbox, "deliveries", "show", pictured["id"])

    masked = reason.replace(SECRET, "********")
    assert f"\n\nAnswer to attempt 1: 401, application/json, {len(reason)} bytes\n{masked}\n" in shown
    assert SECRET not in shown
    answer = detail["attempts"][0]["answer"]
    assert (answer["contentType"], answer["body"], answer["truncated"]) == ("application/json", masked, False)
    assert (
        "Answer to attempt 1: 200, image/png, the first 4096 bytes (cut at 4 KiB)\n(not UTF-8 text; not shown)"
        in binary
    )


def test_show_masks_a_user_name_and_password_in_the_url(up42_sandbox: Sandbox) -> None:
    password = "pw-in-the-url-never-shown"
    with (
        Apps(up42_sandbox) as apps,
        up42.Client(up42_sandbox.username, up42_sandbox.password, base_url=up42_sandbox.url) as client,
    ):
        url = apps.serve(Recorder()).replace("http://", f"http://me:{password}@")
        client.create_webhook("app", url, ["order.status"], active=True, secret=SECRET)
        delivery_id = trigger(up42_sandbox, "order.status")["deliveries"][0]["id"]
        shown = url.replace(f"me:{password}", "********")

        printed = ok(up42_sandbox, "deliveries", "show", delivery_id)
        detail = json.loads(ok(up42_sandbox, "deliveries", "show", delivery_id, "--json"))
        resent = json.loads(ok(up42_sandbox, "deliveries", "resend", delivery_id, "--json"))

    assert password not in printed
    assert f"POST {shown}\n" in printed
    for answer in (detail, resent):
        assert answer["request"]["url"] == shown
        assert {attempt["url"] for attempt in answer["attempts"]} == {shown}
    kept = httpx.get(f"{up42_sandbox.url}/sandbox/deliveries/{delivery_id}").json()["data"]
    assert kept["request"]["url"] == url  # the sandbox's record keeps it whole


def test_unknown_ids_and_missing_sandboxes_are_one_line(up42_sandbox: Sandbox) -> None:
    unknown = fails(run(up42_sandbox, "deliveries", "show", "dlv_nope"))
    assert "no delivery 'dlv_nope' in the sandbox; `up42 deliveries list` shows them" in unknown
    assert "no delivery 'dlv_nope'" in fails(run(up42_sandbox, "deliveries", "resend", "dlv_nope"))
    down = NOTHING_LISTENS
    assert "cannot reach the sandbox" in fails(run(None, "deliveries", "--base-url", down, "list"))
    needs = fails(run(None, "deliveries", "list", env={"UP42_REGION": "eu"}))
    assert "up42 deliveries list needs a sandbox, and UP42 itself (region eu" in needs


def test_deliveries_offer_no_region_since_only_a_sandbox_has_deliveries() -> None:
    for command in (["deliveries"], ["deliveries", "list"], ["deliveries", "show"], ["deliveries", "resend"]):
        assert "--region" not in ok(None, *command, "--help")
        assert "--base-url" in ok(None, *command, "--help")
    refused = fails(run(None, "deliveries", "list", "--region", "eu"), code=2)
    assert "No such option" in refused  # click words the rest by its version
    assert "--region" in refused


def test_resend_one_and_recover_every_failed_delivery() -> None:
    recorder = Recorder([500, 503, 502])  # fails three times, then recovers
    with Sandbox(retry=RetryPolicy(attempts=1)) as sandbox, Apps(sandbox) as apps:
        hook = apps.webhook(recorder, ["order.status"])
        first = trigger(sandbox, "order.status")["deliveries"][0]
        assert (first["state"], first["status"]) == ("failed", 500)
        delivery_id = first["id"]

        again = run(sandbox, "deliveries", "resend", delivery_id)
        assert f"{delivery_id} was not delivered (failed): the receiver answered 503" in still_failed(again)
        assert again.stdout.splitlines()[1].split()[:4] == [delivery_id, hook, "503", "failed"]

        not_yet = run(sandbox, "deliveries", "resend", "--failed", "--since", "1h")
        assert "the receiver answered 502" in still_failed(not_yet)

        recovered = ok(sandbox, "deliveries", "resend", "--failed").splitlines()
        assert recovered[1].split() == [delivery_id, hook, "200", "delivered"]
        assert ok(sandbox, "deliveries", "resend", "--failed") == "No failed deliveries to resend.\n"

        delivered_again = json.loads(ok(sandbox, "deliveries", "resend", delivery_id, "--json"))
        assert (delivered_again["state"], delivered_again["attempt"]) == ("delivered", 5)
        assert [a["status"] for a in delivered_again["attempts"]] == [500, 503, 502, 200, 200]

    message_ids = {verify(body, headers, SECRET).message_id for headers, body in recorder.requests}
    assert message_ids == {first["messageId"]}  # the same message each time, signed again and verifiable


def test_recovering_skips_deliveries_whose_webhook_is_gone() -> None:
    with Sandbox(retry=RetryPolicy(attempts=1)) as sandbox, Apps(sandbox) as apps:
        gone = apps.webhook(Recorder([500]), ["order.status"])
        lost = trigger(sandbox, "order.status")["deliveries"][0]["id"]
        ok(sandbox, "webhooks", "delete", gone)
        kept = apps.webhook(Recorder([500]), ["job.status"])
        failing = trigger(sandbox, "job.status")["deliveries"][0]["id"]

        recovered = ok(sandbox, "deliveries", "resend", "--failed").splitlines()
        assert recovered[1].split() == [failing, kept, "200", "delivered"]
        assert recovered[2] == f"Skipped {lost}: its webhook was deleted ({gone})."
        # Nothing can deliver it again: it is skipped every time, and the exit code is 0.
        assert ok(sandbox, "deliveries", "resend", "--failed") == f"Skipped {lost}: its webhook was deleted ({gone}).\n"
        answer = json.loads(ok(sandbox, "deliveries", "resend", "--failed", "--json"))
    assert answer == {"resent": [], "skipped": [{"id": lost, "webhookId": gone, "reason": "its webhook was deleted"}]}


def test_resend_usage_errors(up42_sandbox: Sandbox) -> None:
    assert "give a delivery ID or --failed" in fails(run(up42_sandbox, "deliveries", "resend"), code=2)
    assert "not both" in fails(run(up42_sandbox, "deliveries", "resend", "dlv_x", "--failed"), code=2)
    assert "--since goes with --failed" in fails(run(up42_sandbox, "deliveries", "resend", "dlv_x", "--since", "1h"), 2)
