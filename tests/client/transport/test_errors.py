"""Every failure reaches the user as a typed error that carries the status and names what failed."""

from __future__ import annotations

import email.utils
import json
import logging
import re
import time
import traceback
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode

import httpx
import pytest
import respx

import up42
from tests.support.cli import fails, run
from tests.support.loopback import LoopbackServer, QuietHandler
from tests.support.mock_api import (
    API,
    ASYNC_BACKENDS,
    AUTH,
    PASSWORD,
    SECRET,
    TOKEN_PATH,
    TOKENS,
    USERINFO_PATH,
    USERNAME,
    WEBHOOKS,
    WORKSPACE,
    envelope,
    error_envelope,
    webhook_json,
)
from up42._client._responses import retry_after

LIST = f"{API}{WEBHOOKS}"
HOOK = webhook_json()


def assert_nothing_secret(error: BaseException) -> None:
    for text in (str(error), repr(error)):
        for secret in (PASSWORD, SECRET, *TOKENS):
            assert secret not in text


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, up42.ValidationError),
        (403, up42.PermissionDeniedError),
        (404, up42.NotFoundError),
        (422, up42.ValidationError),
        (429, up42.RateLimitError),
        (500, up42.ServerError),
        (503, up42.ServerError),
    ],
)
def test_error_statuses_map_to_classes_with_the_envelope_fields(
    api: respx.MockRouter, facade: None, status: int, cls: type[up42.APIError]
) -> None:
    details = {"field": "url"}
    api.post(LIST).respond(status, json=error_envelope("SOME_CODE", "what went wrong", details))

    with pytest.raises(cls) as caught:
        up42.create_webhook("n", "https://e.example/h", ["order.status"], secret=SECRET)

    error = caught.value
    assert (error.status, error.code, error.message, error.details) == (status, "SOME_CODE", "what went wrong", details)
    retried = "; after 4 attempts" if status == 429 else ""  # a refused POST is retried, a failed one is not
    assert str(error) == f"HTTP {status} SOME_CODE: what went wrong (POST {WEBHOOKS}{retried})"
    assert isinstance(error, up42.APIError) and isinstance(error, up42.UP42Error)
    assert_nothing_secret(error)


def test_an_integer_code_is_kept(api: respx.MockRouter, facade: None) -> None:
    api.get(f"{LIST}/nope").respond(404, json=error_envelope(404, "Webhook not found"))

    with pytest.raises(up42.NotFoundError) as caught:
        up42.initialize_webhook("nope")

    assert caught.value.code == 404
    assert str(caught.value) == f"HTTP 404: Webhook not found (GET {WEBHOOKS}/nope)"


@pytest.mark.parametrize("header", ["7", "HTTP-DATE"])
def test_rate_limit_error_carries_retry_after(api: respx.MockRouter, facade: None, header: str) -> None:
    value = email.utils.formatdate(time.time() + 7, usegmt=True) if header == "HTTP-DATE" else header
    api.get(LIST).respond(429, json=error_envelope("TOO_MANY_REQUESTS", "slow down"), headers={"Retry-After": value})

    with pytest.raises(up42.RateLimitError) as caught:
        up42.get_webhooks()

    assert caught.value.retry_after is not None
    assert 5.5 <= caught.value.retry_after <= 7.0


@pytest.mark.parametrize(
    ("value", "expected"), [(None, None), ("soon", None), ("-3", 0.0), ("1.5", 1.5), ("nan", None)]
)
def test_retry_after_parsing(value: str | None, expected: float | None) -> None:
    assert retry_after(value) == expected


def test_an_html_gateway_page_is_a_server_error(api: respx.MockRouter, facade: None) -> None:
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    api.get(LIST).respond(502, text=page, headers={"Content-Type": "text/html"})

    with pytest.raises(up42.ServerError) as caught:
        up42.get_webhooks()

    error = caught.value
    assert (error.status, error.code) == (502, None)
    assert "text/html body" in error.message and "not a JSON error" in error.message
    assert error.body == page


