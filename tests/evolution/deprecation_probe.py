"""Run by tests/evolution/test_deprecations.py in a fresh interpreter: uses the client against a local sandbox and
prints, as JSON, every warning each step gave.

``python deprecation_probe.py warnings DOCS``: on a copy of the project whose spec deprecates deleteWebhook,
Webhook.updatedAt, WebhookInput.secret and a parameter of listWebhooks (first on the path), use the generated
client and the SDK, sync and async, then load the API reference's objects with the docs' griffe extension (from
DOCS) and report its marks.
A step that should warn makes its call right after ``with step(...)``: where its warnings must point.

``python deprecation_probe.py sends``: mark every webhook operation deprecated (as the generated code would) before
the SDK is imported, call each SDK method, and report which operations it warned about and which it sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import pkgutil
import re
import socket
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

seen: dict[str, list[dict[str, Any]]] = {}


@contextlib.contextmanager
def step(name: str) -> Iterator[None]:
    """Record the warnings of the calls inside."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    seen[name] = [
        {"category": w.category.__name__, "message": str(w.message), "filename": w.filename, "lineno": w.lineno}
        for w in caught
    ]


def warnings_probe(docs: Path) -> dict[str, Any]:
    import griffe
    from up42_api import AuthenticatedClient
    from up42_api import Client as PlainClient
    from up42_api.api.auth import create_token, get_userinfo
    from up42_api.api.webhooks import create_webhook, delete_webhook, get_webhook, list_webhooks
    from up42_api.models import EventName, TokenRequest, TokenResponse, Userinfo, WebhookEnvelope, WebhookInput

    import up42
    from up42.sandbox import Sandbox

    def fields(**more: Any) -> WebhookInput:
        return WebhookInput(name="orders", url="https://example.com/hook", events=[EventName("order.status")], **more)

    with Sandbox() as sandbox:
        credentials = TokenRequest("password", sandbox.username, sandbox.password, "up42-sdk")
        with PlainClient(base_url=sandbox.url) as plain:
            token = create_token.sync(client=plain, body=credentials)
        assert isinstance(token, TokenResponse)
        with AuthenticatedClient(base_url=sandbox.url, token=token.access_token) as api:
            userinfo = get_userinfo.sync(client=api)
            assert isinstance(userinfo, Userinfo)
            workspace = userinfo.sub

            def new_hook() -> str:
                created = create_webhook.sync(client=api, workspace_id=workspace, body=fields())
                assert isinstance(created, WebhookEnvelope)
                return created.data.id

            with step("generated: nothing deprecated"):
                hook = new_hook()
                get_webhook.sync(client=api, workspace_id=workspace, webhook_id=hook)
                list_webhooks.sync(client=api, workspace_id=workspace)
            with step("generated: parameter"):
                list_webhooks.sync(client=api, workspace_id=workspace, limit=10)
            with step("generated: sync_detailed"):
                delete_webhook.sync_detailed(client=api, workspace_id=workspace, webhook_id=new_hook())
            with step("generated: sync"):
                delete_webhook.sync(client=api, workspace_id=workspace, webhook_id=new_hook())
            with step("generated: request field"):
                create_webhook.sync_detailed(client=api, workspace_id=workspace, body=fields(secret="s3cret"))

            async def generated_async() -> None:
                with step("generated: asyncio_detailed"):
                    await delete_webhook.asyncio_detailed(client=api, workspace_id=workspace, webhook_id=hook)
                with step("generated: asyncio"):
                    await delete_webhook.asyncio(client=api, workspace_id=workspace, webhook_id=hook)

            asyncio.run(generated_async())

        with up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url) as client:
            with step("sdk: nothing deprecated"):
                webhook = client.create_webhook("orders", "https://example.com/hook", ["order.status"])
                client.get_webhooks()
                client.initialize_webhook(webhook.id)
                webhook.update(active=True, secret=None)
                repr(webhook)
                _ = (webhook.info, webhook.id, webhook.name, webhook.url, webhook.events, webhook.active)
                _ = webhook.created_at
            with step("sdk: attribute"):
                _ = webhook.updated_at
            with step("sdk: method"):
                webhook.delete()
            with step("sdk: argument"):
                client.create_webhook("signed", "https://example.com/hook", ["order.status"], secret="s3cret")
        up42.authenticate(sandbox.username, sandbox.password, base_url=sandbox.url)
        with step("sdk: module-level function"):
            up42.create_webhook("signed", "https://example.com/hook", ["order.status"], secret="s3cret")

        async def sdk_async() -> None:
            async with up42.AsyncClient(sandbox.username, sandbox.password, base_url=sandbox.url) as aclient:
                first, second = [
                    await aclient.create_webhook(name, "https://example.com/hook", ["order.status"]) for name in "ab"
                ]
                with step("sdk async: attribute"):
                    _ = first.updated_at
                with step("sdk async: method"):
                    await first.delete()
                with step("sdk async: method under gather"):
                    await asyncio.gather(second.delete())

        asyncio.run(sdk_async())

    extension = griffe.load_extensions(f"{docs / '_griffe' / 'deprecations.py'}:Deprecations")
    # The copy of up42 imported above, as the reference reads it.
    package = griffe.load("up42", search_paths=[Path(up42.__file__).parents[1]], extensions=extension)
    marks: dict[str, Any] = {}
    for path in (
        "Webhook.delete",
        "AsyncWebhook.delete",
        "Webhook.updated_at",
        "AsyncWebhook.updated_at",
        "Client.create_webhook",
        "AsyncClient.create_webhook",
        "create_webhook",
        "Webhook.update",
        "Webhook.info",
        "Webhook.created_at",
        "get_webhooks",
    ):
        obj = package[path]
        assert obj.docstring is not None, path
        notes = [
            {"title": section.title, "text": section.value.contents}
            for section in obj.docstring.parse("google")
            if section.kind is griffe.DocstringSectionKind.admonition
        ]
        marks[path] = {"labels": sorted(obj.labels), "notes": notes}
    return {"steps": seen, "marks": marks}


