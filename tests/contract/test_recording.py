"""Recording cassettes: every credential masked by a placeholder the spec still accepts, read back as recorded.

The last test records a whole tour with ``up42 conformance --record`` through a real proxy that keeps the raw
traffic, so that every token issued and every secret sent is known, and none may be in a cassette.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run
from tests.support.proxy import Proxy
from up42._contract import Spec
from up42._contract._cassettes import (
    ACCOUNT_PLACEHOLDER,
    PLACEHOLDER,
    Redactor,
    judge_cassette,
    read_cassette,
    read_cassettes,
    write_cassette,
)
from up42._contract._tour import ORDER, Exchange
from up42.sandbox import Sandbox

SHIPPED = Spec.shipped()
USERNAME = "recorder-7f3a@example.org"
PASSWORD = "pw-Distinctive-Q9x2"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
SECRET = "whsec-Distinctive-Z8k1"
HOOK = {
    "id": "h-1",
    "name": "n",
    "url": "https://example.com/hook",
    "events": ["order.status"],
    "active": False,
    "secret": SECRET,
    "createdAt": "2024-05-01T10:00:00Z",
    "updatedAt": "2024-05-01T10:00:00Z",
}
JSON = {"content-type": "application/json"}


def _exchange(operation_id: str, body: Any, **fields: Any) -> Exchange:
    operation = SHIPPED.operation(operation_id)
    defaults: dict[str, Any] = {
        "method": operation.method,
        "path": operation.path.replace("{workspaceId}", "w-1").replace("{webhookId}", "h-1"),
        "request_headers": {"authorization": f"Bearer {TOKEN}", "cookie": f"session={TOKEN}"},
        "request_body": b"",
        "status": 200,
        "response_headers": {**JSON, "set-cookie": "session=abc"},
        "response_body": json.dumps(body).encode() if not isinstance(body, bytes) else body,
    }
    return Exchange(operation_id=operation_id, **{**defaults, **fields})


def _round_trip(tmp_path: Path, redactor: Redactor, exchange: Exchange, number: int = 1) -> tuple[str, Exchange]:
    path = write_cassette(tmp_path, number, redactor.cassette(exchange))
    return path.read_text(encoding="utf-8"), read_cassette(path)


def test_the_login_is_masked_and_the_tokens_it_issued_wherever_they_show_later(tmp_path: Path) -> None:
    redactor = Redactor(SHIPPED, USERNAME, PASSWORD)
    form = f"grant_type=password&username={USERNAME}&password={PASSWORD}&client_id=up42-sdk".replace("@", "%40")
    token = _exchange(
        "createToken",
        {"access_token": TOKEN, "refresh_token": f"r-{TOKEN}", "id_token": f"i-{TOKEN}", "expires_in": 300},
        request_headers={"content-type": "application/x-www-form-urlencoded"},
        request_body=form.encode(),
    )
    text, back = _round_trip(tmp_path, redactor, token)
    assert not [credential for credential in (USERNAME, PASSWORD, TOKEN) if credential in text]
    assert json.loads(back.response_body) == {
        "access_token": PLACEHOLDER,
        "refresh_token": PLACEHOLDER,
        "id_token": PLACEHOLDER,
        "expires_in": 300,
    }
    assert (
        back.request_body.decode()
        == "grant_type=password&username=account%40example.com&password=REDACTED&client_id=up42-sdk"
    )
    # An answer that shows the token where no field marks it (a message quoting it) has it masked too.
    userinfo = _exchange(
        "getUserinfo",
        {"sub": "w-1", "email": USERNAME, "preferred_username": USERNAME, "note": f"token {TOKEN}"},
    )
    text, back = _round_trip(tmp_path, redactor, userinfo, 2)
    assert TOKEN not in text
    assert USERNAME not in text
    assert back.request_headers == {"authorization": f"Bearer {PLACEHOLDER}", "cookie": PLACEHOLDER}
    assert back.response_headers["set-cookie"] == PLACEHOLDER
    assert json.loads(back.response_body) == {
        "sub": "w-1",
        "email": ACCOUNT_PLACEHOLDER,
        "preferred_username": ACCOUNT_PLACEHOLDER,
        "note": f"token {PLACEHOLDER}",
    }
    # The placeholders are strings where the spec wants strings: masking changes no verdict.
    for exchange in (token, userinfo):
        masked = read_cassette(write_cassette(tmp_path, 9, redactor.cassette(exchange)))
        assert judge_cassette(SHIPPED, masked) == judge_cassette(SHIPPED, exchange)


def test_a_webhook_secret_is_masked_in_requests_and_answers_and_none_stays_none(tmp_path: Path) -> None:
    redactor = Redactor(SHIPPED, USERNAME, PASSWORD)
    body = {key: HOOK[key] for key in ("name", "url", "events", "active", "secret")}
    create = _exchange(
        "createWebhook",
        {"data": HOOK, "error": None},
        request_headers={**JSON, "authorization": f"Bearer {TOKEN}"},
        request_body=json.dumps(body).encode(),
    )
    text, back = _round_trip(tmp_path, redactor, create)
    assert SECRET not in text
    assert json.loads(back.request_body)["secret"] == PLACEHOLDER
    assert json.loads(back.response_body)["data"]["secret"] == PLACEHOLDER
    assert judge_cassette(SHIPPED, back) == []
    listed = _exchange("listWebhooks", {"data": [{**HOOK, "secret": None}, HOOK], "error": None})
    text, back = _round_trip(tmp_path, redactor, listed, 2)
    assert [hook["secret"] for hook in json.loads(back.response_body)["data"]] == [None, PLACEHOLDER]
    assert SECRET not in text


def test_a_body_that_is_not_json_or_not_text_reads_back_as_it_was_without_its_credentials(tmp_path: Path) -> None:
    redactor = Redactor(SHIPPED, USERNAME, PASSWORD)
    page = f"<html>down for {USERNAME}</html>".encode()
    _, back = _round_trip(tmp_path, redactor, _exchange("getWebhook", page, status=503, response_headers={}))
    assert back.response_body == b"<html>down for account@example.com</html>"
    raw = b"\xff\xfe" + PASSWORD.encode()
    _, back = _round_trip(tmp_path, redactor, _exchange("getWebhook", raw, status=503, response_headers={}), 2)
    assert back.response_body == b"\xff\xfe" + PLACEHOLDER.encode()
    broken = _exchange("getWebhook", b'{"data": ', status=200)
    _, back = _round_trip(tmp_path, redactor, broken, 3)
    assert back.response_body == b'{"data": '
    assert [problem.where for problem in judge_cassette(SHIPPED, back)] == ["body"]


def test_a_file_that_is_not_a_cassette_is_a_value_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "01-x.json").write_text('{"operationId": "x"}')
    with pytest.raises(ValueError, match="01-x.json is not a cassette"):
        read_cassettes(tmp_path)


@pytest.fixture
def distinctive() -> Iterator[Sandbox]:
    with Sandbox(username=USERNAME, password=PASSWORD) as sandbox:
        yield sandbox


def test_a_recorded_tour_holds_no_password_token_or_secret(distinctive: Sandbox, tmp_path: Path) -> None:
    with Proxy(distinctive.url) as proxy:
        result = run(distinctive, "conformance", "--base-url", proxy.url, "--record", str(tmp_path))
    assert result.returncode == 0, result.stderr
    issued = {json.loads(passed.response_body).get("access_token") for passed in proxy.passed[:1]}
    secrets = {
        json.loads(passed.request_body)["secret"] for passed in proxy.passed if passed.request_body.startswith(b"{")
    }
    assert len(issued) == 1
    assert len(secrets) == 1
    assert None not in issued | secrets
    texts = [path.read_text(encoding="utf-8") for path in sorted(tmp_path.glob("*.json"))]
    assert len(texts) == len(ORDER)
    for credential in (PASSWORD, USERNAME, *issued, *secrets):
        assert not [text for text in texts if credential in text]
    assert [judge_cassette(SHIPPED, exchange) for exchange in read_cassettes(tmp_path)] == [[]] * len(ORDER)
