"""The spec's changes, judged in the direction each part travels.

What a client sends (parameters, request bodies) may widen but not narrow; what it reads (responses, and the
deliveries a receiver is sent, which travel the other way) may narrow but not widen, except that an enum may gain
values: every enum of this SDK keeps a value it does not know. A schema reached from both directions is judged in
both. Names count too: an operationId, tag, schema or parameter name becomes a Python name in the generated client.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from openapi_python_client.strings import ClassName, PythonIdentifier, snake_case

from ._changes import Changes

Direction = Literal["request", "response"]
# How a new type relates to the old: it takes more values, fewer, or others.
Relation = Literal["wider", "narrower", "other"]
Node = dict[str, Any]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DOC_KEYS = ("summary", "description", "title", "example", "examples", "externalDocs")
# Limits a request must stay within: raising a lower bound or lowering an upper one refuses what was accepted.
LOWER = ("minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum")
UPPER = ("maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum")


def escape(part: str) -> str:
    """One JSON pointer token (RFC 6901)."""
    return part.replace("~", "~0").replace("/", "~1")


def join(where: str, *parts: str) -> str:
    """A JSON pointer extended by tokens."""
    return "/".join([where, *(escape(part) for part in parts)])


def compare(base: Node, head: Node, changes: Changes) -> None:
    """Record every change from the spec ``base`` to the spec ``head``."""
    _SpecDiff(base, head, changes).run()


def _flip(direction: Direction) -> Direction:
    return "response" if direction == "request" else "request"


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


def _undocumented(node: Any) -> Any:
    """The node without its words: two schemas equal under this are the same contract."""
    if isinstance(node, dict):
        return {k: _undocumented(v) for k, v in node.items() if k not in DOC_KEYS and k != "deprecated"}
    if isinstance(node, list):
        return [_undocumented(v) for v in node]
    return node


def _instead(node: Node) -> str:
    """What the spec's description says to use instead, as one sentence."""
    words = " ".join(str(node.get("description", "")).split())
    return f" {words}" if words else ""


def _model(schema_name: str) -> str:
    return f"up42_api.models.{ClassName(schema_name, '')}"


def _attribute(name: str) -> str:
    return str(PythonIdentifier(name, ""))


