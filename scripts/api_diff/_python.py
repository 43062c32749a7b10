"""The public Python surface of ``up42`` and of the generated ``up42_api``, compared with griffe.

griffe finds what breaks a caller (a public name, parameter or attribute removed, a parameter made required or
moved). What it does not report, the names and optional parameters that were added, is found by walking the public
names of both sides. A name is reported under its shortest public path (``up42.Webhook.delete`` rather than the
private module that defines it).
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
        old = _load(package, base_root / folder)
        new = _load(package, head_root / folder)
        old_names, new_names = dict(_public(old)), dict(_public(new))
        public = {obj.path: path for path, obj in sorted(new_names.items(), key=lambda item: -len(item[0]))}
        public |= {obj.path: path for path, obj in sorted(old_names.items(), key=lambda item: -len(item[0]))}
        for breakage in griffe.find_breaking_changes(old, new):
            _breakage(breakage, public, changes)
        _additions(old_names, new_names, changes)


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
    for name, member in target.members.items():
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
    where = public.get(breakage.obj.path, breakage.obj.path)
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
    changes.breaking(RULES[kind], where, f"{subject}: {TEXTS[kind]} {ACTIONS[kind]}")


def _additions(old: dict[str, griffe.Object], new: dict[str, griffe.Object], changes: Changes) -> None:
    known = {obj.path for obj in old.values()}
    shortest: dict[str, str] = {}
    for path, obj in new.items():
        if len(path) < len(shortest.get(obj.path, path + " ")):
            shortest[obj.path] = path
    for canonical, path in sorted(shortest.items()):
        obj = new[path]
        if canonical not in known:
            # Only the outermost new name: a new class is one change, not one per method. A class in a new module
            # that a known package re-exports is outermost under its public path.
            parent = new.get(path.rpartition(".")[0])
            if parent is None or parent.path in known:
                changes.added("python-name-added", path, f"New public name {path}.")
            continue
        before = next(o for o in old.values() if o.path == canonical)
        if isinstance(obj, griffe.Function) and isinstance(before, griffe.Function):
            names = {p.name for p in before.parameters}
            for parameter in obj.parameters:
                if parameter.name not in names and parameter.default is not None:
                    changes.added(
                        "python-parameter-added",
                        path,
                        f"{path} takes a new optional parameter {parameter.name}.",
                    )
