"""Scripted answers: the next calls of an operation answered as a test asked, before any route runs.

A script names an operation of UP42's spec by its operationId (the token and userinfo calls included), a status
the spec documents for it, a body, extra headers, how many calls it answers (``times``) and how long each answer
waits first (``delay``). A request is the operation whose method and path it matches; the scripts of one
operation answer in the order they were added, each until its ``times`` are used up.

The answer is held to the spec when the script is added, with the same judge as ``up42 conformance``: a body,
status or header that breaks it (a ``violation``) is refused, one that merely carries what the spec does not know
(a ``drift``: an unknown property or enum value, as a newer UP42 may send) is accepted. Without a body, an error
status gets the spec's error body with a fitting code, and 204 none.

`ScriptedAnswers` sits behind `Guard` and in front of fault injection: a scripted answer stands in for UP42's, so
it needs no token, changes nothing (no route runs) and is neither delayed, limited nor failed by the faults, nor
counted towards the rate limit. Scripts live in memory, per sandbox.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import secrets
import threading
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from up42._checks import is_number, is_whole
from up42._contract import Operation, Spec, error_body, judge_response
from up42._contract import Response as Documented

from ._faults import TOOL_PREFIXES

# The longest wait a script may ask for: far beyond any client's timeout already, so more can only be a slip.
MAX_DELAY = 3600
# The fields of a script in ``POST /sandbox/scripts``; operationId and status are required.
FIELDS = ("operationId", "status", "body", "headers", "times", "delay")
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110's token: what a header name is made of
# RFC 9110's field value: one line of Latin-1 without controls, and no blanks around it.
FIELD_VALUE = re.compile(r"(?:[\x21-\x7e\x80-\xff](?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?")
# The sandbox frames each answer itself.
FRAMING = frozenset({"content-length", "transfer-encoding"})


class InvalidScript(ValueError):
    """A script the sandbox refuses; `field` names what is wrong (``status``, ``body.data.url``)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


@dataclasses.dataclass
class Script:
    """One scripted answer and how many more calls it answers.

    Attributes:
        id: ``scr_`` and 16 hex digits.
        operation_id: The operation it answers.
        status: The status code.
        body: The body as a JSON value (the spec's error body when none was given); None when there is none.
        headers: The extra headers.
        times: How many more calls it answers.
        delay: Seconds each answer waits first.
        content: The body as sent.
    """

    id: str
    operation_id: str
    status: int
    body: Any
    headers: dict[str, str]
    times: int
    delay: float
    content: bytes = dataclasses.field(repr=False)

    def to_api(self) -> dict[str, Any]:
        """The script as ``/sandbox/scripts`` shows it."""
        return {
            "id": self.id,
            "operationId": self.operation_id,
            "status": self.status,
            "body": self.body,
            "headers": dict(self.headers),
            "times": self.times,
            "delay": self.delay,
        }

    def response(self) -> Response:
        """The scripted answer."""
        if self.body is None:
            return Response(status_code=self.status, headers=self.headers)
        return Response(self.content, status_code=self.status, headers=self.headers, media_type="application/json")


class Scripts:
    """The pending scripts of one sandbox, checked against ``spec`` as they are added."""

    def __init__(self, spec: Spec) -> None:
        self._spec = spec
        # Scripts are added from a test's thread (`Sandbox.script`) and taken on the server's.
        self._lock = threading.Lock()
        self._pending: list[Script] = []

    def add(
        self,
        operation_id: Any,
        status: Any,
        body: Any = None,
        headers: Any = None,
        times: Any = 1,
        delay: Any = 0,
    ) -> Script:
        """Check a script and queue it behind the pending ones of its operation.

        Raises:
            InvalidScript: Anything the script breaks, named: the operation, the status, a place in the body, a
                header, ``times`` or ``delay``.
        """
        script = _checked(self._spec, operation_id, status, body, headers, times, delay)
        with self._lock:
            self._pending.append(script)
        return dataclasses.replace(script)

    def add_fields(self, fields: Any) -> Script:
        """`add` from the JSON object of ``POST /sandbox/scripts``.

        Raises:
            InvalidScript: The object lacks a required field or has an unknown one, or `add` refuses the script.
        """
        if not isinstance(fields, dict):
            raise InvalidScript("body", 'send {"operationId": ..., "status": ...} with body, headers, times, delay')
        for name in ("operationId", "status"):
            if name not in fields:
                raise InvalidScript(name, "is required")
        unknown = [name for name in fields if name not in FIELDS]
        if unknown:
            raise InvalidScript(unknown[0], f"is not a field of a script; its fields: {', '.join(FIELDS)}")
        return self.add(
            fields["operationId"],
            fields["status"],
            fields.get("body"),
            fields.get("headers"),
            fields.get("times", 1),
            fields.get("delay", 0),
        )

    def take(self, method: str, path: str) -> Script | None:
        """The first pending script of the operation a request calls, counted as used once; None when it has none."""
        if not self._pending:  # most requests, and no lookup of their operation
            return None
        operation = self._spec.find(method, path)
        if operation is None:
            return None
        with self._lock:
            for index, script in enumerate(self._pending):
                if script.operation_id == operation.operation_id:
                    script.times -= 1
                    if not script.times:
                        del self._pending[index]
                    return dataclasses.replace(script)
        return None

    def pending(self) -> list[Script]:
        """The scripts still to answer, in the order they were added, each with the calls it has left."""
        with self._lock:
            return [dataclasses.replace(script) for script in self._pending]

    def clear(self) -> list[Script]:
        """Drop every pending script; returns those dropped."""
        with self._lock:
            dropped, self._pending = self._pending, []
        return dropped


