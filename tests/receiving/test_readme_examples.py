"""The receiving examples run as written and answer signed deliveries: the README's FastAPI app, whole, and the
receiving guide's Flask route over a receiver like the README's."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from tests.support.contract import ROOT
from tests.support.deliveries import delivery, message
from tests.support.docs import DOCS, blocks
from up42.receiving import Receiver, WebhookEvent

SECRET = "readme-secret"


def _section_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Receive and verify deliveries\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```python\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)


def _example(marker: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    (code,) = [block for block in _section_blocks() if marker in block]
    monkeypatch.setenv("UP42_WEBHOOK_SECRET", SECRET)
    namespace: dict[str, Any] = {"__name__": "readme_example"}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own example
    return namespace


def _guide_route(marker: str, receiver: Receiver) -> dict[str, Any]:
    """Run the receiving guide's route for a framework over ``receiver``, the one earlier blocks of the page make."""
    page = DOCS / "guides" / "receiving.md"
    (block,) = [block for block in blocks(page) if block.language == "python" and marker in block.code]
    namespace: dict[str, Any] = {"__name__": "guide_example", "receiver": receiver}
    exec(compile(block.code, str(page), "exec"), namespace)  # noqa: S102 - the guide's own example
    return namespace


def _final_order() -> dict[str, Any]:
    content = message()
    content["body"].update(orderId="order-7", status="FULFILLED", statusIsFinal=True)
    return content


async def test_the_fastapi_example(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    app = _example("FastAPI()", monkeypatch)["app"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hook.test") as client:
        body, headers = delivery(_final_order(), secret=SECRET)
        handled = await client.post("/webhooks/up42", content=body, headers=headers)
        duplicate = await client.post("/webhooks/up42", content=body, headers=headers)
        job_body, job_headers = delivery(message("job.status"), secret=SECRET)
        job = await client.post("/webhooks/up42", content=job_body, headers=job_headers)
        forged = await client.post("/webhooks/up42", content=body, headers=delivery(secret="guess")[1])
    assert (handled.status_code, handled.text) == (200, "handled")
    assert (duplicate.status_code, duplicate.text) == (200, "duplicate")
    assert forged.status_code == 401
    printed = capsys.readouterr().out
    assert "order order-7 is FULFILLED" in printed
    assert job.status_code == 200
    assert "unhandled job.status message" in printed


def test_the_flask_example(capsys: pytest.CaptureFixture[str]) -> None:
    receiver = Receiver(SECRET)

    @receiver.on("order.status")
    def order_changed(event: WebhookEvent) -> None:
        print(f"order event {event.message_id}, status {event.raw['body']['status']}")

    app = _guide_route("Flask(__name__)", receiver)["app"]
    client = app.test_client()
    body, headers = delivery(_final_order(), secret=SECRET)
    handled = client.post("/webhooks/up42", data=body, headers=headers)
    reserialised = json.dumps(json.loads(body), indent=1).encode()
    changed = client.post("/webhooks/up42", data=reserialised, headers=headers)
    assert (handled.status_code, handled.text) == (200, "handled")
    assert changed.status_code == 401
    assert "does not match Content-Digest" in changed.text
    assert "order event" in capsys.readouterr().out
