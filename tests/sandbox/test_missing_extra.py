"""Without the sandbox extra, every way into the sandbox says which extra to install, in the same words.

The extra's packages are made unimportable for a child process by a meta path finder that a ``sitecustomize``
module installs at start-up, which leaves the environment itself as it is.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support.cli import UP42, environment, fails
from tests.support.contract import ROOT
from up42._extras import MODULES, missing_extra, needs_extra
from up42.cli._common import SANDBOX_EXTRA

MESSAGE = (
    "the sandbox extra is not installed: pip install 'up42-webhooks[sandbox]' (in a checkout: pip install '.[sandbox]')"
)

BLOCKER = """
import sys


class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {blocked!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None


sys.meta_path.insert(0, Blocked())
"""

USER_TEST = """
def test_uses_the_sandbox(up42_sandbox):
    assert up42_sandbox.url
"""


@pytest.fixture
def without_extra(tmp_path: Path) -> dict[str, str]:
    """The environment of a child process that cannot import any package of the sandbox extra."""
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(BLOCKER.format(blocked=sorted(MODULES["sandbox"])))
    return environment(None, {"PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))})


def python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_the_sandbox_wording_has_one_home() -> None:
    assert missing_extra("sandbox") == SANDBOX_EXTRA == MESSAGE


def test_the_blocker_blocks_and_the_rest_of_the_package_still_imports(without_extra: dict[str, str]) -> None:
    result = python("import up42, up42.receiving, up42.cli\nimport starlette", without_extra)
    assert result.stderr.strip().endswith("ModuleNotFoundError: No module named 'starlette'"), result.stderr


def test_importing_the_sandbox_names_the_extra(without_extra: dict[str, str]) -> None:
    code = """
try:
    from up42.sandbox import Sandbox
except ModuleNotFoundError as error:
    print(type(error).__name__, error.name, type(error.__cause__).__name__, sep="|")
    print(error)
"""
    result = python(code, without_extra)
    assert result.returncode == 0, result.stderr
    kind, name, cause = result.stdout.splitlines()[0].split("|")
    assert (kind, cause) == ("ModuleNotFoundError", "ModuleNotFoundError")
    assert name.partition(".")[0] in MODULES["sandbox"]
    assert result.stdout.splitlines()[1] == MESSAGE


def test_the_pytest_fixture_names_the_extra(without_extra: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(USER_TEST)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=short", "test_user.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=without_extra,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 error" in result.stdout
    assert f"\nE   ModuleNotFoundError: {MESSAGE}\n" in result.stdout


@pytest.mark.parametrize("command", [["sandbox", "--port", "0"], ["listen", "--port", "0", "--secret", "s"]])
def test_the_commands_name_the_extra_in_one_line(without_extra: dict[str, str], command: list[str]) -> None:
    result = subprocess.run(
        [UP42, *command], capture_output=True, text=True, env=without_extra, timeout=120, check=False
    )
    assert fails(result) == f"error: {MESSAGE}\n"


def test_the_modules_are_those_the_extra_installs() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for extra, modules in MODULES.items():
        names = {re.split(r"[<>=!~;\[ ]", requirement)[0].lower() for requirement in extras[extra]}
        assert names == modules


def test_a_missing_module_the_extra_does_not_install_is_left_as_it_is() -> None:
    with pytest.raises(ModuleNotFoundError) as caught, needs_extra("sandbox"):
        import up42_no_such_module  # type: ignore[import-not-found]  # noqa: F401
    assert caught.value.name == "up42_no_such_module"
    assert str(caught.value) == "No module named 'up42_no_such_module'"