def _checked(spec: Spec, operation_id: Any, status: Any, body: Any, headers: Any, times: Any, delay: Any) -> Script:
    operation = _operation(spec, operation_id)
    response = _status(operation, status)
    extra = _headers(headers)
    if not is_whole(times) or times < 1:
        raise InvalidScript("times", f"must be a whole number of calls, at least 1, not {times!r}")
    if not is_number(delay) or not 0 <= delay <= MAX_DELAY:
        raise InvalidScript("delay", f"must be a number of seconds from 0 to {MAX_DELAY}, not {delay!r}")
    if body is None and response.content:
        if status < 400:
            raise InvalidScript("body", f"is required: {operation.operation_id} answers {status} with a body")
        body = error_body(operation, status)
    content = _encoded(body)
    sent = dict(extra)
    if body is not None and not any(name.lower() == "content-type" for name in sent):
        sent["Content-Type"] = "application/json"
    violations = [
        problem for problem in judge_response(operation, status, sent, content) if problem.level == "violation"
    ]
    if violations:
        first, *others = violations
        also = f"; also at {', '.join(_place(problem.where) for problem in others)}" if others else ""
        raise InvalidScript(_place(first.where), f"{first.text} ({operation.operation_id} answering {status}){also}")
    return Script(
        id=f"scr_{secrets.token_hex(8)}",
        operation_id=operation.operation_id,
        status=status,
        body=body,
        headers=extra,
        times=times,
        delay=float(delay),
        content=content,
    )


def _place(where: str) -> str:
    """A judged place as a field of the script: ``data.url`` is in its body, ``headers.Retry-After`` its own."""
    if where.startswith(("body", "headers.")):
        return where
    return f"body{where}" if where.startswith("[") else f"body.{where}"


def _operation(spec: Spec, operation_id: Any) -> Operation:
    known = [operation.operation_id for operation in spec.operations]
    if operation_id not in known:
        raise InvalidScript(
            "operationId", f"UP42's spec has no operation {operation_id!r}; its operations: {', '.join(known)}"
        )
    return spec.operation(operation_id)


def _status(operation: Operation, status: Any) -> Documented:
    response = operation.response(status) if is_whole(status) and 100 <= status <= 599 else None
    if response is None:
        documented = ", ".join(operation.statuses)
        raise InvalidScript(
            "status", f"{operation.operation_id} does not document {status!r}; it documents {documented}"
        )
    return response


def _headers(headers: Any) -> dict[str, str]:
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        raise InvalidScript("headers", "must map header names to values, both strings")
    for name, value in headers.items():
        if not isinstance(name, str) or not TOKEN.fullmatch(name):
            raise InvalidScript("headers", f"{name!r} is not a header name")
        if not isinstance(value, str) or not FIELD_VALUE.fullmatch(value):
            raise InvalidScript(f"headers.{name}", "must be a string of one line, with no blanks around it")
        if name.lower() in FRAMING:
            raise InvalidScript(f"headers.{name}", "is set by the sandbox from the body")
    return dict(headers)


def _encoded(body: Any) -> bytes:
    if body is None:
        return b""
    try:
        return json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError, RecursionError) as error:  # a lone surrogate's UnicodeEncodeError is a ValueError
        raise InvalidScript("body", f"is not a JSON value: {error}") from None


class ScriptedAnswers:
    """ASGI middleware answering a call from its operation's first pending script, if it has one."""

    def __init__(self, app: ASGIApp, *, scripts: Scripts) -> None:
        self._app = app
        self._scripts = scripts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] == "http" and not scope["path"].startswith(TOOL_PREFIXES):
            script = self._scripts.take(scope["method"], scope["path"])
            if script is not None:
                if script.delay:
                    await asyncio.sleep(script.delay)
                await script.response()(scope, receive, send)
                return
        await self._app(scope, receive, send)
