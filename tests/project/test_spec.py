"""The gates that keep spec, generated client and wrapper in step."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from openapi_core.exceptions import OpenAPIError
from openapi_spec_validator import validate

from tests.support.contract import ROOT, SPEC_PATH, assert_request_matches_spec, assert_response_matches_spec
from tests.support.mock_api import WEBHOOKS, envelope, webhook_json

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
BIN = Path(sys.executable).parent


def spec() -> dict[str, object]:
    return yaml.safe_load(SPEC_PATH.read_text())  # type: ignore[no-any-return]


def operations() -> dict[str, str]:
    """operationId -> generated module (up42_api.api.<tag>.<snake_case id>)."""
    found = {}
    for item in spec()["paths"].values():  # type: ignore[attr-defined]
        for method, op in item.items():
            if method in HTTP_METHODS:
                snake = re.sub(r"(?<!^)(?=[A-Z])", "_", op["operationId"]).lower()
                found[op["operationId"]] = f"up42_api.api.{op['tags'][0]}.{snake}"
    return found


def imported_modules() -> set[str]:
    """Every up42_api.api module the hand-written package imports."""
    modules = set()
    for path in (ROOT / "up42").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("up42_api.api."):
                modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def test_the_spec_is_a_valid_openapi_3_1_document() -> None:
    document = spec()
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_the_spec_has_the_nine_operations() -> None:
    assert set(operations()) == {
        "createToken",
        "getUserinfo",
        "listWebhookEvents",
        "listWebhooks",
        "createWebhook",
        "getWebhook",
        "updateWebhook",
        "deleteWebhook",
        "runWebhookTests",
    }


def test_every_spec_operation_is_used_by_the_hand_written_layer() -> None:
    missing = set(operations().values()) - imported_modules()
    assert not missing, f"spec operations that up42/ does not wrap: {sorted(missing)}"


def test_the_webhooks_section_describes_the_signed_delivery() -> None:
    delivery = spec()["webhooks"]["webhookDelivery"]["post"]  # type: ignore[index]
    headers = {p["name"] for p in delivery["parameters"]}
    assert {"Signature", "Signature-Input"} <= headers
    message = spec()["components"]["schemas"]["WebhookMessage"]  # type: ignore[index]
    assert set(message["required"]) == {"event", "liveMode", "messageId", "timestamp", "body"}


def _request(method: str, path: str, **kwargs: object) -> httpx.Request:
    headers = {"Authorization": "Bearer t", **kwargs.pop("headers", {})}  # type: ignore[dict-item]
    return httpx.Request(method, f"https://api.up42.com{path}", headers=headers, **kwargs)  # type: ignore[arg-type]


def test_the_contract_check_accepts_what_the_api_sends() -> None:
    request = _request("GET", WEBHOOKS)
    assert_request_matches_spec(request)
    assert_response_matches_spec(request, httpx.Response(200, json=envelope([webhook_json()])))
    assert_response_matches_spec(request, httpx.Response(502, text="<html/>", headers={"Content-Type": "text/html"}))


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, json=envelope([{k: v for k, v in webhook_json().items() if k != "createdAt"}])),
        httpx.Response(200, json=envelope([webhook_json(active="yes")])),
        httpx.Response(200, json=envelope([webhook_json(events=["asset.created"])])),
        httpx.Response(201, json=envelope([])),
    ],
)
def test_the_contract_check_catches_a_stale_mock(response: httpx.Response) -> None:
    with pytest.raises(OpenAPIError):
        assert_response_matches_spec(_request("GET", WEBHOOKS), response)


@pytest.mark.parametrize(
    "request_",
    [
        _request("POST", WEBHOOKS, json={"name": "n", "events": ["order.status"], "active": False, "secret": None}),
        _request("POST", WEBHOOKS, json={"name": "n", "url": "https://e.example", "events": [], "active": False,
                                          "secret": "x" * 501}),
        _request("GET", WEBHOOKS, headers={"Authorization": ""}),
        _request("PATCH", f"{WEBHOOKS}/1"),
    ],
)  # fmt: skip
def test_the_contract_check_catches_an_off_spec_request(request_: httpx.Request) -> None:
    with pytest.raises(OpenAPIError):
        assert_request_matches_spec(request_)


def _copy_project(target: Path) -> Path:
    for part in ("openapi", "scripts", "generated"):
        shutil.copytree(ROOT / part, target / part, ignore=shutil.ignore_patterns("__pycache__"))
    # The event catalog is generated too, and formatted with the project's ruff settings.
    for part in ("pyproject.toml", CATALOG):
        (target / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / part, target / part)
    return target


CATALOG = "up42/receiving/_catalog.py"


def _gate(project: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UP42_DEV_BIN": str(BIN)}
    return subprocess.run(
        [str(project / "scripts" / "check-generated.sh")], capture_output=True, text=True, env=env, check=False
    )


def test_the_drift_gate_passes_on_the_committed_tree(tmp_path: Path) -> None:
    result = _gate(_copy_project(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "matches openapi/up42.yaml" in result.stdout


def test_the_drift_gate_fails_when_the_spec_changes_without_regenerating(tmp_path: Path) -> None:
    project = _copy_project(tmp_path)
    spec_file = project / "openapi" / "up42.yaml"
    text = spec_file.read_text()
    required = "      required: [id, name, url, events, active, createdAt, updatedAt]"
    spec_file.write_text(text.replace(required, required.replace("active,", "active, secret,")))
    assert spec_file.read_text() != text

    result = _gate(project)

    assert result.returncode == 1
    assert "generated/up42_api differs from a fresh generation" in result.stderr
    assert "models/webhook.py" in result.stdout


def test_the_drift_gate_fails_on_a_hand_edit(tmp_path: Path) -> None:
    project = _copy_project(tmp_path)
    with (project / "generated" / "up42_api" / "client.py").open("a") as handle:
        handle.write("# a hand edit\n")

    result = _gate(project)

    assert result.returncode == 1
    assert "+# a hand edit" not in result.stdout and "-# a hand edit" in result.stdout


def test_the_drift_gate_fails_when_the_spec_event_list_changes_without_regenerating(tmp_path: Path) -> None:
    project = _copy_project(tmp_path)
    spec_file = project / "openapi" / "up42.yaml"
    text = spec_file.read_text()
    spec_file.write_text(text.replace("      enum: [job.status, order.status]", "      enum: [job.status]"))
    assert spec_file.read_text() != text

    result = _gate(project)

    assert result.returncode == 1
    assert "generated/up42_api differs from a fresh generation" in result.stderr
    assert "up42/receiving/_catalog.py differs from a fresh generation" in result.stderr
    assert '-    ORDER_STATUS = "order.status"' in result.stdout
    assert '-    "order.status": (' in result.stdout


def test_the_drift_gate_fails_on_a_hand_edit_of_the_catalog(tmp_path: Path) -> None:
    project = _copy_project(tmp_path)
    catalog = project / CATALOG
    catalog.write_text(catalog.read_text().replace('    ARCHIVE = "ARCHIVE"\n', ""))

    result = _gate(project)

    assert result.returncode == 1
    assert '+    ARCHIVE = "ARCHIVE"' in result.stdout


def test_the_drift_gate_fails_on_an_invalid_spec(tmp_path: Path) -> None:
    project = _copy_project(tmp_path)
    spec_file = project / "openapi" / "up42.yaml"
    spec_file.write_text(spec_file.read_text().replace("  /webhooks/events:", "  /webhooks/{eventId}:"))

    result = _gate(project)

    assert result.returncode == 1
    assert "regeneration failed" in result.stderr


def _walk(value: object, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict[str, object]]]:
    """Every JSON object in the spec, with the keys that lead to it."""
    if isinstance(value, dict):
        yield path, value
        for key, item in value.items():
            yield from _walk(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, str(index)))


# Where the model template reads a sensitive mark: on a property's own schema, a oneOf/anyOf member of it, its items.
_MARK_PLACE = re.compile(r"/properties/[^/]+(?:/(?:oneOf|anyOf)/\d+|/items)*$")
# A property named like a credential holds one.
_CREDENTIAL_NAME = re.compile(r"password|secret|(?:^|_)(?:access|refresh|id|api)_?(?:token|key)$|credential", re.I)


def test_every_sensitive_mark_sits_where_the_model_template_reads_it() -> None:
    # A mark behind a $ref (a `Password` schema referenced by a property) would not reach the template, and the
    # model would print the value.
    marks = ["/".join(path) for path, node in _walk(spec()) if node.get("format") == "password"]
    assert marks
    misplaced = [mark for mark in marks if not _MARK_PLACE.search(mark)]
    assert not misplaced, f"format: password must sit on the property itself: {misplaced}"


def test_every_property_named_like_a_credential_is_marked_sensitive() -> None:
    def marked(schema: Any) -> bool:
        members = [
            *schema.get("oneOf", []),
            *schema.get("anyOf", []),
            *([schema["items"]] if "items" in schema else []),
        ]
        return schema.get("format") == "password" or any(marked(member) for member in members)

    unmarked = [
        f"{'/'.join(path)}/{name}"
        for path, node in _walk(spec())
        if path and path[-1] == "properties"
        for name, schema in node.items()
        if _CREDENTIAL_NAME.search(re.sub(r"(?<!^)(?=[A-Z])", "_", name)) and not marked(schema)
    ]
    assert not unmarked, f"mark these format: password, so no repr shows them: {unmarked}"
