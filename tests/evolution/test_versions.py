"""The version policy and the faces of scripts/api-diff.sh: --check, the JSON document, the text report, bad input.

The policy's functions (scripts/api_diff/_versions.py) are also tested directly, for the versions a project copy
would take long to build: pre-releases, a lowered version.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from packaging.version import Version

from tests.evolution.test_python_surface import add_an_optional_parameter, remove_a_parameter
from tests.support.evolution import BASE, Project, scripts_module

versions = scripts_module("api_diff._versions")
Change = scripts_module("api_diff._changes").Change

RELEASE = "v1.0.0"


def checked(project: Project, version: str, base: str = BASE) -> subprocess.CompletedProcess[str]:
    """Commit ``version`` into up42/_version.py and run ``--check`` against ``base``."""
    project.set_version(version)
    project.commit(f"version {version}")
    return project.api_diff("--check", base)


def released_1_0(project: Project) -> None:
    """Release 1.0.0: the version raised, committed and tagged, the base of what follows."""
    project.set_version("1.0.0")
    project.commit("release 1.0.0")
    project.tag(RELEASE)


def reword_the_api(project: Project) -> None:
    """A change of words only: the API's description."""

    def reword(spec: dict[str, Any]) -> None:
        spec["info"]["description"] += "\nEvery time is in UTC.\n"

    project.edit_spec(reword)
    project.regen()
    project.commit()


@pytest.mark.parametrize(("version", "passes"), [("0.1.0", False), ("0.1.1", False), ("0.2.0", True)])
def test_while_0_x_a_breaking_change_needs_the_minor_raised(project: Project, version: str, passes: bool) -> None:
    remove_a_parameter(project)
    done = checked(project, version)
    assert json.loads(project.api_diff("--json", BASE).stdout)["required_bump"] == "minor"
    if passes:
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
    else:
        assert done.returncode == 1
        assert f"require a minor bump, but up42/_version.py went from 0.1.0 to {version}" in done.stderr


@pytest.mark.parametrize(
    ("change", "rule", "bump", "short", "enough"),
    [
        pytest.param(remove_a_parameter, "python-parameter-removed", "major", "1.1.0", "2.0.0", id="breaking"),
        pytest.param(add_an_optional_parameter, "python-parameter-added", "minor", "1.0.1", "1.1.0", id="addition"),
        pytest.param(reword_the_api, "description-changed", "patch", "1.0.0", "1.0.1", id="words"),
    ],
)
def test_from_1_0_the_version_follows_semver(
    project: Project, change: Callable[[Project], None], rule: str, bump: str, short: str, enough: str
) -> None:
    released_1_0(project)
    change(project)
    project.commit()
    report = project.report(RELEASE)
    assert [c["rule"] for c in report["changes"]] == [rule]
    assert report["required_bump"] == bump

    refused = checked(project, short, RELEASE)
    assert refused.returncode == 1
    assert f"require a {bump} bump, but up42/_version.py went from 1.0.0 to {short}" in refused.stderr
    assert f"raise it to {enough} or higher" in refused.stdout

    passed = checked(project, enough, RELEASE)
    assert passed.returncode == 0, passed.stderr


def test_check_passes_when_nothing_changed(project: Project) -> None:
    project.commit()
    done = project.api_diff("--check", BASE)
    assert done.returncode == 0, done.stderr
    assert "No change to the API or to the public Python surface." in done.stdout
    assert "Required bump: none" in done.stdout


def test_check_fails_when_the_version_went_down_though_nothing_changed(project: Project) -> None:
    released_1_0(project)
    done = checked(project, "0.9.0", RELEASE)
    assert done.returncode == 1
    assert "a version never goes down, but up42/_version.py went from 1.0.0 to 0.9.0" in done.stderr


def test_the_json_document_has_exactly_the_documented_keys(project: Project) -> None:
    remove_a_parameter(project)
    add_an_optional_parameter(project)
    project.commit()
    report = project.report()
    assert set(report) == {"base", "version", "required_bump", "changes"}
    assert report["base"] == BASE
    assert report["version"] == {"base": "0.1.0", "head": "0.1.0"}
    assert report["required_bump"] == "minor"
    assert {c["level"] for c in report["changes"]} == {"breaking", "compatible"}
    for change in report["changes"]:
        assert set(change) == {"level", "rule", "where", "text"}
        assert all(isinstance(value, str) and value for value in change.values())


def test_the_text_report_lists_breaking_changes_first_and_ends_with_the_version(project: Project) -> None:
    remove_a_parameter(project)
    add_an_optional_parameter(project)
    project.commit()
    report = project.report()
    done = project.api_diff(BASE)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    breaking, compatible = text.index("### Breaking changes (1)"), text.index("### Compatible changes (1)")
    # Each change's text, as a maintainer pastes it into the changelog, under its own heading.
    texts = {c["level"]: c["text"] for c in report["changes"]}
    assert breaking < text.index(texts["breaking"]) < compatible < text.index(texts["compatible"])
    assert "Stop passing it." in texts["breaking"]
    lines = text.rstrip("\n").splitlines()
    assert lines[-2].startswith("Required bump: minor (while the major version is 0")
    assert lines[-1] == ("up42/_version.py: 0.1.0 at base, 0.1.0 here (not enough: raise it to 0.2.0 or higher).")


