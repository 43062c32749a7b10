"""A schema's changes, judged in the direction it travels.

What a client sends may widen but not narrow; what it reads may narrow but not widen, except that an enum may gain
values: every enum of this SDK keeps a value it does not know. A schema reached from both directions is judged in
both, once each.
"""

from __future__ import annotations

from typing import Any, Literal

from openapi_python_client.strings import ClassName, PythonIdentifier

from ._changes import Changes
from ._documents import DOC_KEYS, Node, deprecation, join, resolve, undocumented, words

Direction = Literal["request", "response"]
# A schema's fields: each name with its schema, the pointer where it is defined, and its label (Owner.name).
Fields = dict[str, tuple[Any, str, str]]
# How a new type relates to the old: it takes more values, fewer, or others.
Relation = Literal["wider", "narrower", "other"]

# Limits a request must stay within: raising a lower bound or lowering an upper one refuses what was accepted.
LOWER = ("minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum")
UPPER = ("maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum")


def attribute(name: str) -> str:
    """The generated Python name of a JSON field or parameter."""
    return str(PythonIdentifier(name, ""))


def model(schema_name: str, schema: Node) -> str:
    """The generated model of a component schema: named after its title, else after its key."""
    return f"up42_api.models.{ClassName(schema.get('title') or schema_name, '')}"


def makes_model(schema: Node) -> bool:
    """Whether the generator makes a model (a class) of a schema, rather than using a Python type."""
    return "enum" in schema or schema.get("type") == "object" or "properties" in schema or "allOf" in schema


def _types(schema: Node) -> set[str] | None:
    """The JSON types a schema allows, None when it does not say (anything goes)."""
    declared = schema.get("type")
    if declared is None:
        found: set[str] | None = None
    else:
        found = {declared} if isinstance(declared, str) else set(declared)
    if schema.get("nullable") is True and found is not None:
        found.add("null")  # OpenAPI 3.0's way of saying it
    return found


def _is_null(schema: Any) -> bool:
    return isinstance(schema, dict) and (
        schema.get("type") == "null" or ("const" in schema and schema["const"] is None)
    )


def _without_null(schema: Node) -> tuple[Node, bool]:
    """A schema written as "X or null" (a oneOf or anyOf of X and the null type) as X, and whether it took null."""
    for keyword in ("oneOf", "anyOf"):
        variants = schema.get(keyword)
        if not isinstance(variants, list) or len(variants) != 2 or not any(_is_null(v) for v in variants):
            continue
        (rest,) = [v for v in variants if not _is_null(v)] or [None]
        outer = {k: v for k, v in schema.items() if k != keyword}
        if isinstance(rest, dict) and set(outer) <= {*DOC_KEYS, "deprecated", "default"}:
            return {**rest, **outer}, True
    return schema, False


def _fields(
    doc: Node, schema: Node, where: str, label: str, through: frozenset[str] = frozenset()
) -> tuple[Fields, set[str]]:
    """The fields of ``schema`` and of its allOf parts, which the generator merges into one model; and the required."""
    fields: Fields = {
        name: (prop, join(where, "properties", name), f"{label}.{name}")
        for name, prop in (schema.get("properties") or {}).items()
    }
    required = set(schema.get("required") or [])
    for index, raw in enumerate(schema.get("allOf") or []):
        part, ref = resolve(doc, raw)
        if ref in through:
            continue  # a part that includes itself adds nothing more
        owner = ref.rsplit("/", 1)[-1] if ref else label
        inner, inner_required = _fields(doc, part, ref or join(where, "allOf", str(index)), owner, through | {ref})
        fields = {**inner, **fields}
        required |= inner_required
    return fields, required


def _typed_by_parts(doc: Node, schema: Node) -> Node:
    """``schema`` with the type of its first allOf part that has one, when it names none itself."""
    if "type" in schema:
        return schema
    for raw in schema.get("allOf") or []:
        part = resolve(doc, raw)[0]
        if "type" in part:
            return {**schema, "type": part["type"]}
    return schema


