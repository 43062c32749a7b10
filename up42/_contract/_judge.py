"""Judging values and answers against a `Spec`: each `Problem` found is a ``violation`` or a ``drift``.

A **violation** breaks the spec, and a client that trusts it may fail: an undeclared status or content type, a body
that is not JSON where JSON is declared, a body where none is declared, a wrong JSON type, a required property
missing, a string that is not of its ``format`` (date-time, date, uuid, uri, email), a constant, length, bound or
pattern broken, a ``oneOf``/``anyOf`` that no variant matches, a property where the schema allows no others, a
required response header missing.

A **drift** matches the spec but carries what it does not know, so the spec is stale while its users still work: a
property the schema does not list (where it does not say ``additionalProperties``), an enum value it does not list
(every enum of the spec is open), a declared header whose value breaks its declared schema.

A problem's ``where`` names the place: root keys plain, nested ones after a dot, list items by index in brackets
(``data[0].updatedAt``), a key that is not a plain name quoted (``data["a b"]``), a header as
``headers.Retry-After``, the whole body as ``body``. Its text says what was expected and what came, and never
quotes a value, except an unknown enum value of a field that is not a ``format: password`` one.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import operator
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from ._spec import Operation, Spec

Level = Literal["drift", "violation"]

PLAIN_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$-]*")
RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))", re.ASCII)
FULL_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f]*")
EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+")
# What a string of each format must be, as the texts say it.
FORMATS = {
    "date-time": "an RFC 3339 date-time such as 2024-05-01T10:00:00Z",
    "date": "an RFC 3339 date such as 2024-05-01",
    "uuid": "a UUID",
    "uri": "an absolute URI such as https://example.com/hook",
    "email": "an email address",
}
# Shown longer than this, an enum value is cut: it is a label, not a text to read.
SHOWN_LENGTH = 40


@dataclasses.dataclass(frozen=True)
class Problem:
    """One way an answer departs from the spec.

    Attributes:
        level: ``"violation"`` when it breaks the spec, ``"drift"`` when it only carries what the spec does not know.
        where: The place, such as ``data[0].updatedAt``, ``headers.Retry-After``, ``status`` or ``body``.
        text: What was expected and what came, without the value itself.
    """

    level: Level
    where: str
    text: str


def judge_value(spec: Spec, schema: Mapping[str, Any], value: Any, where: str = "") -> list[Problem]:
    """Every problem of the JSON ``value`` against ``schema`` (a schema of ``spec``, whose ``$ref`` it follows).

    ``where`` is the place of ``value`` itself (empty for a whole body); the places of problems inside it
    continue from it.
    """
    return _Judge(spec).value(schema, value, where, frozenset())


def judge_response(operation: Operation, status: int, headers: Mapping[str, str], body: bytes) -> list[Problem]:
    """Every problem of an answer to ``operation``: its status, declared headers, content type and body.

    Args:
        operation: The operation that was called.
        status: The answer's status code.
        headers: Its headers, names in any case (several values of one header joined with ``", "``).
        body: Its body as received (after any content coding is undone).

    Returns:
        The problems, an undeclared status alone (nothing else can be judged then); empty when all matches.
    """
    response = operation.response(status)
    if response is None:
        documented = ", ".join(operation.statuses)
        return [
            Problem("violation", "status", f"{status} is not a documented status (documented: {documented})"),
        ]
    received = {name.lower(): value for name, value in headers.items()}
    spec = operation.spec
    problems = []
    for name, header in response.headers.items():
        place = f"headers.{header.name}"
        if name not in received:
            if header.required:
                problems.append(Problem("violation", place, "a required header is missing"))
            continue
        found = judge_value(spec, header.schema, _header_value(spec, header.schema, received[name]), place)
        problems += [Problem("drift", problem.where, f"declared otherwise: {problem.text}") for problem in found]
    media = received.get("content-type", "").split(";", 1)[0].strip().lower()
    if not response.content:
        if body:
            problems.append(Problem("violation", "body", f"a body of {len(body)} bytes where the spec declares none"))
        return problems
    declared = ", ".join(response.content)
    key = _media_key(response.content, media)
    if key is None:
        if not media and not body:
            problems.append(Problem("violation", "body", f"no body where the spec declares {declared}"))
        else:
            came = media or "none"
            problems.append(Problem("violation", "headers.Content-Type", f"expected {declared}, got {came}"))
        return problems
    if _is_json(media):
        try:
            value = json.loads(body, parse_constant=_no_constant)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError too
            problems.append(
                Problem("violation", "body", f"expected JSON ({media}), got {len(body)} bytes that are not")
            )
            return problems
        for problem in judge_value(spec, response.content[key], value):
            problems.append(dataclasses.replace(problem, where=problem.where or "body"))
    return problems


class _Judge:
    def __init__(self, spec: Spec) -> None:
        self._spec = spec

    def value(self, schema: Mapping[str, Any], value: Any, where: str, refs: frozenset[str]) -> list[Problem]:
        schema, refs = self._flat(schema, refs)
        secret = schema.get("format") == "password"
        types = _types(schema)
        if types is not None and not _is_of(value, types):
            return [Problem("violation", where, f"expected {' or '.join(sorted(types))}, got {_type_of(value)}")]
        problems: list[Problem] = []
        if "const" in schema and not _same(value, schema["const"]):
            problems.append(Problem("violation", where, f"expected {json.dumps(schema['const'])}, got another value"))
        if "enum" in schema and not any(_same(value, option) for option in schema["enum"]):
            shown = "a value" if secret else _shown(value)
            listed = ", ".join(json.dumps(option) for option in schema["enum"])
            problems.append(Problem("drift", where, f"{shown} is not among the spec's values ({listed})"))
        if isinstance(value, str):
            problems += _string(schema, value, where)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            problems += _number(schema, value, where)
        elif isinstance(value, list):
            problems += self._array(schema, value, where)
        elif isinstance(value, dict):
            problems += self._object(schema, value, where)
        for member in schema.get("allOf", ()):  # the members `_flat` could not merge: each judged on its own
            problems += self.value(member, value, where, refs)
        for keyword in ("oneOf", "anyOf"):
            if keyword in schema:
                problems += self._variants(keyword, schema[keyword], value, where, refs)
        return problems

    def _flat(self, schema: Mapping[str, Any], refs: frozenset[str]) -> tuple[Mapping[str, Any], frozenset[str]]:
        """``schema`` with its references followed and its ``allOf`` merged; ``refs`` are those followed so far.

        ``refs`` holds the references followed for this one value (through ``allOf``, ``oneOf`` and ``anyOf``); a
        property or an item starts afresh, since the value nests only so deep. A reference met again for the same
        value is a cycle that would never end: it stands for an empty schema.
        """
        while "$ref" in schema:
            ref = schema["$ref"]
            if ref in refs:
                return {}, refs
            refs = refs | {ref}
            schema = {**self._spec.pointer(ref), **{key: item for key, item in schema.items() if key != "$ref"}}
        if "allOf" not in schema:
            return schema, refs
        merged: dict[str, Any] = {key: item for key, item in schema.items() if key != "allOf"}
        for member in schema["allOf"]:
            flat, refs = self._flat(member, refs)
            merged = _merge(merged, flat)
        return merged, refs

    def _array(self, schema: Mapping[str, Any], value: list[Any], where: str) -> list[Problem]:
        problems = _bounds(len(value), schema, "minItems", "maxItems", "items", where)
        items = schema.get("items")
        if isinstance(items, Mapping):
            for index, item in enumerate(value):
                problems += self.value(items, item, f"{where}[{index}]", frozenset())
        return problems

    def _object(self, schema: Mapping[str, Any], value: dict[str, Any], where: str) -> list[Problem]:
        properties: Mapping[str, Any] = schema.get("properties", {})
        problems = [
            Problem("violation", _key(where, name), "a required property is missing")
            for name in schema.get("required", ())
            if name not in value
        ]
        additional = schema.get("additionalProperties")
        patterns = [re.compile(pattern) for pattern in schema.get("patternProperties", {})]
        for name, item in value.items():
            place = _key(where, name)
            if name in properties:
                problems += self.value(properties[name], item, place, frozenset())
            elif any(pattern.search(name) for pattern in patterns):
                for pattern, member in schema["patternProperties"].items():
                    if re.search(pattern, name):
                        problems += self.value(member, item, place, frozenset())
            elif additional is False:
                problems.append(Problem("violation", place, "a property the schema allows no others than its own"))
            elif isinstance(additional, Mapping):
                problems += self.value(additional, item, place, frozenset())
            elif additional is None and (properties or "required" in schema):
                # The spec left it open without saying so: it merely does not know the property yet.
                problems.append(Problem("drift", place, "a property the spec does not list"))
        return problems

    def _variants(
        self, keyword: str, variants: Sequence[Mapping[str, Any]], value: Any, where: str, refs: frozenset[str]
    ) -> list[Problem]:
        outcomes = [self.value(variant, value, where, refs) for variant in variants]
        matching = [found for found in outcomes if not any(problem.level == "violation" for problem in found)]
        if matching:
            return min(matching, key=len)  # the closest variant's drift
        closest = min(outcomes, key=len)
        hint = f"; the closest fails at {closest[0].where or 'the top'}: {closest[0].text}" if closest else ""
        return [Problem("violation", where, f"matches none of the {len(variants)} variants of its {keyword}{hint}")]


def _merge(first: Mapping[str, Any], second: Mapping[str, Any]) -> dict[str, Any]:
    """Two ``allOf`` members as one schema: properties and required united, types intersected.

    A keyword both set differently (a bound, a pattern) stays in a left-over ``allOf``, judged on its own.
    """
    merged = dict(first)
    for key, item in second.items():
        if key not in merged or merged[key] == item:
            merged[key] = item
        elif key == "properties":
            merged[key] = {
                name: {"allOf": [merged[key][name], sub]} if name in merged[key] else sub for name, sub in item.items()
            } | {name: sub for name, sub in merged[key].items() if name not in item}
        elif key == "required":
            merged[key] = list(dict.fromkeys([*merged[key], *item]))
        elif key == "type":
            merged[key] = sorted((_types(merged) or set()) & (_types({"type": item}) or set()))
        elif key == "additionalProperties" and (item is False or merged[key] is False):
            merged[key] = False
        else:
            merged["allOf"] = [*merged.get("allOf", []), {key: item}]
    return merged


def _types(schema: Mapping[str, Any]) -> set[str] | None:
    """The JSON types ``schema`` allows; None when it does not say."""
    declared = schema.get("type")
    if declared is None:
        return None
    types = {declared} if isinstance(declared, str) else set(declared)
    if schema.get("nullable") is True:  # OpenAPI 3.0's way of writing ["...", "null"]
        types.add("null")
    return types


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _is_of(value: Any, types: set[str]) -> bool:
    actual = _type_of(value)
    return actual in types or (actual == "integer" and "number" in types)


def _same(value: Any, other: Any) -> bool:
    """JSON equality: ``true`` is not ``1``, though Python's ``==`` holds them equal."""
    if isinstance(value, bool) or isinstance(other, bool):
        return type(value) is type(other) and value == other
    if isinstance(value, list) and isinstance(other, list):
        return len(value) == len(other) and all(map(_same, value, other))
    if isinstance(value, dict) and isinstance(other, dict):
        return value.keys() == other.keys() and all(_same(value[key], other[key]) for key in value)
    return bool(value == other) and (value is None) == (other is None)


