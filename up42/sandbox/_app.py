"""The HTTP routes: UP42's token, userinfo and webhook endpoints, and the sandbox's own ``/sandbox/`` paths.

Shapes follow the specs (``openapi/up42.yaml``; ``openapi/sandbox.yaml`` for ``/sandbox/``): API responses use the
``{"data", "error"}`` envelope, the auth endpoints answer like an OAuth2 provider. Every bad request gets an error
envelope with a message that says what to fix (400 malformed, 401 token, 403 other workspace, 404 unknown, 409
conflict, 415 not JSON, 422 a broken rule); an unexpected failure is logged and answered with an envelope too,
never with a bare 500 page, and a client that leaves mid-body is one line in the log. `Guard`, in front of every
route, answers 403 to a request addressed to a name that is not loopback and to another site's browser changing
state (see ``_guard``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import hmac
import json
import logging
import re
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, NoReturn
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Route

from up42._contract import envelope, oauth_error
from up42._messages import EventBodyError, check_body, loads_json, sample_body, unencodable
from up42.receiving._catalog import EVENT_TYPES

from ._auth import Identity, TokenError, TokenIssuer
from ._dashboard import Dashboard
from ._delivery import GONE, Deliverer, RetryPolicy, WebhookGoneError
from ._faults import FaultInjection, Faults
from ._guard import Guard
from ._scripts import InvalidScript, ScriptedAnswers, Scripts
from ._store import DELIVERY_STATES, Delivery, Store, StoredWebhook
from ._validation import InvalidWebhook, is_loopback, webhook_fields

logger = logging.getLogger("up42.sandbox")

TOKEN_PATH = "/realms/public/protocol/openid-connect/token"  # noqa: S105 - a URL path, not a password
USERINFO_PATH = "/realms/public/protocol/openid-connect/userinfo"
CLIENT_ID = "up42-sdk"
MAX_BODY_SIZE = 1024 * 1024
# The most deliveries one GET /sandbox/deliveries lists, and how many without a limit.
MAX_LIMIT = 10_000
PAGE_SIZE = 1000


@dataclasses.dataclass(frozen=True)
class Settings:
    """What the app needs besides its store: accounts, token lifetime, faults and the retry policy."""

    users: Mapping[str, str] = dataclasses.field(repr=False)
    port: int  # the port the sandbox listens on: webhook URLs must not point back at it
    token_ttl: int = 300
    faults: Faults = dataclasses.field(default_factory=Faults)
    retry: RetryPolicy = dataclasses.field(default_factory=RetryPolicy)
    host: str = "127.0.0.1"  # the address the sandbox is bound to: on loopback, foreign Host headers are refused


class Problem(Exception):
    """An error answer in UP42's envelope."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details

    def response(self) -> JSONResponse:
        """The envelope."""
        return JSONResponse(envelope(self.code, self.message, self.details), status_code=self.status)


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    headers = {"WWW-Authenticate": f'Bearer error="{error}"'} if status == 401 else None
    return JSONResponse(oauth_error(error, description), status_code=status, headers=headers)


def _data(data: Any) -> JSONResponse:
    return JSONResponse({"data": data, "error": None})


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _body(request: Request) -> bytes:
    """The request body, refused with 413 beyond `MAX_BODY_SIZE` before it is all in memory."""
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_SIZE:
            raise Problem(413, "PAYLOAD_TOO_LARGE", f"the body exceeds {MAX_BODY_SIZE} bytes")
    return bytes(raw)


async def _json_body(request: Request) -> Any:
    """The JSON body: 400 unless it is JSON (no NaN or Infinity), 422 naming a string that is not valid text."""
    media_type = _media_type(request)
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise Problem(415, "UNSUPPORTED_MEDIA_TYPE", "the body must be JSON, sent with Content-Type: application/json")
    raw = await _body(request)
    try:
        value = loads_json(raw)
    except json.JSONDecodeError:
        raise Problem(400, "BAD_REQUEST", "the body is not valid JSON") from None
    except ValueError as error:  # NaN, Infinity, 1e999: Python reads them, JSON has no such numbers
        raise Problem(400, "BAD_REQUEST", f"the body is not valid JSON: {error}") from None
    except RecursionError:
        raise Problem(400, "BAD_REQUEST", "the body is not valid JSON: it nests too deeply") from None
    # A lone surrogate (\ud800) can be neither stored nor sent back; the field is named, its value never echoed.
    field = unencodable(value)
    if field is not None:
        _bad_field(field, "is not valid text: it holds a lone surrogate, which UTF-8 cannot encode")
    return value


