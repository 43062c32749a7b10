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
from tests.support.docs import DOCS, GUIDES, NOT_RUN, PRINTED_IDS, SAMPLE_ID, blocks
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


@pytest.fixture
def listener() -> Iterator[Listener]:
    """Getting-started's second terminal, ``up42 listen`` as the page starts it but on a free port."""
    (line,) = [line for line in shell_lines(GETTING_STARTED) if line.startswith("up42 listen")]
    args = shlex.split(line)[2:]
    port = args.index("--port")
    started = Listener(*args[:port], *args[port + 2 :])  # the Listener picks a free port itself
    yield started
    started.stop()


def test_the_getting_started_terminals_run_as_written(up42_sandbox: Sandbox, listener: Listener) -> None:
    # The first terminal runs `up42 sandbox`: the fixture's sandbox stands in, at its own address.
    addresses = {"http://127.0.0.1:8042": up42_sandbox.url, "http://127.0.0.1:8043/": listener.url}
    env: dict[str, str] = {}
    printed_id = ""
    commands = [line for line in shell_lines(GETTING_STARTED) if line.startswith(("export ", "up42 webhooks"))]
    assert any(line.startswith("up42 webhooks create") for line in commands)
    for line in commands:
        words = [addresses.get(word, word) for word in shlex.split(line.replace("WEBHOOK_ID", printed_id))]
        if words[0] == "export":
            env |= {name: addresses.get(value, value) for name, _, value in (word.partition("=") for word in words[1:])}
            continue
        result = run(None, *words[1:], env=env)
        assert (result.returncode, result.stderr) == (0, ""), line
        secret = words[words.index("--secret") + 1] if "--secret" in words else None
        assert secret is None or secret not in result.stdout, f"{line} printed the secret"
        shown = PRINTED_IDS["WEBHOOK_ID"][0].search(result.stdout)
        printed_id = shown[1] if shown else printed_id
    assert printed_id not in ("", SAMPLE_ID)
    # The account the page exports is the one `up42 sandbox` starts with.
    assert (env["UP42_USERNAME"], env["UP42_PASSWORD"]) == (up42_sandbox.username, up42_sandbox.password)


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