def _covers(wide: set[str], narrow: set[str]) -> bool:
    """Whether every type of ``narrow`` is a type of ``wide`` (a number covers an integer)."""
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def _relation(old: set[str] | None, new: set[str] | None) -> Relation:
    if new is None or (old is not None and _covers(new, old)):
        return "wider"
    if old is None or _covers(old, new):
        return "narrower"
    return "other"


def _values(schema: Node) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    values = schema.get("enum")
    return None if values is None else list(values)


def _limit(value: Any) -> str:
    return "none" if value is None else str(value)


def _shown(types: set[str] | None) -> str:
    return "any" if types is None else " or ".join(sorted(types))


def _listed(values: list[Any]) -> str:
    return ", ".join(repr(v) if not isinstance(v, str) else v for v in values)


class Schemas:
    """Compares schemas of the two specs, each pair in each direction once, and remembers what it reached."""

    def __init__(self, base: Node, head: Node, changes: Changes) -> None:
        self.base = base
        self.head = head
        self.changes = changes
        self._seen: set[tuple[str, str, Direction]] = set()
        self.visited: set[str] = set()

    def compare(self, base: Any, head: Any, bwhere: str, hwhere: str, direction: Direction, label: str) -> None:
        if not isinstance(base, dict) or not isinstance(head, dict):
            return
        # "X or null" is X that may be null: its nullability is judged as such, not as a new or lost variant.
        (base, bnull), (head, hnull) = _without_null(base), _without_null(head)
        if "$ref" in base and "$ref" in head:
            # OpenAPI 3.1 lets a reference carry words and a deprecation of its own: the referring field's.
            bsite, hsite = ({k: v for k, v in s.items() if k != "$ref"} for s in (base, head))
            deprecation(self.changes, bsite, hsite, hwhere, label)
            words(self.changes, bsite, hsite, hwhere)
        base, bref = resolve(self.base, base)
        head, href = resolve(self.head, head)
        # A field that now refers to another model, one still there, has another class for a type, whatever the two
        # models hold; neither model changed.
        switched = bref and href and bref != href and resolve(self.head, {"$ref": bref})[0]
        if switched and (makes_model(base) or makes_model(head)):
            before, after = (model(ref.rsplit("/", 1)[-1], s) for ref, s in ((bref, base), (href, head)))
            self._typed(direction, "other", hwhere, f"The type of {label} is now {after} (was {before}).")
            return
        bwhere, hwhere = bref or bwhere, href or hwhere
        if href:
            label = href.rsplit("/", 1)[-1]
        if (bwhere, hwhere, direction) in self._seen:
            return
        self._seen.add((bwhere, hwhere, direction))
        self.visited.add(hwhere)
        where = hwhere
        deprecation(self.changes, base, head, where, f"{label}")
        words(self.changes, base, head, where)
        self._type(
            _typed_by_parts(self.base, base), _typed_by_parts(self.head, head), where, direction, label, (bnull, hnull)
        )
        self._enum(base, head, where, direction, label)
        self._limits(base, head, where, direction, label)
        if base.get("default") != head.get("default"):
            old, new = (_limit(s.get("default")) for s in (base, head))
            self.changes.added("default-changed", where, f"The default of {label} is now {new} (was {old}).")
        if undocumented(base.get("discriminator")) != undocumented(head.get("discriminator")):
            self.changes.reworded(
                "discriminator-changed", where, f"The discriminator of {label} changed; the generated models ignore it."
            )
        self._properties(_fields(self.base, base, bwhere, label), _fields(self.head, head, where, label), direction)
        if isinstance(base.get("items"), dict) and isinstance(head.get("items"), dict):
            self.compare(
                base["items"], head["items"], join(bwhere, "items"), join(where, "items"), direction, f"{label}[]"
            )
        if "additionalProperties" in base or "additionalProperties" in head:
            self._extra(base, head, bwhere, where, direction, label)
        for keyword in ("oneOf", "anyOf", "allOf"):
            self._variants(keyword, base, head, bwhere, where, direction, label)
        for key in base.keys() | head.keys():
            if key.startswith("x-") and base.get(key) != head.get(key):
                self.changes.reworded("extension-changed", join(where, key), f"The {key} of {label} changed.")

    def _extra(self, base: Node, head: Node, bwhere: str, where: str, direction: Direction, label: str) -> None:
        """The fields a schema does not list: any (``true``, or nothing said), none (``false``), or of a schema."""
        bextra, hextra = (
            {} if s.get("additionalProperties", True) is True else s["additionalProperties"] for s in (base, head)
        )
        if isinstance(bextra, dict) and isinstance(hextra, dict):
            self.compare(
                bextra,
                hextra,
                join(bwhere, "additionalProperties"),
                join(where, "additionalProperties"),
                direction,
                f"{label}{{}}",
            )
        elif hextra is False and bextra is not False:
            text = f"{label} no longer takes fields it does not list."
            if direction == "request":
                self.changes.breaking("request-type-changed", where, f"{text} Send only those it lists.")
            else:
                self.changes.reworded("response-type-narrowed", where, text)
        elif bextra is False and hextra is not False:
            text = f"{label} now takes fields it does not list."
            if direction == "request":
                self._typed(direction, "wider", where, text)
            else:
                # The generated model keeps such fields for its reader.
                self.changes.added("response-additional-properties-allowed", where, text)

    def _type(
        self, base: Node, head: Node, where: str, direction: Direction, label: str, nulls: tuple[bool, bool]
    ) -> None:
        btypes, htypes = _types(base), _types(head)
        bnull = nulls[0] or (btypes is not None and "null" in btypes)
        hnull = nulls[1] or (htypes is not None and "null" in htypes)
        if btypes != htypes or bnull != hnull:
            bcore = None if btypes is None else btypes - {"null"}
            hcore = None if htypes is None else htypes - {"null"}
            if bcore != hcore:
                self._typed(
                    direction,
                    _relation(bcore, hcore),
                    where,
                    f"The type of {label} is now {_shown(hcore)} (was {_shown(bcore)}).",
                )
            if bnull != hnull:
                if direction == "response" and hnull:
                    self.changes.breaking(
                        "response-property-became-nullable",
                        where,
                        f"{label} may now be null. Handle None where you read it.",
                    )
                else:
                    self._typed(
                        direction,
                        "wider" if hnull else "narrower",
                        where,
                        f"{label} {'may now be' if hnull else 'may no longer be'} null.",
                    )
        bformat, hformat = base.get("format"), head.get("format")
        if bformat != hformat:
            text = f"The format of {label} is now {hformat or 'none'} (was {bformat or 'none'})."
            if "password" in (bformat, hformat):
                self.changes.reworded("format-changed", where, text + " Only how the value is shown changes.")
            else:
                # The generated attribute's Python type follows the format (a date-time is a datetime), so a
                # response's new format is another type; a request may drop one.
                relation: Relation = "wider" if direction == "request" and hformat is None else "other"
                self._typed(direction, relation, where, text)

    def _typed(self, direction: Direction, relation: Relation, where: str, text: str) -> None:
        """A change of type: a request may widen, a response may narrow; any other change breaks."""
        if direction == "request":
            if relation == "wider":
                self.changes.added("request-type-widened", where, text)
            else:
                self.changes.breaking("request-type-changed", where, f"{text} Send values of the new type.")
        elif relation == "narrower":
            self.changes.reworded("response-type-narrowed", where, text)
        else:
            self.changes.breaking("response-type-changed", where, f"{text} Read values of the new type.")

    def _enum(self, base: Node, head: Node, where: str, direction: Direction, label: str) -> None:
        bvalues, hvalues = _values(base), _values(head)
        if bvalues == hvalues:
            return
        if bvalues is None or hvalues is None:
            if direction == "request" and bvalues is None:
                self.changes.breaking(
                    "request-enum-value-removed",
                    where,
                    f"{label} now accepts only {_listed(hvalues or [])}. Send one of them.",
                )
            else:
                listed = f"now lists its values: {_listed(hvalues)}" if hvalues else "no longer lists its values"
                self.changes.added(f"{direction}-enum-changed", where, f"{label} {listed}.")
            return
        gone = [v for v in bvalues if v not in hvalues]
        new = [v for v in hvalues if v not in bvalues]
        if gone and direction == "request":
            self.changes.breaking(
                "request-enum-value-removed", where, f"{label} no longer accepts {_listed(gone)}. Send another value."
            )
        elif gone:
            self.changes.added("response-enum-value-removed", where, f"{label} no longer takes {_listed(gone)}.")
        if new:
            # Every enum of this SDK is open: a value it does not list is kept, so a reader meets no error.
            self.changes.added(f"{direction}-enum-value-added", where, f"{label} may now be {_listed(new)}.")

    def _limits(self, base: Node, head: Node, where: str, direction: Direction, label: str) -> None:
        for key in (*LOWER, *UPPER, "pattern", "multipleOf", "uniqueItems"):
            old, new = base.get(key), head.get(key)
            if old == new or (isinstance(old, bool) and key != "uniqueItems"):
                continue
            text = f"The {key} of {label} is now {_limit(new)} (was {_limit(old)})."
            if new is None:
                tighter = False
            elif old is None:
                tighter = key != "uniqueItems" or bool(new)
            elif key in LOWER:
                tighter = new > old
            elif key in UPPER:
                tighter = new < old
            else:
                tighter = bool(new) if key == "uniqueItems" else True
            if direction == "response":
                self.changes.reworded("response-limit-changed", where, text)
            elif tighter:
                self.changes.breaking("request-limit-tightened", where, f"{text} Send only values within it.")
            else:
                self.changes.added("request-limit-relaxed", where, text)

    def _properties(self, base: tuple[Fields, set[str]], head: tuple[Fields, set[str]], direction: Direction) -> None:
        (bprops, brequired), (hprops, hrequired) = base, head
        for name, (_, pwhere, field) in bprops.items():
            if name in hprops:
                continue
            if direction == "request":
                self.changes.breaking(
                    "request-property-removed",
                    pwhere,
                    f"The request field {field} was removed. Stop sending {attribute(name)}.",
                )
            else:
                self.changes.breaking(
                    "response-property-removed",
                    pwhere,
                    f"The field {field} is no longer sent. Stop reading {attribute(name)}.",
                )
        for name, (hprop, pwhere, field) in hprops.items():
            if name not in bprops:
                if direction == "request" and name in hrequired:
                    self.changes.breaking(
                        "request-property-added-required",
                        pwhere,
                        f"New required request field {field}. Send {attribute(name)} on every call.",
                    )
                else:
                    self.changes.added(
                        f"{direction}-property-added",
                        pwhere,
                        f"New {'optional ' if direction == 'request' else ''}field {field}.",
                    )
                continue
            now, before = name in hrequired, name in brequired
            if now and not before:
                if direction == "request":
                    self.changes.breaking(
                        "request-property-became-required",
                        pwhere,
                        f"The request field {field} is now required. Send {attribute(name)} on every call.",
                    )
                else:
                    self.changes.added("response-property-became-required", pwhere, f"{field} is now always sent.")
            elif before and not now:
                if direction == "response":
                    self.changes.breaking(
                        "response-property-became-optional",
                        pwhere,
                        f"{field} may now be absent. Check for UNSET where you read {attribute(name)}.",
                    )
                else:
                    self.changes.added(
                        "request-property-became-optional", pwhere, f"The request field {field} is now optional."
                    )
            bprop, bwhere, _ = bprops[name]
            self._access(bprop, hprop, pwhere, direction, field)
            self.compare(bprop, hprop, bwhere, pwhere, direction, field)

    def _access(self, base: Any, head: Any, where: str, direction: Direction, field: str) -> None:
        """A field marked read-only is not sent by a client, one marked write-only is not sent to it."""
        hidden = "readOnly" if direction == "request" else "writeOnly"
        for flag in ("readOnly", "writeOnly"):
            before, now = self._flag(self.base, base, flag), self._flag(self.head, head, flag)
            if before == now:
                continue
            if flag != hidden:
                marked = "now" if now else "no longer"
                self.changes.reworded("access-changed", where, f"{field} is {marked} marked {flag}.")
            elif now and direction == "request":
                self.changes.breaking(
                    "request-property-became-read-only",
                    where,
                    f"The request field {field} is now read-only: the server ignores it. Stop sending it.",
                )
            elif now:
                self.changes.breaking(
                    "response-property-became-write-only",
                    where,
                    f"The field {field} is now write-only: it is no longer sent. Stop reading it.",
                )
            elif direction == "request":
                self.changes.added("request-property-became-writable", where, f"The request field {field} may be sent.")
            else:
                self.changes.added("response-property-became-readable", where, f"The field {field} is now sent.")

    @staticmethod
    def _flag(doc: Node, schema: Any, flag: str) -> bool:
        # A reference may carry the flag beside it (OpenAPI 3.1), or the schema it points to may.
        return isinstance(schema, dict) and bool(schema.get(flag) or resolve(doc, schema)[0].get(flag))

    def _variants(
        self, keyword: str, base: Node, head: Node, bwhere: str, where: str, direction: Direction, label: str
    ) -> None:
        bvariants, hvariants = base.get(keyword) or [], head.get(keyword) or []
        if not bvariants and not hvariants:
            return
        pairs, gone, new = _paired(bvariants, hvariants)

        def fields_only(doc: Node, variant: Any) -> bool:
            # The fields of an allOf part are judged as the schema's own (see _fields), not as a part.
            return keyword == "allOf" and bool(_fields(doc, resolve(doc, variant)[0], "", "")[0])

        gone = [index for index in gone if not fields_only(self.base, bvariants[index])]
        new = [index for index in new if not fields_only(self.head, hvariants[index])]
        for index in gone:
            verb = "accepts" if direction == "request" else "arrives as"
            text = f"{label} no longer {verb} {_variant(bvariants[index])}."
            # One variant fewer narrows a oneOf or anyOf; one schema fewer to satisfy widens an allOf.
            relation: Relation = "wider" if keyword == "allOf" else "narrower"
            self._typed(direction, relation, join(bwhere, keyword, str(index)), text)
        for index in new:
            verb = "be sent" if direction == "request" else "arrive"
            text = f"{label} may now {verb} as {_variant(hvariants[index])}."
            self._typed(
                direction, "narrower" if keyword == "allOf" else "wider", join(where, keyword, str(index)), text
            )
        for bindex, hindex in pairs:
            self.compare(
                bvariants[bindex],
                hvariants[hindex],
                join(bwhere, keyword, str(bindex)),
                join(where, keyword, str(hindex)),
                direction,
                label,
            )


