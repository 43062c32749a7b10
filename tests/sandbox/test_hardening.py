"""The sandbox against hostile input over real HTTP: text that cannot be encoded, numbers JSON has not, oversized
fields and query parameters, foreign Host headers and cross-site browser requests. Nothing gets a 500, and the
keep-alive connection stays usable after every refusal."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.contract import check_against_spec
from tests.support.receivers import Recorder
from tests.support.sandbox import TOKEN, USERINFO, Session, valid_body
from tests.support.waiting import wait_for
from up42.sandbox import RetryPolicy, Sandbox
from up42.sandbox._validation import MAX_EVENTS, NAME_MAX_LENGTH, URL_MAX_LENGTH

LONE = '"\\ud800"'  # a JSON string holding a lone surrogate


def client_port(response: httpx.Response) -> int:
    """The client's port of the connection that carried ``response``: the same one means it was kept alive."""
    port: int = response.extensions["network_stream"].get_extra_info("client_addr")[1]
    return port


def raw_json(**fields: str) -> bytes:
    """A JSON object whose values are given as JSON text, so that they can hold what no encoder writes."""
    return ("{" + ", ".join(f'"{name}": {value}' for name, value in fields.items()) + "}").encode()


@pytest.fixture
def tools(up42_sandbox: Sandbox) -> Iterator[httpx.Client]:
    """Spec-checked HTTP to the /sandbox/ paths."""
    with httpx.Client(base_url=up42_sandbox.url, event_hooks={"response": [check_against_spec]}, timeout=30) as http:
        yield http


def _webhook_body(**raw: str) -> bytes:
    fields = {name: json.dumps(value) for name, value in valid_body().items()}
    return raw_json(**{**fields, **raw})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", LONE),
        ("secret", f'"abc{LONE[1:]}'),
        ("url", '"https://example.com/\\udc80"'),
        ("events", f"[{LONE}]"),
    ],
)
def test_a_lone_surrogate_in_a_webhook_is_422_naming_the_field_and_the_connection_lives_on(
    session: Session, field: str, value: str
) -> None:
    before = session.http.get(session.hooks)
    headers = {"Content-Type": "application/json"}
    refused = session.http.post(session.hooks, content=_webhook_body(**{field: value}), headers=headers)
    after = session.http.get(session.hooks)

    assert refused.status_code == 422
    problem = refused.json()["error"]
    assert field in problem["message"]
    assert field in problem["details"] or f"{field}[0]" in problem["details"]
    assert "lone surrogate" in problem["message"]
    assert after.status_code == 200
    assert after.json()["data"] == []
    assert client_port(before) == client_port(refused) == client_port(after)


def test_a_non_ascii_authorization_header_is_401_and_the_connection_lives_on(session: Session) -> None:
    before = session.http.get(session.hooks)
    for path in (session.hooks, USERINFO):
        for value in ("Bearer é".encode("latin-1"), "Bearer ключ".encode()):
            refused = session.http.get(path, headers={"Authorization": value})
            assert refused.status_code == 401, refused.text
            assert client_port(refused) == client_port(before)
    assert session.http.get(session.hooks).status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("name", "n" * (NAME_MAX_LENGTH + 1), f"must be at most {NAME_MAX_LENGTH} characters long"),
        ("url", "https://example.com/" + "p" * URL_MAX_LENGTH, f"must be at most {URL_MAX_LENGTH} characters long"),
        ("events", [f"event.{n}" for n in range(MAX_EVENTS + 1)], f"must list at most {MAX_EVENTS} event names"),
    ],
)
def test_names_urls_and_event_lists_are_bounded(session: Session, field: str, value: Any, problem: str) -> None:
    refused = session.http.post(session.hooks, json=valid_body(**{field: value}))
    assert refused.status_code == 422
    assert refused.json()["error"]["details"] == {field: problem}
    assert session.http.post(session.hooks, json=valid_body(name="n" * NAME_MAX_LENGTH)).status_code == 200


def test_an_event_name_listed_again_counts_once_towards_the_bound(session: Session) -> None:
    events = ["order.status", "job.status"] * MAX_EVENTS
    created = session.http.post(session.hooks, json=valid_body(events=events))
    assert created.status_code == 200, created.text
    assert created.json()["data"]["events"] == ["order.status", "job.status"]


