"""The two specs as data: JSON pointers into them, local references, and the changes that are only words."""

from __future__ import annotations

from typing import Any

import gen_deprecations

from ._changes import Changes

Node = dict[str, Any]

DOC_KEYS = ("summary", "description", "title", "example", "examples", "externalDocs")


def escape(part: str) -> str:
    """One JSON pointer token (RFC 6901)."""
    return part.replace("~", "~0").replace("/", "~1")


def join(where: str, *parts: str) -> str:
    """A JSON pointer extended by tokens."""
    return "/".join([where, *(escape(part) for part in parts)])


def resolve(doc: Node, node: Any) -> tuple[Node, str]:
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


def undocumented(node: Any) -> Any:
    """The node without its words: two schemas equal under this are the same contract."""
    if isinstance(node, dict):
        return {k: undocumented(v) for k, v in node.items() if k not in DOC_KEYS and k != "deprecated"}
    if isinstance(node, list):
        return [undocumented(v) for v in node]
    return node


def deprecation(changes: Changes, base: Node, head: Node, where: str, label: str) -> None:
    """Record that ``head`` deprecates what ``base`` did not."""
    if head.get("deprecated") and not base.get("deprecated"):
        # In the words of the warning the SDK gives: what to use instead, from the description.
        changes.added("deprecated", where, gen_deprecations.message(label, head.get("description")).rstrip(".") + ".")


def words(changes: Changes, base: Node, head: Node, where: str) -> None:
    """Record that the words of ``head`` (description, summary, examples) are not those of ``base``."""
    if any(base.get(key) != head.get(key) for key in DOC_KEYS):
        changes.reworded("description-changed", where, "The documentation was reworded.")