def _paired(base: list[Any], head: list[Any]) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """The variants of two lists that are the same one, and those only in ``base`` and only in ``head``.

    A reference is the same variant wherever it stands; an inline variant is the one equal to it, else the next one
    left over in the same order (changed in place).
    """

    def ref(variant: Any) -> str | None:
        return variant.get("$ref") if isinstance(variant, dict) else None

    head_refs = {ref(v): i for i, v in enumerate(head) if ref(v)}
    pairs = [(i, head_refs[ref(v)]) for i, v in enumerate(base) if ref(v) in head_refs]
    gone = [i for i, v in enumerate(base) if ref(v) and ref(v) not in head_refs]
    base_refs = {ref(v) for v in base}
    new = [i for i, v in enumerate(head) if ref(v) and ref(v) not in base_refs]
    inline_base = [i for i, v in enumerate(base) if not ref(v)]
    inline_head = [i for i, v in enumerate(head) if not ref(v)]
    for i in list(inline_base):
        same = [j for j in inline_head if undocumented(head[j]) == undocumented(base[i])]
        if same:
            pairs.append((i, same[0]))
            inline_base.remove(i)
            inline_head.remove(same[0])
    pairs += list(zip(inline_base, inline_head, strict=False))
    gone += inline_base[len(inline_head) :]
    new += inline_head[len(inline_base) :]
    return pairs, gone, new


def _variant(variant: Any) -> str:
    """A variant in words: the schema it refers to, else its type."""
    if isinstance(variant, dict) and isinstance(variant.get("$ref"), str):
        return str(variant["$ref"]).rsplit("/", 1)[-1]
    types = _types(variant) if isinstance(variant, dict) else None
    return "another schema" if types is None else _shown(types)
