"""The spec's changes: the document, its operations and their parts, each judged in the direction it travels.

What a client sends (parameters, request bodies) is judged as a request, what it reads (responses) as a response;
a delivery a receiver is sent travels the other way. Names count too: an operationId, tag, schema or parameter name
becomes a Python name in the generated client.
"""

from __future__ import annotations

from collections.abc import Iterator

from openapi_python_client.strings import snake_case

from ._changes import Changes
from ._documents import Node, deprecation, join, resolve, undocumented, words
from ._schemas import Direction, Schemas, attribute, makes_model, model

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Parameters (or headers) by where they go and their name: each with its pointer and its definition.
Named = dict[tuple[str, str], tuple[str, Node]]


def compare(base: Node, head: Node, changes: Changes) -> None:
    """Record every change from the spec ``base`` to the spec ``head``."""
    _SpecDiff(base, head, changes).run()


def _flip(direction: Direction) -> Direction:
    return "response" if direction == "request" else "request"


class _SpecDiff:
    """Compares two specs: the document, then each operation, whose schemas `Schemas` judges."""

    def __init__(self, base: Node, head: Node, changes: Changes) -> None:
        self.base = base
        self.head = head
        self.changes = changes
        self.schemas = Schemas(base, head, changes)

    def run(self) -> None:
        self._info()
        self._schemas_renamed_or_removed()
        self._security_schemes()
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
            elif key[0] == "webhooks":
                self.changes.breaking(
                    "operation-removed", where, f"UP42 no longer sends {_label(key)}. Stop expecting it."
                )
            else:
                self.changes.breaking(
                    "operation-removed",
                    where,
                    f"The operation {_label(key)} was removed, and with it {_function(op)}. Stop calling it.",
                )
        base_ids = {op.get("operationId") for _, op, _ in base_ops.values()}
        for key, (where, op, _) in head_ops.items():
            # An operation that moved to another path was reported above.
            if key not in base_ops and (not op.get("operationId") or op.get("operationId") not in base_ids):
                what = f"New operation {_label(key)}: {_function(op)}."
                if key[0] == "webhooks":
                    what = f"UP42 may now send {_label(key)}."
                self.changes.added("operation-added", where, what)
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
            same = [n for n in new if undocumented(head_schemas[n]) == undocumented(base_schemas[name])]
            if same:
                new.remove(same[0])
                before, after = model(name, base_schemas[name]), model(same[0], head_schemas[same[0]])
                if before == after:
                    text = f"The schema {name} is now {same[0]}; its title keeps the generated model {before}."
                    self.changes.reworded("schema-renamed", where, text)
                    continue
                self.changes.breaking(
                    "schema-renamed",
                    where,
                    f"The schema {name} is now {same[0]}: the generated model {before} is now {after}. "
                    "Import the new name.",
                )
            else:
                self.changes.breaking(
                    "schema-removed",
                    where,
                    f"The schema {name} was removed, and with it the generated model "
                    f"{model(name, base_schemas[name])}. Stop using it.",
                )
        for name in new:
            self.changes.added(
                "schema-added",
                join("#/components/schemas", name),
                f"New schema {name} ({model(name, head_schemas[name])}).",
            )
        for name in sorted(base_schemas.keys() & head_schemas.keys()):
            before, after = model(name, base_schemas[name]), model(name, head_schemas[name])
            if before != after and makes_model(head_schemas[name]):
                self.changes.breaking(
                    "schema-renamed",
                    join("#/components/schemas", name),
                    f"The schema {name} has another title: the generated model {before} is now {after}. "
                    "Import the new name.",
                )

    def _security_schemes(self) -> None:
        base = self.base.get("components", {}).get("securitySchemes", {})
        head = self.head.get("components", {}).get("securitySchemes", {})
        for name in sorted(base.keys() & head.keys()):
            where = join("#/components/securitySchemes", name)
            (bscheme, _), (hscheme, _) = resolve(self.base, base[name]), resolve(self.head, head[name])
            # A bearer token's format is a hint to people; the rest is how a client authenticates.
            bhow, hhow = ({k: v for k, v in undocumented(s).items() if k != "bearerFormat"} for s in (bscheme, hscheme))
            if bhow != hhow:
                now, was = _scheme(hscheme), _scheme(bscheme)
                changed = ", ".join(sorted(k for k in bhow.keys() | hhow.keys() if bhow.get(k) != hhow.get(k)))
                self.changes.breaking(
                    "security-scheme-changed",
                    where,
                    (
                        f"The security scheme {name} is now {now} (was {was})."
                        if now != was
                        else f"The security scheme {name} changed its {changed}."
                    )
                    + " Authenticate the way it now asks.",
                )
            elif bscheme != hscheme:
                self.changes.reworded("description-changed", where, "The documentation was reworded.")

    def _unreached_schemas(self) -> None:
        # A schema no operation uses is still a generated model that users read.
        base_schemas = self.base.get("components", {}).get("schemas", {})
        head_schemas = self.head.get("components", {}).get("schemas", {})
        for name in base_schemas.keys() & head_schemas.keys():
            where = join("#/components/schemas", name)
            if where not in self.schemas.visited:
                self.schemas.compare(base_schemas[name], head_schemas[name], where, where, "response", name)

    # --- operations ---------------------------------------------------------------------------------------------

    def _operations(self, doc: Node) -> Iterator[tuple[tuple[str, str, str], tuple[str, Node, Node]]]:
        for section in ("paths", "webhooks"):
            for name, item in (doc.get(section) or {}).items():
                item = resolve(doc, item)[0]
                for method in METHODS:
                    if isinstance(item.get(method), dict):
                        yield (section, name, method), (join(f"#/{section}", name, method), item[method], item)

    def _operation(self, key: tuple[str, str, str], base: tuple[str, Node, Node], head: tuple[str, Node, Node]) -> None:
        (_, bop, bitem), (where, hop, hitem) = base, head
        renamed = bop.get("operationId") != hop.get("operationId")
        if key[0] == "webhooks" and (renamed or _tag(bop) != _tag(hop)):
            # The generator makes no function of a webhook: its operationId and tag name nothing a user imports.
            self.changes.reworded(
                "operation-id-renamed" if renamed else "operation-tag-changed",
                where,
                f"The {'operationId' if renamed else 'tag'} of {_label(key)} changed; no generated name follows it.",
            )
        elif renamed:
            self.changes.breaking(
                "operation-id-renamed",
                where,
                f"The operationId of {_label(key)} is now {hop.get('operationId')} (was {bop.get('operationId')}): "
                f"the generated function {_function(bop)} is now {_function(hop)}. "
                "Call the new name.",
            )
        elif _tag(bop) != _tag(hop):
            self.changes.breaking(
                "operation-tag-changed",
                where,
                f"{_label(key)} moved to another tag: the generated function {_function(bop)} is "
                f"now {_function(hop)}. Import it from its new module.",
            )
        deprecation(self.changes, bop, hop, where, f"The operation {_label(key)}")
        words(self.changes, bop, hop, where)
        item_where = where.rsplit("/", 1)[0]
        if bitem.get("servers") != hitem.get("servers"):
            self.changes.reworded("servers-changed", join(item_where, "servers"), f"The servers of {key[1]} changed.")
        if bop.get("servers") != hop.get("servers"):
            self.changes.reworded("servers-changed", join(where, "servers"), f"The servers of {_label(key)} changed.")
        # A webhook travels the other way: UP42 sends the request, and the receiver reads it.
        sent: Direction = "request" if key[0] == "paths" else "response"
        self._parameters(bitem, bop, hitem, hop, where, sent)
        self._request_body(bop, hop, where, sent)
        self._responses(bop, hop, where, _flip(sent))
        self._security(bop, hop, where, key)

    def _parameters(self, bitem: Node, bop: Node, hitem: Node, hop: Node, where: str, direction: Direction) -> None:
        base = self._parameter_map(self.base, bitem, bop, where)
        head = self._parameter_map(self.head, hitem, hop, where)
        self._named(base, head, direction, "parameter")

    def _named(self, base: Named, head: Named, direction: Direction, noun: str) -> None:
        """Parameters, or a response's headers: removed, renamed, added, made required or optional, retyped."""
        # Only a parameter a client sends becomes a keyword argument of the generated function.
        argument = direction == "request" and noun == "parameter"

        def thing(key: tuple[str, str]) -> str:
            return f"{key[0]} parameter" if noun == "parameter" else "header"

        def label(key: tuple[str, str], param: Node) -> str:
            return f"The {thing(key)} {param['name']}"

        def demand(name: str) -> str:
            return f"Pass {attribute(name)} to every call." if argument else "Send it every time."

        gone = {k: v for k, v in base.items() if k not in head}
        new = {k: v for k, v in head.items() if k not in base}
        for location in {k[0] for k in gone} & {k[0] for k in new}:
            olds = [k for k in gone if k[0] == location]
            news = [k for k in new if k[0] == location]
            # One gone and one new is a rename, where losing the old name breaks.
            if len(olds) == 1 and len(news) == 1 and (argument or direction == "response"):
                (_, old), (fresh_where, fresh) = gone.pop(olds[0]), new.pop(news[0])
                action = (
                    f"the generated keyword argument {attribute(old['name'])} is now {attribute(fresh['name'])}. "
                    "Pass the new name."
                    if argument
                    else "Read the new name."
                )
                self.changes.breaking(
                    f"{noun}-renamed", fresh_where, f"{label(olds[0], old)} is now {fresh['name']}: {action}"
                )
        for key, (pwhere, param) in gone.items():
            if argument:
                self.changes.breaking(
                    "request-parameter-removed",
                    pwhere,
                    f"{label(key, param)} was removed: the generated keyword argument {attribute(param['name'])} "
                    "is gone. Stop passing it.",
                )
            elif direction == "request":
                self.changes.added(f"request-{noun}-removed", pwhere, f"{label(key, param)} is no longer read.")
            else:
                self.changes.breaking(
                    f"response-{noun}-removed", pwhere, f"{label(key, param)} is no longer sent. Stop reading it."
                )
        for key, (pwhere, param) in new.items():
            if direction == "request" and param.get("required"):
                self.changes.breaking(
                    f"request-{noun}-added-required",
                    pwhere,
                    f"New required {thing(key)} {param['name']}. {demand(param['name'])}",
                )
            else:
                kind = "required" if param.get("required") else "optional"
                self.changes.added(f"{direction}-{noun}-added", pwhere, f"New {kind} {thing(key)} {param['name']}.")
        for k in base.keys() & head.keys():
            (_, bparam), (pwhere, hparam) = base[k], head[k]
            said = label(k, hparam)
            if direction == "request" and hparam.get("required") and not bparam.get("required"):
                self.changes.breaking(
                    f"request-{noun}-became-required", pwhere, f"{said} is now required. {demand(hparam['name'])}"
                )
            elif direction == "request" and bparam.get("required") and not hparam.get("required"):
                self.changes.added(f"request-{noun}-became-optional", pwhere, f"{said} is now optional.")
            # What a receiver reads may become required, not optional.
            elif bparam.get("required") and not hparam.get("required"):
                self.changes.breaking(
                    f"response-{noun}-became-optional", pwhere, f"{said} may now be absent. Check for it."
                )
            elif hparam.get("required") and not bparam.get("required"):
                self.changes.added(f"response-{noun}-became-required", pwhere, f"{said} is now always sent.")
            deprecation(self.changes, bparam, hparam, pwhere, said)
            words(self.changes, bparam, hparam, pwhere)
            if "schema" in bparam and "schema" in hparam:
                self.schemas.compare(
                    bparam["schema"],
                    hparam["schema"],
                    join(pwhere, "schema"),
                    join(pwhere, "schema"),
                    direction,
                    hparam["name"],
                )

    def _parameter_map(self, doc: Node, item: Node, op: Node, where: str) -> Named:
        found: Named = {}
        item_where = where.rsplit("/", 1)[0]
        for owner, owner_where in ((item, item_where), (op, where)):
            for index, raw in enumerate(owner.get("parameters") or []):
                param, ref = resolve(doc, raw)
                found[_key(param.get("in", ""), param.get("name", ""))] = (
                    ref or join(owner_where, "parameters", str(index)),
                    param,
                )
        return found

    def _request_body(self, bop: Node, hop: Node, where: str, direction: Direction) -> None:
        base, _ = resolve(self.base, bop.get("requestBody"))
        head, href = resolve(self.head, hop.get("requestBody"))
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
        # A body defined in components is judged once, where it is defined, as a shared response is.
        bwhere = href or bwhere
        if direction == "request" and head.get("required") and not base.get("required"):
            self.changes.breaking(
                "request-body-became-required", bwhere, "The request body is now required. Pass body to every call."
            )
        elif direction == "request" and base.get("required") and not head.get("required"):
            self.changes.added("request-body-became-optional", bwhere, "The request body is now optional.")
        elif base.get("required") and not head.get("required"):
            self.changes.breaking(
                "response-body-became-optional", bwhere, "The delivery may now come without a body. Check for one."
            )
        elif head.get("required") and not base.get("required"):
            self.changes.added("response-body-became-required", bwhere, "The delivery now always comes with a body.")
        words(self.changes, base, head, bwhere)
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
            bresp, bref = resolve(self.base, base[status])
            hresp, href = resolve(self.head, head[status])
            # A response defined in components is judged once, where it is defined, as a shared parameter is.
            bwhere, swhere = bref or swhere, href or swhere
            words(self.changes, bresp, hresp, swhere)
            self._content(bresp, hresp, swhere, direction)
            headers = self._header_map(self.base, bresp, bwhere), self._header_map(self.head, hresp, swhere)
            self._named(*headers, direction, "header")

    @staticmethod
    def _header_map(doc: Node, response: Node, where: str) -> Named:
        found: Named = {}
        for name, raw in (response.get("headers") or {}).items():
            header, ref = resolve(doc, raw)
            found[_key("header", name)] = (ref or join(where, "headers", name), {**header, "name": name})
        return found

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
                continue
            words(self.changes, bcontent[media], hcontent[media], mwhere)
            if "schema" in bcontent[media] and "schema" in hcontent[media]:
                swhere = join(mwhere, "schema")
                self.schemas.compare(
                    bcontent[media]["schema"], hcontent[media]["schema"], swhere, swhere, direction, "body"
                )

    def _security(self, bop: Node, hop: Node, where: str, key: tuple[str, str, str]) -> None:
        if key[0] != "paths":
            return
        base = self._alternatives(self.base, bop)
        head = self._alternatives(self.head, hop)
        # An operation without security of its own has the document's: a change of that is one change, at the root.
        own = "security" in bop or "security" in hop
        swhere, subject = (
            (join(where, "security"), _label(key))
            if own
            else ("#/security", "Every operation without security of its own")
        )
        # A client that met one of the old alternatives must meet a new one with what it has.
        if any(not any(h <= b for h in head) for b in base):
            self.changes.breaking(
                "security-requirement-added",
                swhere,
                f"{subject} now requires {' or '.join(sorted(_requirement(h) for h in head))}. "
                "Authenticate before calling it.",
            )
        elif base != head:
            self.changes.added("security-requirement-removed", swhere, f"{subject} asks for less authentication.")

    @staticmethod
    def _alternatives(doc: Node, op: Node) -> set[frozenset[tuple[str, str]]]:
        requirements = op["security"] if "security" in op else doc.get("security", [])
        # Each scheme an alternative names, and each scope (or role) it asks of that scheme.
        return {
            frozenset({(name, "") for name in r} | {(name, scope) for name, scopes in r.items() for scope in scopes})
            for r in requirements
        } or {frozenset()}


