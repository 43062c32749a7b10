"""CHANGELOG.md keeps the form of Keep a Changelog, and the version the package says has its section."""

from __future__ import annotations

import re

from packaging.version import Version

from tests.support.contract import ROOT
from up42 import __version__

CHANGELOG = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
RELEASE = re.compile(r"^## \[(?P<version>[^\]]+)\] - (?P<date>\d{4}-\d{2}-\d{2})$")
KINDS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def sections() -> list[str]:
    return [line for line in CHANGELOG.splitlines() if line.startswith("## ")]


def test_an_unreleased_section_comes_first() -> None:
    assert sections()[0] == "## [Unreleased]"


def test_releases_are_dated_and_newest_first() -> None:
    releases = [RELEASE.match(line) for line in sections()[1:]]
    assert releases, "no release section"
    assert all(releases), f"a release heading is not '## [X.Y.Z] - YYYY-MM-DD': {sections()[1:]}"
    versions = [Version(match["version"]) for match in releases if match]
    assert versions == sorted(versions, reverse=True)
    assert len(set(versions)) == len(versions)


def test_the_package_version_has_its_section() -> None:
    assert f"## [{__version__}] - " in CHANGELOG


def test_entries_are_grouped_by_the_kinds_of_keep_a_changelog() -> None:
    kinds = {line[4:] for line in CHANGELOG.splitlines() if line.startswith("### ")}
    assert kinds
    assert kinds <= KINDS, kinds - KINDS
