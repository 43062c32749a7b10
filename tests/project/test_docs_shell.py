"""The docs' shell lines: the terminals of getting-started run as written, and each install line installs what its
page's examples import.

`tests/project/test_docs.py` runs the python and console blocks; these are the ``sh`` blocks a reader types.
"""

from __future__ import annotations

import ast
import importlib.metadata
import shlex
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support.cli import run
from tests.support.contract import ROOT
from tests.support.docs import DOCS, GUIDES, NOT_RUN, blocks
from tests.support.listen import Listener
from up42.sandbox import Sandbox

GETTING_STARTED = DOCS / "guides" / "getting-started.md"
# An editable install records no modules for this distribution, so its own packages are named here.
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"]
OWN_PACKAGES = {"up42": [PROJECT], "up42_api": [PROJECT]}


def shell_lines(page: Path) -> list[str]:
    """The lines of the page's ``sh`` blocks, comments dropped, except the blocks marked as not run."""
    lines = []
    for block in blocks(page):
        if block.language == "sh" and not block.not_run:
            lines += [line.split(" #", 1)[0].strip() for line in block.code.splitlines() if line.strip()]
    return lines


SANDBOX_ADDRESS = "http://127.0.0.1:8042"


def exported(line: str, addresses: dict[str, str]) -> dict[str, str]:
    """The variables an ``export`` line sets, the page's addresses replaced with the test's."""
    words = shlex.split(line)[1:]
    return {name: addresses.get(value, value) for name, _, value in (word.partition("=") for word in words)}


@pytest.fixture
def listener(up42_sandbox: Sandbox) -> Iterator[Listener]:
    """Getting-started's second terminal as the page has it: the export line, then ``up42 listen`` on a free port."""
    lines = shell_lines(GETTING_STARTED)
    (line,) = [line for line in lines if line.startswith("up42 listen")]
    before = lines[: lines.index(line)]
    env = exported([line for line in before if line.startswith("export ")][-1], {SANDBOX_ADDRESS: up42_sandbox.url})
    args = shlex.split(line)[2:]
    port = args.index("--port")
    started = Listener(*args[:port], *args[port + 2 :], env=env)  # the Listener picks a free port itself
    yield started
    started.stop()
    assert started.proc.returncode == 0


def test_the_getting_started_terminals_run_as_written(up42_sandbox: Sandbox, listener: Listener) -> None:
    # The first terminal runs `up42 sandbox`: the fixture's sandbox stands in, at its own address. The second runs
    # `up42 listen`, which registered a webhook of its own there.
    addresses = {SANDBOX_ADDRESS: up42_sandbox.url, "http://127.0.0.1:8043/": listener.url}
    lines = shell_lines(GETTING_STARTED)
    third = lines[lines.index(next(line for line in lines if line.startswith("up42 listen"))) + 1 :]
    env: dict[str, str] = {}
    printed = ""
    assert any(line.startswith("up42 trigger") for line in third)
    for line in third:
        if line.startswith("export "):
            env |= exported(line, addresses)
            continue
        words = [addresses.get(word, word) for word in shlex.split(line)]
        result = run(None, *words[1:], env=env)
        assert (result.returncode, result.stderr) == (0, ""), line
        printed += result.stdout
        if words[1] == "trigger":
            assert any("verified order.status (live" in seen for seen in listener.lines_until(listener.out, "verified"))
    assert listener.webhook_id in printed  # the trigger's row, and the listener's webhook in the list
    assert listener.secret not in printed
    # The account the page exports is the one `up42 sandbox` starts with.
    assert (env["UP42_USERNAME"], env["UP42_PASSWORD"]) == (up42_sandbox.username, up42_sandbox.password)
    listener.stop()
    assert listener.webhook_id not in run(None, "webhooks", "list", env=env).stdout  # deleted as it stopped


def installed_by(line: str) -> set[str]:
    """The distributions a ``pip install`` line installs: those it names, their extras and all they depend on."""
    wanted = [Requirement(word) for word in shlex.split(line)[2:] if not word.startswith("-")]
    names: set[str] = set()
    while wanted:
        requirement = wanted.pop()
        name = canonicalize_name(requirement.name)
        if name in names:
            continue
        names.add(name)
        extras = {"", *requirement.extras}
        for dependency in map(Requirement, importlib.metadata.requires(requirement.name) or []):
            marker = dependency.marker
            if marker is None or any(marker.evaluate({"extra": extra}) for extra in extras):
                wanted.append(dependency)
    return names


def imported_distributions(page: Path) -> dict[str, set[str]]:
    """The third-party modules the page's python examples import, each with the distributions that provide it."""
    providers = {**importlib.metadata.packages_distributions(), **OWN_PACKAGES}
    modules: set[str] = set()
    for block in blocks(page):
        if block.language != "python":
            continue
        for node in ast.walk(ast.parse(block.code)):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return {
        module: {canonicalize_name(name) for name in providers.get(module, [])}
        for module in modules - set(sys.stdlib_module_names)
    }


PAGES_WITH_INSTALL_LINES = [page for page in [*GUIDES, DOCS / "index.md"] if any(
    line.startswith("pip install ") for line in shell_lines(page)
)]  # fmt: skip


@pytest.mark.parametrize("page", PAGES_WITH_INSTALL_LINES, ids=[page.stem for page in PAGES_WITH_INSTALL_LINES])
def test_the_install_lines_install_what_the_examples_import(page: Path) -> None:
    installed = set().union(*(installed_by(line) for line in shell_lines(page) if line.startswith("pip install ")))
    missing = sorted(module for module, providers in imported_distributions(page).items() if not providers & installed)
    assert not missing, f"{page.name}: its examples import {missing}, which its install lines do not install"


def test_a_missing_package_is_caught(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```sh\npip install pytest\n```\n\n```python\nimport respx\n```\n")
    (line,) = shell_lines(page)
    assert "respx" in imported_distributions(page)["respx"] - installed_by(line)


def test_the_marker_keeps_a_line_out(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(f"{NOT_RUN}\n```sh\nup42 sandbox\n```\n\n```sh\nup42 webhooks list  # every webhook\n```\n")
    assert shell_lines(page) == ["up42 webhooks list"]
