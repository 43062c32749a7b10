"""Library code logs through logging.getLogger("up42"), prints nothing, and never logs a secret or a token."""

from __future__ import annotations

import logging

import pytest
import respx

import up42
from tests.support.mock_api import (
    API,
    HOOK,
    HOOK_PATH,
    PASSWORD,
    SECRET,
    TEST_RUN,
    TOKENS,
    USERNAME,
    WEBHOOKS,
    envelope,
    webhook_json,
)


def test_a_whole_run_logs_no_secret_and_prints_nothing(
    api: respx.MockRouter, auth: object, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    api.get(f"{API}/webhooks/events").respond(200, json=envelope([]))
    api.get(f"{API}{WEBHOOKS}").respond(200, json=envelope([HOOK]))
    api.post(f"{API}{WEBHOOKS}").respond(200, json=envelope(webhook_json(id=HOOK["id"])))
    api.get(HOOK_PATH).respond(200, json=envelope(HOOK))
    api.put(HOOK_PATH).respond(200, json=envelope(HOOK))
    api.post(f"{HOOK_PATH}/tests").respond(200, json=envelope(TEST_RUN))
    api.delete(HOOK_PATH).respond(204)
    caplog.set_level(logging.DEBUG)

    up42.authenticate(username=USERNAME, password=PASSWORD)
    up42.get_webhook_events()
    up42.get_webhooks()
    hook = up42.create_webhook("orders", "https://example.com/hook", ["order.status"], secret=SECRET)
    hook.update(secret=SECRET + "-2")
    hook.trigger_test_events()
    hook.delete()

    records = [r for r in caplog.records if r.name.startswith("up42")]
    assert any("Created Webhook(" in r.getMessage() for r in records)
    assert any(r.getMessage().startswith("POST /realms/public/protocol/openid-connect/token -> 200") for r in records)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (PASSWORD, SECRET, *TOKENS):
        assert secret not in logged
    assert capsys.readouterr() == ("", "")
