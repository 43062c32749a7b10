"""`Spec`: an OpenAPI document's operations, found by id or by a request's method and path, with their responses.

The package carries its own ``openapi/up42.yaml`` (`Spec.shipped`): inside an installed wheel next to this
module, in a checkout at the repository's root. YAML is read only when a spec is first needed, with libyaml's
safe loader where PyYAML has it.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Where the spec is: a wheel carries it beside this module, a checkout at the repository's root.
SHIPPED = Path(__file__).with_name("up42.yaml")
CHECKOUT = Path(__file__).resolve().parents[2] / "openapi" / "up42.yaml"


@dataclasses.dataclass(frozen=True)
class Header:
    """A response header the spec declares.

    Attributes:
        name: The header's name, as the spec writes it.
        schema: Its value's schema, its own ``$ref`` followed (those nested in it are followed as they are judged).
        required: Whether every such answer must carry it.
    """

    name: str
    schema: Mapping[str, Any]
    required: bool


@dataclasses.dataclass(frozen=True)
class Response:
    """A documented response of an operation.

    Attributes:
        status: The key it is documented under, as written: ``"200"``, ``"5XX"`` or ``"default"``.
        content: Each media type (lower case) to the schema of its body, the schema's own ``$ref`` followed; empty
            when the response has no body.
        headers: The declared headers by lower-case name (``Content-Type`` is never among them).
    """

    status: str
    content: Mapping[str, Mapping[str, Any]]
    headers: Mapping[str, Header]


@dataclasses.dataclass(frozen=True)
class Operation:
    """One operation of the spec.

    Attributes:
        spec: The spec it belongs to, whose components its schemas refer to.
        operation_id: Its ``operationId``.
        method: The HTTP method, upper case.
        path: The path template, such as ``/workspaces/{workspaceId}/webhooks``.
        statuses: The documented response keys, as written and in the document's order.
        authenticated: Whether a call needs a bearer token (the spec's ``security`` is not empty for it).
        request: Each media type of the request body to its schema (its own ``$ref`` followed); empty without one.
    """

    spec: Spec = dataclasses.field(repr=False, compare=False)
    operation_id: str
    method: str
    path: str
    statuses: tuple[str, ...]
    authenticated: bool
    request: Mapping[str, Mapping[str, Any]] = dataclasses.field(repr=False)
    responses: Mapping[str, Response] = dataclasses.field(repr=False)

    def response(self, status: int) -> Response | None:
        """The response documented for ``status``: its own key, else its range (``"4XX"``), else ``"default"``."""
        keys = {key.upper(): key for key in self.responses}
        for candidate in (str(status), f"{status // 100}XX", "DEFAULT"):
            if candidate in keys:
                return self.responses[keys[candidate]]
        return None


class Spec:
    """An OpenAPI 3 document: its operations (those under ``paths``, in the document's order) and components.

    Args:
        document: The parsed document.
        source: Where it came from, for messages.

    Raises:
        ValueError: The document has no ``paths``, or an operation lacks an ``operationId``.
    """

    def __init__(self, document: Mapping[str, Any], source: str = "the spec") -> None:
        self.document = document
        self.source = source
        paths = document.get("paths")
        if not isinstance(paths, Mapping):
            raise ValueError(f"{source} has no paths")
        operations: list[Operation] = []
        for template, item in paths.items():
            for method in METHODS:
                if method in item:
                    operations.append(self._operation(str(template), method, self.resolve(item[method])))
        self.operations: tuple[Operation, ...] = tuple(operations)
        self._by_id = {operation.operation_id: operation for operation in operations}
        # The most literal template first, so /webhooks/events wins over a /webhooks/{webhookId} beside it.
        self._patterns = sorted(
            ((_pattern(operation.path), operation) for operation in operations),
            key=lambda pair: -len(re.sub(r"\{[^}]*\}", "", pair[1].path)),
        )

    @classmethod
    def from_path(cls, path: str | os.PathLike[str]) -> Spec:
        """The spec in the YAML (or JSON) file ``path``.

        Raises:
            OSError: The file cannot be read.
            ValueError: It is not YAML, or not an OpenAPI document with paths.
        """
        import yaml  # type: ignore[import-untyped]  # only when a spec is read: importing it costs every command

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's where PyYAML has it: much faster
        try:
            document = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=loader)  # noqa: S506  (a safe loader)
        except yaml.YAMLError as error:
            raise ValueError(f"{os.fspath(path)} is not YAML: {error}") from None
        if not isinstance(document, Mapping):
            raise ValueError(f"{os.fspath(path)} is not an OpenAPI document")
        return cls(document, os.fspath(path))

    @classmethod
    def shipped(cls) -> Spec:
        """The spec the package ships (``openapi/up42.yaml``), read once and kept.

        Raises:
            FileNotFoundError: The installation lacks it.
        """
        return _shipped()

    def operation(self, operation_id: str) -> Operation:
        """The operation ``operation_id``.

        Raises:
            ValueError: The spec has no such operation; the message lists those it has.
        """
        try:
            return self._by_id[operation_id]
        except KeyError:
            known = ", ".join(self._by_id)
            raise ValueError(f"{self.source} has no operation {operation_id!r}; its operations: {known}") from None

    def find(self, method: str, path: str) -> Operation | None:
        """The operation a request of ``method`` to ``path`` (as sent, without the origin; a query is ignored) calls.

        None when no operation's template matches the path, or none of those that do takes the method.
        """
        path = path.split("?", 1)[0]
        for pattern, operation in self._patterns:
            if operation.method == method.upper() and pattern.fullmatch(path):
                return operation
        return None

    def pointer(self, ref: str) -> Any:
        """What the local reference ``ref`` (``#/components/...``) points at.

        Raises:
            ValueError: It is not a local reference, or nothing is there.
        """
        if not ref.startswith("#/"):
            raise ValueError(f"{self.source}: only local references are supported, not {ref!r}")
        node: Any = self.document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or part not in node:
                raise ValueError(f"{self.source}: the reference {ref!r} points at nothing")
            node = node[part]
        return node

    def resolve(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        """``node`` with its ``$ref`` followed (and the target's own, and so on); keys beside a ``$ref`` are kept.

        A reference that only leads back to itself resolves to an empty schema, which accepts anything.
        """
        seen: set[str] = set()
        while isinstance(node, Mapping) and "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                return {}
            seen.add(ref)
            siblings = {key: value for key, value in node.items() if key != "$ref"}
            node = {**self.pointer(ref), **siblings}
        return node

    def _operation(self, template: str, method: str, item: Mapping[str, Any]) -> Operation:
        operation_id = item.get("operationId")
        if not isinstance(operation_id, str):
            raise ValueError(f"{self.source}: {method.upper()} {template} has no operationId")
        responses = {
            str(key): self._response(str(key), self.resolve(value)) for key, value in item.get("responses", {}).items()
        }
        body = self.resolve(item.get("requestBody", {}))
        security = item.get("security", self.document.get("security", []))
        return Operation(
            spec=self,
            operation_id=operation_id,
            method=method.upper(),
            path=template,
            statuses=tuple(responses),
            authenticated=any(bool(requirement) for requirement in security or []),
            request={
                media.lower(): self.resolve(value.get("schema", {})) for media, value in body.get("content", {}).items()
            },
            responses=responses,
        )

    def _response(self, status: str, response: Mapping[str, Any]) -> Response:
        headers = {}
        for name, header in response.get("headers", {}).items():
            resolved = self.resolve(header)
            if name.lower() != "content-type":  # OpenAPI ignores a Content-Type header: the content says it
                schema = self.resolve(resolved.get("schema", {}))
                headers[name.lower()] = Header(name, schema, bool(resolved.get("required")))
        content = {
            media.lower(): self.resolve(value.get("schema", {})) for media, value in response.get("content", {}).items()
        }
        return Response(status=status, content=content, headers=headers)


def _pattern(template: str) -> re.Pattern[str]:
    """A template's path as a pattern: each ``{parameter}`` one path segment, the rest literal."""
    parts = re.split(r"(\{[^}]*\})", template)
    return re.compile("".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts))


@functools.cache
def _shipped() -> Spec:
    for path in (SHIPPED, CHECKOUT):
        if path.is_file():
            return Spec.from_path(path)
    raise FileNotFoundError(f"the package's spec is missing: neither {SHIPPED} nor {CHECKOUT} exists")