class Endpoints:
    """The route handlers over one store, one token issuer, one deliverer and the pending scripts."""

    def __init__(self, store: Store, settings: Settings, scripts: Scripts) -> None:
        self._store = store
        self._settings = settings
        self._scripts = scripts
        self._tokens = TokenIssuer(store.signing_key(), settings.token_ttl)
        self.deliverer = Deliverer(store, settings.retry, settings.port)

    def _bearer(self, request: Request) -> Identity:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise TokenError("no bearer token: send Authorization: Bearer <access token>")
        return self._tokens.check(token.strip())

    def _identity(self, request: Request) -> Identity:
        try:
            return self._bearer(request)
        except TokenError as error:
            raise Problem(401, "UNAUTHORIZED", str(error)) from None

    def _workspace(self, request: Request) -> str:
        identity = self._identity(request)
        workspace_id = str(request.path_params["workspaceId"])
        if workspace_id != identity.workspace_id:
            raise Problem(403, "FORBIDDEN", f"the token may not access workspace {workspace_id!r}")
        return workspace_id

    async def token(self, request: Request) -> Response:
        """The password grant."""
        if _media_type(request) != "application/x-www-form-urlencoded":
            return _oauth_error(400, "invalid_request", "send the form as application/x-www-form-urlencoded")
        try:
            raw = await _body(request)
        except Problem as problem:
            return _oauth_error(400, "invalid_request", problem.message)
        form = {key: values[0] for key, values in parse_qs(raw.decode("utf-8", "replace")).items()}
        missing = [name for name in ("grant_type", "username", "password", "client_id") if not form.get(name)]
        if missing:
            return _oauth_error(400, "invalid_request", f"missing form fields: {', '.join(missing)}")
        if form["grant_type"] != "password":
            return _oauth_error(400, "unsupported_grant_type", "only the password grant is supported")
        if form["client_id"] != CLIENT_ID:
            return _oauth_error(401, "invalid_client", f"unknown client; use client_id={CLIENT_ID}")
        expected = self._settings.users.get(form["username"])
        # Compare even for an unknown user, so timing does not tell which usernames exist.
        matches = hmac.compare_digest(form["password"].encode(), (expected or "\0").encode())
        if expected is None or not matches:
            return _oauth_error(401, "invalid_grant", "Invalid user credentials")
        workspace_id = await run_in_threadpool(self._store.workspace_of, form["username"])
        token = self._tokens.issue(Identity(form["username"], workspace_id))
        return JSONResponse(
            {"access_token": token, "expires_in": self._tokens.ttl, "token_type": "Bearer", "scope": "openid"}
        )

    async def userinfo(self, request: Request) -> Response:
        """The OpenID Connect userinfo; ``sub`` is the workspace id."""
        try:
            identity = self._bearer(request)
        except TokenError as error:
            return _oauth_error(401, "invalid_token", str(error))
        return JSONResponse(
            {"sub": identity.workspace_id, "preferred_username": identity.username, "email": identity.username}
        )

    async def events(self, request: Request) -> Response:
        """The event type catalog."""
        self._identity(request)
        return _data(EVENT_TYPES)

    async def list_webhooks(self, request: Request) -> Response:
        """Every webhook of the workspace."""
        workspace_id = self._workspace(request)
        hooks = await run_in_threadpool(self._store.webhooks, workspace_id)
        return _data([hook.to_api() for hook in hooks])

    async def create_webhook(self, request: Request) -> Response:
        """Register a webhook; answered only once it is committed."""
        workspace_id = self._workspace(request)
        fields = _fields(await _json_body(request), self._settings.port)
        hook = await run_in_threadpool(self._store.create, workspace_id, fields)
        logger.info("Created webhook %s in workspace %s", hook.id, workspace_id)
        return _data(hook.to_api())

    async def get_webhook(self, request: Request) -> Response:
        """One webhook."""
        workspace_id = self._workspace(request)
        # A read takes microseconds; the hop to a worker thread would cost more than it saves the event loop.
        hook = self._store.get(workspace_id, request.path_params["webhookId"])
        return _data(_found(hook, request).to_api())

    async def update_webhook(self, request: Request) -> Response:
        """Replace the five writable fields."""
        workspace_id = self._workspace(request)
        webhook_id = request.path_params["webhookId"]
        fields = _fields(await _json_body(request), self._settings.port)
        hook = await run_in_threadpool(self._store.replace, workspace_id, webhook_id, fields)
        return _data(_found(hook, request).to_api())

    async def delete_webhook(self, request: Request) -> Response:
        """Delete a webhook: 204 and no body."""
        workspace_id = self._workspace(request)
        deleted = await run_in_threadpool(self._store.delete, workspace_id, request.path_params["webhookId"])
        _found(deleted or None, request)
        return Response(status_code=204)

    async def run_tests(self, request: Request) -> Response:
        """Send one signed test delivery per subscribed event and report how each went."""
        workspace_id = self._workspace(request)
        hook = await run_in_threadpool(self._store.get, workspace_id, request.path_params["webhookId"])
        return _data(await self.deliverer.test(_found(hook, request)))

    async def simulate_event(self, request: Request) -> Response:
        """Sandbox only: one live message of a platform event, delivered to each active subscribed webhook.

        The body defaults to a realistic one and is checked against the event's delivery schema; ``webhookId``
        narrows the delivery to that one webhook.
        """
        body = await _json_body(request)
        if not isinstance(body, dict):
            raise Problem(
                422, "VALIDATION_ERROR", 'send {"event": ..., "body": {...}, "webhookId": ...} (body optional)'
            )
        event = body.get("event")
        try:
            if not isinstance(event, str):
                raise EventBodyError("event", f"event: must be an event name such as order.status, not {event!r}")
            payload = body["body"] if "body" in body else sample_body(event)
            check_body(event, payload)
        except EventBodyError as error:
            raise Problem(422, "VALIDATION_ERROR", str(error), {error.field: str(error)}) from None
        hooks = await self._targets(event, body.get("webhookId"))
        message_id, deliveries = await self.deliverer.publish(event, payload, hooks)
        return _data({"event": event, "messageId": message_id, "deliveries": deliveries})

    async def _targets(self, event: str, webhook_id: Any) -> list[StoredWebhook]:
        if webhook_id is None:
            return await run_in_threadpool(self._store.subscribed, event)
        if not isinstance(webhook_id, str):
            _bad_field("webhookId", "must be a webhook id (a string)")
        hook = await run_in_threadpool(self._store.webhook, webhook_id)
        if hook is None:
            raise Problem(404, "RESOURCE_NOT_FOUND", f"no webhook {webhook_id!r}")
        # Each refusal has its own code, so a client can say how to fix it in its own terms. The request is sound;
        # the webhook's state is in the way, and changing it lets the same request through: a conflict.
        if not hook.fields.active:
            problem = f"webhook {webhook_id!r} is inactive; activate it first (PUT it with active true)"
            raise Problem(409, "WEBHOOK_INACTIVE", f"webhookId: {problem}", {"webhookId": problem})
        if event not in hook.fields.events:
            problem = f"webhook {webhook_id!r} is not subscribed to {event}; add {event} to its events first"
            raise Problem(409, "WEBHOOK_NOT_SUBSCRIBED", f"webhookId: {problem}", {"webhookId": problem})
        return [hook]

    async def deliveries(self, request: Request) -> Response:
        """Sandbox only: one page of the deliveries, oldest first, filtered by the query.

        The first page holds the newest ``limit`` (`PAGE_SIZE` by default); while older ones remain, the ``Link``
        header names the next page (``rel="next"``): the same query with ``before`` the oldest delivery shown.
        """
        params = request.query_params
        state = params.get("state")
        if state is not None and state not in DELIVERY_STATES:
            _bad_parameter("state", f"must be one of {', '.join(DELIVERY_STATES)}")
        if params.get("before") == "":
            _bad_parameter("before", "must be a delivery id, as the Link header of a page gives it")
        page = functools.partial(
            self._store.page,
            _limit(params.get("limit")) or PAGE_SIZE,
            webhook_id=params.get("webhookId"),
            event=params.get("event"),
            state=state,
            since=_since(params.get("since"), _bad_parameter),
            before=params.get("before"),
        )
        try:
            found = await run_in_threadpool(page)
        except LookupError:
            before = params["before"][:40]
            message = f"no delivery {before!r} to page back from; follow the Link header of a page to the next one"
            raise Problem(404, "RESOURCE_NOT_FOUND", message) from None
        response = _data([delivery.to_api() for delivery in found.deliveries])
        if found.older is not None:
            response.headers["Link"] = f'<{request.url.include_query_params(before=found.older)}>; rel="next"'
        return response

    async def delivery(self, request: Request) -> Response:
        """Sandbox only: one delivery, its latest request exactly as sent, and every attempt."""
        found = await run_in_threadpool(self._store.delivery, request.path_params["deliveryId"])
        return _data(_delivery_found(found, request.path_params["deliveryId"]).to_detail())

    async def resend(self, request: Request) -> Response:
        """Sandbox only: send a delivery's message again as its next attempt; the delivery afterwards."""
        try:
            delivery = await self.deliverer.resend(request.path_params["deliveryId"])
        except LookupError as error:
            raise Problem(404, "RESOURCE_NOT_FOUND", str(error).strip("'\"")) from None
        except WebhookGoneError as error:
            raise Problem(409, "CONFLICT", str(error)) from None
        return _data(delivery.to_detail())

    async def resend_failed(self, request: Request) -> Response:
        """Sandbox only: resend every failed delivery (created since ``since``) whose webhook still exists.

        Answers ``{"resent": [...], "skipped": [...]}``: each resent delivery afterwards, and the failed ones left
        alone because their webhook was deleted (``id``, ``webhookId``, ``reason``).
        """
        body = await _json_body(request)
        if not isinstance(body, dict) or body.get("state") != "failed":
            problem = 'send {"state": "failed"}, with "since": an RFC 3339 date-time to narrow it'
            raise Problem(422, "VALIDATION_ERROR", problem, {"state": problem})
        since = body.get("since")
        if since is not None and not isinstance(since, str):
            _bad_field("since", "must be an RFC 3339 date-time such as 2024-05-01T10:00:00Z")
        resent, skipped = await self.deliverer.resend_failed(_since(since, _bad_field))
        return _data(
            {
                "resent": [delivery.to_api() for delivery in resent],
                "skipped": [{"id": d.id, "webhookId": d.webhook_id, "reason": GONE} for d in skipped],
            }
        )

    async def attempts(self, request: Request) -> Response:
        """Sandbox only: every attempt, oldest first (``?webhookId=`` narrows it to one webhook)."""
        found = await run_in_threadpool(self._store.attempts, request.query_params.get("webhookId"))
        return _data([attempt.to_api() for attempt in found])

    async def add_script(self, request: Request) -> Response:
        """Sandbox only: answer the next calls of an operation as the body says; 422 naming what the spec refuses."""
        try:
            script = self._scripts.add_fields(await _json_body(request))
        except InvalidScript as invalid:
            raise Problem(422, "VALIDATION_ERROR", str(invalid), {invalid.field: invalid.problem}) from None
        return _data(script.to_api())

    async def scripts(self, request: Request) -> Response:
        """Sandbox only: the scripts still to answer, in order, each with the calls it has left."""
        return _data([script.to_api() for script in self._scripts.pending()])

    async def clear_scripts(self, request: Request) -> Response:
        """Sandbox only: drop every pending script; answers those dropped."""
        return _data([script.to_api() for script in self._scripts.clear()])


