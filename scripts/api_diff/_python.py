"""The public Python surface of ``up42`` and of the generated ``up42_api``, compared with griffe.

griffe finds what breaks a caller (a public name, parameter or attribute removed, a parameter made required or
moved). What it does not report is found by walking the public names of both sides: the names and optional
parameters that were added, and in ``up42`` changed annotations (a parameter may widen, an attribute or a return
narrow) and the new required fields of a dataclass. The generated names' types are left to the spec's rules, which
know the direction each travels. A name is reported under its shortest public path (``up42.Webhook.delete``
rather than the private module that defines it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import griffe

from ._changes import Changes

PACKAGES = (("up42", "."), ("up42_api", "generated"))

# What each kind of breakage is, and what it asks of a caller.
TEXTS = {
    griffe.BreakageKind.OBJECT_REMOVED: "removed.",
    griffe.BreakageKind.OBJECT_CHANGED_KIND: "now a different kind of object.",
    griffe.BreakageKind.PARAMETER_REMOVED: "removed.",
    griffe.BreakageKind.PARAMETER_ADDED_REQUIRED: "new, and required.",
    griffe.BreakageKind.PARAMETER_CHANGED_REQUIRED: "now required.",
    griffe.BreakageKind.PARAMETER_MOVED: "moved to another position.",
    griffe.BreakageKind.PARAMETER_CHANGED_KIND: "now taken another way (positional, keyword).",
    griffe.BreakageKind.RETURN_CHANGED_TYPE: "returns another type.",
    griffe.BreakageKind.ATTRIBUTE_CHANGED_TYPE: "has another type.",
    griffe.BreakageKind.CLASS_REMOVED_BASE: "lost a base class.",
}
ACTIONS = {
    griffe.BreakageKind.OBJECT_REMOVED: "Stop using it.",
    griffe.BreakageKind.OBJECT_CHANGED_KIND: "Use it as what it is now.",
    griffe.BreakageKind.PARAMETER_REMOVED: "Stop passing it.",
    griffe.BreakageKind.PARAMETER_ADDED_REQUIRED: "Pass it on every call.",
    griffe.BreakageKind.PARAMETER_CHANGED_REQUIRED: "Pass it on every call.",
    griffe.BreakageKind.PARAMETER_MOVED: "Pass it by keyword.",
    griffe.BreakageKind.PARAMETER_CHANGED_KIND: "Pass it the way it now takes.",
    griffe.BreakageKind.RETURN_CHANGED_TYPE: "Read the new return type.",
    griffe.BreakageKind.ATTRIBUTE_CHANGED_TYPE: "Read the new type.",
    griffe.BreakageKind.CLASS_REMOVED_BASE: "Stop relying on the removed base class.",
}
RULES = {
    griffe.BreakageKind.OBJECT_REMOVED: "python-name-removed",
    griffe.BreakageKind.OBJECT_CHANGED_KIND: "python-name-changed-kind",
    griffe.BreakageKind.PARAMETER_REMOVED: "python-parameter-removed",
    griffe.BreakageKind.PARAMETER_ADDED_REQUIRED: "python-parameter-added-required",
    griffe.BreakageKind.PARAMETER_CHANGED_REQUIRED: "python-parameter-became-required",
    griffe.BreakageKind.PARAMETER_MOVED: "python-parameter-moved",
    griffe.BreakageKind.PARAMETER_CHANGED_KIND: "python-parameter-changed-kind",
    griffe.BreakageKind.RETURN_CHANGED_TYPE: "python-return-type-changed",
    griffe.BreakageKind.ATTRIBUTE_CHANGED_TYPE: "python-attribute-type-changed",
    griffe.BreakageKind.CLASS_REMOVED_BASE: "python-base-class-removed",
}


def compare(base_root: Path, head_root: Path, changes: Changes) -> None:
    """Record every change of the public surface from the tree ``base_root`` to the tree ``head_root``."""
    for package, folder in PACKAGES:
        if _same_sources(base_root / folder / package, head_root / folder / package):
            continue  # nothing to load: the same files make the same surface
        old = _load(package, base_root / folder)
        new = _load(package, head_root / folder)
        old_names, new_names = dict(_public(old)), dict(_public(new))
        public = {obj.path: path for path, obj in sorted(new_names.items(), key=lambda item: -len(item[0]))}
        public |= {obj.path: path for path, obj in sorted(old_names.items(), key=lambda item: -len(item[0]))}
        for breakage in griffe.find_breaking_changes(old, new):
            _breakage(breakage, public, changes)
        _withdrawals(old_names, new_names, changes)
        # The generated names' types come from the spec, where they are judged in the direction they travel.
        _members(old_names, new_names, changes, typed=package == "up42")


def _same_sources(base: Path, head: Path) -> bool:
    """Whether the two package folders hold the same Python files, byte for byte."""
    base_files = sorted(path.relative_to(base) for path in base.rglob("*.py"))
    head_files = sorted(path.relative_to(head) for path in head.rglob("*.py"))
    return base_files == head_files and all((base / f).read_bytes() == (head / f).read_bytes() for f in base_files)


def _load(package: str, folder: Path) -> griffe.Module:
    loaded = griffe.load(
        package, search_paths=[folder], try_relative_path=False, resolve_aliases=True, resolve_external=False
    )
    assert isinstance(loaded, griffe.Module)  # noqa: S101  (a package name always loads as a module)
    return loaded


def _public(obj: griffe.Object | griffe.Alias, path: str = "") -> Iterator[tuple[str, griffe.Object]]:
    """Each public name under ``obj`` with the object it stands for, once per public path."""
    path = path or obj.path
    target = obj.final_target if isinstance(obj, griffe.Alias) else obj
    yield path, target
    if not (target.is_module or target.is_class):
        return
    # A class's inherited members are its public names too, though defined in a private base class.
    for name, member in (target.all_members if target.is_class else target.members).items():
        if name.startswith("_") or (isinstance(member, griffe.Alias) and not _resolvable(member)):
            continue
        if not member.is_public or (target.is_module and member.is_module and not member.path.startswith(obj.path)):
            continue
        yield from _public(member, f"{path}.{name}")


def _resolvable(alias: griffe.Alias) -> bool:
    try:
        alias.final_target  # noqa: B018  (an alias to another package cannot be followed)
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return False
    return True


def _breakage(breakage: griffe.Breakage, public: dict[str, str], changes: Changes) -> None:
    where = _where(breakage.obj.path, public)
    kind = breakage.kind
    if kind is griffe.BreakageKind.ATTRIBUTE_CHANGED_VALUE:
        return  # a new value is no new contract: the version string changes with every release
    if kind is griffe.BreakageKind.PARAMETER_CHANGED_DEFAULT:
        changes.added(
            "python-default-changed",
            where,
            f"The default of the parameter {breakage.old_value.name} of {where} is now "
            f"{breakage.new_value.default} (was {breakage.old_value.default}).",
        )
        return
    if kind.name.startswith("PARAMETER"):
        parameter = breakage.old_value if breakage.old_value is not None else breakage.new_value
        subject = f"The parameter {parameter.name} of {where}"
    else:
        subject = where
    changes.breaking(RULES[kind], where, _told(kind, subject))


def _told(kind: griffe.BreakageKind, subject: str) -> str:
    return f"{subject}: {TEXTS[kind]} {ACTIONS[kind]}"


def _where(path: str, public: dict[str, str]) -> str:
    """The public path of ``path``: its own, else its nearest public parent's with the rest of ``path`` appended.

    griffe names an inherited member under the class that inherits it (``up42._client._webhooks.Webhook.updated_at``),
    a path that stands for no object of its own; the class has a public path.
    """
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in public:
            return ".".join([public[prefix], *parts[end:]])
    return path


def _shortest(names: dict[str, griffe.Object]) -> dict[str, str]:
    """The shortest of ``names``' paths for each object they stand for, by the object's own path."""
    shortest: dict[str, str] = {}
    for path, obj in names.items():
        if len(path) < len(shortest.get(obj.path, path + " ")):
            shortest[obj.path] = path
    return shortest


def _withdrawals(old: dict[str, griffe.Object], new: dict[str, griffe.Object], changes: Changes) -> None:
    """The public paths that are gone, also those griffe passes over: a name still defined but no longer public.

    A name dropped from ``__all__`` breaks its importers as a deleted one does. Each is reported at the outermost
    path that is gone; an object public nowhere any more only at its shortest path, where griffe reports a deletion.
    """
    lost = {path: obj for path, obj in old.items() if path not in new}
    kept = {obj.path for obj in new.values()}
    shortest = _shortest(lost)
    removed = griffe.BreakageKind.OBJECT_REMOVED
    for path, obj in sorted(lost.items()):
        if path.rpartition(".")[0] in lost or (obj.path not in kept and shortest[obj.path] != path):
            continue
        changes.breaking(RULES[removed], path, _told(removed, path))


def _members(old: dict[str, griffe.Object], new: dict[str, griffe.Object], changes: Changes, *, typed: bool) -> None:
    """What griffe does not report: new names and optional parameters, and, with ``typed``, changed annotations and
    new required fields of dataclasses and attrs classes (griffe cannot see the constructor they get)."""
    known = {obj.path: obj for obj in old.values()}
    for canonical, path in sorted(_shortest(new).items()):
        obj = new[path]
        before = known.get(canonical)
        if before is None:
            # Only the outermost new name: a new class is one change, not one per method.
            if "." not in path or path.rpartition(".")[0] in old:
                changes.added("python-name-added", path, f"New public name {path}.")
        elif isinstance(obj, griffe.Function) and isinstance(before, griffe.Function):
            _function(path, before, obj, changes, typed=typed)
        elif typed and isinstance(obj, griffe.Attribute) and isinstance(before, griffe.Attribute):
            _annotation(path, "python-attribute-type", before.annotation, obj.annotation, changes)
        elif typed and isinstance(obj, griffe.Class) and isinstance(before, griffe.Class):
            _fields(path, before, obj, changes)


def _function(path: str, before: griffe.Function, after: griffe.Function, changes: Changes, *, typed: bool) -> None:
    old = {p.name: p for p in before.parameters}
    for parameter in after.parameters:
        if parameter.name not in old:
            if parameter.default is not None:
                changes.added(
                    "python-parameter-added", path, f"{path} takes a new optional parameter {parameter.name}."
                )
        elif typed:
            # A parameter may take more than it did, but not less.
            label = f"the parameter {parameter.name} of {path}"
            _annotation(
                label,
                "python-parameter-type",
                old[parameter.name].annotation,
                parameter.annotation,
                changes,
                where=path,
                wider_is_compatible=True,
            )
    if typed:
        _annotation(f"what {path} returns", "python-return-type", before.returns, after.returns, changes, where=path)


def _annotation(
    label: str,
    rule: str,
    old: object,
    new: object,
    changes: Changes,
    *,
    where: str = "",
    wider_is_compatible: bool = False,
) -> None:
    """A changed annotation: what a caller passes may widen, what it reads may narrow; anything else breaks.

    Annotations are compared as the sets of their union's members, as written: griffe reads them, it does not
    evaluate them.
    """
    if old is None or new is None or str(old) == str(new):
        return
    before, after = _union(str(old)), _union(str(new))
    text = f"The type of {label} is now {new} (was {old})."
    if (after >= before) if wider_is_compatible else (after <= before):
        changes.added(f"{rule}-{'widened' if wider_is_compatible else 'narrowed'}", where or label, text)
    else:
        action = "Pass values of the new type." if wider_is_compatible else "Read values of the new type."
        changes.breaking(f"{rule}-changed", where or label, f"{text} {action}")


def _union(annotation: str) -> frozenset[str]:
    """The members of a union annotation, ``Optional[X]`` read as ``X | None``."""
    text = "".join(annotation.split())
    if text.startswith("Optional[") and text.endswith("]"):
        return _union(text[len("Optional[") : -1]) | {"None"}
    members, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += char == "["
        depth -= char == "]"
        if char == "|" and depth == 0:
            members.append(text[start:index])
            start = index + 1
    members.append(text[start:])
    return frozenset(members)


def _fields(path: str, before: griffe.Class, after: griffe.Class, changes: Changes) -> None:
    """The fields of a dataclass or attrs class are its constructor's parameters."""
    if not _is_record(after):
        return
    old, new = _record_fields(before), _record_fields(after)
    for name, required in new.items():
        if required and name not in old:
            changes.breaking(
                "python-parameter-added-required",
                path,
                f"{path} has a new required field {name}. Pass {name} wherever you build a {path}.",
            )
        elif required and old.get(name) is False:
            changes.breaking(
                "python-parameter-became-required",
                path,
                f"The field {name} of {path} is now required. Pass {name} wherever you build a {path}.",
            )


def _is_record(cls: griffe.Class) -> bool:
    return any(
        str(d.value).endswith(("attrs_define", "define", "dataclass")) or "dataclass(" in str(d.value)
        for d in cls.decorators
    )


def _record_fields(cls: griffe.Class) -> dict[str, bool]:
    """Each field a record's constructor takes, and whether it must be passed (it has no default)."""
    fields = {}
    for name, member in cls.members.items():
        if not isinstance(member, griffe.Attribute) or "property" in member.labels or name.startswith("_"):
            continue
        value = "" if member.value is None else "".join(str(member.value).split())
        if member.annotation is None or "init=False" in value or str(member.annotation).startswith("ClassVar"):
            continue
        declared = value.startswith(("_attrs_field(", "field(", "attrs.field(", "dataclasses.field("))
        fields[name] = not value or (declared and "default=" not in value and "factory=" not in value)
    return fields
