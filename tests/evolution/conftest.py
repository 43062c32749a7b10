"""Fixtures of the API evolution tests: a project copy in a git repository of its own, per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.evolution import Project, template


@pytest.fixture(scope="session")
def project_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's parts, committed once per test process and tagged ``base``."""
    return template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def project(project_template: Path, tmp_path: Path) -> Project:
    """A fresh clone of the template for one test."""
    return Project.cloned(project_template, tmp_path / "project")
