"""Cassettes: each `Exchange` of a tour as a JSON file, with every credential replaced, and judged again later.

A cassette holds the operation, the request (method, path, headers, body) and the answer (status, headers,
body); a JSON body is kept as JSON, any other as text (or base64 when it is not text). What `Redactor` replaces
with a placeholder:

- the ``Authorization``, ``Proxy-Authorization``, ``Cookie`` and ``Set-Cookie`` headers, whole;
- every value of a field the spec marks ``format: password``, in requests and answers alike (the password
  form field, the access, refresh and ID tokens, a webhook's secret), and each such value, and the account's
  password and username, wherever else it shows (the userinfo's email, say).

The placeholders are strings, as the spec's fields are, so a cassette still matches the spec it was judged by.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from ._judge import Problem, judge_response
from ._spec import Spec
from ._tour import Exchange

PLACEHOLDER = "REDACTED"
ACCOUNT_PLACEHOLDER = "account@example.com"
# Headers that carry a credential whole: replaced as they are.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
# A value shorter than this is not replaced where it merely shows inside other text: it would mangle the
# cassette, and is no credential worth the name. Where a field holds it, it is replaced all the same.
MIN_REPLACED = 4


class Redactor:
    """Replaces the credentials of a tour's exchanges; remembers each one it meets, for the exchanges after.

    Args:
        spec: The spec whose ``format: password`` fields hold credentials.
        username: The account, replaced by `ACCOUNT_PLACEHOLDER` wherever it shows.
        password: Its password, replaced by `PLACEHOLDER` wherever it shows.
    """

    def __init__(self, spec: Spec, username: str, password: str) -> None:
        self._spec = spec
        self._replacements: dict[str, str] = {}
        self._remember(password, PLACEHOLDER)
        self._remember(username, ACCOUNT_PLACEHOLDER)

    def cassette(self, exchange: Exchange) -> dict[str, Any]:
        """``exchange`` as a cassette (a JSON-ready dict), every credential in it replaced."""
        operation = self._spec.operation(exchange.operation_id)
        media = exchange.request_headers.get("content-type", "").split(";", 1)[0].strip().lower()
        request_schema = operation.request.get(media, {})
        response = operation.response(exchange.status)
        answer_media = exchange.response_headers.get("content-type", "").split(";", 1)[0].strip().lower()
        answer_schema = response.content.get(answer_media, {}) if response is not None else {}
        # Each body's credentials are found first, so that any of them in the other is replaced as well.
        request_body = _body(exchange.request_body, media)
        answer_body = _body(exchange.response_body, answer_media)
        request_body = self._fields(request_schema, request_body)
        answer_body = self._fields(answer_schema, answer_body)
        return {
            "operationId": exchange.operation_id,
            "request": {
                "method": exchange.method,
                "path": exchange.path,
                "headers": self._headers(exchange.request_headers),
                **self._text(request_body),
            },
            "response": {
                "status": exchange.status,
                "headers": self._headers(exchange.response_headers),
                **self._text(answer_body),
            },
        }

    def _remember(self, value: str, placeholder: str) -> None:
        if value and value not in (PLACEHOLDER, ACCOUNT_PLACEHOLDER):
            self._replacements[value] = placeholder

    def _fields(self, schema: Mapping[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        """``body`` with each ``format: password`` field's value replaced, and remembered for the rest."""
        if "json" in body:
            return {"json": self._secrets(schema, body["json"], frozenset())}
        if "form" in body:
            form = self._secrets(schema, dict(body["form"]), frozenset())
            return {"form": list(form.items())}
        return body

    def _secrets(self, schema: Mapping[str, Any], value: Any, refs: frozenset[str]) -> Any:
        """``value`` with every value at a ``format: password`` schema of it replaced by `PLACEHOLDER`."""
        while "$ref" in schema:
            if schema["$ref"] in refs:
                return value
            refs = refs | {schema["$ref"]}
            schema = self._spec.pointer(schema["$ref"])
        if schema.get("format") == "password" and isinstance(value, str):
            self._remember(value, PLACEHOLDER)
            return PLACEHOLDER
        for keyword in ("allOf", "oneOf", "anyOf"):
            for member in schema.get(keyword, ()):
                value = self._secrets(member, value, refs)
        if isinstance(value, dict):
            properties = schema.get("properties", {})
            additional = schema.get("additionalProperties")
            return {
                key: self._secrets(
                    properties.get(key, additional if isinstance(additional, Mapping) else {}), item, frozenset()
                )
                for key, item in value.items()
            }
        if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
            return [self._secrets(schema["items"], item, frozenset()) for item in value]
        return value

    def _headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        shown = {}
        for name, value in headers.items():
            if name.lower() == "authorization" and " " in value:
                shown[name] = f"{value.split(' ', 1)[0]} {PLACEHOLDER}"  # the scheme is no secret
            elif name.lower() in CREDENTIAL_HEADERS:
                shown[name] = PLACEHOLDER
            else:
                shown[name] = self._replace(value)
        return shown

    def _text(self, body: dict[str, Any]) -> dict[str, Any]:
        """The body as a cassette keeps it, each remembered credential replaced wherever it shows."""
        if "json" in body:
            return {"json": self._deep(body["json"])}
        if "form" in body:
            return {"form": urlencode([(self._replace(key), self._replace(item)) for key, item in body["form"]])}
        if "text" in body:
            return {"text": self._replace(body["text"])}
        if "base64" in body:
            raw = base64.b64decode(body["base64"])
            for secret, placeholder in self._replacements.items():
                raw = raw.replace(secret.encode(), placeholder.encode())
            return {"base64": base64.b64encode(raw).decode("ascii")}
        return {}

    def _deep(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._replace(value)
        if isinstance(value, list):
            return [self._deep(item) for item in value]
        if isinstance(value, dict):
            return {self._replace(key): self._deep(item) for key, item in value.items()}
        return value

    def _replace(self, text: str) -> str:
        # The exact value first: a short password that is a field's whole value goes too.
        if text in self._replacements:
            return self._replacements[text]
        for secret, placeholder in self._replacements.items():
            if len(secret) >= MIN_REPLACED:
                text = text.replace(secret, placeholder)
        return text


def _body(raw: bytes, media: str) -> dict[str, Any]:
    """A body as a cassette keeps it: ``json``, ``form`` (pairs), ``text`` or ``base64``; empty for none."""
    if not raw:
        return {}
    if media == "application/json" or media.endswith("+json"):
        try:
            return {"json": json.loads(raw)}
        except (ValueError, RecursionError):
            pass
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(raw).decode("ascii")}
    if media == "application/x-www-form-urlencoded":
        return {"form": parse_qsl(text, keep_blank_values=True)}
    return {"text": text}