def _bad_parameter(name: str, problem: str) -> NoReturn:
    raise Problem(400, "BAD_REQUEST", f"query parameter {name}: {problem}", {name: problem})


def _bad_field(name: str, problem: str) -> NoReturn:
    raise Problem(422, "VALIDATION_ERROR", f"{name}: {problem}", {name: problem})


def _since(text: str | None, refuse: Callable[[str, str], NoReturn]) -> datetime.datetime | None:
    """The moment ``text`` names, in UTC; ``refuse`` is called unless it is an RFC 3339 date-time in range."""
    if text is None:
        return None
    try:
        moment = datetime.datetime.fromisoformat(text)
        # In UTC, as the store compares; 0001-01-01T00:00:00+01:00 has no UTC time and overflows here.
        utc = moment.astimezone(datetime.UTC) if moment.tzinfo is not None else None
    except (ValueError, OverflowError):
        utc = None
    if utc is None:
        refuse("since", f"{text[:40]!r} is not an RFC 3339 date-time with an offset, such as 2024-05-01T10:00:00Z")
    return utc


def _limit(text: str | None) -> int | None:
    if text is None:
        return None
    # ASCII digits only ("²".isdigit() holds too), and few enough that SQLite's 64-bit LIMIT takes the number.
    if not re.fullmatch(r"[0-9]{1,9}", text) or not 1 <= int(text) <= MAX_LIMIT:
        _bad_parameter("limit", f"{text[:20]!r} is not a whole number from 1 to {MAX_LIMIT}")
    return int(text)


