"""The make targets: `make test` checks the version against the previous release tag (scripts/check-version.sh), when
there is one, and `make api-diff BASE=ref` prints the report."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from tests.support.contract import ROOT
from tests.support.evolution import Project

WEBHOOK = "Webhook"


def drop_updated_at(spec: dict[str, Any]) -> None:
    schema = spec["components"]["schemas"][WEBHOOK]
    del schema["properties"]["updatedAt"]
    schema["required"].remove("updatedAt")


def test_without_a_release_tag_there_is_nothing_to_compare_with(project: Project) -> None:
    project.edit_spec(drop_updated_at)
    project.regen()
    project.commit()
    done = project.run("scripts/check-version.sh")
    assert done.returncode == 0, done.stderr
    assert "no release tag" in done.stdout


def test_a_breaking_change_since_the_last_release_needs_its_bump(project: Project) -> None:
    project.tag("v0.1.0")
    project.edit_spec(drop_updated_at)
    project.regen()
    project.commit()
    refused = project.run("scripts/check-version.sh")
    assert refused.returncode == 1
    assert "v0.1.0" in refused.stdout
    assert "require a minor bump" in refused.stderr

    project.set_version("0.2.0")
    project.commit("release 0.2.0")
    project.tag("v0.2.0")
    # On the release commit, tagged itself, the check compares with the release before it.
    passed = project.run("scripts/check-version.sh")
    assert passed.returncode == 0, passed.stderr
    assert "comparing with the previous release, v0.1.0" in passed.stdout
    assert "response-property-removed" in passed.stdout


def make(*args: str) -> subprocess.CompletedProcess[str]:
    # -o: the venv's install stamp is taken as up to date, so the target runs without installing anything.
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_make_api_diff_runs_the_report_against_base() -> None:
    done = make("api-diff", "BASE=HEAD", "ARGS=--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout[done.stdout.index("{") :])  # after the command line make echoes
    assert report["base"] == "HEAD"
    assert set(report) == {"base", "version", "required_bump", "changes"}


def test_make_api_diff_without_base_says_how_to_call_it() -> None:
    done = make("api-diff")
    assert done.returncode != 0
    assert "usage: make api-diff BASE=<git ref>" in done.stderr
