"""`judge_value` and `judge_response`: each rule of the spec, as a violation or a drift, at its place."""

from __future__ import annotations

import json
from typing import Any

import pytest

from up42._contract import Problem, Spec, judge_response, judge_value

SHIPPED = Spec.shipped()
SPEC = Spec(
    {
        "openapi": "3.1.0",
        "paths": {},
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "required": ["id", "when"],
                    "properties": {
                        "id": {"type": "string", "format": "uuid"},
                        "when": {"type": "string", "format": "date-time"},
                        "day": {"type": "string", "format": "date"},
                        "link": {"type": "string", "format": "uri"},
                        "mail": {"type": "string", "format": "email"},
                        "kind": {"type": "string", "const": "thing"},
                        "name": {"type": "string", "minLength": 2, "maxLength": 4, "pattern": "^[a-z]+$"},
                        "count": {"type": "integer", "minimum": 1, "maximum": 9},
                        "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
                        "tags": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "string"}},
                        "grid": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
                        "note": {"type": ["string", "null"]},
                        "old": {"type": "string", "nullable": True},
                        "color": {"type": "string", "enum": ["red", "blue"]},
                        "pin": {"type": "string", "format": "password", "enum": ["0000"]},
                        "shape": {"oneOf": [{"$ref": "#/components/schemas/Circle"}, {"type": "string"}]},
                        "either": {"anyOf": [{"type": "integer"}, {"type": "boolean"}]},
                        "closed": {
                            "type": "object",
                            "properties": {"a": {"type": "string"}},
                            "additionalProperties": False,
                        },
                        "open": {"type": "object", "additionalProperties": True},
                        "typed": {"type": "object", "additionalProperties": {"type": "integer"}},
                        "child": {"$ref": "#/components/schemas/Thing"},
                        "both": {
                            "allOf": [{"$ref": "#/components/schemas/Circle"}, {"$ref": "#/components/schemas/Named"}]
                        },
                        "loop": {"$ref": "#/components/schemas/Loop"},
                        "odd key": {"type": "integer"},
                    },
                },
                "Circle": {"type": "object", "required": ["radius"], "properties": {"radius": {"type": "number"}}},
                "Named": {"type": "object", "required": ["label"], "properties": {"label": {"type": "string"}}},
                "Loop": {"allOf": [{"$ref": "#/components/schemas/Loop"}]},
            }
        },
    }
)
THING = {"$ref": "#/components/schemas/Thing"}
VALID: dict[str, Any] = {"id": "0b8a3f4e-5a7c-4f0e-9d55-1c2b3a4d5e6f", "when": "2024-05-01T10:00:00Z"}


def _judged(**fields: Any) -> list[tuple[str, str]]:
    return [(problem.level, problem.where) for problem in judge_value(SPEC, THING, {**VALID, **fields})]


def test_a_value_that_matches_has_no_problem() -> None:
    full = {
        "day": "2024-02-29",
        "link": "https://example.com/a?b=c",
        "mail": "a@example.com",
        "kind": "thing",
        "name": "abc",
        "count": 9,
        "ratio": 0.5,
        "tags": ["a"],
        "grid": [[1, 2], []],
        "note": None,
        "old": None,
        "color": "red",
        "shape": {"radius": 1.5},
        "either": True,
        "closed": {"a": "x"},
        "open": {"anything": [1]},
        "typed": {"x": 1},
        "child": {**VALID, "when": "2024-05-01T10:00:00.123+02:00"},
        "both": {"radius": 1, "label": "x"},
        "loop": {"whatever": 1},
        "odd key": 1,
    }
    assert judge_value(SPEC, THING, {**VALID, **full}) == []


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"id": 1}, "id"),
        ({"count": 1.5}, "count"),
        ({"count": True}, "count"),
        ({"note": 1}, "note"),
        ({"old": 1}, "old"),
        ({"tags": "a"}, "tags"),
        ({"grid": [[1], ["x"]]}, "grid[1][0]"),
        ({"child": {**VALID, "when": None}}, "child.when"),
        ({"id": "not-a-uuid"}, "id"),
        ({"when": "2024-05-01 10:00:00"}, "when"),
        ({"when": "2024-02-30T10:00:00Z"}, "when"),
        ({"when": "2024-05-01T24:00:00Z"}, "when"),
        ({"when": "2024-05-01T10:00:00"}, "when"),
        ({"day": "2024-13-01"}, "day"),
        ({"link": "/relative/only"}, "link"),
        ({"link": "https://exa mple.com"}, "link"),
        ({"mail": "nobody"}, "mail"),
        ({"kind": "other"}, "kind"),
        ({"name": "a"}, "name"),
        ({"name": "abcde"}, "name"),
        ({"name": "AB"}, "name"),
        ({"count": 0}, "count"),
        ({"count": 10}, "count"),
        ({"ratio": 0}, "ratio"),
        ({"ratio": 1}, "ratio"),
        ({"tags": []}, "tags"),
        ({"tags": ["a", "b", "c"]}, "tags"),
        ({"shape": {"radius": "big"}}, "shape"),
        ({"either": "x"}, "either"),
        ({"closed": {"a": "x", "b": 1}}, "closed.b"),
        ({"typed": {"x": "1"}}, "typed.x"),
        ({"both": {"radius": 1}}, "both.label"),
        ({"odd key": "x"}, '["odd key"]'),
    ],
)
def test_each_broken_rule_is_a_violation_at_its_place(fields: dict[str, Any], where: str) -> None:
    assert _judged(**fields) == [("violation", where)]


