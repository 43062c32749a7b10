"""The Django view over a receiver, through Django's own test clients, answering as the receiver's ASGI app does."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.http import HttpResponse
from django.test import AsyncClient, Client, override_settings

from tests.support.deliveries import SECRET, delivery, message, recording_receiver
from tests.support.django_site import PATH, mounted
from up42._extras import missing_extra
from up42.errors import InvalidArgumentError
from up42.receiving import InboxStatus, open_inbox, sign
from up42.receiving.django import webhook_view


def _split(headers: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The content type apart from the other headers: Django's clients take it as an argument of its own."""
    others = {name: value for name, value in headers.items() if name.lower() != "content-type"}
    return headers.get("Content-Type", "application/octet-stream"), others


def _post(client: Client, body: bytes, headers: dict[str, str]) -> HttpResponse:
    content_type, others = _split(headers)
    return client.post(PATH, data=body, content_type=content_type, headers=others)


async def _post_async(client: AsyncClient, body: bytes, headers: dict[str, str]) -> HttpResponse:
    content_type, others = _split(headers)
    return await client.post(PATH, data=body, content_type=content_type, headers=others)


def _json(response: HttpResponse) -> Any:
    return json.loads(response.content)


def test_a_signed_delivery_is_handled_and_its_duplicate_acknowledged() -> None:
    receiver = recording_receiver()
    content = message()
    with mounted(webhook_view(receiver)):
        client = Client(enforce_csrf_checks=True)
        first = _post(client, *delivery(content))
        again = _post(client, *delivery(content))
    assert (first.status_code, _json(first)) == (200, {"outcome": "handled", "detail": "handled"})
    assert first["Content-Type"] == "application/json"
    assert (again.status_code, _json(again)["outcome"]) == (200, "duplicate")
    assert receiver.seen == [content["messageId"]]  # type: ignore[attr-defined]


def test_a_bad_signature_is_401_and_a_malformed_one_400() -> None:
    body, headers = delivery()
    with mounted(webhook_view(recording_receiver())):
        client = Client(enforce_csrf_checks=True)
        forged = _post(client, body, sign(body, "a-guess"))
        malformed = _post(client, body, headers | {"Signature-Input": "up42-sig=(unclosed"})
    assert (forged.status_code, _json(forged)["outcome"]) == (401, "bad_signature")
    assert "does not match the secret" in _json(forged)["detail"]
    assert (malformed.status_code, _json(malformed)["outcome"]) == (400, "malformed")


def test_no_csrf_token_is_needed_where_the_middleware_asks_one_of_other_views() -> None:
    def form(request: Any) -> HttpResponse:
        return HttpResponse("posted")

    with mounted(form):
        refused = _post(Client(enforce_csrf_checks=True), *delivery())
    assert refused.status_code == 403  # the middleware is on: a view without the exemption needs a token
    with mounted(webhook_view(recording_receiver())):
        accepted = _post(Client(enforce_csrf_checks=True), *delivery())
    assert accepted.status_code == 200


@pytest.mark.parametrize("asynchronous", [False, True], ids=["view", "async view"])
def test_other_methods_are_405_with_allow(asynchronous: bool) -> None:
    with mounted(webhook_view(recording_receiver(), asynchronous=asynchronous)):
        client = Client(enforce_csrf_checks=True)
        answers = [client.get(PATH), client.put(PATH, b"{}"), client.delete(PATH)]
    for response in answers:
        assert (response.status_code, response["Allow"]) == (405, "POST")
        assert _json(response) == {"outcome": "method_not_allowed", "detail": "deliveries are POSTed"}


def test_a_body_over_the_limit_is_413_and_the_handlers_never_run() -> None:
    receiver = recording_receiver()
    content = message(padding="x" * 5000)
    with mounted(webhook_view(receiver, max_body_size=4096)):
        response = _post(Client(), *delivery(content))
    assert (response.status_code, _json(response)) == (
        413,
        {"outcome": "too_large", "detail": "the body exceeds 4096 bytes"},
    )
    assert receiver.seen == []  # type: ignore[attr-defined]


def test_the_views_limit_applies_rather_than_djangos_upload_limit() -> None:
    content = message(padding="x" * 2000)
    view = webhook_view(recording_receiver(), max_body_size=4096)
    with mounted(view), override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        response = _post(Client(), *delivery(content))
    assert (response.status_code, _json(response)["outcome"]) == (200, "handled")


@pytest.mark.parametrize("size", [0, -1, 1.5, True])
def test_an_unusable_body_limit_is_refused(size: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="max_body_size must be a positive whole number"):
        webhook_view(recording_receiver(), max_body_size=size)


async def test_the_async_view_runs_under_django_asgi_handler() -> None:
    receiver = recording_receiver()
    view = webhook_view(receiver, asynchronous=True)
    assert asyncio.iscoroutinefunction(view)
    order, job = message(), message("job.status")
    with mounted(view):
        client = AsyncClient(enforce_csrf_checks=True)
        handled = await _post_async(client, *delivery(order))
        plain = await _post_async(client, *delivery(job))
        duplicate = await _post_async(client, *delivery(order))
        forged = await _post_async(client, *delivery(secret="a-guess"))
    assert [r.status_code for r in (handled, plain, duplicate, forged)] == [200, 200, 200, 401]
    assert _json(duplicate)["outcome"] == "duplicate"
    assert receiver.seen == [order["messageId"], job["messageId"]]  # type: ignore[attr-defined]