def cassette_name(number: int, operation_id: str) -> str:
    """The file name of the ``number``-th cassette of a tour, such as ``03-listWebhooks.json``."""
    return f"{number:02d}-{operation_id}.json"


def write_cassette(directory: str | os.PathLike[str], number: int, cassette: Mapping[str, Any]) -> Path:
    """Write ``cassette`` as the ``number``-th file of ``directory`` (made if missing); its path."""
    path = Path(directory) / cassette_name(number, cassette["operationId"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(cassette, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_cassette(path: str | os.PathLike[str]) -> Exchange:
    """The exchange a cassette file holds, its bodies as bytes again.

    Raises:
        OSError: The file cannot be read.
        ValueError: It is not a cassette.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        request, response = data["request"], data["response"]
        return Exchange(
            operation_id=data["operationId"],
            method=request["method"],
            path=request["path"],
            request_headers=request["headers"],
            request_body=_raw(request),
            status=response["status"],
            response_headers=response["headers"],
            response_body=_raw(response),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{os.fspath(path)} is not a cassette: {error}") from None


def read_cassettes(directory: str | os.PathLike[str]) -> list[Exchange]:
    """Every cassette of ``directory``, in the order of their names (the tour's)."""
    return [read_cassette(path) for path in sorted(Path(directory).glob("*.json"))]


def _raw(part: Mapping[str, Any]) -> bytes:
    if "json" in part:
        return json.dumps(part["json"]).encode()
    if "form" in part:
        return str(part["form"]).encode()
    if "text" in part:
        return str(part["text"]).encode()
    if "base64" in part:
        return base64.b64decode(part["base64"])
    return b""


def judge_cassette(spec: Spec, exchange: Exchange) -> list[Problem]:
    """The problems of a recorded answer against ``spec``: its request must still find an operation, and it
    the one recorded, and the answer must match that operation's responses."""
    operation = spec.find(exchange.method, exchange.path)
    if operation is None:
        return [Problem("violation", "request", f"no operation of the spec takes {exchange.method} {exchange.path}")]
    if operation.operation_id != exchange.operation_id:
        text = f"the request now calls {operation.operation_id}, not {exchange.operation_id}"
        return [Problem("violation", "request", text)]
    return judge_response(operation, exchange.status, exchange.response_headers, exchange.response_body)
