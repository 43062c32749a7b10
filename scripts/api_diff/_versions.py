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
    """How far ``head`` was raised above ``base``: "none" when it was not raised (or was lowered).

    A pre-release base (0.2.0rc1) is on its way to its release, so a later version raises at least as far as that
    release does (0.2.0 raises the minor).
    """
    if head <= base:
        return "none"
    b, h = _triple(base), _triple(head)
    bump: Bump = "none" if h == b else "major" if h[0] > b[0] else "minor" if h[1] > b[1] else "patch"
    return max(bump, _step(b), key=ORDER.index) if base.is_prerelease else bump


def enough(base: Version, head: Version, bump: Bump) -> bool:
    """Whether ``head`` was raised at least as far above ``base`` as ``bump`` asks; a lowered version never is."""
    return head >= base and ORDER.index(raised(base, head)) >= ORDER.index(bump)


def smallest(base: Version, bump: Bump) -> str:
    """The lowest release that raises ``base`` as far as ``bump`` asks (``base`` itself when none is asked)."""
    major, minor, patch = _triple(base)
    if bump == "none":
        return str(base)
    if base.is_prerelease and ORDER.index(_step((major, minor, patch))) >= ORDER.index(bump):
        return f"{major}.{minor}.{patch}"
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def _step(release: tuple[int, int, int]) -> Bump:
    """The bump a release makes over the one before it: 0.2.0 the minor, 0.2.1 the patch, 1.0.0 the major."""
    _, minor, patch = release
    return "patch" if patch else "minor" if minor else "major"


def _triple(version: Version) -> tuple[int, int, int]:
    major, minor, patch = (*version.release, 0, 0)[:3]
    return major, minor, patch
