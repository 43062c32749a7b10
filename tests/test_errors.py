"""Every failure reaches the user as a typed error that carries the status and names what failed."""

from __future__ import annotations

import email.utils
import re
import time
from typing import Any

import httpx
import pytest
import respx

import up42
from tests.conftest import API, PASSWORD, SECRET, TOKENS, WEBHOOKS, envelope, error_envelope, webhook_json
from up42._responses import retry_after

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

    with pytest.raises(
        up42.APIConnectionError, match=r"GET https://api.up42.com/workspaces/.* failed after 4 attempts: ConnectError"
    ):
        up42.get_webhooks()


@pytest.mark.parametrize("exc", [httpx.ConnectTimeout, httpx.ReadTimeout, httpx.PoolTimeout])
def test_timeouts_are_api_timeout_errors(api: respx.MockRouter, facade: None, exc: type[Exception]) -> None:
    api.get(LIST).mock(side_effect=exc("timed out"))

    with pytest.raises(up42.APITimeoutError, match=f"timed out \\({exc.__name__}\\)") as caught:
        up42.get_webhooks()

    assert isinstance(caught.value, up42.APIConnectionError)


def test_an_unreachable_token_endpoint_is_a_connection_error(api: respx.MockRouter) -> None:
    api.post(url__startswith="https://auth.up42.com").mock(side_effect=httpx.ConnectError("name resolution failed"))

    with pytest.raises(up42.APIConnectionError, match="POST https://auth.up42.com/realms/"):
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
