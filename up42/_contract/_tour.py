"""`Tour`: call each operation of the API once, with a webhook of its own, and judge every answer against the spec.

The calls go out as raw HTTP: the SDK's own parsing would fail on the very answers worth judging. In order:
``createToken``, ``getUserinfo``, ``listWebhookEvents``, ``listWebhooks``, ``createWebhook`` (inactive, named
``up42 conformance check <UTC time>``, pointing at a ``.invalid`` host, which never resolves: RFC 6761),
``getWebhook``, ``updateWebhook``, ``runWebhookTests``, ``deleteWebhook``. The webhook it created is deleted
whatever happens: after a violation, a failed call, or an interruption (`Tour.interrupt`).
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import secrets
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

import httpx

from ._judge import Problem, judge_response
from ._spec import Spec

Result = Literal["ok", "drift", "violation"]

ORDER = (
    "createToken",
    "getUserinfo",
    "listWebhookEvents",
    "listWebhooks",
    "createWebhook",
    "getWebhook",
    "updateWebhook",
    "runWebhookTests",
    "deleteWebhook",
)
CLIENT_ID = "up42-sdk"
TOKEN_PATH = "/realms/public/protocol/openid-connect/token"  # noqa: S105 - a URL path, not a password
USERINFO_PATH = "/realms/public/protocol/openid-connect/userinfo"
NAME_PREFIX = "up42 conformance check"
# Under .invalid, a name that never resolves (RFC 6761): no delivery can reach anyone.
HOOK_URL = "https://up42-conformance-check.invalid/hook"
PREFERRED_EVENT = "order.status"
# An answer larger than this is not read: no answer of the API comes near it.
MAX_ANSWER = 8 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Exchange:
    """One call and its answer, as they went over the wire (credentials included: see ``_cassettes``).

    Attributes:
        operation_id: The operation called.
        method: The request's method.
        path: The request's path as sent, with its query.
        request_headers: The request's headers, lower-case names.
        request_body: The request's body.
        status: The answer's status.
        response_headers: The answer's headers, lower-case names (several values of one joined with ``", "``).
        response_body: The answer's body (any content coding undone).
    """

    operation_id: str
    method: str
    path: str
    request_headers: Mapping[str, str]
    request_body: bytes
    status: int
    response_headers: Mapping[str, str]
    response_body: bytes


@dataclasses.dataclass(frozen=True)
class Outcome:
    """How one operation's answer compares with the spec.

    Attributes:
        operation_id: The operation.
        status: The answer's status.
        problems: What departs from the spec; empty when the answer matches.
    """

    operation_id: str
    status: int
    problems: tuple[Problem, ...]

    @property
    def result(self) -> Result:
        """``violation`` if any problem is one, else ``drift`` if there is any problem, else ``ok``."""
        return worst(problem.level for problem in self.problems)


@dataclasses.dataclass
class Report:
    """What a tour found.

    Attributes:
        outcomes: One per operation called, in the order called.
        stopped: Why the tour ended before its last operation (a failed call, an answer it cannot go on
            from); None when it called them all.
        leftover: Why the webhook it created could not be deleted (then it says which); None when nothing is left.
    """

    outcomes: list[Outcome] = dataclasses.field(default_factory=list)
    stopped: str | None = None
    leftover: str | None = None

    @property
    def result(self) -> Result:
        """The worst result of all operations."""
        return worst(outcome.result for outcome in self.outcomes)


def worst(results: Iterable[Result]) -> Result:
    """The worst of ``results`` (``ok``, ``drift`` or ``violation`` each); ``ok`` for none."""
    found = set(results)
    return "violation" if "violation" in found else "drift" if "drift" in found else "ok"


class Stop(Exception):
    """The tour cannot go on; the message says why, in one line."""


class Tour:
    """One tour of the API at ``api`` and ``auth`` (one origin for a sandbox) as ``username``.

    Args:
        http: The client to send with (its timeouts and User-Agent apply); the tour never closes it.
        api: The API origin, such as ``https://api.up42.com``.
        auth: The auth origin, such as ``https://auth.up42.com``.
        username: The account.
        password: Its password.
        spec: The spec to judge against; the shipped one by default.
        record: Called with each exchange of the tour as soon as it is judged (cassettes).
        now: The clock that names the webhook.
    """

    def __init__(
        self,
        http: httpx.Client,
        *,
        api: str,
        auth: str,
        username: str,
        password: str,
        spec: Spec | None = None,
        record: Callable[[Exchange], None] | None = None,
        now: Callable[[], datetime.datetime] = lambda: datetime.datetime.now(datetime.UTC),
    ) -> None:
        self._http = http
        self._api = api.rstrip("/")
        self._auth = auth.rstrip("/")
        self._username = username
        self._password = password
        self._spec = spec or Spec.shipped()
        self._record = record
        self.name = f"{NAME_PREFIX} {now().strftime('%Y-%m-%dT%H:%M:%SZ')}"
        self._updated_name = f"{self.name} (updated)"
        self._token = ""
        self._in_call = False
        self._interrupted = False
        self.report = Report()

    def interrupt(self) -> None:
        """Stop the tour: at once (raising `KeyboardInterrupt`) while a call waits, else before the next one.

        Meant for a signal handler in the thread that runs the tour. The webhook created is deleted all the same.
        """
        self._interrupted = True
        if self._in_call:
            self._in_call = False
            raise KeyboardInterrupt

    def run(self) -> Report:
        """Call every operation once, judge each answer, and delete the webhook created; the report.

        Raises:
            KeyboardInterrupt: `interrupt` stopped it (after the webhook was deleted).
        """
        created: list[str] = []  # the created webhook's id, once known
        attempted = False  # whether a webhook may exist: createWebhook was sent
        workspace = ""
        try:
            workspace = self._login()
            hooks = f"/workspaces/{workspace}/webhooks"
            events = self._call("listWebhookEvents", "GET", self._api, "/webhooks/events")
            self._call("listWebhooks", "GET", self._api, hooks)
            hook = self._hook_body(events)
            attempted = True
            answer = self._call("createWebhook", "POST", self._api, hooks, json_body=hook)
            webhook_id = _field(answer.response_body, "data", "id")
            if not isinstance(webhook_id, str) or not webhook_id:
                raise Stop(f"createWebhook answered {answer.status} without a webhook id")
            created.append(webhook_id)
            one = f"{hooks}/{webhook_id}"
            self._call("getWebhook", "GET", self._api, one)
            self._call("updateWebhook", "PUT", self._api, one, json_body={**hook, "name": self._updated_name})
            self._call("runWebhookTests", "POST", self._api, f"{one}/tests")
            deleted = self._call("deleteWebhook", "DELETE", self._api, one)
            if _gone(deleted.status):
                created.clear()
        except Stop as stop:
            self.report.stopped = str(stop)
        except httpx.HTTPError as error:
            self.report.stopped = f"{_call_name(error)} failed: {_reason(error)}"
        finally:
            self._in_call = False
            if attempted and self._token:
                self._clean_up(created, workspace)
        return self.report

    def _login(self) -> str:
        form = {"grant_type": "password", "username": self._username, "password": self._password}
        token = self._call("createToken", "POST", self._auth, TOKEN_PATH, form={**form, "client_id": CLIENT_ID})
        access_token = _field(token.response_body, "access_token")
        if not isinstance(access_token, str) or not access_token:
            if token.status in (400, 401):
                raise Stop(f"the login was refused ({token.status}): check the username and password")
            raise Stop(f"createToken answered {token.status} without an access token")
        self._token = access_token
        userinfo = self._call("getUserinfo", "GET", self._auth, USERINFO_PATH)
        workspace = _field(userinfo.response_body, "sub")
        if not isinstance(workspace, str) or not workspace:
            raise Stop(f"getUserinfo answered {userinfo.status} without a workspace id (sub)")
        return workspace

    def _hook_body(self, events: Exchange) -> dict[str, Any]:
        listed = _field(events.response_body, "data")
        names = [item["name"] for item in listed if isinstance(item, dict)] if isinstance(listed, list) else []
        event = PREFERRED_EVENT if PREFERRED_EVENT in names or not names else str(names[0])
        # A secret of its own, so that the answers carry one: a recording must show it masked.
        return {"name": self.name, "url": HOOK_URL, "events": [event], "active": False, "secret": _new_secret()}

    def _call(
        self,
        operation_id: str,
        method: str,
        origin: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        json_body: Any = None,
    ) -> Exchange:
        """Send one request of the tour, judge its answer, and record both; the exchange."""
        if self._interrupted:
            raise KeyboardInterrupt
        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        request = self._http.build_request(method, origin + path, headers=headers, data=form, json=json_body)
        request.extensions["up42_operation"] = operation_id  # named in the message of a failed call
        status, answer_headers, body = self._send(request, operation_id)
        exchange = Exchange(
            operation_id=operation_id,
            method=method,
            path=request.url.raw_path.decode("ascii"),
            request_headers=dict(request.headers.items()),
            request_body=request.content,
            status=status,
            response_headers=answer_headers,
            response_body=body,
        )
        problems = judge_response(self._spec.operation(operation_id), status, answer_headers, body)
        self.report.outcomes.append(Outcome(operation_id, status, tuple(problems)))
        if self._record is not None:
            self._record(exchange)
        return exchange

    def _send(self, request: httpx.Request, operation_id: str) -> tuple[int, dict[str, str], bytes]:
        """Send ``request``, interruptible while it waits; the answer's status, headers and (decoded) body."""
        self._in_call = True
        try:
            response = self._http.send(request, stream=True)
            try:
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_ANSWER:
                        raise Stop(f"{operation_id} answered with more than {MAX_ANSWER} bytes")
            finally:
                response.close()
        finally:
            self._in_call = False
        return response.status_code, _joined(response.headers), bytes(body)

    def _clean_up(self, created: list[str], workspace: str) -> None:
        """Delete the tour's webhook: by id, else (the id never came) by its name; never interrupted."""
        hooks = f"/workspaces/{workspace}/webhooks"
        try:
            ids = created or self._own_hooks(hooks)
            for webhook_id in ids:
                response = self._quiet("DELETE", f"{hooks}/{webhook_id}")
                if not _gone(response.status_code):
                    raise Stop(f"the API answered {response.status_code}")
        except (Stop, httpx.HTTPError) as error:
            reason = _reason(error) if isinstance(error, httpx.HTTPError) else str(error)
            named = f"webhook {created[0]!r}" if created else f"the webhook named {self.name!r}"
            self.report.leftover = f"could not delete {named} ({reason}); delete it with 'up42 webhooks delete'"

    def _own_hooks(self, hooks: str) -> list[str]:
        response = self._quiet("GET", hooks)
        if not response.is_success:
            raise Stop(f"listing the webhooks to find it, the API answered {response.status_code}")
        listed = _field(response.content, "data")
        items = listed if isinstance(listed, list) else []
        names = (self.name, self._updated_name)
        return [
            hook["id"]
            for hook in items
            if isinstance(hook, dict) and hook.get("name") in names and hook.get("url") == HOOK_URL
        ]

    def _quiet(self, method: str, path: str) -> httpx.Response:
        """A call outside the tour (not judged, not recorded), to clean up."""
        headers = {"Accept": "application/json", "Authorization": f"Bearer {self._token}"}
        return self._http.request(method, self._api + path, headers=headers)


def _gone(status: int) -> bool:
    """Whether a DELETE answered ``status`` leaves no webhook: deleted now (2xx) or before (404)."""
    return 200 <= status < 300 or status == 404


def _field(body: bytes, *keys: str) -> Any:
    """The value at ``keys`` in a JSON body; None when the body is not JSON or has no such value."""
    try:
        value: Any = json.loads(body)
    except (ValueError, RecursionError):
        return None
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _joined(headers: httpx.Headers) -> dict[str, str]:
    joined: dict[str, str] = {}
    for name, value in headers.multi_items():
        joined[name] = f"{joined[name]}, {value}" if name in joined else value
    return joined


def _new_secret() -> str:
    return f"conformance-{secrets.token_urlsafe(24)}"


def _call_name(error: httpx.HTTPError) -> str:
    try:
        return str(error.request.extensions.get("up42_operation", "a call"))
    except RuntimeError:  # no request attached
        return "a call"


def _reason(error: httpx.HTTPError) -> str:
    kind = "timed out" if isinstance(error, httpx.TimeoutException) else type(error).__name__
    return f"{kind}: {error}".rstrip(": ") if str(error) else kind