@pytest.mark.off_spec
@pytest.mark.parametrize(
    ("response", "cls", "fragment"),
    [
        (httpx.Response(500), up42.ServerError, "empty body"),
        (httpx.Response(500, json=["not", "an", "envelope"]), up42.ServerError, "Internal Server Error"),
        (httpx.Response(400, json={"data": None, "error": "plain text error"}), up42.ValidationError,
         "plain text error"),
        (httpx.Response(418, json=error_envelope("TEAPOT", "short and stout")), up42.APIError, "short and stout"),
        (httpx.Response(499), up42.APIError, "HTTP 499"),
        (httpx.Response(520, text="origin error"), up42.ServerError, "HTTP 520"),
        (httpx.Response(500, content=b"[" * 100_000 + b"]" * 100_000), up42.ServerError, "not a JSON error"),
        (httpx.Response(302, headers={"Location": "https://login.example"}), up42.APIError, "HTTP 302"),
    ],
)  # fmt: skip
def test_unusual_error_responses_are_still_typed(
    api: respx.MockRouter, facade: None, response: httpx.Response, cls: type[Exception], fragment: str
) -> None:
    api.get(LIST).mock(return_value=response)

    with pytest.raises(cls, match=fragment) as caught:
        up42.get_webhooks()

    assert caught.value.status == response.status_code  # type: ignore[attr-defined]


