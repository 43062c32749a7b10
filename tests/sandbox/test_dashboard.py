"""The sandbox's dashboard: pages of webhooks and deliveries, escaped, secret-free, with a resend form."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import markupsafe
import pytest

import up42
from tests.support.receivers import Recorder
from tests.support.waiting import wait_for
from up42 import _messages as simulate
from up42.sandbox import RetryPolicy, Sandbox

SECRET = "dashboard-secret-never-shown"
HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def sandbox() -> Any:
    with Sandbox(retry=RetryPolicy(attempts=2, first_delay=0.05)) as sandbox:
        yield sandbox


def page(sandbox: Sandbox, path: str) -> str:
    response = httpx.get(f"{sandbox.url}{path}", trust_env=False)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "<script" not in response.text  # no JavaScript of its own, and nothing injected
    return response.text


def delivery_links(text: str) -> list[str]:
    return re.findall(r'href="(?:http://[^/"]+)?(/dashboard/deliveries/[^"]+)"', text)


def test_the_dashboard_lists_webhooks_and_deliveries_escaped_and_without_secrets(sandbox: Sandbox, serve: Any) -> None:
    with up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url) as client:
        hook = client.create_webhook(HOSTILE, serve(Recorder()), ["order.status"], active=True, secret=SECRET)
    empty = page(sandbox, "/dashboard")
    assert "No deliveries" in empty
    sandbox.trigger("order.status", {**_order(), "dataHostName": HOSTILE})

    text = page(sandbox, "/dashboard")
    assert str(markupsafe.escape(HOSTILE)) in text  # the name, as text
    assert hook.id in text
    assert SECRET not in text
    assert "order.status" in text
    assert "delivered" in text
    (link,) = delivery_links(text)

    detail = page(sandbox, link)
    for header in ("Signature", "Signature-Input", "Content-Digest"):
        assert re.search(rf">{header}</td>", detail, re.IGNORECASE), header
    assert "&lt;script&gt;alert(" in detail  # the body, as text
    assert SECRET not in detail
    assert "Resend this message" in detail


def _order() -> dict[str, Any]:
    return {
        "orderId": "5f6a7b8c-1111-4222-8333-944455566677",
        "orderType": "ARCHIVE",
        "dataHostName": "host",
        "status": "FULFILLED",
        "statusIsFinal": True,
    }


def test_the_resend_button_sends_again_and_refuses_other_sites(sandbox: Sandbox, serve: Any) -> None:
    receiver = Recorder(statuses=[500, 500])
    with up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url) as client:
        client.create_webhook("flaky", serve(receiver), ["order.status"], active=True, secret=SECRET)
    sandbox.trigger("order.status", _order())
    wait_for(lambda: len(sandbox.deliveries()) == 2)  # the first attempt and its one retry, both refused
    failed = page(sandbox, "/dashboard?state=failed")
    (link,) = delivery_links(failed)
    assert "failed" in failed

    foreign = httpx.post(f"{sandbox.url}{link}/resend", headers={"Origin": "https://evil.example"}, trust_env=False)
    assert foreign.status_code == 403
    cross_site = httpx.post(f"{sandbox.url}{link}/resend", headers={"Sec-Fetch-Site": "cross-site"}, trust_env=False)
    assert cross_site.status_code == 403
    assert len(receiver.requests) == 2  # nothing was sent

    resent = httpx.post(f"{sandbox.url}{link}/resend", headers={"Origin": sandbox.url}, trust_env=False)
    assert resent.status_code == 303
    assert resent.headers["location"].endswith(f"{link}?resent=1")
    assert len(receiver.requests) == 3
    detail = page(sandbox, f"{link}?resent=1")
    assert "Sent again as attempt 3: 200" in detail
    assert "delivered" in detail
    # The same message, signed again (a new created time).
    assert receiver.requests[2][1] == receiver.requests[0][1]
    assert page(sandbox, "/dashboard?state=failed").count("/dashboard/deliveries/") == 0


def test_unknown_deliveries_and_states_are_pages_that_say_so(sandbox: Sandbox) -> None:
    missing = httpx.get(f"{sandbox.url}/dashboard/deliveries/dlv_0000000000000000", trust_env=False)
    assert missing.status_code == 404
    assert "No such delivery" in missing.text
    gone = httpx.post(
        f"{sandbox.url}/dashboard/deliveries/dlv_0000000000000000/resend", headers={"Origin": sandbox.url}
    )
    assert gone.status_code == 404
    bad_state = httpx.get(f"{sandbox.url}/dashboard?state=<b>", trust_env=False)
    assert bad_state.status_code == 400
    assert "<b>" not in bad_state.text


def test_a_delivery_whose_first_attempt_is_on_its_way_has_a_page(sandbox: Sandbox, serve: Any) -> None:
    with up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url) as client:
        hook = client.create_webhook("app", serve(Recorder()), ["order.status"], active=True)
    row = sandbox._store.webhook(hook.id)
    assert row is not None
    payload = simulate.message("order.status", simulate.sample_body("order.status"), live=True)
    # Leased far ahead, as while its first attempt is being sent: the scheduler leaves it alone.
    (opened,) = sandbox._store.open_deliveries([row], payload, json.dumps(payload), "2999-01-01T00:00:00.000000Z")
    assert "Not sent yet" in page(sandbox, f"/dashboard/deliveries/{opened.id}")


def _refused(sandbox: Sandbox, serve: Any, receiver: Recorder) -> str:
    """The page of a delivery to ``receiver``, whose one attempt it refused."""
    with up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url) as client:
        hook = client.create_webhook("strict", serve(receiver), ["order.status"], active=True, secret=SECRET)
    (delivery,) = sandbox.trigger("order.status", _order(), webhook_id=hook.id)["deliveries"]
    wait_for(lambda: sandbox._store.delivery(delivery["id"]).attempts)  # type: ignore[union-attr]
    return page(sandbox, f"/dashboard/deliveries/{delivery['id']}")


def test_a_delivery_page_shows_what_the_receiver_answered_as_text(sandbox: Sandbox, serve: Any) -> None:
    markup = "<script>alert(1)</script>"
    reason = {"error": "signature mismatch", "hint": markup, "echo": SECRET}
    receiver = Recorder([401], body=json.dumps(reason).encode(), content_type="application/json")
    text = _refused(sandbox, serve, receiver)

    assert "the receiver answered 401" in text
    assert "Answer body: application/json, " in text
    assert "&#34;error&#34;: &#34;signature mismatch&#34;" in text  # indented JSON, escaped
    assert str(markupsafe.escape(markup)) in text  # as text: page() refuses any "<script"
    assert SECRET not in text  # the receiver echoed the webhook's secret: masked
    assert "&#34;echo&#34;: &#34;********&#34;" in text
    assert "\n  &#34;event&#34;: &#34;order.status&#34;,\n" in text  # the request's body, indented too


def test_a_long_answer_is_cut_at_4_kib_and_a_binary_one_is_a_note(sandbox: Sandbox, serve: Any) -> None:
    long = _refused(sandbox, serve, Recorder([500], body=b"line\n" * 2000, content_type="text/plain"))
    assert "4096 bytes, cut at 4 KiB" in long
    assert "line\n" * 819 + "l</pre>" in long  # 4096 bytes: 819 lines and a letter

    image = _refused(sandbox, serve, Recorder([415], body=b"\x89PNG\r\n\x1a\n\xff", content_type="image/png"))
    assert "Answer body: image/png, 9 bytes</p>" in image
    assert "Not shown: the body is not UTF-8 text." in image
