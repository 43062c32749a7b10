"""One change found between two trees, and the collection that gathers them once each."""

from __future__ import annotations

import dataclasses
from typing import Literal

Level = Literal["breaking", "compatible"]
# How far a change moves the version under ordinary semver: a breaking change the major, something new (an
# operation, a field, a deprecation) the minor, a correction of words the patch.
Weight = Literal["major", "minor", "patch"]


@dataclasses.dataclass(frozen=True)
class Change:
    """A change: its level, the rule that classified it, the thing changed (``where``) and what it means in words.

    ``where`` is a JSON pointer into the spec (``#/components/schemas/Webhook/properties/updatedAt``) or a Python
    path (``up42_api.api.webhooks.get_webhook``). The text of a breaking change ends with what a user must change.
    """

    level: Level
    rule: str
    where: str
    text: str
    weight: Weight

    def as_json(self) -> dict[str, str]:
        """The change as the JSON report lists it."""
        return {"level": self.level, "rule": self.rule, "where": self.where, "text": self.text}


class Changes:
    """The changes found so far, each once (a schema reached from two operations is judged once)."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, str, str], Change] = {}

    def breaking(self, rule: str, where: str, text: str) -> None:
        """Record a change that makes a user change code or data."""
        self._add(Change("breaking", rule, where, text, "major"))

    def added(self, rule: str, where: str, text: str) -> None:
        """Record a compatible change that gives users something new (a minor release under semver)."""
        self._add(Change("compatible", rule, where, text, "minor"))

    def reworded(self, rule: str, where: str, text: str) -> None:
        """Record a compatible change of words or of nothing users depend on (a patch release under semver)."""
        self._add(Change("compatible", rule, where, text, "patch"))

    def _add(self, change: Change) -> None:
        self._found.setdefault((change.rule, change.where, change.text), change)

    def sorted(self) -> list[Change]:
        """Breaking changes first, each level in the order of ``where``."""
        return sorted(self._found.values(), key=lambda c: (c.level != "breaking", c.where, c.rule))
