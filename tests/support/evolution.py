"""A copy of the project in a git repository of its own, for the tests of `scripts/api-diff.sh`.

A test edits the copy (the spec as data, or a file as text), regenerates with the entry point of `scripts/regen.sh`,
commits, and runs the entry point of `scripts/api-diff.sh` against the commit it started from.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from tests.support.contract import ROOT

BIN = Path(sys.executable).parent
# What regen.sh and api-diff.sh read and write.
PARTS = ("openapi", "scripts", "up42", "generated")
BASE = "base"


def scripts_module(name: str) -> ModuleType:
    """A module of scripts/ (the api_diff package, say), imported as scripts/api-diff.sh imports it."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(ROOT / "scripts"))


def run_main(main: Callable[[list[str]], int], name: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A command's ``main`` called in this process with ``args``, its output captured as a process's would be."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return subprocess.CompletedProcess([name, *args], code, out.getvalue(), err.getvalue())


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=api-diff tests", "-c", "user.email=tests@example.invalid", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def template(into: Path) -> Path:
    """A git repository holding the project's parts, committed and tagged ``base``."""
    for part in PARTS:
        shutil.copytree(ROOT / part, into / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _git(into, "init", "--quiet", "--initial-branch=main")
    _git(into, "add", "--all")
    _git(into, "commit", "--quiet", "--message=base")
    _git(into, "tag", BASE)
    return into


class Project:
    """One test's copy of the template repository."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def cloned(cls, template_root: Path, into: Path) -> Project:
        """A fresh clone of the template, with the ``base`` tag."""
        subprocess.run(["git", "clone", "--quiet", str(template_root), str(into)], check=True)
        _git(into, "fetch", "--quiet", "--tags")
        return cls(into)

    def edit_spec(self, change: Callable[[dict[str, Any]], object], name: str = "openapi/up42.yaml") -> None:
        """Apply ``change`` to the spec as data and write it back (its comments and layout are not kept)."""
        path = self.root / name
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(spec)
        path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")

    def replace(self, name: str, old: str, new: str) -> None:
        """Replace the one occurrence of ``old`` in the file ``name``."""
        path = self.root / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {name}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def set_version(self, version: str) -> None:
        """Write ``version`` into up42/_version.py."""
        path = self.root / "up42" / "_version.py"
        text = path.read_text(encoding="utf-8")
        current = text.split('__version__ = "', 1)[1].split('"', 1)[0]
        path.write_text(text.replace(f'__version__ = "{current}"', f'__version__ = "{version}"'), encoding="utf-8")

    def regen(self) -> None:
        """Regenerate generated/up42_api and the event catalog: scripts/regen.sh's entry point, run in this process.

        A fresh interpreter would spend most of each run importing the validator and the generator again; the tests
        of the script itself (its exit on a bad spec) run scripts/regen.sh.
        """
        done = run_main(scripts_module("regen").main, "regen", "--root", str(self.root))
        assert done.returncode == 0, done.stderr

    def commit(self, message: str = "change") -> None:
        """Commit everything."""
        _git(self.root, "add", "--all")
        _git(self.root, "commit", "--quiet", "--allow-empty", f"--message={message}")

    def tag(self, name: str) -> None:
        """Tag the current commit."""
        _git(self.root, "tag", name)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a command in the copy, with the dev tools found as the scripts find them."""
        env = {**os.environ, "UP42_DEV_BIN": str(BIN)}
        return subprocess.run(list(args), cwd=self.root, env=env, capture_output=True, text=True, check=False)

    def api_diff(self, *args: str) -> subprocess.CompletedProcess[str]:
        """api-diff with ``args``: the command's own entry point, run in this process.

        A fresh interpreter would spend most of each run importing griffe and the generator again; `script` runs
        scripts/api-diff.sh itself, for what only the script can show (its exit on bad input, with no traceback).
        """
        return run_main(scripts_module("api_diff.__main__").main, "api-diff", "--root", str(self.root), *args)

    def script(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run scripts/api-diff.sh with ``args``."""
        return self.run("scripts/api-diff.sh", *args)

    def report(self, base: str = BASE) -> dict[str, Any]:
        """The JSON report against ``base``; the command must succeed."""
        done = self.api_diff("--json", base)
        assert done.returncode == 0, done.stderr
        document: dict[str, Any] = json.loads(done.stdout)
        return document

    def changed(self, change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
        """Edit the spec, regenerate, commit, and the JSON report against ``base``."""
        self.edit_spec(change)
        self.regen()
        self.commit()
        return self.report()


# The fixtures of every test that works on a project copy (tests/evolution, tests/project/test_regen.py), made
# available to all tests by tests/conftest.py.
@pytest.fixture(scope="session")
def project_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's parts, committed once per test process and tagged ``base``."""
    return template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def project(project_template: Path, tmp_path: Path) -> Project:
    """A fresh clone of the template for one test."""
    return Project.cloned(project_template, tmp_path / "project")


def found(report: dict[str, Any], rule: str, where: str | None = None) -> dict[str, str]:
    """The one change of ``rule`` (at ``where``, when given), failing with the whole list when there is none."""
    matches = [c for c in report["changes"] if c["rule"] == rule and (where is None or c["where"] == where)]
    assert len(matches) == 1, f"no single {rule} at {where}: {json.dumps(report['changes'], indent=1)}"
    return matches[0]


def rules(report: dict[str, Any], level: str | None = None) -> set[str]:
    """The rules of the report's changes (of one level, when given)."""
    return {c["rule"] for c in report["changes"] if level is None or c["level"] == level}