def _requirement(alternative: frozenset[tuple[str, str]]) -> str:
    names = sorted({name for name, _ in alternative})
    scoped = {name: sorted(scope for n, scope in alternative if n == name and scope) for name in names}
    return "+".join(f"{n} ({', '.join(scoped[n])})" if scoped[n] else n for n in names) or "nothing"


def _key(location: str, name: str) -> tuple[str, str]:
    # A header's name is not case-sensitive, and neither is the generated name of a header parameter.
    return location, name.lower() if location == "header" else name


def _scheme(scheme: Node) -> str:
    kind = scheme.get("type")
    if kind == "http":
        return f"HTTP {scheme.get('scheme')} authentication"
    if kind == "apiKey":
        return f"an API key in the {scheme.get('in')} {scheme.get('name')}"
    return str(kind)


def _tag(op: Node) -> str:
    # The generator files an operation under its first tag.
    return str((op.get("tags") or ["default"])[0])


def _function(op: Node) -> str:
    """The generated function of an operation, by its tag's module and its operationId."""
    if "operationId" not in op:
        return "its generated function"
    return f"up42_api.api.{snake_case(_tag(op))}.{snake_case(op['operationId'])}"


def _label(key: tuple[str, str, str]) -> str:
    section, name, method = key
    return f"{method.upper()} {name}" if section == "paths" else f"the delivery {name} ({method.upper()})"
