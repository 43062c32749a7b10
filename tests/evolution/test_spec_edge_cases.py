"""Edge cases of the spec's rules, judged directly by scripts/api_diff/_spec.py on edited copies of the spec as data.

Each test edits a copy of openapi/up42.yaml, compares it with the unedited one (or with a copy edited before), and
checks the changes found, their level and their ``where``, which resolves in the head spec (or in the base spec for
something removed). Only where the generated code decides the verdict does a test regenerate a project copy.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.contract import SPEC_PATH
from tests.support.evolution import Project, found, rules, scripts_module

Spec = dict[str, Any]
Edit = Callable[[Spec], object]

_spec = scripts_module("api_diff._spec")
Changes = scripts_module("api_diff._changes").Changes
_trees = scripts_module("api_diff._trees")

SPEC: Spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
SCHEMAS = "#/components/schemas"
ITEM = "/workspaces/{workspaceId}/webhooks/{webhookId}"
LIST = "/workspaces/{workspaceId}/webhooks"
DELIVERY = "#/webhooks/webhookDelivery/post"


def pointer(path: str, *rest: str) -> str:
    """The pointer to an operation's part under ``paths``."""
    return "#/paths/" + "/".join(t.replace("~", "~0").replace("/", "~1") for t in (path, *rest))


def schema(spec: Spec, name: str) -> dict[str, Any]:
    """The component schema ``name``."""
    found: dict[str, Any] = spec["components"]["schemas"][name]
    return found


