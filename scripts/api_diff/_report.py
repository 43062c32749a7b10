"""The comparison's result, as one JSON document or as the text a person reads in a pull request."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from packaging.version import Version

from . import _versions
from ._changes import Change

POLICY = {
    True: "while the major version is 0, a breaking change raises the minor and anything else the patch",
    False: "semver: a breaking change raises the major, something new the minor, anything else the patch",
}


@dataclasses.dataclass(frozen=True)
class Result:
    """What changed from ``base`` to the working tree, and the versions on both sides."""

    base: str
    base_version: str
    head_version: str
    changes: list[Change]

    @property
    def required_bump(self) -> _versions.Bump:
        """The bump the changes require."""
        return _versions.required(self.changes, _versions.parse(self.base_version))

    @property
    def raised_enough(self) -> bool:
        """Whether the working tree's version was raised as far as the changes require."""
        base, head = _versions.parse(self.base_version), _versions.parse(self.head_version)
        return _versions.enough(base, head, self.required_bump)

    def as_json(self) -> str:
        """The JSON document ``--json`` prints."""
        document: dict[str, Any] = {
            "base": self.base,
            "version": {"base": self.base_version, "head": self.head_version},
            "required_bump": self.required_bump,
            "changes": [change.as_json() for change in self.changes],
        }
        return json.dumps(document, indent=2)

    def as_text(self) -> str:
        """The report: breaking changes first (each with what a user must change), the compatible ones, the version."""
        breaking = [c for c in self.changes if c.level == "breaking"]
        compatible = [c for c in self.changes if c.level == "compatible"]
        lines = [f"API changes from {self.base} to the working tree", ""]
        if not self.changes:
            lines += ["No change to the API or to the public Python surface.", ""]
        for title, group in (("Breaking changes", breaking), ("Compatible changes", compatible)):
            if group:
                lines += [f"### {title} ({len(group)})", ""]
                lines += [f"- {change.text} (`{change.where}`, {change.rule})" for change in group]
                lines.append("")
        lines += self._version_lines()
        return "\n".join(lines)

    def _version_lines(self) -> list[str]:
        base = _versions.parse(self.base_version)
        bump = self.required_bump
        lines = ["### Version", "", f"Required bump: {bump} ({POLICY[base.major == 0]})."]
        target = _versions.smallest(base, bump)
        state = "enough" if self.raised_enough else f"not enough: raise it to {target} or higher"
        lines.append(f"up42/_version.py: {self.base_version} at {self.base}, {self.head_version} here ({state}).")
        return lines


def version_of(text: str) -> Version:
    """A side's version, checked."""
    return _versions.parse(text)