class _SpecDiff:
    def __init__(self, base: Node, head: Node, changes: Changes) -> None:
        self.base = base
        self.head = head
        self.changes = changes
        self._seen: set[tuple[str, str, Direction]] = set()
        self._visited: set[str] = set()

    def run(self) -> None:
        self._info()
        self._schemas_renamed_or_removed()
        base_ops = dict(self._operations(self.base))
        head_ops = dict(self._operations(self.head))
        head_ids = {op.get("operationId"): key for key, (_, op, _) in head_ops.items()}
        for key, (where, op, item) in base_ops.items():
            if key in head_ops:
                self._operation(key, (where, op, item), head_ops[key])
                continue
            moved = head_ids.get(op.get("operationId"))
            if op.get("operationId") and moved is not None and moved not in base_ops:
                self.changes.added(
                    "operation-path-changed",
                    where,
                    f"{_label(key)} moved to {_label(moved)}; the generated function keeps its name.",
                )
                self._operation(key, (where, op, item), head_ops[moved])
            else:
                self.changes.breaking(
                    "operation-removed",
                    where,
                    f"The operation {_label(key)} was removed, and with it {self._function(self.base, op)}. "
                    "Stop calling it.",
                )
        base_ids = {op.get("operationId") for _, op, _ in base_ops.values()}
        for key, (where, op, _) in head_ops.items():
            # An operation that moved to another path was reported above.
            if key not in base_ops and (not op.get("operationId") or op.get("operationId") not in base_ids):
                self.changes.added(
                    "operation-added", where, f"New operation {_label(key)}: {self._function(self.head, op)}."
                )
        self._unreached_schemas()

    # --- the document -------------------------------------------------------------------------------------------

    def _info(self) -> None:
        base_info, head_info = self.base.get("info", {}), self.head.get("info", {})
        if base_info.get("version") != head_info.get("version"):
            self.changes.reworded(
                "api-version-changed",
                "#/info/version",
                f"The API document's version is {head_info.get('version')} (was {base_info.get('version')}).",
            )
        if {k: v for k, v in base_info.items() if k != "version"} != {
            k: v for k, v in head_info.items() if k != "version"
        }:
            self.changes.reworded("description-changed", "#/info", "The API's description was reworded.")
        if self.base.get("servers") != self.head.get("servers"):
            self.changes.reworded("servers-changed", "#/servers", "The API's servers changed.")

    def _schemas_renamed_or_removed(self) -> None:
        base_schemas = self.base.get("components", {}).get("schemas", {})
        head_schemas = self.head.get("components", {}).get("schemas", {})
        gone = [name for name in base_schemas if name not in head_schemas]
        new = [name for name in head_schemas if name not in base_schemas]
        for name in gone:
            where = join("#/components/schemas", name)
            same = [n for n in new if _undocumented(head_schemas[n]) == _undocumented(base_schemas[name])]
            if same:
                new.remove(same[0])
                self.changes.breaking(
                    "schema-renamed",
                    where,
                    f"The schema {name} is now {same[0]}: the generated model {_model(name)} is now "
                    f"{_model(same[0])}. Import the new name.",
                )
            else:
                self.changes.breaking(
                    "schema-removed",
                    where,
                    f"The schema {name} was removed, and with it the generated model {_model(name)}. Stop using it.",
                )
        for name in new:
            self.changes.added(
                "schema-added", join("#/components/schemas", name), f"New schema {name} ({_model(name)})."
            )

    def _unreached_schemas(self) -> None:
        # A schema no operation uses is still a generated model that users read.
        base_schemas = self.base.get("components", {}).get("schemas", {})
        head_schemas = self.head.get("components", {}).get("schemas", {})
        for name in base_schemas.keys() & head_schemas.keys():
            where = join("#/components/schemas", name)
            if where not in self._visited:
                self._schema(base_schemas[name], head_schemas[name], where, where, "response", name)

    # --- operations ---------------------------------------------------------------------------------------------

    def _operations(self, doc: Node) -> Iterator[tuple[tuple[str, str, str], tuple[str, Node, Node]]]:
        for section in ("paths", "webhooks"):
            for name, item in (doc.get(section) or {}).items():
                item = self._resolve(doc, item)[0]
                for method in METHODS:
                    if isinstance(item.get(method), dict):
                        yield (section, name, method), (join(f"#/{section}", name, method), item[method], item)

    def _function(self, doc: Node, op: Node) -> str:
        if "operationId" not in op:
            return "its generated function"
        tag = (op.get("tags") or ["default"])[0]
        return f"up42_api.api.{snake_case(tag)}.{snake_case(op['operationId'])}"

    def _operation(self, key: tuple[str, str, str], base: tuple[str, Node, Node], head: tuple[str, Node, Node]) -> None:
        (_, bop, bitem), (where, hop, hitem) = base, head
        if bop.get("operationId") != hop.get("operationId"):
            self.changes.breaking(
                "operation-id-renamed",
                where,
                f"The operationId of {_label(key)} is now {hop.get('operationId')} (was {bop.get('operationId')}): "
                f"the generated function {self._function(self.base, bop)} is now {self._function(self.head, hop)}. "
                "Call the new name.",
            )
        elif (bop.get("tags") or ["default"])[0] != (hop.get("tags") or ["default"])[0]:
            self.changes.breaking(
                "operation-tag-changed",
                where,
                f"{_label(key)} moved to another tag: the generated function {self._function(self.base, bop)} is "
                f"now {self._function(self.head, hop)}. Import it from its new module.",
            )
        self._deprecation(bop, hop, where, f"The operation {_label(key)}")
        self._words(bop, hop, where)
        # A webhook travels the other way: UP42 sends the request, and the receiver reads it.
        sent: Direction = "request" if key[0] == "paths" else "response"
        self._parameters(bitem, bop, hitem, hop, where, sent)
        self._request_body(bop, hop, where, sent)
        self._responses(bop, hop, where, _flip(sent))
        self._security(bop, hop, where, key)

    def _parameters(self, bitem: Node, bop: Node, hitem: Node, hop: Node, where: str, direction: Direction) -> None:
        base = self._parameter_map(self.base, bitem, bop, where)
        head = self._parameter_map(self.head, hitem, hop, where)
        gone = {k: v for k, v in base.items() if k not in head}
        new = {k: v for k, v in head.items() if k not in base}
        for location in {k[0] for k in gone} & {k[0] for k in new}:
            olds = [k for k in gone if k[0] == location]
            news = [k for k in new if k[0] == location]
            if len(olds) == 1 and len(news) == 1:
                old, fresh = olds[0], news[0]
                gone.pop(old)
                fresh_where = new.pop(fresh)[0]
                self.changes.breaking(
                    "parameter-renamed",
                    fresh_where,
                    f"The {location} parameter {old[1]} is now {fresh[1]}: the generated keyword argument "
                    f"{_attribute(old[1])} is now {_attribute(fresh[1])}. Pass the new name.",
                )
        for (location, name), (pwhere, _) in gone.items():
            if direction == "request":
                self.changes.breaking(
                    "request-parameter-removed",
                    pwhere,
                    f"The {location} parameter {name} was removed: the generated keyword argument {_attribute(name)} "
                    "is gone. Stop passing it.",
                )
            else:
                self.changes.breaking(
                    "response-parameter-removed", pwhere, f"The {location} {name} is no longer sent. Stop reading it."
                )
        for (location, name), (pwhere, param) in new.items():
            if direction == "request" and param.get("required"):
                self.changes.breaking(
                    "request-parameter-added-required",
                    pwhere,
                    f"New required {location} parameter {name}. Pass {_attribute(name)} to every call.",
                )
            else:
                self.changes.added(f"{direction}-parameter-added", pwhere, f"New optional {location} parameter {name}.")
        for k in base.keys() & head.keys():
            (_, bparam), (pwhere, hparam) = base[k], head[k]
            label = f"The {k[0]} parameter {k[1]}"
            if direction == "request" and hparam.get("required") and not bparam.get("required"):
                self.changes.breaking(
                    "request-parameter-became-required",
                    pwhere,
                    f"{label} is now required. Pass {_attribute(k[1])} to every call.",
                )
            elif direction == "request" and bparam.get("required") and not hparam.get("required"):
                self.changes.added("request-parameter-became-optional", pwhere, f"{label} is now optional.")
            self._deprecation(bparam, hparam, pwhere, label)
            self._words(bparam, hparam, pwhere)
            if "schema" in bparam and "schema" in hparam:
                self._schema(
                    bparam["schema"], hparam["schema"], join(pwhere, "schema"), join(pwhere, "schema"), direction, k[1]
                )

    def _parameter_map(self, doc: Node, item: Node, op: Node, where: str) -> dict[tuple[str, str], tuple[str, Node]]:
        found: dict[tuple[str, str], tuple[str, Node]] = {}
        item_where = where.rsplit("/", 1)[0]
        for owner, owner_where in ((item, item_where), (op, where)):
            for index, raw in enumerate(owner.get("parameters") or []):
                param, ref = self._resolve(doc, raw)
                found[(param.get("in", ""), param.get("name", ""))] = (
                    ref or join(owner_where, "parameters", str(index)),
                    param,
                )
        return found

    def _request_body(self, bop: Node, hop: Node, where: str, direction: Direction) -> None:
        base, _ = self._resolve(self.base, bop.get("requestBody"))
        head, _ = self._resolve(self.head, hop.get("requestBody"))
        bwhere = join(where, "requestBody")
        if not base and not head:
            return
        if not head:
            self.changes.breaking(
                "request-body-removed",
                bwhere,
                "The request body was removed: the generated keyword argument body is gone. Stop passing it.",
            )
            return
        if not base:
            if head.get("required") and direction == "request":
                self.changes.breaking(
                    "request-body-added-required", bwhere, "A request body is now required. Pass body to every call."
                )
            else:
                self.changes.added("request-body-added", bwhere, "The operation takes an optional request body.")
            return
        if direction == "request" and head.get("required") and not base.get("required"):
            self.changes.breaking(
                "request-body-became-required", bwhere, "The request body is now required. Pass body to every call."
            )
        self._words(base, head, bwhere)
        self._content(base, head, bwhere, direction)

    def _responses(self, bop: Node, hop: Node, where: str, direction: Direction) -> None:
        base, head = bop.get("responses") or {}, hop.get("responses") or {}
        for status in base:
            if status not in head:
                self.changes.breaking(
                    "response-status-removed",
                    join(where, "responses", str(status)),
                    f"The status {status} is no longer documented; code that handles it will never run. Remove it.",
                )
        for status in head:
            swhere = join(where, "responses", str(status))
            if status not in base:
                self.changes.added("response-status-added", swhere, f"New documented status {status}.")
                continue
            bresp, _ = self._resolve(self.base, base[status])
            hresp, href = self._resolve(self.head, head[status])
            # A response defined in components is judged once, where it is defined, as a shared parameter is.
            swhere = href or swhere
            self._words(bresp, hresp, swhere)
            self._content(bresp, hresp, swhere, direction)

    def _content(self, base: Node, head: Node, where: str, direction: Direction) -> None:
        bcontent, hcontent = base.get("content") or {}, head.get("content") or {}
        for media in bcontent:
            if media not in hcontent:
                self.changes.breaking(
                    f"{direction}-media-type-removed",
                    join(where, "content", media),
                    f"The media type {media} is no longer "
                    + ("accepted. Send another one." if direction == "request" else "sent. Stop expecting it."),
                )
        for media in hcontent:
            mwhere = join(where, "content", media)
            if media not in bcontent:
                self.changes.added(f"{direction}-media-type-added", mwhere, f"New media type {media}.")
            elif "schema" in bcontent[media] and "schema" in hcontent[media]:
                swhere = join(mwhere, "schema")
                self._schema(bcontent[media]["schema"], hcontent[media]["schema"], swhere, swhere, direction, "body")

    def _security(self, bop: Node, hop: Node, where: str, key: tuple[str, str, str]) -> None:
        if key[0] != "paths":
            return
        base = self._alternatives(self.base, bop)
        head = self._alternatives(self.head, hop)
        # A client that met one of the old alternatives must meet a new one with what it has.
        if any(not any(h <= b for h in head) for b in base):
            self.changes.breaking(
                "security-requirement-added",
                join(where, "security"),
                f"{_label(key)} now requires {' or '.join(sorted('+'.join(sorted(h)) or 'nothing' for h in head))}. "
                "Authenticate before calling it.",
            )
        elif base != head:
            self.changes.added(
                "security-requirement-removed", join(where, "security"), f"{_label(key)} asks for less authentication."
            )

    @staticmethod
    def _alternatives(doc: Node, op: Node) -> set[frozenset[str]]:
        requirements = op["security"] if "security" in op else doc.get("security", [])
        return {frozenset(r) for r in requirements} or {frozenset()}

    # --- schemas ------------------------------------------------------------------------------------------------

    def _schema(self, base: Any, head: Any, bwhere: str, hwhere: str, direction: Direction, label: str) -> None:
        if not isinstance(base, dict) or not isinstance(head, dict):
            return
        # "X or null" is X that may be null: its nullability is judged as such, not as a new or lost variant.
        (base, bnull), (head, hnull) = _without_null(base), _without_null(head)
        base, bref = self._resolve(self.base, base)
        head, href = self._resolve(self.head, head)
        bwhere, hwhere = bref or bwhere, href or hwhere
        if href:
            label = href.rsplit("/", 1)[-1]
        if (bwhere, hwhere, direction) in self._seen:
            return
        self._seen.add((bwhere, hwhere, direction))
        self._visited.add(hwhere)
        where = hwhere
        self._deprecation(base, head, where, f"{label}")
        self._words(base, head, where)
        self._type(base, head, where, direction, label, (bnull, hnull))
        self._enum(base, head, where, direction, label)
        self._limits(base, head, where, direction, label)
        self._properties(base, head, where, direction, label)
        if isinstance(base.get("items"), dict) and isinstance(head.get("items"), dict):
            self._schema(
                base["items"], head["items"], join(bwhere, "items"), join(where, "items"), direction, f"{label}[]"
            )
        if isinstance(base.get("additionalProperties"), dict) and isinstance(head.get("additionalProperties"), dict):
            self._schema(
                base["additionalProperties"],
                head["additionalProperties"],
                join(bwhere, "additionalProperties"),
                join(where, "additionalProperties"),
                direction,
                f"{label}{{}}",
            )
        for keyword in ("oneOf", "anyOf", "allOf"):
            self._variants(keyword, base, head, bwhere, where, direction, label)
        for key in base.keys() | head.keys():
            if key.startswith("x-") and base.get(key) != head.get(key):
                self.changes.reworded("extension-changed", join(where, key), f"The {key} of {label} changed.")

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
                self.changes.added(f"{direction}-enum-changed", where, f"{label} no longer lists its values.")
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

    def _properties(self, base: Node, head: Node, where: str, direction: Direction, label: str) -> None:
        bprops, hprops = base.get("properties") or {}, head.get("properties") or {}
        brequired, hrequired = set(base.get("required") or []), set(head.get("required") or [])
        if not bprops and not hprops:
            return
        for name in bprops:
            if name in hprops:
                continue
            pwhere = join(where, "properties", name)
            field = f"{label}.{name}"
            if direction == "request":
                self.changes.breaking(
                    "request-property-removed",
                    pwhere,
                    f"The request field {field} was removed. Stop sending {_attribute(name)}.",
                )
            else:
                self.changes.breaking(
                    "response-property-removed",
                    pwhere,
                    f"The field {field} is no longer sent. Stop reading {_attribute(name)}.",
                )
        for name, hprop in hprops.items():
            pwhere = join(where, "properties", name)
            field = f"{label}.{name}"
            if name not in bprops:
                if direction == "request" and name in hrequired:
                    self.changes.breaking(
                        "request-property-added-required",
                        pwhere,
                        f"New required request field {field}. Send {_attribute(name)} on every call.",
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
                        f"The request field {field} is now required. Send {_attribute(name)} on every call.",
                    )
                else:
                    self.changes.added("response-property-became-required", pwhere, f"{field} is now always sent.")
            elif before and not now:
                if direction == "response":
                    self.changes.breaking(
                        "response-property-became-optional",
                        pwhere,
                        f"{field} may now be absent. Check for UNSET where you read {_attribute(name)}.",
                    )
                else:
                    self.changes.added(
                        "request-property-became-optional", pwhere, f"The request field {field} is now optional."
                    )
            self._schema(bprops[name], hprop, join(where, "properties", name), pwhere, direction, field)

    def _variants(
        self, keyword: str, base: Node, head: Node, bwhere: str, where: str, direction: Direction, label: str
    ) -> None:
        bvariants, hvariants = base.get(keyword) or [], head.get(keyword) or []
        if not bvariants and not hvariants:
            return

        def name(variant: Any, index: int) -> str:
            return variant.get("$ref", str(index)) if isinstance(variant, dict) else str(index)

        bnamed = {name(v, i): (i, v) for i, v in enumerate(bvariants)}
        hnamed = {name(v, i): (i, v) for i, v in enumerate(hvariants)}
        for key, (index, _) in bnamed.items():
            if key not in hnamed:
                verb = "accepts" if direction == "request" else "arrives as"
                text = f"{label} no longer {verb} {key.rsplit('/', 1)[-1]}."
                # One variant fewer narrows a oneOf or anyOf; one schema fewer to satisfy widens an allOf.
                relation: Relation = "wider" if keyword == "allOf" else "narrower"
                self._typed(direction, relation, join(bwhere, keyword, str(index)), text)
        for key, (index, variant) in hnamed.items():
            vwhere = join(where, keyword, str(index))
            if key not in bnamed:
                text = (
                    f"{label} may now {'be sent' if direction == 'request' else 'arrive'} as {key.rsplit('/', 1)[-1]}."
                )
                self._typed(direction, "narrower" if keyword == "allOf" else "wider", vwhere, text)
            else:
                self._schema(
                    bnamed[key][1], variant, join(bwhere, keyword, str(bnamed[key][0])), vwhere, direction, label
                )

    # --- words --------------------------------------------------------------------------------------------------

    def _deprecation(self, base: Node, head: Node, where: str, label: str) -> None:
        if head.get("deprecated") and not base.get("deprecated"):
            self.changes.added("deprecated", where, f"{label} is deprecated.{_instead(head)}")

    def _words(self, base: Node, head: Node, where: str) -> None:
        if any(base.get(key) != head.get(key) for key in DOC_KEYS):
            self.changes.reworded("description-changed", where, "The documentation was reworded.")

    # --- references ---------------------------------------------------------------------------------------------

    @staticmethod
    def _resolve(doc: Node, node: Any) -> tuple[Node, str]:
        """The node a local ``$ref`` points to (and the pointer), or the node itself (and "")."""
        if not isinstance(node, dict):
            return {}, ""
        ref = node.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return node, ""
        target: Any = doc
        for token in ref[2:].split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            target = target.get(token) if isinstance(target, dict) else None
        return (target if isinstance(target, dict) else {}), ref


def _label(key: tuple[str, str, str]) -> str:
    section, name, method = key
    return f"{method.upper()} {name}" if section == "paths" else f"the delivery {name} ({method.upper()})"


def _limit(value: Any) -> str:
    return "none" if value is None else str(value)


def _shown(types: set[str] | None) -> str:
    return "any" if types is None else " or ".join(sorted(types))


def _listed(values: list[Any]) -> str:
    return ", ".join(repr(v) if not isinstance(v, str) else v for v in values)