@pytest.mark.off_spec
@pytest.mark.parametrize(
    ("response", "fragment"),
    [
        (httpx.Response(200, text="<html>maintenance</html>"), "the body is not JSON"),
        (httpx.Response(200, content=b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
         "the body is JSON nested too deeply to decode"),
        (httpx.Response(200, content=b""), "the body is not JSON"),
        (httpx.Response(200, json={"data": [{**HOOK, "createdAt": None}]}),
         "field 'data[0].createdAt': fromisoformat: argument must be str"),
        (httpx.Response(200, json={"data": [{k: v for k, v in HOOK.items() if k != "createdAt"}]}),
         "missing field 'data[0].createdAt'"),
        (httpx.Response(200, json={"data": [{**HOOK, "active": "yes"}]}),
         "field 'data[0].active': expected bool, got str"),
        (httpx.Response(200, json={"data": [{**HOOK, "events": "order.status"}]}),
         "field 'data[0].events': expected list, got str"),
        (httpx.Response(200, json={"data": [HOOK, {**HOOK, "events": ["order.status", 1]}]}),
         "field 'data[1].events[1]': 1 is not a valid EventName"),
        (httpx.Response(200, json={"data": [{**HOOK, "name": 7}]}), "field 'data[0].name': expected str, got int"),
        (httpx.Response(200, json={"data": [{**HOOK, "secret": 7}]}),
         "field 'data[0].secret': expected None | str, got int"),
        (httpx.Response(200, json={"data": [{**HOOK, "createdAt": "yesterday"}]}),
         "field 'data[0].createdAt': Invalid isoformat string: 'yesterday'"),
        (httpx.Response(200, json={"data": ["not a webhook"]}), "field 'data[0]': expected an object, got str"),
        (httpx.Response(200, json={"data": None, "error": {"code": "X", "message": "m"}}),
         "field 'data': expected list, got NoneType"),
        (httpx.Response(200, json={"data": [HOOK], "error": {"code": "X", "message": "m"}}),
         "field 'error': expected None, got dict"),
        (httpx.Response(200, json=[HOOK]), "TypeError: expected an object, got list"),
        (httpx.Response(204), "expected a WebhookListEnvelope body"),
        (httpx.Response(299, json=envelope([HOOK])), "HTTP 299 is not a status this API answers with"),
    ],
)  # fmt: skip
def test_success_bodies_that_break_the_contract_raise_response_parse_error(
    api: respx.MockRouter, facade: None, response: httpx.Response, fragment: str
) -> None:
    api.get(LIST).mock(return_value=response)

    with pytest.raises(up42.ResponseParseError, match=re.escape(fragment)) as caught:
        up42.get_webhooks()

    assert caught.value.status == response.status_code
    assert f"from GET {WEBHOOKS}" in str(caught.value)
    assert_nothing_secret(caught.value)


def test_a_refused_connection_is_an_api_connection_error(api: respx.MockRouter, facade: None) -> None:
    api.get(LIST).mock(side_effect=httpx.ConnectError("[Errno 111] Connection refused"))

    with pytest.raises(up42.APIConnectionError) as caught:
        up42.get_webhooks()

    # A mocked failure carries no system error behind it: its text is read, without the errno.
    assert str(caught.value) == "cannot reach UP42 at https://api.up42.com: connection refused (after 4 attempts)"


@pytest.mark.parametrize("exc", [httpx.ConnectTimeout, httpx.ReadTimeout, httpx.PoolTimeout])
def test_timeouts_are_api_timeout_errors(api: respx.MockRouter, facade: None, exc: type[Exception]) -> None:
    api.get(LIST).mock(side_effect=exc("timed out"))

    with pytest.raises(up42.APITimeoutError, match=f"timed out \\({exc.__name__}\\)") as caught:
        up42.get_webhooks()

    assert isinstance(caught.value, up42.APIConnectionError)


def test_an_unreachable_token_endpoint_is_a_connection_error(api: respx.MockRouter) -> None:
    api.post(url__startswith="https://auth.up42.com").mock(side_effect=httpx.ConnectError("name resolution failed"))

    with pytest.raises(up42.APIConnectionError, match="^cannot reach UP42 at https://auth.up42.com: name resolution"):
        up42.authenticate(username="me@example.com", password=PASSWORD)


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({"name": 1}, "name must be a string, got a int"),
        ({"url": None}, "url must be a string, got a NoneType"),
        ({"events": "order.status"}, r"events must be a list of event names such as \['order.status'\], got a string"),
        ({"events": ["order.status", ""]}, "each event must be a non-empty string"),
        ({"events": [None]}, "each event must be a non-empty string"),
        ({"events": None}, "events must be a list"),
        ({"active": "yes"}, "active must be True or False, got a string"),
        ({"secret": 12345}, "secret must be a string or None, got a int"),
    ],
)
def test_bad_create_arguments_are_refused_before_anything_is_sent(
    api: respx.MockRouter, facade: None, arguments: dict[str, Any], match: str
) -> None:
    calls_before = len(api.calls)
    valid = {"name": "n", "url": "https://e.example/h", "events": ["order.status"]}

    with pytest.raises(up42.InvalidArgumentError, match=match) as caught:
        up42.create_webhook(**{**valid, **arguments})

    assert len(api.calls) == calls_before
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, TypeError)
    assert "12345" not in str(caught.value)


@pytest.mark.parametrize(
    ("arguments", "match"),
    [({"events": "job.status"}, "events must be a list"), ({"active": 1}, "active must be True or False")],
)
def test_bad_update_arguments_are_refused_before_anything_is_sent(
    api: respx.MockRouter, facade: None, arguments: dict[str, Any], match: str
) -> None:
    api.get(f"{LIST}/{HOOK['id']}").respond(200, json=envelope(HOOK))
    hook = up42.initialize_webhook(HOOK["id"])
    calls_before = len(api.calls)

    with pytest.raises(up42.InvalidArgumentError, match=match):
        hook.update(**arguments)

    assert len(api.calls) == calls_before


@pytest.mark.parametrize("webhook_id", ["", "   ", None, 42])
def test_bad_webhook_ids_are_refused_before_anything_is_sent(
    api: respx.MockRouter, facade: None, webhook_id: Any
) -> None:
    calls_before = len(api.calls)

    with pytest.raises(up42.InvalidArgumentError, match="webhook_id must be a non-empty string"):
        up42.initialize_webhook(webhook_id)

    assert len(api.calls) == calls_before