@pytest.mark.parametrize("asynchronous", [False, True], ids=["view", "async view"])
def test_with_an_inbox_the_delivery_is_stored_and_acknowledged_then_a_worker_handles_it(
    tmp_path: Path, asynchronous: bool
) -> None:
    url = f"sqlite:///{tmp_path}/inbox.db"
    receiver = recording_receiver(inbox=url)
    content = message()
    with mounted(webhook_view(receiver, asynchronous=asynchronous)):
        client = Client()
        stored = _post(client, *delivery(content))
        again = _post(client, *delivery(content))
    assert (stored.status_code, _json(stored)["outcome"]) == (200, "queued")
    assert (again.status_code, _json(again)["outcome"]) == (200, "duplicate")
    assert receiver.seen == []  # type: ignore[attr-defined]
    record = open_inbox(url).get(content["messageId"])
    assert record is not None
    assert (record.status, json.loads(record.body)) == (InboxStatus.PENDING, content)

    async def work_until_handled() -> None:
        worker = receiver.worker()
        running = asyncio.create_task(worker.run())
        try:
            async with asyncio.timeout(30):
                while not receiver.seen:  # type: ignore[attr-defined]
                    await asyncio.sleep(0.01)
        finally:
            worker.stop()
            await running

    asyncio.run(work_until_handled())
    assert receiver.seen == [content["messageId"]]  # type: ignore[attr-defined]
    done = open_inbox(url).get(content["messageId"])
    assert done is not None
    assert done.status is InboxStatus.DONE


@dataclasses.dataclass(frozen=True)
class Sent:
    """One request of a case: its method, body and headers."""

    method: str
    body: bytes = b""
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


def _failing() -> dict[str, Any]:
    content = message()
    content["body"]["status"] = "FAILED_PERMANENTLY"
    return content


# Each case's status, and its requests, made when the test runs (a delivery's signature is fresh only for a while).
CASES: dict[str, tuple[int, Callable[[], list[Sent]]]] = {
    "signed": (200, lambda: [Sent("POST", *delivery())]),
    "signed, plain handler": (200, lambda: [Sent("POST", *delivery(message("job.status")))]),
    "no handler": (200, lambda: [Sent("POST", *delivery(message("catalog.new")))]),
    "bad signature": (401, lambda: [Sent("POST", delivery()[0], delivery(secret="a-guess")[1])]),
    "unsigned": (401, lambda: [Sent("POST", json.dumps(message()).encode(), {"Content-Type": "application/json"})]),
    "malformed": (400, lambda: [Sent("POST", delivery()[0], delivery()[1] | {"Signature-Input": "up42-sig=(x"})]),
    "not a message": (400, lambda: [Sent("POST", b"[]", sign(b"[]", SECRET))]),
    "duplicate": (200, lambda: [Sent("POST", *delivery(content)) for content in [message()] for _ in range(2)]),
    "handler failed": (500, lambda: [Sent("POST", *delivery(_failing()))]),
    "too large": (413, lambda: [Sent("POST", *delivery(message(padding="x" * 5000)))]),
    "GET": (405, lambda: [Sent("GET")]),
}


def _answer(status: int, body: bytes, headers: Any) -> tuple[int, Any, dict[str, str | None]]:
    """What both entry points must agree on: the status, the JSON body and the headers that carry meaning."""
    names = ("Content-Type", "Allow", "Retry-After")
    return status, json.loads(body), {name: headers.get(name) for name in names}


def _through_asgi(requests: list[Sent]) -> tuple[int, Any, dict[str, str | None]]:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=recording_receiver().asgi_app(max_body_size=4096))
        async with httpx.AsyncClient(transport=transport, base_url="http://receiver.test") as http:
            for sent in requests:
                response = await http.request(sent.method, PATH, content=sent.body, headers=sent.headers)
        return response

    response = asyncio.run(send())
    return _answer(response.status_code, response.content, response.headers)


def _through_django(requests: list[Sent], asynchronous: bool) -> tuple[int, Any, dict[str, str | None]]:
    async def send_async(client: AsyncClient) -> HttpResponse:
        for sent in requests:
            content_type, others = _split(sent.headers)
            response = await client.generic(sent.method, PATH, sent.body, content_type, headers=others)
        return response

    with mounted(webhook_view(recording_receiver(), max_body_size=4096, asynchronous=asynchronous)):
        if asynchronous:
            response = asyncio.run(send_async(AsyncClient(enforce_csrf_checks=True)))
        else:
            client = Client(enforce_csrf_checks=True)
            for sent in requests:
                content_type, others = _split(sent.headers)
                response = client.generic(sent.method, PATH, sent.body, content_type, headers=others)
    return _answer(response.status_code, response.content, response.headers)


@pytest.mark.parametrize("asynchronous", [False, True], ids=["view", "async view"])
@pytest.mark.parametrize("case", list(CASES))
def test_the_view_answers_as_the_asgi_app_does(case: str, asynchronous: bool) -> None:
    status, make = CASES[case]
    requests = make()
    expected = _through_asgi(requests)
    assert expected[0] == status
    assert _through_django(requests, asynchronous) == expected


def test_without_django_the_import_names_the_extra_in_one_line() -> None:
    code = (
        "import sys\n"
        "class Blocked:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.partition('.')[0] == 'django':\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Blocked())\n"
        "import up42.receiving\n"
        "try:\n"
        "    import up42.receiving.django\n"
        "except ImportError as error:\n"
        "    print(type(error).__name__, error.name, sep='|')\n"
        "    print(error)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["ModuleNotFoundError|django", missing_extra("django")]