def _delivery_found(delivery: Delivery | None, delivery_id: str) -> Delivery:
    if delivery is None:
        raise Problem(404, "RESOURCE_NOT_FOUND", f"no delivery {delivery_id!r}; list them with GET /sandbox/deliveries")
    return delivery


def _fields(body: Any, own_port: int) -> Any:
    try:
        return webhook_fields(body, own_port)
    except InvalidWebhook as invalid:
        raise Problem(422, "VALIDATION_ERROR", f"invalid webhook: {invalid}", dict(invalid.problems)) from None


def _found(value: Any, request: Request) -> Any:
    if value is None:
        webhook_id = request.path_params["webhookId"]
        raise Problem(404, "RESOURCE_NOT_FOUND", f"no webhook {webhook_id!r} in this workspace")
    return value


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)  # noqa: S101 - registered for Problem only
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)  # noqa: S101 - registered for HTTPException only
    if exc.status_code == 404:
        return Problem(404, "RESOURCE_NOT_FOUND", f"no such path: {request.url.path}").response()
    if exc.status_code == 405:
        problem = Problem(405, "METHOD_NOT_ALLOWED", f"{request.method} is not allowed on {request.url.path}")
        response = problem.response()
        response.headers["Allow"] = _allowed_methods(request)
        return response
    return Problem(exc.status_code, str(exc.status_code), str(exc.detail)).response()