@pytest.mark.parametrize("args", [("no-such-ref",), ("--json", "no-such-ref"), ("--check", "no-such-ref")])
def test_an_unknown_ref_exits_2_with_a_one_line_error(project: Project, args: tuple[str, ...]) -> None:
    done = project.script(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("api-diff: cannot read 'no-such-ref'")
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_version_that_is_no_version_exits_2_with_a_one_line_error(project: Project) -> None:
    project.set_version("soon")
    project.commit()
    done = project.script("--check", BASE)
    assert done.returncode == 2
    assert done.stderr == "api-diff: 'soon' is not a version such as 0.1.0\n"


def weighted(weight: str) -> Any:
    level = "breaking" if weight == "major" else "compatible"
    return Change(level, "a-rule", "#/info", "Something changed.", weight)


@pytest.mark.parametrize(
    ("weights", "base", "bump"),
    [
        ((), "0.1.0", "none"),
        (("patch",), "0.1.0", "patch"),
        (("minor",), "0.1.0", "patch"),
        (("major", "minor"), "0.1.0", "minor"),
        ((), "1.2.3", "none"),
        (("patch",), "1.2.3", "patch"),
        (("minor", "patch"), "1.2.3", "minor"),
        (("patch", "major"), "1.2.3", "major"),
        (("minor",), "1.0.0rc1", "minor"),
    ],
)
def test_the_bump_changes_require(weights: tuple[str, ...], base: str, bump: str) -> None:
    assert versions.required([weighted(w) for w in weights], Version(base)) == bump


@pytest.mark.parametrize(
    ("base", "head", "bump"),
    [
        ("0.1.0", "0.1.0", "none"),
        ("0.1.0", "0.1.1", "patch"),
        ("0.1.9", "0.2.0", "minor"),
        ("0.9.9", "1.0.0", "major"),
        ("1.2.3", "1.2.10", "patch"),
        ("1.2", "1.2.1", "patch"),
        # Lowered, or a pre-release or post-release of the base's own release: not raised.
        ("0.2.0", "0.1.9", "none"),
        ("1.0.0", "1.0.0rc1", "none"),
        ("1.0.0", "1.0.0.post1", "none"),
        # A pre-release of a higher release raises as far as that release does.
        ("0.1.0", "0.2.0rc1", "minor"),
        ("0.1.0", "0.1.1.dev0", "patch"),
        # From a pre-release base, its own release raises as far as that release does over the one before it.
        ("0.2.0rc1", "0.2.0", "minor"),
        ("0.2.0rc1", "0.2.0rc2", "minor"),
        ("0.2.1rc1", "0.2.1", "patch"),
        ("1.0.0rc1", "1.0.0", "major"),
        ("0.2.0rc1", "0.2.1", "minor"),
        ("0.2.1rc1", "0.3.0", "minor"),
    ],
)
def test_how_far_a_version_was_raised(base: str, head: str, bump: str) -> None:
    assert versions.raised(Version(base), Version(head)) == bump


@pytest.mark.parametrize(
    ("base", "head", "bump", "ok"),
    [
        ("0.1.0", "0.1.0", "none", True),
        ("0.1.0", "0.2.0", "patch", True),
        ("0.1.0", "0.1.1", "minor", False),
        ("0.2.0", "0.1.0", "none", False),
        ("1.0.0", "1.0.0rc1", "none", False),
        ("0.2.0rc1", "0.2.0", "minor", True),
        ("0.2.1rc1", "0.2.1", "minor", False),
    ],
)
def test_whether_a_version_was_raised_enough(base: str, head: str, bump: str, ok: bool) -> None:
    assert versions.enough(Version(base), Version(head), bump) is ok


@pytest.mark.parametrize(
    ("base", "bump", "lowest"),
    [
        ("0.1.0", "none", "0.1.0"),
        ("0.1.0", "patch", "0.1.1"),
        ("0.1.7", "minor", "0.2.0"),
        ("0.1.7", "major", "1.0.0"),
        ("1.2", "patch", "1.2.1"),
        ("1.2.3", "major", "2.0.0"),
        ("0.2.0rc1", "minor", "0.2.0"),
        ("0.2.0rc1", "major", "1.0.0"),
        ("0.2.1rc1", "patch", "0.2.1"),
        ("0.2.1rc1", "minor", "0.3.0"),
    ],
)
def test_the_smallest_version_that_is_enough(base: str, bump: str, lowest: str) -> None:
    assert versions.smallest(Version(base), bump) == lowest
    assert versions.enough(Version(base), Version(lowest), bump)


@pytest.mark.parametrize("text", ["soon", "1.0.x", ""])
def test_a_version_string_that_is_no_version_is_refused(text: str) -> None:
    with pytest.raises(versions.VersionError, match="is not a version such as 0.1.0"):
        versions.parse(text)