@pytest.mark.parametrize("webhook_id", [".", ".."])
def test_a_dot_segment_is_refused_as_an_id(api: respx.MockRouter, facade: None, webhook_id: str) -> None:
    calls_before = len(api.calls)

    with pytest.raises(up42.InvalidArgumentError, match="would name another path of the API"):
        up42.initialize_webhook(webhook_id)

    assert len(api.calls) == calls_before


def test_ids_are_percent_encoded_into_one_path_segment(api: respx.MockRouter, facade: None) -> None:
    route = api.get(f"{LIST}/a%2Fb").respond(404, json=error_envelope("RESOURCE_NOT_FOUND", "no such webhook"))

    with pytest.raises(up42.NotFoundError):
        up42.initialize_webhook("a/b")

    assert route.called


@pytest.mark.parametrize("timeout", [0, -1, "10", True])
def test_bad_timeouts_are_refused(timeout: Any) -> None:
    with pytest.raises(up42.InvalidArgumentError, match="timeout must be"):
        up42.Client("u", "p", timeout=timeout)


# A password, a webhook secret and a wrong password, each with characters that JSON, a form and a URL escape.
ECHO_PASSWORD = 'pa55/wörd+"echoed"-never-shown'
ECHO_SECRET = 'whsec/é+"echoed" never-shown'
WRONG_PASSWORD = "wrong/pässword+echoed-never-shown"
ECHO_LIST = f"/workspaces/{WORKSPACE}/webhooks"
EVENTS_PATH = "/webhooks/events"


class Echo(LoopbackServer):
    """A server that repeats what it was sent, in every spelling an error could keep: the password of a refused
    login, the bearer token of a refused call, the secret of a refused webhook, a webhook whose date is that
    secret, and a status line that is not HTTP quoting the token."""

    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.secrets: list[str] = []
        super().__init__(_EchoHandler)

    def sent(self) -> list[str]:
        """Every credential the clients sent, as the tests must never find them."""
        return [ECHO_PASSWORD, WRONG_PASSWORD, *self.secrets, *self.tokens]


def _echoed(raw: str, authorization: str, secret: str) -> dict[str, Any]:
    token = authorization.removeprefix("Bearer ")
    return {
        "request": raw,
        "headers": f"Authorization: {authorization}",
        "token": token,
        "apiKey": secret,
        "hints": [f"a secret such as {secret} is too weak", json.dumps(raw), urlencode({"s": secret, "t": token})],
    }