def _allowed_methods(request: Request) -> str:
    """RFC 9110's ``Allow`` for a 405: the methods of every route of the path template that refused the request."""
    # Starlette's 405 names only the methods of the first route matching the path, and each method of a path has
    # a route of its own. Only that template counts, as OpenAPI matches a concrete path before a templated one:
    # the first route the path matches, as Starlette tries them (older releases do not say which in the scope).
    routes = [route for route in request.app.routes if isinstance(route, Route)]
    path = next(route.path for route in routes if route.matches(request.scope)[0] is not Match.NONE)
    methods: set[str] = set()
    for route in routes:
        if route.path == path:
            methods |= route.methods or set()
    return ", ".join(sorted(methods))


async def _client_left(request: Request, exc: Exception) -> Response:
    # The client's doing, not a failure of the sandbox; there is nobody left to answer.
    logger.info("%s %s: the client left before sending the whole body", request.method, request.url.path)
    return Response(status_code=400)


async def _crash(request: Request, exc: Exception) -> Response:
    logger.error("Unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return Problem(500, "INTERNAL_ERROR", "the sandbox failed unexpectedly; see its log").response()


def create_app(store: Store, settings: Settings, scripts: Scripts) -> Starlette:
    """The sandbox as an ASGI app over ``store``, answering ``scripts`` first, with the faults ``settings`` asks for."""
    endpoints = Endpoints(store, settings, scripts)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        endpoints.deliverer.start()
        try:
            yield
        finally:
            await endpoints.deliverer.aclose()

    hooks = "/workspaces/{workspaceId}/webhooks"
    routes = [
        Route(TOKEN_PATH, endpoints.token, methods=["POST"]),
        Route(USERINFO_PATH, endpoints.userinfo, methods=["GET"]),
        Route("/webhooks/events", endpoints.events, methods=["GET"]),
        Route(hooks, endpoints.list_webhooks, methods=["GET"]),
        Route(hooks, endpoints.create_webhook, methods=["POST"]),
        Route(hooks + "/{webhookId}", endpoints.get_webhook, methods=["GET"]),
        Route(hooks + "/{webhookId}", endpoints.update_webhook, methods=["PUT"]),
        Route(hooks + "/{webhookId}", endpoints.delete_webhook, methods=["DELETE"]),
        Route(hooks + "/{webhookId}/tests", endpoints.run_tests, methods=["POST"]),
        Route("/sandbox/events", endpoints.simulate_event, methods=["POST"]),
        Route("/sandbox/deliveries", endpoints.deliveries, methods=["GET"]),
        Route("/sandbox/deliveries/resend", endpoints.resend_failed, methods=["POST"]),
        Route("/sandbox/deliveries/{deliveryId}", endpoints.delivery, methods=["GET"]),
        Route("/sandbox/deliveries/{deliveryId}/resend", endpoints.resend, methods=["POST"]),
        Route("/sandbox/attempts", endpoints.attempts, methods=["GET"]),
        Route("/sandbox/scripts", endpoints.add_script, methods=["POST"]),
        Route("/sandbox/scripts", endpoints.scripts, methods=["GET"]),
        Route("/sandbox/scripts", endpoints.clear_scripts, methods=["DELETE"]),
        *Dashboard(store, endpoints.deliverer).routes(),
    ]
    return Starlette(
        routes=routes,
        # The guard first: a refused request neither counts towards the rate limit nor waits out the latency.
        # Scripts next: a scripted answer is the one a test asked for, with no fault on top of it.
        middleware=[
            Middleware(Guard, check_host=is_loopback(settings.host)),
            Middleware(ScriptedAnswers, scripts=scripts),
            Middleware(FaultInjection, faults=settings.faults),
        ],
        exception_handlers={
            Problem: _problem,
            HTTPException: _http_error,
            ClientDisconnect: _client_left,
            Exception: _crash,
        },
        lifespan=lifespan,
    )