def resolves(spec: Spec, where: str) -> bool:
    """Whether the JSON pointer ``where`` names a node of ``spec``."""
    node: Any = spec
    for token in where.removeprefix("#/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            return False
    return True


def compared(edit: Edit, before: Edit | None = None) -> list[dict[str, str]]:
    """The changes from the spec (edited by ``before``, when given) to a copy of it edited by ``edit``.

    Every change's ``where`` must resolve in the head spec or in the base spec.
    """
    base = copy.deepcopy(SPEC)
    if before is not None:
        before(base)
    head = copy.deepcopy(base)
    edit(head)
    changes = Changes()
    _spec.compare(base, head, changes)
    found: list[dict[str, str]] = [change.as_json() for change in changes.sorted()]
    unresolved = [c for c in found if not (resolves(head, c["where"]) or resolves(base, c["where"]))]
    assert not unresolved, f"where resolves in neither spec: {json.dumps(unresolved, indent=1)}"
    return found


def one(changes: list[dict[str, str]], rule: str, where: str) -> dict[str, str]:
    """The single change of ``rule`` at ``where``, failing with the whole list when there is none."""
    matches = [c for c in changes if c["rule"] == rule and c["where"] == where]
    assert len(matches) == 1, f"no single {rule} at {where}: {json.dumps(changes, indent=1)}"
    return matches[0]


def breaking(changes: list[dict[str, str]]) -> list[dict[str, str]]:
    """The breaking changes."""
    return [c for c in changes if c["level"] == "breaking"]


# --- parameters and headers -----------------------------------------------------------------------------------------


def _delivery_header(spec: Spec) -> dict[str, Any]:
    header: dict[str, Any] = spec["webhooks"]["webhookDelivery"]["post"]["parameters"][0]
    return header


def test_a_delivery_header_made_optional_breaks_receivers_and_made_required_does_not() -> None:
    def require(spec: Spec) -> None:
        _delivery_header(spec)["required"] = True

    def unrequire(spec: Spec) -> None:
        _delivery_header(spec)["required"] = False

    where = f"{DELIVERY}/parameters/0"
    optional = one(compared(unrequire, before=require), "response-parameter-became-optional", where)
    assert optional["level"] == "breaking"
    assert "Signature-Input" in optional["text"]
    required = compared(require)
    assert one(required, "response-parameter-became-required", where)["level"] == "compatible"
    assert breaking(required) == []


def test_a_new_required_delivery_header_is_compatible_and_not_called_optional() -> None:
    def add(spec: Spec) -> None:
        parameters = spec["webhooks"]["webhookDelivery"]["post"]["parameters"]
        parameters.append({"name": "Delivery-Id", "in": "header", "required": True, "schema": {"type": "string"}})

    change = one(compared(add), "response-parameter-added", f"{DELIVERY}/parameters/3")
    assert change["level"] == "compatible"
    assert "optional" not in change["text"]
    assert "Delivery-Id" in change["text"]


def test_a_response_header_removed_or_retyped_breaks_its_readers() -> None:
    def drop(spec: Spec) -> None:
        spec["components"]["responses"]["TooManyRequests"]["headers"].pop("Retry-After")

    removed = one(compared(drop), "response-header-removed", "#/components/headers/RetryAfter")
    assert removed["level"] == "breaking"
    assert "Retry-After" in removed["text"]

    def retype(spec: Spec) -> None:
        spec["components"]["headers"]["RetryAfter"]["schema"]["type"] = "integer"

    retyped = one(compared(retype), "response-type-changed", "#/components/headers/RetryAfter/schema")
    assert retyped["level"] == "breaking"


def test_a_new_response_header_is_compatible_and_a_case_change_is_none() -> None:
    events = pointer("/webhooks/events", "get", "responses", "200")

    def add(spec: Spec) -> None:
        response = spec["paths"]["/webhooks/events"]["get"]["responses"]["200"]
        response["headers"] = {"X-Total": {"required": True, "schema": {"type": "integer"}}}

    changes = compared(add)
    assert one(changes, "response-header-added", f"{events}/headers/X-Total")["level"] == "compatible"
    assert breaking(changes) == []

    def recase(spec: Spec) -> None:
        headers = spec["components"]["responses"]["TooManyRequests"]["headers"]
        headers["retry-after"] = headers.pop("Retry-After")
        spec["webhooks"]["webhookDelivery"]["post"]["parameters"][1]["name"] = "signature"

    assert compared(recase) == []


# --- schemas --------------------------------------------------------------------------------------------------------


def test_a_request_field_made_read_only_breaks_and_a_response_field_made_write_only_breaks() -> None:
    def hide(spec: Spec) -> None:
        schema(spec, "WebhookInput")["properties"]["active"]["readOnly"] = True
        schema(spec, "Webhook")["properties"]["secret"]["writeOnly"] = True
        schema(spec, "Webhook")["properties"]["id"]["readOnly"] = True  # the server sets it: nothing changes

    changes = compared(hide)
    sent = one(changes, "request-property-became-read-only", f"{SCHEMAS}/WebhookInput/properties/active")
    assert sent["level"] == "breaking"
    assert "active" in sent["text"]
    read = one(changes, "response-property-became-write-only", f"{SCHEMAS}/Webhook/properties/secret")
    assert read["level"] == "breaking"
    assert "secret" in read["text"]
    assert len(breaking(changes)) == 2
    assert one(changes, "access-changed", f"{SCHEMAS}/Webhook/properties/id")["level"] == "compatible"


def test_a_read_only_request_field_made_writable_is_compatible() -> None:
    def hide(spec: Spec) -> None:
        schema(spec, "WebhookInput")["properties"]["active"]["readOnly"] = True

    changes = compared(lambda spec: schema(spec, "WebhookInput")["properties"]["active"].pop("readOnly"), before=hide)
    assert one(changes, "request-property-became-writable", f"{SCHEMAS}/WebhookInput/properties/active")
    assert breaking(changes) == []


def test_a_title_that_renames_a_generated_model_breaks_and_names_both() -> None:
    # The generator names a model after its schema's title, else after its key.
    def title(spec: Spec) -> None:
        schema(spec, "TestRequest")["title"] = "SentTestRequest"
        schema(spec, "Webhook")["properties"]["name"]["title"] = "Name"  # a string: no model, words only

    changes = compared(title)
    renamed = one(changes, "schema-renamed", f"{SCHEMAS}/TestRequest")
    assert renamed["level"] == "breaking"
    assert "up42_api.models.TestRequest " in renamed["text"]
    assert "up42_api.models.SentTestRequest" in renamed["text"]
    assert len(breaking(changes)) == 1


def test_a_schema_renamed_under_a_title_that_keeps_its_model_breaks_nothing() -> None:
    def titled(spec: Spec) -> None:
        schema(spec, "TestRequest")["title"] = "TestRequest"

    def rename(spec: Spec) -> None:
        spec["components"]["schemas"]["SentTest"] = spec["components"]["schemas"].pop("TestRequest")
        schema(spec, "TestResult")["properties"]["request"]["$ref"] = f"{SCHEMAS}/SentTest"

    changes = compared(rename, before=titled)
    assert breaking(changes) == []
    renamed = one(changes, "schema-renamed", f"{SCHEMAS}/TestRequest")
    assert "up42_api.models.TestRequest" in renamed["text"]


def test_a_field_that_refers_to_another_model_changed_there_and_not_in_either_model() -> None:
    def other(spec: Spec) -> None:
        schema(spec, "Webhook")["properties"]["events"]["items"] = {"$ref": f"{SCHEMAS}/OrderType"}

    changes = compared(other)
    assert [c["rule"] for c in changes] == ["response-type-changed"]
    change = one(changes, "response-type-changed", f"{SCHEMAS}/Webhook/properties/events/items")
    assert "up42_api.models.OrderType" in change["text"]
    assert "up42_api.models.EventName" in change["text"]


def test_a_request_body_that_refers_to_a_copy_of_its_model_breaks_its_callers() -> None:
    # The generated function's body parameter takes the new model: a caller builds that one instead.
    def copy_input(spec: Spec) -> None:
        spec["components"]["schemas"]["WebhookCreate"] = copy.deepcopy(schema(spec, "WebhookInput"))
        body = spec["paths"][LIST]["post"]["requestBody"]["content"]["application/json"]
        body["schema"] = {"$ref": f"{SCHEMAS}/WebhookCreate"}

    changes = compared(copy_input)
    where = pointer(LIST, "post", "requestBody", "content", "application/json", "schema")
    change = one(changes, "request-type-changed", where)
    assert "up42_api.models.WebhookCreate" in change["text"]
    assert len(breaking(changes)) == 1


# --- security -------------------------------------------------------------------------------------------------------


def test_a_replaced_default_security_is_one_breaking_change_at_the_root() -> None:
    def replace(spec: Spec) -> None:
        spec["components"]["securitySchemes"] = {"apiKey": {"type": "apiKey", "in": "header", "name": "X-Key"}}
        spec["security"] = [{"apiKey": []}]

    changes = compared(replace)
    assert [c["rule"] for c in changes] == ["security-requirement-added"]
    assert one(changes, "security-requirement-added", "#/security")["level"] == "breaking"
    assert "apiKey" in changes[0]["text"]


def test_a_security_scheme_redefined_under_its_name_breaks() -> None:
    def redefine(spec: Spec) -> None:
        spec["components"]["securitySchemes"]["bearerAuth"] = {"type": "apiKey", "in": "header", "name": "X-Key"}

    change = one(compared(redefine), "security-scheme-changed", "#/components/securitySchemes/bearerAuth")
    assert change["level"] == "breaking"
    assert "X-Key" in change["text"]

    def reword(spec: Spec) -> None:
        spec["components"]["securitySchemes"]["bearerAuth"].update(description="A JWT.", bearerFormat="opaque")

    assert breaking(compared(reword)) == []


def test_a_scope_added_to_a_security_requirement_breaks_and_one_dropped_does_not() -> None:
    def admin(spec: Spec) -> None:
        spec["security"] = [{"bearerAuth": ["admin"]}]

    added = one(compared(admin), "security-requirement-added", "#/security")
    assert added["level"] == "breaking"
    assert "admin" in added["text"]
    dropped = compared(lambda spec: spec.update(security=[{"bearerAuth": []}]), before=admin)
    assert one(dropped, "security-requirement-removed", "#/security")["level"] == "compatible"


# --- request bodies -------------------------------------------------------------------------------------------------


def _shared_body(spec: Spec) -> None:
    """The body of createWebhook and updateWebhook as one request body under components/requestBodies."""
    spec["components"]["requestBodies"] = {"WebhookBody": spec["paths"][LIST]["post"]["requestBody"]}
    for operation in (spec["paths"][LIST]["post"], spec["paths"][ITEM]["put"]):
        operation["requestBody"] = {"$ref": "#/components/requestBodies/WebhookBody"}


def test_a_shared_request_body_is_judged_once_where_it_is_defined() -> None:
    assert compared(_shared_body) == []

    def xml(spec: Spec) -> None:
        content = spec["components"]["requestBodies"]["WebhookBody"]["content"]
        content["application/xml"] = content.pop("application/json")

    changes = compared(xml, before=_shared_body)
    body = "#/components/requestBodies/WebhookBody/content"
    assert one(changes, "request-media-type-removed", f"{body}/application~1json")["level"] == "breaking"
    assert one(changes, "request-media-type-added", f"{body}/application~1xml")["level"] == "compatible"
    assert len(changes) == 2


def test_a_request_body_made_optional_is_compatible() -> None:
    def optional(spec: Spec) -> None:
        spec["paths"][LIST]["post"]["requestBody"]["required"] = False

    change = one(compared(optional), "request-body-became-optional", pointer(LIST, "post", "requestBody"))
    assert change["level"] == "compatible"


def test_a_delivery_body_made_optional_breaks_receivers() -> None:
    def optional(spec: Spec) -> None:
        spec["webhooks"]["webhookDelivery"]["post"]["requestBody"]["required"] = False

    change = one(compared(optional), "response-body-became-optional", f"{DELIVERY}/requestBody")
    assert change["level"] == "breaking"


# --- deliveries -----------------------------------------------------------------------------------------------------


def _delivery(spec: Spec) -> dict[str, Any]:
    operation: dict[str, Any] = spec["webhooks"]["webhookDelivery"]["post"]
    return operation


def test_a_delivery_renamed_or_retagged_changes_no_python_name() -> None:
    # The generator makes no function of a webhook: its operationId and tag name nothing a user imports.
    def rename(spec: Spec) -> None:
        _delivery(spec).update(operationId="onDelivery", tags=["webhooks"])

    changes = compared(rename)
    assert breaking(changes) == []
    assert one(changes, "operation-id-renamed", DELIVERY)["level"] == "compatible"
    assert not any("up42_api" in c["text"] for c in changes)


def test_a_removed_delivery_names_no_generated_function() -> None:
    change = one(compared(lambda spec: spec["webhooks"].pop("webhookDelivery")), "operation-removed", DELIVERY)
    assert change["level"] == "breaking"
    assert "up42_api" not in change["text"]
    assert "webhookDelivery" in change["text"]


# --- composition ----------------------------------------------------------------------------------------------------


def _code(spec: Spec) -> dict[str, Any]:
    code: dict[str, Any] = schema(spec, "Error")["properties"]["code"]
    return code


def test_inline_variants_in_another_order_are_no_change() -> None:
    assert compared(lambda spec: _code(spec)["oneOf"].reverse()) == []


def test_a_removed_inline_variant_is_named_by_its_type() -> None:
    def drop(spec: Spec) -> None:
        _code(spec)["oneOf"].pop(0)

    change = one(compared(drop), "response-type-narrowed", f"{SCHEMAS}/Error/properties/code/oneOf/0")
    assert "string" in change["text"]


def test_an_inline_variant_changed_in_place_is_judged_as_itself() -> None:
    def limit(spec: Spec) -> None:
        _code(spec)["oneOf"][0]["maxLength"] = 64

    changes = compared(limit)
    assert [c["rule"] for c in changes] == ["response-limit-changed"]
    assert changes[0]["where"] == f"{SCHEMAS}/Error/properties/code/oneOf/0"


def _composed(spec: Spec) -> None:
    """Webhook as allOf a new schema Resource that holds its id, and its other fields inline."""
    webhook = schema(spec, "Webhook")
    spec["components"]["schemas"]["Resource"] = {
        "type": "object",
        "required": ["id"],
        "properties": {"id": webhook["properties"].pop("id")},
    }
    webhook["required"].remove("id")
    spec["components"]["schemas"]["Webhook"] = {"allOf": [{"$ref": f"{SCHEMAS}/Resource"}, webhook]}


def test_fields_moved_into_all_of_parts_are_no_breaking_change() -> None:
    # The generator merges the parts into one model with the same fields, so a reader meets the same Webhook.
    changes = compared(_composed)
    assert breaking(changes) == []
    assert one(changes, "schema-added", f"{SCHEMAS}/Resource")["level"] == "compatible"


def test_a_field_removed_from_an_all_of_part_breaks_once_where_it_was_defined() -> None:
    def drop(spec: Spec) -> None:
        resource = schema(spec, "Resource")
        resource["properties"].pop("id")
        resource["required"].remove("id")

    changes = compared(drop, before=_composed)
    removed = one(changes, "response-property-removed", f"{SCHEMAS}/Resource/properties/id")
    assert removed["level"] == "breaking"
    assert len(breaking(changes)) == 1


def test_a_required_field_in_a_new_all_of_part_of_a_request_breaks() -> None:
    def extend(spec: Spec) -> None:
        spec["components"]["schemas"]["Owned"] = {
            "type": "object",
            "required": ["owner"],
            "properties": {"owner": {"type": "string"}},
        }
        spec["components"]["schemas"]["WebhookInput"] = {
            "allOf": [schema(spec, "WebhookInput"), {"$ref": f"{SCHEMAS}/Owned"}]
        }

    changes = compared(extend)
    added = one(changes, "request-property-added-required", f"{SCHEMAS}/Owned/properties/owner")
    assert added["level"] == "breaking"
    assert "owner" in added["text"]
    assert len(breaking(changes)) == 1


def test_fields_moved_into_all_of_parts_keep_the_generated_model_and_break_nothing(project: Project) -> None:
    # Regenerated: the generator merges the parts, so up42_api.models.Webhook keeps every attribute.
    report = project.changed(_composed)
    assert rules(report, "breaking") == set()
    assert found(report, "python-name-added", "up42_api.models.Resource")["level"] == "compatible"
    assert report["required_bump"] == "patch"


def test_a_field_gone_with_a_schema_swapped_for_a_reference_points_into_the_base_spec() -> None:
    def inline(spec: Spec) -> None:
        content = {"application/json": {"schema": {"type": "object", "properties": {"deleted": {"type": "string"}}}}}
        spec["paths"][ITEM]["delete"]["responses"]["204"]["content"] = content

    def swap(spec: Spec) -> None:
        spec["paths"][ITEM]["delete"]["responses"]["204"]["content"]["application/json"]["schema"] = {
            "$ref": f"{SCHEMAS}/Userinfo"
        }

    where = pointer(
        ITEM, "delete", "responses", "204", "content", "application/json", "schema", "properties", "deleted"
    )
    assert one(compared(swap, before=inline), "response-property-removed", where)["level"] == "breaking"


# --- additional properties ------------------------------------------------------------------------------------------


def _labels(spec: Spec) -> None:
    """WebhookInput takes labels: any names, string values."""
    labels = {"type": "object", "additionalProperties": {"type": "string"}}
    schema(spec, "WebhookInput")["properties"]["labels"] = labels


def test_a_request_map_that_no_longer_takes_unlisted_fields_breaks() -> None:
    def close(spec: Spec) -> None:
        schema(spec, "WebhookInput")["properties"]["labels"]["additionalProperties"] = False

    change = one(compared(close, before=_labels), "request-type-changed", f"{SCHEMAS}/WebhookInput/properties/labels")
    assert change["level"] == "breaking"


def test_a_request_map_whose_values_were_anything_and_now_must_be_strings_breaks() -> None:
    def untyped(spec: Spec) -> None:
        _labels(spec)
        schema(spec, "WebhookInput")["properties"]["labels"].pop("additionalProperties")

    changes = compared(_labels, before=untyped)
    where = f"{SCHEMAS}/WebhookInput/properties/labels/additionalProperties"
    assert one(changes, "request-type-changed", where)["level"] == "breaking"


def test_a_response_map_narrowed_is_compatible() -> None:
    def strings(spec: Spec) -> None:
        schema(spec, "TestRequest")["properties"]["headers"]["additionalProperties"] = {"type": "string"}
        schema(spec, "Error")["properties"]["details"]["additionalProperties"] = False

    changes = compared(strings)
    assert breaking(changes) == []
    headers = f"{SCHEMAS}/TestRequest/properties/headers/additionalProperties"
    assert one(changes, "response-type-narrowed", headers)["level"] == "compatible"
    assert one(changes, "response-type-narrowed", f"{SCHEMAS}/Error/properties/details")["level"] == "compatible"


# --- compatible changes, each still reported ------------------------------------------------------------------------


def test_a_changed_default_is_reported() -> None:
    def default(spec: Spec) -> None:
        schema(spec, "WebhookInput")["properties"]["active"]["default"] = True

    change = one(compared(default), "default-changed", f"{SCHEMAS}/WebhookInput/properties/active")
    assert change["level"] == "compatible"
    assert "True" in change["text"]
    assert "False" in change["text"]


def test_servers_of_a_path_or_an_operation_are_reported() -> None:
    token = "/realms/public/protocol/openid-connect/token"

    def move(spec: Spec) -> None:
        spec["paths"][token]["servers"] = [{"url": "https://auth.up42.com"}]
        spec["paths"][LIST]["post"]["servers"] = [{"url": "https://api.up42.com"}]

    changes = compared(move)
    assert one(changes, "servers-changed", pointer(token, "servers"))["level"] == "compatible"
    assert one(changes, "servers-changed", pointer(LIST, "post", "servers"))["level"] == "compatible"


def test_a_reference_deprecated_or_described_beside_its_ref_is_reported() -> None:
    def deprecate(spec: Spec) -> None:
        name = schema(spec, "EventType")["properties"]["name"]
        name.update(deprecated=True, description="Deprecated: read title instead.")

    changes = compared(deprecate)
    where = f"{SCHEMAS}/EventType/properties/name"
    deprecated = one(changes, "deprecated", where)
    assert "title" in deprecated["text"]
    assert one(changes, "description-changed", where)["level"] == "compatible"
    assert breaking(changes) == []


def test_a_media_type_example_changed_is_words() -> None:
    def example(spec: Spec) -> None:
        content = spec["paths"]["/webhooks/events"]["get"]["responses"]["200"]["content"]["application/json"]
        content["example"] = {"data": [], "error": None}

    where = pointer("/webhooks/events", "get", "responses", "200", "content", "application/json")
    assert one(compared(example), "description-changed", where)["level"] == "compatible"


def test_a_discriminator_changed_is_reported() -> None:
    def discriminate(spec: Spec) -> None:
        schema(spec, "WebhookMessage")["properties"]["body"]["discriminator"] = {"propertyName": "kind"}

    change = one(compared(discriminate), "discriminator-changed", f"{SCHEMAS}/WebhookMessage/properties/body")
    assert change["level"] == "compatible"


def test_a_response_enum_where_there_was_none_says_it_lists_values() -> None:
    def listed(spec: Spec) -> None:
        schema(spec, "TestResult")["properties"]["message"]["enum"] = ["ok", "failed"]

    change = one(compared(listed), "response-enum-changed", f"{SCHEMAS}/TestResult/properties/message")
    assert change["level"] == "compatible"
    assert "no longer" not in change["text"]
    assert "ok, failed" in change["text"]


# --- reading a tree -------------------------------------------------------------------------------------------------


def test_a_spec_that_is_not_yaml_is_a_tree_error_not_a_traceback(tmp_path: Path) -> None:
    for part in _trees.PARTS:
        (tmp_path / part).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "generated" / "up42_api").mkdir()
    (tmp_path / "up42").mkdir()
    (tmp_path / "up42" / "_version.py").write_text('__version__ = "0.1.0"\n', encoding="utf-8")
    (tmp_path / _trees.SPEC).write_text("paths: [\n", encoding="utf-8")
    with pytest.raises(_trees.TreeError, match="up42.yaml") as raised:
        _trees.read(tmp_path)
    assert "\n" not in str(raised.value)