def test_a_lone_surrogate_in_a_simulated_body_is_422_naming_the_field(tools: httpx.Client) -> None:
    body = raw_json(event='"order.status"', body=raw_json(orderId=LONE).decode())
    before = tools.get("/sandbox/deliveries")
    refused = tools.post("/sandbox/events", content=body, headers={"Content-Type": "application/json"})
    assert refused.status_code == 422
    assert list(refused.json()["error"]["details"]) == ["body.orderId"]
    assert tools.get("/sandbox/deliveries").status_code == 200
    assert client_port(before) == client_port(refused)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_numbers_json_does_not_have_are_400(tools: httpx.Client, number: str) -> None:
    body = raw_json(event='"order.status"', body=raw_json(orderId='"o"', extra=number).decode())
    refused = tools.post("/sandbox/events", content=body, headers={"Content-Type": "application/json"})
    assert refused.status_code == 400
    assert number.lstrip("-") in refused.json()["error"]["message"]


@pytest.mark.parametrize("limit", ["99999999999999999999", "10001", "0", "²", "-1", "1e3"])
def test_a_limit_out_of_range_is_400_naming_it(tools: httpx.Client, limit: str) -> None:
    refused = tools.get("/sandbox/deliveries", params={"limit": limit})
    assert refused.status_code == 400
    assert list(refused.json()["error"]["details"]) == ["limit"]
    assert tools.get("/sandbox/deliveries", params={"limit": "10000"}).status_code == 200


def test_a_since_beyond_the_calendar_is_refused_naming_it(tools: httpx.Client) -> None:
    for since in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
        listed = tools.get("/sandbox/deliveries", params={"since": since})
        assert (listed.status_code, list(listed.json()["error"]["details"])) == (400, ["since"])
        resent = tools.post("/sandbox/deliveries/resend", json={"state": "failed", "since": since})
        assert (resent.status_code, list(resent.json()["error"]["details"])) == (422, ["since"])


def _host(sandbox: Sandbox, host: str) -> httpx.Response:
    return httpx.get(f"{sandbox.url}/sandbox/deliveries", headers={"Host": host}, trust_env=False)


def test_a_request_addressed_to_a_foreign_name_is_refused_on_loopback(up42_sandbox: Sandbox) -> None:
    port = up42_sandbox.url.rsplit(":", 1)[1]
    for host in (f"attacker.example:{port}", "attacker.example", f"192.168.1.5:{port}", f"[2001:db8::1]:{port}"):
        refused = _host(up42_sandbox, host)
        assert refused.status_code == 403, host
        assert "loopback" in refused.json()["error"]["message"]
    dashboard = httpx.get(f"{up42_sandbox.url}/dashboard", headers={"Host": "attacker.example"}, trust_env=False)
    assert dashboard.status_code == 403
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost", f"127.0.0.2:{port}", f"[::1]:{port}"):
        assert _host(up42_sandbox, host).status_code == 200, host


def test_bound_to_every_address_any_name_is_answered() -> None:
    with Sandbox(host="0.0.0.0") as sandbox:  # noqa: S104 - what is tested: the sandbox on every address
        assert _host(sandbox, "attacker.example").status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}, {"Origin": "https://attacker.example"}],
)
def test_state_changes_from_other_sites_are_refused(serve: Any, headers: dict[str, str]) -> None:
    recorder = Recorder([500])
    with Sandbox(retry=RetryPolicy(attempts=1)) as sandbox, httpx.Client(base_url=sandbox.url, timeout=30) as http:
        with Session(sandbox) as session:
            hook = valid_body(url=serve(recorder), active=True)
            assert session.http.post(session.hooks, json=hook).status_code == 200
        (delivery,) = sandbox.trigger("order.status")["deliveries"]
        wait_for(lambda: http.get(f"/sandbox/deliveries/{delivery['id']}").json()["data"]["state"] == "failed")

        for path, body in [
            ("/sandbox/events", {"event": "order.status"}),
            ("/sandbox/deliveries/resend", {"state": "failed"}),
            (f"/sandbox/deliveries/{delivery['id']}/resend", None),
            (f"/dashboard/deliveries/{delivery['id']}/resend", None),
        ]:
            refused = http.post(path, json=body, headers=headers)
            assert refused.status_code == 403, path
            assert "another site" in refused.json()["error"]["message"]
        assert len(recorder.requests) == 1  # nothing more was sent

        own = {"Sec-Fetch-Site": "same-origin", "Origin": sandbox.url}
        assert http.post(f"/sandbox/deliveries/{delivery['id']}/resend", headers=own).status_code == 200
        assert http.post("/sandbox/events", json={"event": "order.status"}).status_code == 200  # not a browser
        assert http.get("/sandbox/deliveries", headers=headers).status_code == 200  # reading changes nothing
    assert len(recorder.requests) == 3


