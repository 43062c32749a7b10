"""The custom templates on a spec with what the UP42 one lacks: enum responses, nested lists, typed maps, unions.

The generated client of the UP42 spec is covered by tests/client/test_generated_models.py; this generates a second one
from tests/project/data/templates.yaml, so a template change that breaks another shape of schema fails here first.
"""

from __future__ import annotations

import copy
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import attrs
import httpx
import pytest

from tests.support.contract import ROOT
from tests.support.parsers import outcome

BIN = Path(sys.executable).parent
PACKAGE = "templated_client"
THING = {
    "eventsIndex": 99,
    "untyped": {"anything": [1, "goes"]},
    "events": ["a", "b"],
    "value": "v",
    "failure": "f",
    "thing": "t",
    "grid": [["x"]],
    "subgrid": [[{"n": 1}]],
    "optColors": ["red"],
    "known": ["green", "red"],
    "optColor": "green",
    "nullColor": None,
    "levels": [1, 2],
    "optSub": {"n": 2},
    "nullSub": {"n": 3},
    "subs": [{"n": 4}],
    "nullSubs": None,
    "nullStrs": ["s"],
    "unionList": ["s", 1],
    "strOrSub": {"n": 5},
    "kind": "fixed",
    "day": "2024-01-02",
    "uid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "when": "2024-01-02T03:04:05Z",
    "ratio": 0.5,
    "mapInts": {"a": 1},
    "mapSubs": {"a": {"n": 6}},
    "secret": "hidden-1",
    "nullSecret": "hidden-2",
    "pin": "hidden-3",
    "secretOrCode": "hidden-4",
    "secrets": ["hidden-5"],
}
ODD_VALUES = [None, True, 0, 1.5, "", "x", "red", [], [1], ["x"], [[1]], {}, {"n": "x"}]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client generated from tests/project/data/templates.yaml with the project's config and templates."""
    where = tmp_path_factory.mktemp("templated")
    done = subprocess.run(
        [
            BIN / "openapi-python-client",
            "generate",
            "--path",
            ROOT / "tests" / "project" / "data" / "templates.yaml",
            "--config",
            ROOT / "openapi" / "config.yaml",
            "--custom-template-path",
            ROOT / "openapi" / "templates",
            "--meta",
            "none",
            "--output-path",
            where / PACKAGE,
            "--fail-on-warning",
        ],
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def test_the_generated_code_uses_no_undefined_name(client: ModuleType) -> None:
    # The post-hooks only fix what they can; a name used but never defined would pass them silently. (Unused
    # locals are expected: check_dict builds some values only to see whether building them fails.)
    done = subprocess.run(
        [BIN / "ruff", "check", "--isolated", "--no-cache", "--select", "F821,F822,F823", Path(client.__file__).parent],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout


def test_every_field_lands_in_its_place(client: ModuleType) -> None:
    thing = importlib.import_module(f"{PACKAGE}.models").Thing.from_dict(THING)

    # A list's loop index once shared its name with this field and overwrote it.
    assert (thing.events_index, thing.events, thing.value, thing.failure) == (99, ["a", "b"], "v", "f")
    assert thing.untyped == {"anything": [1, "goes"]}
    assert [sub.n for row in thing.subgrid for sub in row] == [1]
    assert thing.map_subs["a"].n == 6


@pytest.mark.parametrize("field", sorted(THING))
def test_check_dict_and_from_dict_agree_on_every_odd_value(client: ModuleType, field: str) -> None:
    thing = importlib.import_module(f"{PACKAGE}.models").Thing
    for value in [*ODD_VALUES, "missing"]:
        document = copy.deepcopy(THING)
        if value == "missing":
            del document[field]
        else:
            document[field] = value
        assert outcome(thing.check_dict, document) == outcome(thing.from_dict, document), (field, value)


def test_typed_additional_properties_are_checked_and_located(client: ModuleType) -> None:
    thing = importlib.import_module(f"{PACKAGE}.models").Thing
    wrong = {**THING, "mapInts": {"a": 1, "b": "two"}, "mapSubs": {"a": {"n": 6}, "c": {"n": "x"}}}

    assert outcome(thing.from_dict, wrong) == ("TypeError", "expected int, got str", ["b", "mapInts"])
    del wrong["mapInts"]
    assert outcome(thing.check_dict, wrong) == ("TypeError", "expected int, got str", ["n", "c", "mapSubs"])


@pytest.mark.parametrize(
    ("operation", "body", "expected"),
    [
        ("get_color", b'"green"', None),
        ("list_colors", b'["red", "purple"]', None),
        ("list_colors", b'["red", 3]', ("ValueError", "3 is not a valid Color", ["[1]"])),
        ("get_count", b"not json", ("JSONDecodeError", "Expecting value: line 1 column 1 (char 0)", [])),
        ("list_things", json.dumps([THING, {**THING, "ratio": "half"}]).encode(),
         ("TypeError", "expected float, got str", ["ratio", "[1]"])),
    ],
)  # fmt: skip
def test_check_response_reads_a_response_as_parse_response_does(
    client: ModuleType, operation: str, body: bytes, expected: tuple[str, str, list[str]] | None
) -> None:
    # String enums are looked up in tables the endpoint module defines for itself (it once used a model's).
    module = importlib.import_module(f"{PACKAGE}.api.default.{operation}")
    parser = client.Client(base_url="http://example.test")
    response = httpx.Response(200, content=body)

    assert outcome(lambda r: module._parse_response(client=parser, response=r), response) == expected
    assert outcome(lambda r: module._check_response(client=parser, response=r), response) == expected


def test_fields_marked_sensitive_show_that_they_are_set_but_never_their_value(client: ModuleType) -> None:
    models = importlib.import_module(f"{PACKAGE}.models")
    thing = models.Thing.from_dict(THING)
    login = models.Login.from_dict({"n": 1, "password": "hidden-6"})

    for text in (repr(thing), str(thing), repr(login), str(login)):
        assert "hidden-" not in text, text
    for name in ("secret", "null_secret", "pin", "secret_or_code", "secrets"):
        assert f"{name}='********'" in repr(thing)
    assert "n=1, password='********'" in repr(login)
    assert "value='v'" in repr(thing)  # the rest shows as before
    # Only the repr changes: the values are there, and they go out as they came in.
    assert thing.secret == "hidden-1" and login.password == "hidden-6"
    assert {key: thing.to_dict()[key] for key in ("secret", "nullSecret", "pin", "secretOrCode", "secrets")} == {
        key: THING[key] for key in ("secret", "nullSecret", "pin", "secretOrCode", "secrets")
    }
    assert login.to_dict() == {"n": 1, "password": "hidden-6"}


def test_an_unset_or_empty_sensitive_field_shows_as_it_is(client: ModuleType) -> None:
    thing = importlib.import_module(f"{PACKAGE}.models").Thing
    document = {key: value for key, value in THING.items() if key not in {"pin", "secretOrCode", "secrets"}}

    shown = repr(thing.from_dict({**document, "secret": "", "nullSecret": None}))

    assert "secret=''" in shown and "null_secret=None" in shown
    assert "secret_or_code=<" in shown and "Unset object" in shown
    # A sensitive field keeps the spec's default for the constructor.
    assert attrs.fields(thing).pin.default == "0000"
