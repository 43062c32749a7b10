"""The sandbox end to end: the SDK and raw HTTP against a real server on a free loopback port.

Every response the sandbox sends in these tests is checked against the spec with openapi-core.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from openapi_core.validation.request.exceptions import InvalidRequestBody

import up42
from tests.support.contract import SPEC_PATH, assert_request_matches_spec
from tests.support.sandbox import TOKEN, USERINFO, Session, http_client, valid_body
from up42.receiving._catalog import EVENT_NAMES
from up42.sandbox import Faults, Sandbox
from up42.sandbox._validation import SECRET_MAX_LENGTH


@pytest.fixture
def sdk(up42_sandbox: Sandbox) -> Iterator[up42.Client]:
    with up42.Client(up42_sandbox.username, up42_sandbox.password, base_url=up42_sandbox.url) as client:
        yield client


def test_the_facade_manages_webhooks_through_the_sandbox(sdk: up42.Client) -> None:
    assert {event["name"] for event in sdk.get_webhook_events()} == {"job.status", "order.status"}
    hook = sdk.create_webhook("orders", "https://example.com/hook", ["order.status"], secret="s3cret")
    assert (hook.name, hook.url, hook.events, hook.active) == (
        "orders",
        "https://example.com/hook",
        ["order.status"],
        False,
    )
    assert hook.info["secret"] == "s3cret"

    hook.update(active=True, events=["order.status", "job.status"])
    again = sdk.initialize_webhook(hook.id)
    assert again.active is True
    assert again.events == ["order.status", "job.status"]
    assert again.updated_at >= again.created_at
    assert [h.id for h in sdk.get_webhooks()] == [hook.id]
    assert sdk.get_webhooks(return_json=True)[0]["secret"] == "s3cret"

    hook.delete()
    assert sdk.get_webhooks() == []
    with pytest.raises(up42.NotFoundError, match="RESOURCE_NOT_FOUND"):
        sdk.initialize_webhook(hook.id)


def test_wrong_credentials_are_refused_with_an_oauth_error(up42_sandbox: Sandbox) -> None:
    with http_client(up42_sandbox.url) as http:
        form = {
            "grant_type": "password",
            "username": up42_sandbox.username,
            "password": "wrong",
            "client_id": "up42-sdk",
        }
        response = http.post(TOKEN, data=form)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_grant"
    assert "error_description" in response.json()
    with (
        up42.Client(up42_sandbox.username, "wrong", base_url=up42_sandbox.url) as client,
        pytest.raises(up42.AuthenticationError, match="refused the credentials"),
    ):
        client.authenticate()


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "password", "username": "u", "client_id": "up42-sdk"}, "invalid_request"),
        (
            {"grant_type": "client_credentials", "username": "u", "password": "p", "client_id": "up42-sdk"},
            "unsupported_grant_type",
        ),
    ],
)
def test_malformed_token_requests_get_400(up42_sandbox: Sandbox, form: dict[str, str], error: str) -> None:
    with http_client(up42_sandbox.url) as http:
        response = http.post(TOKEN, data=form)
    assert (response.status_code, response.json()["error"]) == (400, error)


@pytest.mark.parametrize("field", ["username", "password"])
def test_an_empty_username_or_password_is_refused_by_the_spec_and_by_the_sandbox(
    up42_sandbox: Sandbox, field: str
) -> None:
    form = {"grant_type": "password", "username": up42_sandbox.username, "password": up42_sandbox.password}
    with http_client(up42_sandbox.url) as http:
        accepted = http.post(TOKEN, data={**form, "client_id": "up42-sdk"})
        refused = http.post(TOKEN, data={**form, "client_id": "up42-sdk", field: ""})
    assert accepted.status_code == 200
    assert_request_matches_spec(accepted.request)
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_request")
    with pytest.raises(InvalidRequestBody, match="should be non-empty"):
        assert_request_matches_spec(refused.request)


def test_the_workspace_id_is_the_userinfo_sub_and_stable_per_user(up42_sandbox: Sandbox) -> None:
    with Session(up42_sandbox) as first, Session(up42_sandbox) as second:
        assert first.workspace == second.workspace


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer not-a-jwt", "Basic abc", "Bearer a.b.c"])
def test_every_api_path_needs_a_valid_bearer_token(session: Session, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    with http_client(str(session.http.base_url)) as http:
        for method, path in [
            ("GET", "/webhooks/events"),
            ("GET", session.hooks),
            ("POST", session.hooks),
            ("GET", f"{session.hooks}/some-id"),
            ("PUT", f"{session.hooks}/some-id"),
            ("DELETE", f"{session.hooks}/some-id"),
            ("POST", f"{session.hooks}/some-id/tests"),
        ]:
            response = http.request(method, path, headers=headers, json=valid_body())
            assert response.status_code == 401, (method, path)
            assert response.json()["data"] is None
            assert response.json()["error"]["code"] == "UNAUTHORIZED"
        assert http.get(USERINFO, headers=headers).json()["error"] == "invalid_token"


def test_an_expired_token_is_refused_and_the_sdk_fetches_a_new_one() -> None:
    with Sandbox(token_ttl=1) as sandbox:
        with Session(sandbox) as session:
            time.sleep(1.1)
            response = session.http.get(session.hooks)
        assert response.status_code == 401
        assert response.json()["error"]["message"].startswith("ACCESS_TOKEN_EXPIRED: JWT expired at ")
        with up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url) as client:
            client.authenticate()
            time.sleep(1.1)
            assert client.get_webhooks() == []


def test_workspaces_are_isolated() -> None:
    with Sandbox(users={"other@example.com": "other-password"}) as sandbox, contextlib.ExitStack() as stack:
        mine = stack.enter_context(Session(sandbox))
        assert mine.http.post(mine.hooks, json=valid_body()).status_code == 200
        with up42.Client("other@example.com", "other-password", base_url=sandbox.url) as other:
            assert other.workspace_id != mine.workspace
            assert other.get_webhooks() == []
            theirs = other.create_webhook("theirs", "https://example.com/theirs", ["job.status"])
        assert [hook["name"] for hook in mine.http.get(mine.hooks).json()["data"]] == ["orders"]
        assert mine.http.get(f"{mine.hooks}/{theirs.id}").status_code == 404
        forbidden = mine.http.get(f"/workspaces/{other.workspace_id}/webhooks")
        assert (forbidden.status_code, forbidden.json()["error"]["code"]) == (403, "FORBIDDEN")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"url": "http://example.com/hook"}, "url"),
        ({"url": "ftp://example.com/hook"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "https://example.com:notaport/"}, "url"),
        ({"url": "https://example.com:99999/"}, "url"),
        ({"url": "https://exa mple.com/"}, "url"),
        ({"events": []}, "events"),
        ({"events": ["order.created"]}, "events"),
        ({"events": "order.status"}, "events"),
        ({"active": "yes"}, "active"),
        ({"secret": "x" * 501}, "secret"),
        ({"secret": 42}, "secret"),
    ],
)
def test_a_rule_broken_on_create_or_update_gets_422_naming_the_field(
    session: Session, change: dict[str, Any], field: str
) -> None:
    created = session.http.post(session.hooks, json=valid_body()).json()["data"]
    for method, path in [("POST", session.hooks), ("PUT", f"{session.hooks}/{created['id']}")]:
        response = session.http.request(method, path, json=valid_body(**change))
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert list(error["details"]) == [field]
        assert field in error["message"]
        assert "x" * 20 not in response.text  # a refused secret is never echoed
    assert session.http.get(f"{session.hooks}/{created['id']}").json()["data"] == created  # nothing changed


def test_a_url_back_to_the_sandbox_itself_is_422_on_create_and_update(up42_sandbox: Sandbox, session: Session) -> None:
    port = int(up42_sandbox.url.rsplit(":", 1)[1])
    created = session.http.post(session.hooks, json=valid_body()).json()["data"]
    problem = f"points back at the sandbox itself (port {port} on this machine); point it at your receiver"
    for url in [
        f"{up42_sandbox.url}/sandbox/events",
        f"http://localhost:{port}/hook",
        f"http://[::1]:{port}/",
        f"https://127.0.0.1:{port}/dashboard",
    ]:
        for method, path in [("POST", session.hooks), ("PUT", f"{session.hooks}/{created['id']}")]:
            response = session.http.request(method, path, json=valid_body(url=url))
            assert response.status_code == 422, (url, response.text)
            error = response.json()["error"]
            assert (error["code"], error["details"]) == ("VALIDATION_ERROR", {"url": problem})
            assert error["message"] == f"invalid webhook: url: {problem}"
    assert session.http.get(f"{session.hooks}/{created['id']}").json()["data"] == created  # nothing changed
    assert session.http.get(session.hooks).json()["data"] == [created]


def test_a_stored_url_back_to_a_sandbox_restarted_on_its_port_is_never_sent_to(tmp_path: Path) -> None:
    # A webhook stored by a sandbox on one port may name the port that the same database is served on next:
    # accepted then, it points back now. Its deliveries, live and test, fail unsent and say why.
    db = tmp_path / "state.sqlite"
    later = Sandbox(db=db)  # bound at once, so its port is known; it serves once the first one has stopped
    port = int(later.url.rsplit(":", 1)[1])
    try:
        with Sandbox(db=db) as first, up42.Client(first.username, first.password, base_url=first.url) as client:
            client.create_webhook("loop", f"http://127.0.0.1:{port}/hook", ["order.status"], active=True)
        later.start()
        (live,) = later.trigger("order.status")["deliveries"]
        with up42.Client(later.username, later.password, base_url=later.url) as client:
            (hook,) = client.get_webhooks()
            (test,) = hook.trigger_test_events()["tests"]
        attempts = later.deliveries()
    finally:
        later.stop()
    problem = (
        f"not sent: the URL points back at the sandbox itself (port {port} on this machine); point it at your receiver"
    )
    assert (live["status"], live["error"]) == (None, problem)
    assert (test["success"], test["message"], test["response"]) == (False, f"Test request failed: {problem}", None)
    assert [(attempt["liveMode"], attempt["status"], attempt["error"]) for attempt in attempts] == [
        (True, None, problem),
        (False, None, problem),
    ]


def test_the_rules_accept_what_up42_accepts(session: Session) -> None:
    for change in [
        {"secret": "x" * 500},
        {"secret": None},
        {"url": "http://127.0.0.1:9000/hook"},
        {"url": "http://localhost/hook"},
        {"url": "http://[::1]:9000/hook"},
        {"events": ["job.status", "order.status"]},
    ]:
        response = session.http.post(session.hooks, json=valid_body(**change))
        assert response.status_code == 200, (change, response.text)
    minimal = {"name": "n", "url": "https://example.com/", "events": ["order.status"]}
    data = session.http.post(session.hooks, json=minimal).json()["data"]
    assert (data["active"], data["secret"]) == (False, "")


def test_malformed_requests_get_the_envelope_never_a_500(session: Session) -> None:
    hook = session.http.post(session.hooks, json=valid_body()).json()["data"]
    cases = [
        (session.http.post(session.hooks, content=b"{not json", headers={"Content-Type": "application/json"}), 400),
        (session.http.post(session.hooks, content=b"name=x", headers={"Content-Type": "text/plain"}), 415),
        (session.http.post(session.hooks, json=["a", "list"]), 422),
        (session.http.post(session.hooks, content=b"[" * 100_000, headers={"Content-Type": "application/json"}), 400),
        (
            session.http.put(
                f"{session.hooks}/{hook['id']}", content=b"", headers={"Content-Type": "application/json"}
            ),
            400,
        ),
        (session.http.get(f"{session.hooks}/no-such-id"), 404),
        (session.http.put(f"{session.hooks}/no-such-id", json=valid_body()), 404),
        (session.http.delete(f"{session.hooks}/no-such-id"), 404),
        (session.http.post(f"{session.hooks}/no-such-id/tests"), 404),
        (httpx.get(session.http.base_url.join("/no/such/path"), headers=session.http.headers), 404),  # not in the spec
    ]
    for response, status in cases:
        assert response.status_code == status, response.text
        assert response.json()["data"] is None
        assert response.json()["error"]["message"]


def test_delete_answers_204_without_a_body(session: Session) -> None:
    hook = session.http.post(session.hooks, json=valid_body()).json()["data"]
    response = session.http.delete(f"{session.hooks}/{hook['id']}")
    assert (response.status_code, response.content) == (204, b"")
    assert session.http.get(f"{session.hooks}/{hook['id']}").status_code == 404


def test_the_catalog_and_rules_match_the_spec() -> None:
    schemas = yaml.safe_load(SPEC_PATH.read_text())["components"]["schemas"]
    assert set(schemas["EventName"]["enum"]) == EVENT_NAMES
    assert schemas["WebhookInput"]["properties"]["secret"]["maxLength"] == SECRET_MAX_LENGTH


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Sandbox(port=70000), "port"),
        (lambda: Sandbox(token_ttl=0), "token_ttl"),
        (lambda: Sandbox(password=""), "password"),
        (lambda: Sandbox(password="pa\udcffss"), "passwords must be valid text"),
        (lambda: Sandbox(username="me\udcff@example.com"), "usernames and passwords must be valid text"),
        (lambda: Sandbox(users={"other@example.com": "pa\udcffss"}), "passwords must be valid text"),
        (lambda: Faults(fail_rate=1.5), "fail_rate"),
        (lambda: Faults(rate_limit=0), "rate_limit"),
        (lambda: Faults(latency=-1), "latency"),
    ],
)
def test_bad_settings_are_refused_with_a_value_error(make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_a_sandbox_that_never_started_releases_its_port_and_database() -> None:
    sandbox = Sandbox()
    url = sandbox.url
    sandbox.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=5)
    with Sandbox(port=int(url.rsplit(":", 1)[1])) as again:
        assert again.url == url
