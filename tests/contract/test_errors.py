"""`error_body` and `error_code`: the spec's error body of each operation and status, with a fitting code."""

from __future__ import annotations

import json

import pytest

from up42._contract import Spec, error_body, error_code, judge_response

SHIPPED = Spec.shipped()


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "BAD_REQUEST"),
        (401, "UNAUTHORIZED"),
        (403, "FORBIDDEN"),
        (404, "RESOURCE_NOT_FOUND"),
        (409, "CONFLICT"),
        (413, "PAYLOAD_TOO_LARGE"),
        (415, "UNSUPPORTED_MEDIA_TYPE"),
        (422, "VALIDATION_ERROR"),
        (429, "TOO_MANY_REQUESTS"),
        (500, "INTERNAL_ERROR"),
        (502, "BAD_GATEWAY"),
        (503, "SERVICE_UNAVAILABLE"),
        (599, "599"),
    ],
)
def test_each_status_has_its_code(status: int, code: str) -> None:
    assert error_code(status) == code


@pytest.mark.parametrize(
    ("operation_id", "status", "body"),
    [
        ("createWebhook", 422, {"data": None, "error": {"code": "VALIDATION_ERROR", "message": "m", "details": None}}),
        ("getWebhook", 503, {"data": None, "error": {"code": "SERVICE_UNAVAILABLE", "message": "m", "details": None}}),
        ("createToken", 401, {"error": "invalid_grant", "error_description": "m"}),
        ("createToken", 400, {"error": "invalid_request", "error_description": "m"}),
        ("getUserinfo", 401, {"error": "invalid_token", "error_description": "m"}),
        ("createToken", 429, {"data": None, "error": {"code": "TOO_MANY_REQUESTS", "message": "m", "details": None}}),
    ],
)
def test_the_error_body_has_the_specs_shape_for_the_operation(operation_id: str, status: int, body: object) -> None:
    operation = SHIPPED.operation(operation_id)
    assert error_body(operation, status, "m") == body
    raw = json.dumps(body).encode()
    assert judge_response(operation, status, {"Content-Type": "application/json"}, raw) == []


def test_every_documented_error_status_of_every_operation_has_a_body_the_spec_accepts() -> None:
    for operation in SHIPPED.operations:
        for key in operation.statuses:
            status = 503 if key.upper() == "5XX" else int(key)
            if status >= 400:
                raw = json.dumps(error_body(operation, status)).encode()
                headers = {"Content-Type": "application/json"}
                assert judge_response(operation, status, headers, raw) == [], (operation.operation_id, status)


def test_the_message_defaults_to_the_phrase_of_the_status() -> None:
    assert error_body(SHIPPED.operation("getWebhook"), 404)["error"]["message"] == "Not Found"


@pytest.mark.parametrize(
    ("operation_id", "status", "message"),
    [
        ("getWebhook", 200, "200 is not an error status"),
        ("getWebhook", 409, r"getWebhook does not document 409 \(documented: 200, 400"),
        ("createToken", 404, "createToken does not document 404"),
    ],
)
def test_a_status_without_an_error_body_is_a_value_error(operation_id: str, status: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        error_body(SHIPPED.operation(operation_id), status)


def test_a_documented_error_without_a_json_body_is_a_value_error() -> None:
    spec = Spec(
        {"paths": {"/x": {"get": {"operationId": "getX", "responses": {"500": {"description": "a bare page"}}}}}}
    )
    with pytest.raises(ValueError, match="getX documents no JSON body for 500"):
        error_body(spec.operation("getX"), 500)
