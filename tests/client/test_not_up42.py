"""A base URL that leads to a web server other than UP42 is said in words, not read as refused credentials.

Real loopback servers answer the token request as such servers do: a page, plain text, nothing.
"""

from __future__ import annotations

import pytest

import up42
from tests.support.loopback import Answering
from tests.support.mock_api import PASSWORD, USERNAME

TOKEN = "POST /realms/public/protocol/openid-connect/token"


def token_failure(servers: list[Answering], status: int, content_type: str, body: bytes) -> up42.UP42Error:
    server = Answering(status, content_type, body)
    servers.append(server)
    with up42.Client(USERNAME, PASSWORD, base_url=server.url) as client, pytest.raises(up42.UP42Error) as caught:
        client.get_webhooks()
    return caught.value


@pytest.mark.parametrize(
    ("status", "content_type", "body", "kind", "what"),
    [
        (404, "text/html; charset=utf-8", b"<html><h1>Not Found</h1></html>", up42.NotFoundError, "an HTML page"),
        (404, "application/json", b'{"detail": "Not Found"}', up42.NotFoundError, "a JSON body"),
        (405, "text/plain", b"Method Not Allowed", up42.APIError, "a text/plain body"),
        (401, "text/html", b"<h1>Log in first</h1>", up42.AuthenticationError, "an HTML page"),
        (400, "", b"", up42.ValidationError, "an empty body"),
        (501, "text/html", b"<h1>Unsupported method</h1>", up42.ServerError, "an HTML page"),
    ],
)
def test_an_error_answer_that_no_up42_gives_says_what_the_place_is(
    servers: list[Answering], status: int, content_type: str, body: bytes, kind: type[up42.APIError], what: str
) -> None:
    error = token_failure(servers, status, content_type, body)

    assert type(error) is kind  # the class still follows the status
    assert isinstance(error, up42.APIError)
    assert error.status == status
    assert error.code is None
    assert str(error).startswith(
        f"HTTP {status}: {servers[0].url} is not an UP42 API: its token endpoint answered with {what} ({TOKEN}"
    )
    assert "refused the credentials" not in str(error)
    assert PASSWORD not in str(error)


def test_a_success_that_is_not_a_token_says_what_the_place_is(servers: list[Answering]) -> None:
    error = token_failure(servers, 200, "text/plain", b"hello")

    assert isinstance(error, up42.ResponseParseError)
    assert str(error) == (
        f"HTTP 200 from {TOKEN}: {servers[0].url} is not an UP42 API: "
        "its token endpoint answered with a text/plain body"
    )
    assert error.body == "hello"


def test_a_gateway_page_in_front_of_up42_is_still_a_server_error(servers: list[Answering]) -> None:
    error = token_failure(servers, 502, "text/html", b"<h1>Bad Gateway</h1>")

    assert isinstance(error, up42.ServerError)
    assert "is not an UP42 API" not in str(error)
    assert str(error).startswith("HTTP 502: Bad Gateway (a text/html body of 20 bytes, not a JSON error)")


def test_an_oauth_refusal_is_still_a_refusal_of_the_credentials(servers: list[Answering]) -> None:
    error = token_failure(servers, 401, "application/json", b'{"error": "invalid_grant"}')

    assert isinstance(error, up42.AuthenticationError)
    assert f"UP42 refused the credentials of {USERNAME!r}" in str(error)
