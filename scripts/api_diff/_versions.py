"""The version policy: the bump a set of changes requires, and whether a version was raised that far.

From 1.0 on, ordinary semver: a breaking change raises the major, something new the minor, anything else the patch.
While the major version is 0, every step is one lower: a breaking change raises the minor (0.1.x to 0.2.0), and
anything else the patch.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from packaging.version import InvalidVersion, Version

from ._changes import Change

Bump = Literal["major", "minor", "patch", "none"]
ORDER: tuple[Bump, ...] = ("none", "patch", "minor", "major")


class VersionError(ValueError):
    """A version string that is not a release number such as 0.1.0."""


def parse(text: str) -> Version:
    """The version ``text`` names, or a `VersionError`."""
    try:
        return Version(text)
    except InvalidVersion:
        raise VersionError(f"{text!r} is not a version such as 0.1.0") from None


def required(changes: Iterable[Change], base: Version) -> Bump:
    """The bump these changes require of a release that follows ``base``."""
    weights = {change.weight for change in changes}
    bump: Bump = next((w for w in ("major", "minor", "patch") if w in weights), "none")
    if base.major == 0 and bump != "none":
        bump = "minor" if bump == "major" else "patch"
    return bump


def raised(base: Version, head: Version) -> Bump:
    """How far ``head`` was raised above ``base``: "none" when it was not raised (or was lowered)."""
    b, h = _triple(base), _triple(head)
    if h <= b:
        return "none"
    if h[0] > b[0]:
        return "major"
    return "minor" if h[1] > b[1] else "patch"


def enough(base: Version, head: Version, bump: Bump) -> bool:
    """Whether ``head`` was raised at least as far above ``base`` as ``bump`` asks."""
    return ORDER.index(raised(base, head)) >= ORDER.index(bump)


def smallest(base: Version, bump: Bump) -> str:
    """The lowest version that raises ``base`` as far as ``bump`` asks."""
    major, minor, patch = _triple(base)
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    if bump == "patch":
        return f"{major}.{minor}.{patch + 1}"
    return str(base)


def _triple(version: Version) -> tuple[int, int, int]:
    major, minor, patch = (*version.release, 0, 0)[:3]
    return major, minor, patch