# Each webhook operation of the spec, by method and path, under its generated module's name.
OPERATIONS = {
    ("GET", r"/webhooks/events"): "list_webhook_events",
    ("GET", r"/workspaces/[^/]+/webhooks"): "list_webhooks",
    ("POST", r"/workspaces/[^/]+/webhooks"): "create_webhook",
    ("GET", r"/workspaces/[^/]+/webhooks/[^/]+"): "get_webhook",
    ("PUT", r"/workspaces/[^/]+/webhooks/[^/]+"): "update_webhook",
    ("DELETE", r"/workspaces/[^/]+/webhooks/[^/]+"): "delete_webhook",
    ("POST", r"/workspaces/[^/]+/webhooks/[^/]+/tests"): "run_webhook_tests",
}


def sends_probe() -> dict[str, Any]:
    """What each SDK call warned about and what it sent, with every webhook operation deprecated under its name."""
    import up42_api.api.webhooks

    for module in pkgutil.iter_modules(up42_api.api.webhooks.__path__):
        endpoint = importlib.import_module(f"up42_api.api.webhooks.{module.name}")
        endpoint._DEPRECATED = f"<{module.name}>"  # type: ignore[attr-defined]

    import up42
    from up42.sandbox import Sandbox

    sent: list[str] = []

    def log(request: httpx.Request) -> None:
        for (method, path), operation in OPERATIONS.items():
            if request.method == method and re.fullmatch(path, request.url.path):
                sent.append(operation)

    async def alog(request: httpx.Request) -> None:
        log(request)

    calls: dict[str, dict[str, list[str]]] = {}

    @contextlib.contextmanager
    def call(name: str) -> Iterator[None]:
        sent.clear()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        warned = [operation for w in caught for operation in re.findall(r"<(\w+)>", str(w.message))]
        calls[name] = {"warned": sorted(warned), "sent": sorted(set(sent))}

    # A test delivery to a closed port on loopback fails at once, without leaving the machine.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        receiver = f"http://127.0.0.1:{closed.getsockname()[1]}/hook"
    events = ["order.status"]
    with Sandbox() as sandbox:
        login = {"username": sandbox.username, "password": sandbox.password, "base_url": sandbox.url}
        with httpx.Client(event_hooks={"request": [log]}) as http, up42.Client(**login, http_client=http) as client:
            client.authenticate()
            with call("Client.get_webhook_events"):
                client.get_webhook_events()
            with call("Client.create_webhook"):
                hook = client.create_webhook("a", receiver, events)
            with call("Client.get_webhooks"):
                client.get_webhooks()
            with call("Client.initialize_webhook"):
                client.initialize_webhook(hook.id)
            with call("Webhook.info"):
                _ = hook.info
            with call("Webhook.update"):
                hook.update(active=False)
            with call("Webhook.trigger_test_events"):
                hook.trigger_test_events()
            with call("Webhook.trigger_test_event"):
                hook.trigger_test_event()
            with call("Webhook.delete"):
                hook.delete()
        with httpx.Client(event_hooks={"request": [log]}) as http:
            up42.authenticate(**login, http_client=http)
            with call("get_webhook_events"):
                up42.get_webhook_events()
            with call("create_webhook"):
                hook = up42.create_webhook("a", receiver, events)
            with call("get_webhooks"):
                up42.get_webhooks()
            with call("initialize_webhook"):
                up42.initialize_webhook(hook.id)

        async def sdk_async() -> None:
            async with (
                httpx.AsyncClient(event_hooks={"request": [alog]}) as http,
                up42.AsyncClient(**login, http_client=http) as aclient,
            ):
                await aclient.authenticate()
                with call("AsyncClient.get_webhook_events"):
                    await aclient.get_webhook_events()
                with call("AsyncClient.create_webhook"):
                    hook = await aclient.create_webhook("a", receiver, events)
                with call("AsyncClient.get_webhooks"):
                    await aclient.get_webhooks()
                with call("AsyncClient.initialize_webhook"):
                    await aclient.initialize_webhook(hook.id)
                with call("AsyncWebhook.fetch_info"):
                    await hook.fetch_info()
                with call("AsyncWebhook.update"):
                    await hook.update(active=False)
                with call("AsyncWebhook.trigger_test_events"):
                    await hook.trigger_test_events()
                with call("AsyncWebhook.delete"):
                    await hook.delete()

        asyncio.run(sdk_async())
    return calls


if __name__ == "__main__":
    mode = sys.argv[1]
    report = warnings_probe(Path(sys.argv[2])) if mode == "warnings" else sends_probe()
    print(json.dumps(report))