def test_a_required_property_missing_is_a_violation_at_its_place() -> None:
    problems = judge_value(SPEC, THING, {"id": VALID["id"], "child": {"id": VALID["id"]}})
    assert [(p.level, p.where, p.text) for p in problems] == [
        ("violation", "when", "a required property is missing"),
        ("violation", "child.when", "a required property is missing"),
    ]


def test_an_unknown_property_and_an_unknown_enum_value_are_drift() -> None:
    problems = judge_value(SPEC, THING, {**VALID, "color": "green", "extra": 1, "shape": {"radius": 1, "more": 2}})
    assert [(p.level, p.where) for p in problems] == [
        ("drift", "color"),
        ("drift", "extra"),
        ("drift", "shape.more"),
    ]
    assert problems[0].text == '"green" is not among the spec\'s values ("red", "blue")'


def test_a_type_error_says_what_was_expected_and_what_came() -> None:
    (problem,) = judge_value(SPEC, THING, {**VALID, "note": 3})
    assert problem.text == "expected null or string, got integer"


def test_no_text_quotes_a_password_fields_value_or_a_broken_value() -> None:
    secret = "0000-not-the-pin"
    problems = judge_value(SPEC, THING, {**VALID, "pin": secret, "name": secret, "kind": secret, "mail": secret})
    assert problems
    assert all(secret not in problem.text for problem in problems)
    assert ("drift", "pin", 'a value is not among the spec\'s values ("0000")') in [
        (p.level, p.where, p.text) for p in problems
    ]


def test_a_oneof_no_variant_matches_names_the_closest_variants_failure() -> None:
    (problem,) = judge_value(SPEC, THING, {**VALID, "shape": 3})
    assert problem.text.startswith("matches none of the 2 variants of its oneOf; the closest fails at shape")


def test_a_reference_cycle_accepts_the_value_instead_of_recursing() -> None:
    assert judge_value(SPEC, {"$ref": "#/components/schemas/Loop"}, {"deep": [1, {"x": None}]}) == []


def test_a_root_problem_has_the_place_given_or_none() -> None:
    assert judge_value(SPEC, THING, []) == [Problem("violation", "", "expected object, got array")]
    assert judge_value(SPEC, THING, [], "data[0]")[0].where == "data[0]"


def _answer(operation_id: str, status: int, body: Any, headers: dict[str, str] | None = None) -> list[Problem]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    sent = {"Content-Type": "application/json", **(headers or {})}
    return judge_response(SHIPPED.operation(operation_id), status, sent, raw)


HOOK = {
    "id": "h-1",
    "name": "n",
    "url": "https://example.com/hook",
    "events": ["order.status"],
    "active": False,
    "secret": None,
    "createdAt": "2024-05-01T10:00:00Z",
    "updatedAt": "2024-05-01T10:00:00Z",
}