@pytest.mark.parametrize(
    ("path", "media_type"),
    [("/sandbox/events", "application/json"), (TOKEN, "application/x-www-form-urlencoded")],
)
def test_a_client_that_leaves_mid_body_is_one_line_in_the_log(
    caplog: pytest.LogCaptureFixture, path: str, media_type: str
) -> None:
    caplog.set_level(logging.INFO)
    with Sandbox() as sandbox:
        with socket.create_connection(("127.0.0.1", int(sandbox.url.rsplit(":", 1)[1]))) as raw:
            head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {media_type}\r\nContent-Length: 1000\r\n"
            raw.sendall(f"{head}\r\n".encode() + b'{"event": "order.st')
        wait_for(lambda: any(path in record.getMessage() for record in caplog.records))
    # Stopped: whatever the server had to say about that connection is said.
    about = [record for record in caplog.records if path in record.getMessage()]
    assert [(record.name, record.levelname) for record in about] == [("up42.sandbox", "INFO")]
    assert about[0].getMessage() == f"POST {path}: the client left before sending the whole body"
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING] == []
    assert not any(record.exc_info for record in caplog.records)


# Each kind of path: auth, API, the sandbox's own and the dashboard; paths with several methods, each served by a
# route of its own; a concrete path beside a templated one (a GET of /sandbox/deliveries/resend reads a delivery).
NOT_ALLOWED = [
    ("GET", TOKEN, "POST"),
    ("POST", USERINFO, "GET, HEAD"),
    ("DELETE", "/webhooks/events", "GET, HEAD"),
    ("PATCH", "/workspaces/w/webhooks", "GET, HEAD, POST"),
    ("POST", "/workspaces/w/webhooks/h", "DELETE, GET, HEAD, PUT"),
    ("HEAD", "/workspaces/w/webhooks/h/tests", "POST"),
    ("GET", "/sandbox/events", "POST"),
    ("DELETE", "/sandbox/deliveries/resend", "POST"),
    ("PUT", "/sandbox/deliveries/dlv_0", "GET, HEAD"),
    ("TRACE", "/sandbox/deliveries/dlv_0/resend", "POST"),
    ("OPTIONS", "/sandbox/attempts", "GET, HEAD"),
    ("POST", "/dashboard", "GET, HEAD"),
    ("GET", "/dashboard/deliveries/dlv_0/resend", "POST"),
]


def test_a_method_a_path_does_not_serve_is_405_with_allow_naming_those_it_does(up42_sandbox: Sandbox) -> None:
    with httpx.Client(base_url=up42_sandbox.url, timeout=30, trust_env=False) as http:
        for method, path, allow in NOT_ALLOWED:
            refused = http.request(method, path)
            assert (refused.status_code, refused.headers.get("Allow")) == (405, allow), f"{method} {path}"
            if method != "HEAD":
                problem = {
                    "code": "METHOD_NOT_ALLOWED",
                    "message": f"{method} is not allowed on {path}",
                    "details": None,
                }
                assert refused.json() == {"data": None, "error": problem}


def test_head_is_served_wherever_get_is(up42_sandbox: Sandbox) -> None:
    with httpx.Client(base_url=up42_sandbox.url, timeout=30, trust_env=False) as http:
        for path in ("/sandbox/deliveries", "/sandbox/attempts", "/dashboard"):
            assert (http.head(path).status_code, http.get(path).status_code) == (200, 200), path
        # The API paths need a token, for HEAD as for GET.
        assert http.head("/webhooks/events").status_code == http.get("/webhooks/events").status_code == 401