def _string(schema: Mapping[str, Any], value: str, where: str) -> list[Problem]:
    problems = _bounds(len(value), schema, "minLength", "maxLength", "characters", where)
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and not re.search(pattern, value):
        problems.append(Problem("violation", where, f"expected a string matching {pattern}, got one that does not"))
    form = schema.get("format")
    if form in FORMATS and not _is_format(form, value):
        problems.append(Problem("violation", where, f"expected {FORMATS[form]}, got a string that is not one"))
    return problems


def _is_format(form: str, value: str) -> bool:
    if form == "date-time":
        match = RFC3339.fullmatch(value)
        return match is not None and _valid_date(*match.group(1, 2, 3)) and _valid_time(*match.group(4, 5, 6, 9, 10))
    if form == "date":
        match = FULL_DATE.fullmatch(value)
        return match is not None and _valid_date(*match.groups())
    if form == "uuid":
        return UUID.fullmatch(value) is not None
    if form == "uri":
        return URI.fullmatch(value) is not None
    return EMAIL.fullmatch(value) is not None


def _valid_date(year: str, month: str, day: str) -> bool:
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def _valid_time(hour: str, minute: str, second: str, offset_hour: str | None, offset_minute: str | None) -> bool:
    in_range = int(hour) < 24 and int(minute) < 60 and int(second) <= 60  # 60: a leap second
    return in_range and int(offset_hour or 0) < 24 and int(offset_minute or 0) < 60


