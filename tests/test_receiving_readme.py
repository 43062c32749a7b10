"""The README's receiving examples (FastAPI and Flask) run as written and answer signed deliveries."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from tests.contract import ROOT
from tests.receiving_support import delivery, message

SECRET = "readme-secret"


def _section_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Receiving webhooks\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```python\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)


def _example(marker: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    (code,) = [block for block in _section_blocks() if marker in block]
    monkeypatch.setenv("UP42_WEBHOOK_SECRET", SECRET)
    namespace: dict[str, Any] = {"__name__": "readme_example"}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own example
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


def test_the_flask_example(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    app = _example("Flask(__name__)", monkeypatch)["app"]
    client = app.test_client()
    body, headers = delivery(_final_order(), secret=SECRET)
    handled = client.post("/webhooks/up42", data=body, headers=headers)
    reserialised = json.dumps(json.loads(body), indent=1).encode()
    changed = client.post("/webhooks/up42", data=reserialised, headers=headers)
    assert (handled.status_code, handled.text) == (200, "handled")
    assert changed.status_code == 401
    assert "does not match Content-Digest" in changed.text
    assert "order event" in capsys.readouterr().out
