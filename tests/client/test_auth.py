"""Authentication: where credentials and hosts come from, the token and userinfo calls, refresh on expiry and 401."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
import respx

import up42
from tests.support.mock_api import (
    API,
    AUTH,
    PASSWORD,
    TOKEN_PATH,
    TOKENS,
    USERINFO_PATH,
    USERNAME,
    WEBHOOKS,
    WORKSPACE,
    Auth,
    envelope,
    error_envelope,
)
from up42._client._auth import Grant, TokenSource


def test_password_grant_is_form_encoded_to_the_auth_host(api: respx.MockRouter, auth: Auth) -> None:
    up42.authenticate(username=USERNAME, password=PASSWORD)

    request = auth.token.calls.last.request
    assert request.url == f"{AUTH}{TOKEN_PATH}"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.content.decode()) == {
        "grant_type": ["password"],
        "username": [USERNAME],
        "password": [PASSWORD],
        "client_id": ["up42-sdk"],
        "scope": ["openid"],
    }
    assert "Authorization" not in request.headers


def test_workspace_id_is_the_userinfo_sub(api: respx.MockRouter, auth: Auth) -> None:
    route = api.get(f"{API}{WEBHOOKS}").respond(200, json=envelope([]))
    up42.authenticate(username=USERNAME, password=PASSWORD)

    up42.get_webhooks()

    assert auth.userinfo.calls.last.request.headers["Authorization"] == f"Bearer {TOKENS[0]}"
    assert route.calls.last.request.url.path == f"/workspaces/{WORKSPACE}/webhooks"


def test_token_and_workspace_are_fetched_once(api: respx.MockRouter, auth: Auth) -> None:
    api.get(f"{API}{WEBHOOKS}").respond(200, json=envelope([]))
    up42.authenticate(username=USERNAME, password=PASSWORD)

    for _ in range(5):
        up42.get_webhooks()

    assert (auth.token.call_count, auth.userinfo.call_count) == (1, 1)


def test_an_expiring_token_is_replaced_before_use(api: respx.MockRouter) -> None:
    auth = Auth(api, expires_in=0)
    route = api.get(f"{API}{WEBHOOKS}").respond(200, json=envelope([]))
    client = up42.Client(USERNAME, PASSWORD)

    client.get_webhooks()
    client.get_webhooks()

    sent = [call.request.headers["Authorization"] for call in route.calls]
    assert sent == [f"Bearer {TOKENS[1]}", f"Bearer {TOKENS[2]}"]
    assert auth.token.call_count == 3
    client.close()


def test_tokens_are_renewed_shortly_before_expiry() -> None:
    now = [1000.0]
    grants = iter([Grant("first", 300), Grant("second", 4), Grant("third", 4)])
    tokens = TokenSource(lambda: next(grants), clock=lambda: now[0])

    assert tokens.get() == "first"
    now[0] += 269.9  # a 300 s token is renewed 30 s early
    assert tokens.get() == "first"
    now[0] += 0.1
    assert tokens.get() == "second"
    now[0] += 3.5  # a 4 s token gets a 0.4 s margin
    assert tokens.get() == "second"
    now[0] += 0.1
    assert tokens.get() == "third"


def test_refresh_is_skipped_when_another_caller_already_refreshed() -> None:
    grants = iter([Grant("a", 300), Grant("b", 300)])
    tokens = TokenSource(lambda: next(grants))

    assert tokens.get() == "a"
    assert tokens.refresh("a") == "b"
    assert tokens.refresh("a") == "b"  # a late caller holding the stale token gets the new one, no new fetch


def test_a_401_refreshes_the_token_once_and_retries(api: respx.MockRouter, facade: None, auth: Auth) -> None:
    expired = error_envelope("UNAUTHORIZED", "ACCESS_TOKEN_EXPIRED: JWT expired at 2024-01-01T00:00:00Z")
    route = api.get(f"{API}{WEBHOOKS}").mock(
        side_effect=[httpx.Response(401, json=expired), httpx.Response(200, json=envelope([]))]
    )

    assert up42.get_webhooks() == []

    assert [c.request.headers["Authorization"] for c in route.calls] == [f"Bearer {TOKENS[0]}", f"Bearer {TOKENS[1]}"]
    assert auth.token.call_count == 2


def test_a_second_401_raises_authentication_error(api: respx.MockRouter, facade: None, auth: Auth) -> None:
    api.get(f"{API}{WEBHOOKS}").respond(401, json=error_envelope("UNAUTHORIZED", "token rejected"))

    with pytest.raises(up42.AuthenticationError) as caught:
        up42.get_webhooks()

    assert caught.value.status == 401
    assert caught.value.code == "UNAUTHORIZED"
    assert auth.token.call_count == 2
    assert all(token not in str(caught.value) for token in TOKENS)


def test_wrong_credentials_raise_authentication_error_naming_the_cause(api: respx.MockRouter) -> None:
    refusal = {"error": "invalid_grant", "error_description": "Invalid user credentials"}
    api.post(f"{AUTH}{TOKEN_PATH}").respond(401, json=refusal)

    with pytest.raises(up42.AuthenticationError) as caught:
        up42.authenticate(username=USERNAME, password=PASSWORD)

    message = str(caught.value)
    assert USERNAME in message
    assert "Invalid user credentials" in message
    assert caught.value.code == "invalid_grant"
    assert PASSWORD not in message
    assert PASSWORD not in repr(caught.value)
    assert caught.value.__cause__ is None and caught.value.__context__ is not None
    with pytest.raises(up42.NotAuthenticatedError):
        up42.get_webhooks()


def test_facade_before_authenticate_says_what_to_call() -> None:
    with pytest.raises(up42.NotAuthenticatedError, match=r"up42\.authenticate\("):
        up42.get_webhooks()
    for call in (up42.get_webhook_events, lambda: up42.initialize_webhook("x"),
                 lambda: up42.create_webhook("n", "https://e.example", ["order.status"])):  # fmt: skip
        with pytest.raises(up42.NotAuthenticatedError):
            call()


def test_authenticating_again_replaces_the_default_client(api: respx.MockRouter, auth: Auth) -> None:
    route = api.get(f"{API}{WEBHOOKS}").respond(200, json=envelope([]))
    up42.authenticate(username=USERNAME, password=PASSWORD)
    up42.authenticate(username="other@example.com", password=PASSWORD)

    up42.get_webhooks()

    assert parse_qs(auth.token.calls.last.request.content.decode())["username"] == ["other@example.com"]
    assert route.calls.last.request.headers["Authorization"] == f"Bearer {TOKENS[1]}"


def test_credentials_from_the_environment(api: respx.MockRouter, auth: Auth, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UP42_USERNAME", "env@example.com")
    monkeypatch.setenv("UP42_PASSWORD", "env-password")

    up42.authenticate()

    assert parse_qs(auth.token.calls.last.request.content.decode())["username"] == ["env@example.com"]


def test_credentials_from_a_cfg_file(api: respx.MockRouter, auth: Auth, tmp_path: Path) -> None:
    cfg = tmp_path / "credentials.json"
    cfg.write_text(json.dumps({"username": "file@example.com", "password": "file-password"}))

    up42.authenticate(cfg_file=cfg)

    form = parse_qs(auth.token.calls.last.request.content.decode())
    assert (form["username"], form["password"]) == (["file@example.com"], ["file-password"])


def test_arguments_win_over_the_environment(api: respx.MockRouter, auth: Auth, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UP42_USERNAME", "env@example.com")
    monkeypatch.setenv("UP42_PASSWORD", "env-password")

    up42.authenticate(username=USERNAME, password=PASSWORD)

    assert parse_qs(auth.token.calls.last.request.content.decode())["username"] == [USERNAME]


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("{not json " + PASSWORD, "not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
        ('["a list"]', "JSON object"),
        (json.dumps({"username": USERNAME}), "password from cfg_file .* got nothing"),
        (json.dumps({"username": 42, "password": PASSWORD}), "username from cfg_file .* got a int"),
    ],
)
def test_bad_cfg_files_are_refused_without_echoing_them(tmp_path: Path, content: str, match: str) -> None:
    cfg = tmp_path / "cfg.json"
    cfg.write_text(content)

    with pytest.raises(up42.InvalidArgumentError, match=match) as caught:
        up42.Client(cfg_file=cfg)

    assert PASSWORD not in str(caught.value)


def test_a_missing_cfg_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(up42.InvalidArgumentError, match="cannot read cfg_file .*missing.json"):
        up42.Client(cfg_file=tmp_path / "missing.json")


def test_no_credentials_at_all() -> None:
    with pytest.raises(up42.NotAuthenticatedError, match="UP42_USERNAME and UP42_PASSWORD"):
        up42.Client()


def test_a_username_without_password_is_refused() -> None:
    with pytest.raises(up42.InvalidArgumentError, match="password .* got nothing"):
        up42.Client(USERNAME)


def test_region_sa_uses_the_sa_hosts(api: respx.MockRouter) -> None:
    token = api.post(f"https://auth.sa.up42.com{TOKEN_PATH}").respond(200, json={"access_token": "t", "expires_in": 60})
    api.get(f"https://auth.sa.up42.com{USERINFO_PATH}").respond(200, json={"sub": WORKSPACE})
    events = api.get("https://api.sa.up42.com/webhooks/events").respond(200, json=envelope([]))

    with up42.Client(USERNAME, PASSWORD, region="sa") as client:
        assert client.get_webhook_events() == []

    assert token.called and events.called


def test_unknown_region_is_refused() -> None:
    with pytest.raises(up42.InvalidArgumentError, match="unknown region 'us'; choose one of eu, sa"):
        up42.Client(USERNAME, PASSWORD, region="us")


@pytest.mark.parametrize("from_env", [False, True])
def test_base_url_serves_api_and_auth_under_one_origin(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, from_env: bool
) -> None:
    origin = "http://127.0.0.1:8042"
    api.post(f"{origin}{TOKEN_PATH}").respond(200, json={"access_token": "t", "expires_in": 60})
    api.get(f"{origin}{USERINFO_PATH}").respond(200, json={"sub": WORKSPACE})
    route = api.get(f"{origin}{WEBHOOKS}").respond(200, json=envelope([]))
    if from_env:
        monkeypatch.setenv("UP42_BASE_URL", origin + "/")
        up42.authenticate(username=USERNAME, password=PASSWORD)
    else:
        up42.authenticate(username=USERNAME, password=PASSWORD, base_url=origin + "/")

    assert up42.get_webhooks() == []
    assert route.called


@pytest.mark.parametrize("url", ["api.up42.com", "ftp://x.example", "https://user:pw@x.example", ""])
def test_malformed_base_urls_are_refused(url: str) -> None:
    with pytest.raises(up42.InvalidArgumentError, match="base_url"):
        up42.Client(USERNAME, PASSWORD, base_url=url)


def test_client_repr_never_shows_the_password() -> None:
    client = up42.Client(USERNAME, PASSWORD)

    assert PASSWORD not in repr(client)
    assert PASSWORD not in repr(client._settings.credentials)
    client.close()


@pytest.mark.parametrize(
    ("argument", "hint"),
    [
        ("project_id", "project credentials were retired"),
        ("env", "pass base_url"),
        ("max_retires", "the retry options are max_retries, backoff_base, backoff_max, retry_after_max"),
    ],
)
def test_unknown_keyword_arguments_are_refused_by_name(argument: str, hint: str) -> None:
    with pytest.raises(up42.InvalidArgumentError, match=f"unexpected keyword argument '{argument}': {hint}") as caught:
        up42.authenticate(username=USERNAME, password=PASSWORD, **{argument: "x"})

    assert isinstance(caught.value, TypeError)