def test_an_answer_that_matches_has_no_problem() -> None:
    assert _answer("listWebhooks", 200, {"data": [HOOK], "error": None}) == []
    assert judge_response(SHIPPED.operation("deleteWebhook"), 204, {}, b"") == []
    assert _answer("getWebhook", 503, b"<html>down</html>", {"Content-Type": "text/html; charset=utf-8"}) == []


def test_a_required_property_missing_in_a_list_is_named_by_index() -> None:
    broken = {key: value for key, value in HOOK.items() if key != "updatedAt"}
    problems = _answer("listWebhooks", 200, {"data": [HOOK, broken]})
    assert problems == [Problem("violation", "data[1].updatedAt", "a required property is missing")]


def test_an_undeclared_status_is_a_violation_and_nothing_else_is_judged() -> None:
    assert _answer("getWebhook", 201, {"data": HOOK}) == [
        Problem("violation", "status", "201 is not a documented status (documented: 200, 400, 401, 403, 404, 429, 5XX)")
    ]


def test_an_undeclared_content_type_is_a_violation() -> None:
    (problem,) = _answer("getWebhook", 200, {"data": HOOK}, {"Content-Type": "text/plain"})
    assert problem == Problem("violation", "headers.Content-Type", "expected application/json, got text/plain")
    (missing,) = judge_response(SHIPPED.operation("getWebhook"), 200, {}, b"{}")
    assert missing.where == "headers.Content-Type"


def test_a_body_that_is_not_json_where_json_is_declared_is_a_violation() -> None:
    for body in (b"{", b"\xff", b"NaN", b""):
        (problem,) = _answer("getWebhook", 200, body)
        assert (problem.level, problem.where) == ("violation", "body")
    (empty,) = judge_response(SHIPPED.operation("getWebhook"), 200, {}, b"")
    assert empty == Problem("violation", "body", "no body where the spec declares application/json")


def test_a_body_where_none_is_declared_is_a_violation() -> None:
    (problem,) = judge_response(SHIPPED.operation("deleteWebhook"), 204, {}, b"{}")
    assert problem == Problem("violation", "body", "a body of 2 bytes where the spec declares none")


def test_a_body_of_the_wrong_type_is_a_violation_of_the_body() -> None:
    assert _answer("getWebhook", 200, [1]) == [Problem("violation", "body", "expected object, got array")]


def test_a_declared_header_that_breaks_its_schema_is_drift_and_a_missing_required_one_a_violation() -> None:
    spec = Spec(
        {
            "paths": {
                "/x": {
                    "get": {
                        "operationId": "getX",
                        "responses": {
                            "200": {
                                "description": "x",
                                "headers": {
                                    "X-Count": {"required": True, "schema": {"type": "integer", "minimum": 1}},
                                    "X-Mode": {"schema": {"type": "string", "enum": ["a"]}},
                                    "X-Flag": {"schema": {"type": "boolean"}},
                                },
                            }
                        },
                    }
                }
            }
        }
    )
    operation = spec.operation("getX")
    assert judge_response(operation, 200, {"x-count": "3", "X-Flag": "true"}, b"") == []
    assert judge_response(operation, 200, {"X-Mode": "b", "X-Flag": "maybe"}, b"") == [
        Problem("violation", "headers.X-Count", "a required header is missing"),
        Problem("drift", "headers.X-Mode", 'declared otherwise: "b" is not among the spec\'s values ("a")'),
        Problem("drift", "headers.X-Flag", "declared otherwise: expected boolean, got string"),
    ]
    (zero,) = judge_response(operation, 200, {"X-Count": "0"}, b"")
    assert (zero.level, zero.where) == ("drift", "headers.X-Count")


def test_allof_members_are_merged_and_each_ones_bounds_still_hold() -> None:
    schema = {
        "allOf": [
            {"type": ["string", "null"], "minLength": 2},
            {"type": "string", "minLength": 4, "maxLength": 5},
        ]
    }
    assert judge_value(SPEC, schema, "abcd") == []
    assert [p.text for p in judge_value(SPEC, schema, None)] == ["expected string, got null"]
    assert [p.text for p in judge_value(SPEC, schema, "abc")] == ["expected at least 4 characters, got 3"]
    assert [p.text for p in judge_value(SPEC, schema, "abcdef")] == ["expected at most 5 characters, got 6"]
