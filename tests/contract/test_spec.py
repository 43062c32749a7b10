"""`Spec`: the shipped spec, operations by id and by request, responses by status, references followed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.contract import SPEC_PATH
from up42._contract import Spec

SHIPPED = Spec.shipped()


def _spec(**responses: Any) -> Spec:
    return Spec(
        {
            "openapi": "3.1.0",
            "paths": {
                "/things/{id}": {"get": {"operationId": "getThing", "responses": responses}},
                "/things/special": {"get": {"operationId": "getSpecial", "security": [], "responses": {}}},
            },
            "components": {
                "responses": {"Gone": {"$ref": "#/components/responses/Missing"}, "Missing": {"description": "x"}},
                "schemas": {"Loop": {"$ref": "#/components/schemas/Loop"}},
            },
            "security": [{"bearerAuth": []}],
        }
    )


def test_the_shipped_spec_is_the_repositorys_and_read_once() -> None:
    assert Path(SHIPPED.source).read_bytes() == SPEC_PATH.read_bytes()
    assert Spec.shipped() is SHIPPED


def test_operations_come_in_the_documents_order() -> None:
    assert [operation.operation_id for operation in SHIPPED.operations] == [
        "createToken",
        "getUserinfo",
        "listWebhookEvents",
        "listWebhooks",
        "createWebhook",
        "getWebhook",
        "updateWebhook",
        "deleteWebhook",
        "runWebhookTests",
    ]


def test_an_operation_by_id_carries_its_method_path_statuses_and_security() -> None:
    operation = SHIPPED.operation("deleteWebhook")
    assert (operation.method, operation.path) == ("DELETE", "/workspaces/{workspaceId}/webhooks/{webhookId}")
    assert operation.statuses == ("204", "400", "401", "403", "404", "429", "5XX")
    assert operation.authenticated
    assert not SHIPPED.operation("createToken").authenticated
    assert "application/x-www-form-urlencoded" in SHIPPED.operation("createToken").request


def test_an_unknown_operation_id_is_a_value_error_naming_the_known_ones() -> None:
    with pytest.raises(ValueError, match="no operation 'getWebhooks'.*listWebhooks, createWebhook"):
        SHIPPED.operation("getWebhooks")


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("POST", "/realms/public/protocol/openid-connect/token", "createToken"),
        ("get", "/realms/public/protocol/openid-connect/userinfo", "getUserinfo"),
        ("GET", "/webhooks/events", "listWebhookEvents"),
        ("GET", "/workspaces/w-1/webhooks", "listWebhooks"),
        ("POST", "/workspaces/w-1/webhooks", "createWebhook"),
        ("PUT", "/workspaces/w-1/webhooks/h%2F1", "updateWebhook"),
        ("POST", "/workspaces/w-1/webhooks/h-1/tests?x=1", "runWebhookTests"),
    ],
)
def test_a_request_finds_its_operation(method: str, path: str, expected: str) -> None:
    found = SHIPPED.find(method, path)
    assert found is not None
    assert found.operation_id == expected


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", "/workspaces/w-1/webhooks/h-1"),
        ("GET", "/workspaces/w-1/webhooks/h/1"),
        ("GET", "/workspaces//webhooks"),
        ("GET", "https://api.up42.com/webhooks/events"),
        ("GET", "/webhooks/events/"),
    ],
)
def test_a_request_no_operation_takes_finds_none(method: str, path: str) -> None:
    assert SHIPPED.find(method, path) is None


def test_a_literal_template_wins_over_a_parameter_in_the_same_place() -> None:
    spec = _spec()
    found = spec.find("GET", "/things/special")
    assert found is not None
    assert found.operation_id == "getSpecial"
    assert spec.find("GET", "/things/other").operation_id == "getThing"  # type: ignore[union-attr]


def test_a_response_is_found_by_status_then_range_then_default() -> None:
    spec = _spec(**{"200": {"description": "ok"}, "4XX": {"description": "x"}, "default": {"description": "d"}})
    operation = spec.operation("getThing")
    assert operation.response(200).status == "200"  # type: ignore[union-attr]
    assert operation.response(404).status == "4XX"  # type: ignore[union-attr]
    assert operation.response(503).status == "default"  # type: ignore[union-attr]
    assert SHIPPED.operation("getWebhook").response(502).status == "5XX"  # type: ignore[union-attr]
    assert SHIPPED.operation("getWebhook").response(418) is None
    assert SHIPPED.operation("getWebhook").response(201) is None


def test_responses_and_their_schemas_and_headers_are_resolved() -> None:
    response = SHIPPED.operation("listWebhooks").response(429)
    assert response is not None
    assert response.content["application/json"]["required"] == ["error"]
    assert response.headers["retry-after"].name == "Retry-After"
    assert response.headers["retry-after"].schema == {"type": "string"}
    assert not response.headers["retry-after"].required
    assert SHIPPED.operation("deleteWebhook").response(204).content == {}  # type: ignore[union-attr]
    gone = _spec(**{"410": {"$ref": "#/components/responses/Gone"}}).operation("getThing").response(410)
    assert gone is not None
    assert gone.content == {}


def test_a_reference_cycle_resolves_to_an_empty_schema_and_a_dangling_one_is_named() -> None:
    spec = _spec()
    assert spec.resolve({"$ref": "#/components/schemas/Loop"}) == {}
    with pytest.raises(ValueError, match="'#/components/schemas/Nothing' points at nothing"):
        spec.resolve({"$ref": "#/components/schemas/Nothing"})


def test_a_file_that_is_not_a_spec_is_a_value_error(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("paths: [\n")
    with pytest.raises(ValueError, match="is not YAML"):
        Spec.from_path(tmp_path / "bad.yaml")
    (tmp_path / "list.yaml").write_text("- 1\n")
    with pytest.raises(ValueError, match="not an OpenAPI document"):
        Spec.from_path(tmp_path / "list.yaml")
    (tmp_path / "nopaths.yaml").write_text("openapi: 3.1.0\n")
    with pytest.raises(ValueError, match="has no paths"):
        Spec.from_path(tmp_path / "nopaths.yaml")
