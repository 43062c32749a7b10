"""The event catalog generated from the spec: what it holds follows the spec, and it needs the standard library only."""

from __future__ import annotations

import ast
import copy
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from tests.support.contract import ROOT, SPEC_PATH
from up42 import receiving
from up42.receiving import _catalog as catalog

# The generator is a script beside regen.sh, not a module of a package.
_GENERATOR = importlib.util.spec_from_file_location("gen_catalog", ROOT / "scripts" / "gen_catalog.py")
assert _GENERATOR is not None and _GENERATOR.loader is not None
gen_catalog = importlib.util.module_from_spec(_GENERATOR)
_GENERATOR.loader.exec_module(gen_catalog)

SPEC: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())


def _load(source: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    module = ModuleType("generated_catalog")
    monkeypatch.setitem(sys.modules, module.__name__, module)  # where its dataclass looks its annotations up
    exec(compile(source, "generated_catalog", "exec"), module.__dict__)  # noqa: S102 - the generator's own output
    return module


def _with_asset_event(spec: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(spec)
    schemas = changed["components"]["schemas"]
    schemas["EventName"]["enum"].append("asset.created")
    schemas["EventName"]["x-event-types"]["asset.created"] = {
        "title": "Asset Created",
        "category": "asset",
        "description": "Sent when an asset is stored",
        "documentation": "https://docs.up42.com/developers/",
    }
    schemas["AssetCreatedBody"] = {
        "type": "object",
        "required": ["assetId"],
        "properties": {"assetId": {"type": "string"}, "orderType": {"$ref": "#/components/schemas/OrderType"}},
    }
    return changed


def test_the_catalog_holds_what_the_spec_lists() -> None:
    schemas = SPEC["components"]["schemas"]
    assert [member.value for member in catalog.EventName] == schemas["EventName"]["enum"]
    assert [entry["name"] for entry in catalog.EVENT_TYPES] == schemas["EventName"]["enum"]
    assert catalog.EVENT_TYPES[1]["title"] == schemas["EventName"]["x-event-types"]["order.status"]["title"]
    order = {field.name: field for field in catalog.BODY_FIELDS["order.status"]}
    assert list(order) == list(schemas["OrderStatusBody"]["properties"])
    assert order["status"].values == tuple(schemas["OrderStatus"]["enum"])
    assert order["statusIsFinal"].kind is bool and order["orderType"].label == "order type"


def test_receiving_exposes_the_catalog_enums() -> None:
    assert receiving.EventName is catalog.EventName
    assert receiving.OrderState is catalog.OrderState
    assert receiving.EventName("asset.created").is_known is False


def test_a_changed_event_list_changes_the_module(monkeypatch: pytest.MonkeyPatch) -> None:
    module = _load(gen_catalog.generate(_with_asset_event(SPEC)), monkeypatch)
    assert gen_catalog.generate(_with_asset_event(SPEC)) != gen_catalog.generate(SPEC)
    assert module.EventName("asset.created").is_known
    assert module.EventName.ASSET_CREATED == "asset.created"
    assert "asset.created" in module.EVENT_NAMES
    assert module.EVENT_TYPES[-1]["category"] == "asset"
    asset_id, order_type = module.BODY_FIELDS["asset.created"]
    assert (asset_id.name, asset_id.kind, asset_id.required) == ("assetId", str, True)
    assert (order_type.values, order_type.required) == (("TASKING", "ARCHIVE"), False)


def test_the_unformatted_output_defines_what_the_committed_module_does(monkeypatch: pytest.MonkeyPatch) -> None:
    module = _load(gen_catalog.generate(SPEC), monkeypatch)
    assert module.EVENT_TYPES == catalog.EVENT_TYPES
    assert module.BODY_FIELDS.keys() == catalog.BODY_FIELDS.keys()
    assert [member.value for member in module.JobState] == [member.value for member in catalog.JobState]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda schemas: schemas["EventName"]["x-event-types"].pop("job.status"), "job.status has no entry"),
        (
            lambda schemas: schemas["EventName"]["x-event-types"]["job.status"].pop("documentation"),
            "job.status's entry in EventName's x-event-types has no documentation",
        ),
        (lambda schemas: schemas.pop("JobStatusBody"), "job.status has no body schema JobStatusBody"),
        (
            lambda schemas: schemas["JobStatusBody"]["properties"].update(tries={"type": "integer"}),
            "body field tries has type 'integer'",
        ),
    ],
)
def test_the_generator_refuses_what_the_catalog_cannot_hold(change: Any, message: str) -> None:
    spec = copy.deepcopy(SPEC)
    change(spec["components"]["schemas"])
    with pytest.raises(SystemExit, match=message):
        gen_catalog.generate(spec)


def test_the_catalog_imports_the_standard_library_only() -> None:
    tree = ast.parse(Path(catalog.__file__).read_text())
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported == {"__future__", "dataclasses", "enum", "typing"}
    code = "import sys, up42.receiving._catalog; print(sorted(m for m in ('httpx', 'up42_api') if m in sys.modules))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