class _EchoHandler(QuietHandler):
    server: Echo

    def do_GET(self) -> None:
        self.handle_one()

    do_POST = do_PUT = do_GET

    def handle_one(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        authorization = self.headers.get("Authorization", "")
        if self.path == TOKEN_PATH:
            password = dict(parse_qsl(raw))["password"]
            if password != ECHO_PASSWORD:
                description = f"no user has the password {password} ({raw})"
                self.answer(401, {"error": "invalid_grant", "error_description": description}, {"X-Echo": raw})
                return
            self.server.tokens.append(f"tok-{uuid.uuid4()}-never-shown")
            self.answer(200, {"access_token": self.server.tokens[-1], "expires_in": 300, "token_type": "Bearer"})
        elif self.path == USERINFO_PATH:
            self.answer(200, {"sub": WORKSPACE})
        elif self.path == EVENTS_PATH:
            self.wfile.write(f"HTTP/1.1 2OO {authorization}\r\n\r\n".encode())
            self.close_connection = True
        elif self.command == "POST":
            secret = json.loads(raw)["secret"]
            self.server.secrets.append(secret)
            message = f"refused {raw} sent with Authorization: {authorization}"
            echo = {"X-Echo-Authorization": authorization, "X-Echo-Secret": quote(secret)}
            self.answer(422, error_envelope("VALIDATION", message, _echoed(raw, authorization, secret)), echo)
        elif self.path == ECHO_LIST:
            message = f"the token in 'Authorization: {authorization}' is not valid"
            self.answer(401, error_envelope("UNAUTHORIZED", message, _echoed(raw, authorization, "")))
        else:
            self.answer(200, envelope(webhook_json(createdAt=self.server.secrets[-1])))


@pytest.fixture
def echo() -> Iterator[Echo]:
    server = Echo()
    yield server
    server.stop()


def spellings(value: str) -> set[str]:
    """``value`` as it is, and as JSON, a form and a URL escape it."""
    return {
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        quote(value, safe=""),
        quote_plus(value, safe=""),
    }


def kept(error: BaseException) -> str:
    """Everything an error keeps that a program could print or log, its traceback and the errors chained to it too."""
    parts = [str(error), repr(error), *map(str, error.args), "".join(traceback.format_exception(error))]
    parts += [str(getattr(error, name, "")) for name in ("message", "code", "details", "body", "headers")]
    return "\n".join(parts)


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """The SDK's log records and httpx's request lines (httpcore's debug trace shows the raw traffic, as a packet
    capture would)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name.split(".")[0] in ("up42", "httpx"))


def assert_none_kept(texts: list[str], secrets: list[str]) -> None:
    for secret in secrets:
        for spelling in spellings(secret):
            for text in texts:
                assert spelling not in text


def test_credentials_echoed_by_the_server_are_masked_by_value(echo: Echo, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with up42.Client(USERNAME, ECHO_PASSWORD, base_url=echo.url, max_retries=0) as client:
        with pytest.raises(up42.ValidationError) as created:
            client.create_webhook("n", "https://e.example/h", ["order.status"], secret=ECHO_SECRET)
        with pytest.raises(up42.AuthenticationError) as listed:
            client.get_webhooks()  # refused twice: the token, then the renewed one
        with pytest.raises(up42.ResponseParseError) as parsed:
            client.initialize_webhook(HOOK["id"])
        with pytest.raises(up42.APIConnectionError) as broken:
            client.get_webhook_events()
    with (
        up42.Client(USERNAME, WRONG_PASSWORD, base_url=echo.url) as wrong,
        pytest.raises(up42.AuthenticationError) as refused,
    ):
        wrong.authenticate()

    assert len(echo.tokens) == 2
    errors = [created.value, listed.value, parsed.value, broken.value, refused.value]
    assert "********" in created.value.body and "Authorization" in created.value.message
    assert_none_kept([*map(kept, errors), logged(caplog)], echo.sent())


@pytest.mark.parametrize("backend", ASYNC_BACKENDS)
async def test_credentials_echoed_to_the_async_client_are_masked_by_value(
    echo: Echo, backend: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with up42.AsyncClient(
        USERNAME, ECHO_PASSWORD, base_url=echo.url, http_backend=backend, max_retries=0
    ) as client:
        with pytest.raises(up42.ValidationError) as created:
            await client.create_webhook("n", "https://e.example/h", ["order.status"], secret=ECHO_SECRET)
        with pytest.raises(up42.AuthenticationError) as listed:
            await client.get_webhooks()
        with pytest.raises(up42.ResponseParseError) as parsed:
            await client.initialize_webhook(HOOK["id"])
        with pytest.raises(up42.APIConnectionError) as broken:
            await client.get_webhook_events()
    async with up42.AsyncClient(USERNAME, WRONG_PASSWORD, base_url=echo.url, http_backend=backend) as wrong:
        with pytest.raises(up42.AuthenticationError) as refused:
            await wrong.authenticate()

    assert len(echo.tokens) == 2
    errors = [created.value, listed.value, parsed.value, broken.value, refused.value]
    assert_none_kept([*map(kept, errors), logged(caplog)], echo.sent())


def test_the_command_line_prints_no_echoed_credential(echo: Echo) -> None:
    create = ["webhooks", "create", "--name", "n", "--url", "https://e.example/h", "--event", "order.status"]
    account = ["--base-url", echo.url, "--username", USERNAME, "--password", ECHO_PASSWORD]
    result = run(None, *create, "--secret", ECHO_SECRET, *account)

    assert "HTTP 422 VALIDATION" in fails(result)
    assert_none_kept([result.stderr], echo.sent())


HIDDEN = "hidden-value-never-shown"


@pytest.mark.off_spec
@pytest.mark.parametrize(
    "body",
    [
        f'{{"token": "{HIDDEN}"}}',
        f'{{"apiKey": "{HIDDEN}"}}',
        f'{{"X-Api-Key": "{HIDDEN}"}}',
        f'{{"refreshToken": "{HIDDEN}", "expires": 3}}',
        f'{{"Password": "{HIDDEN}"}}',
        f'{{"note": "{{\\"secret\\": \\"{HIDDEN}\\"}}"}}',
        f'{{"\\u0073ecret": "{HIDDEN}"}}',
        f'{{"\\u0073\\u0065\\u0063\\u0072\\u0065\\u0074": "{HIDDEN}"}}',
        f"next=%2Fcb%3Fsecret%3D{HIDDEN}%26x%3D1",
        f"note=%7B%22secret%22%3A%22{HIDDEN}%22%7D",
        f"client_secret={HIDDEN}&x=1",
        f"{{'secret': '{HIDDEN}'}}",
        f"secret: {HIDDEN}",
        f"Authorization: Bearer {HIDDEN}",
        f'{{"authorization": "Basic {HIDDEN}"}}',
    ],
)
def test_credentials_are_masked_by_key_name_in_every_spelling(api: respx.MockRouter, facade: None, body: str) -> None:
    api.get(LIST).respond(500, text=body)

    with pytest.raises(up42.ServerError) as caught:
        up42.get_webhooks()

    assert HIDDEN not in caught.value.body
    assert "********" in caught.value.body


@pytest.mark.off_spec
def test_headers_are_masked_by_name_and_details_stay_readable(api: respx.MockRouter, facade: None) -> None:
    # The keys of details name the request's fields, and their values say what is wrong with them.
    details = {"secret": "must be at most 500 characters long", "seen": f"Authorization: Bearer {HIDDEN}"}
    headers = {"X-Api-Key": HIDDEN, "Set-Cookie": f"session={HIDDEN}", "X-Trace": f"Bearer {HIDDEN}"}
    api.get(LIST).respond(422, json=error_envelope("VALIDATION", "bad", details), headers=headers)

    with pytest.raises(up42.ValidationError) as caught:
        up42.get_webhooks()

    assert caught.value.details == {
        "secret": "must be at most 500 characters long",
        "seen": "Authorization: Bearer ********",
    }
    assert caught.value.headers["x-api-key"] == caught.value.headers["set-cookie"] == "********"
    assert HIDDEN not in kept(caught.value)


@pytest.mark.off_spec
def test_a_short_credential_is_masked_where_it_stands_alone(api: respx.MockRouter, auth: object) -> None:
    message = "password Xq7 refused; Xq7z and aXq7 are other words"
    api.get(LIST).respond(422, json=error_envelope("VALIDATION", message))

    with up42.Client(USERNAME, "Xq7") as client, pytest.raises(up42.ValidationError) as caught:
        client.get_webhooks()

    assert caught.value.message == "password ******** refused; Xq7z and aXq7 are other words"
    assert "password ******** refused" in caught.value.body


@pytest.mark.off_spec
def test_the_body_excerpt_is_masked_beyond_where_masking_shortens_it(api: respx.MockRouter, auth: object) -> None:
    # Ten long credentials shrink to ten masks: the excerpt reaches far past the first 2,000 characters sent.
    password = "p" + "a55w0rd" * 150
    api.get(LIST).respond(500, text=f"{password} " * 10 + "the end")

    with up42.Client(USERNAME, password) as client, pytest.raises(up42.ServerError) as caught:
        client.get_webhooks()

    assert caught.value.body == "******** " * 10 + "the end"


@pytest.mark.off_spec
def test_a_sent_secret_stays_masked_however_many_tokens_are_renewed(api: respx.MockRouter) -> None:
    issued: list[str] = []

    def issue(request: httpx.Request) -> httpx.Response:
        issued.append(f"renewed-token-{len(issued)}-never-shown")
        return httpx.Response(200, json={"access_token": issued[-1], "expires_in": 0, "token_type": "Bearer"})

    api.post(f"{AUTH}{TOKEN_PATH}").mock(side_effect=issue)
    api.get(f"{AUTH}{USERINFO_PATH}").respond(200, json={"sub": WORKSPACE})
    api.post(LIST).respond(200, json=envelope(HOOK))
    listed = api.get(LIST).respond(200, json=envelope([]))
    with up42.Client(USERNAME, PASSWORD) as client:
        client.create_webhook("n", "https://e.example/h", ["order.status"], secret=ECHO_SECRET)
        for _ in range(200):  # a token expiring at once is renewed for every call
            client.get_webhooks()
        listed.respond(422, json=error_envelope("VALIDATION", f"{ECHO_SECRET} is weak; the token was {issued[-1]}"))
        with pytest.raises(up42.ValidationError) as caught:
            client.get_webhooks()

    assert len(issued) > 200
    assert caught.value.message == "******** is weak; the token was ********"
    assert_none_kept([kept(caught.value)], [ECHO_SECRET, issued[-1]])


@pytest.mark.parametrize(
    ("url", "password"),
    [
        ("https://me:pw-in-a-url-never-shown@e.example/h", "pw-in-a-url-never-shown"),
        ("https://me:pw%2Fin-a-url%40never-shown@e.example/h", "pw/in-a-url@never-shown"),
        ("https://me:pw/in-a-url-never-shown@e.example/h", "pw/in-a-url-never-shown"),
    ],
)
def test_the_password_in_a_sent_webhook_url_is_masked_by_value(echo: Echo, url: str, password: str) -> None:
    with (
        up42.Client(USERNAME, ECHO_PASSWORD, base_url=echo.url) as client,
        pytest.raises(up42.ValidationError) as caught,
    ):
        client.create_webhook("n", url, ["order.status"], secret=ECHO_SECRET)

    assert_none_kept([kept(caught.value)], [password, *echo.sent()])


@pytest.mark.off_spec
@pytest.mark.parametrize(
    "message",
    [
        "Basic authentication is not supported",
        "Bearer tokens expire after 5 minutes",
        "use basic authorization or a bearer token instead",
    ],
)
def test_prose_after_bearer_or_basic_stays_readable(api: respx.MockRouter, facade: None, message: str) -> None:
    api.get(LIST).respond(400, json=error_envelope("VALIDATION", message))

    with pytest.raises(up42.ValidationError) as caught:
        up42.get_webhooks()

    assert caught.value.message == message


@pytest.mark.off_spec
@pytest.mark.parametrize(
    "credential",
    [
        "dXNlcjpwYXNzd29yZA==",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
        "c2VjcmV0",
        "a1b2c3d4-e5f6",
        "xqZkpLmwRt",
    ],
)
def test_a_credential_after_bearer_or_basic_is_masked_anywhere(
    api: respx.MockRouter, facade: None, credential: str
) -> None:
    api.get(LIST).respond(400, json=error_envelope("VALIDATION", f"got Basic {credential}, then bearer {credential}."))

    with pytest.raises(up42.ValidationError) as caught:
        up42.get_webhooks()

    assert caught.value.message == "got Basic ********, then bearer ********."