def _number(schema: Mapping[str, Any], value: float, where: str) -> list[Problem]:
    problems = []
    for keyword, broken, relation in (
        ("minimum", operator.lt, "at least"),
        ("maximum", operator.gt, "at most"),
        ("exclusiveMinimum", operator.le, "more than"),
        ("exclusiveMaximum", operator.ge, "less than"),
    ):
        bound = schema.get(keyword)
        if isinstance(bound, int | float) and not isinstance(bound, bool) and broken(value, bound):
            problems.append(Problem("violation", where, f"expected a number {relation} {bound}, got one that is not"))
    return problems


def _bounds(size: int, schema: Mapping[str, Any], low: str, high: str, unit: str, where: str) -> list[Problem]:
    problems = []
    if isinstance(schema.get(low), int) and size < schema[low]:
        problems.append(Problem("violation", where, f"expected at least {schema[low]} {unit}, got {size}"))
    if isinstance(schema.get(high), int) and size > schema[high]:
        problems.append(Problem("violation", where, f"expected at most {schema[high]} {unit}, got {size}"))
    return problems


def _key(where: str, name: str) -> str:
    if not PLAIN_NAME.fullmatch(name):
        return f"{where}[{json.dumps(name)}]"
    return f"{where}.{name}" if where else name


def _shown(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"


def _header_value(spec: Spec, schema: Mapping[str, Any], text: str) -> Any:
    """A header's text as the JSON value its schema asks for: a number or a boolean where it names one."""
    types = _types(spec.resolve(schema)) or {"string"}
    if "string" in types:
        return text
    if types & {"integer", "number"}:
        try:
            return json.loads(text) if re.fullmatch(r"-?\d+(\.\d+)?", text.strip()) else text
        except ValueError:
            return text
    if "boolean" in types and text.strip() in ("true", "false"):
        return text.strip() == "true"
    return text


def _media_key(content: Mapping[str, Any], media: str) -> str | None:
    """The declared media type that ``media`` falls under: itself, else ``type/*``, else ``*/*``."""
    for candidate in (media, media.split("/", 1)[0] + "/*", "*/*"):
        if media and candidate in content:
            return candidate
    return None


def _is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
