"""The README, the project's front door, stays true: its sandbox example passes under pytest as a reader runs it,
its links lead somewhere, its module map names every module of ``up42/`` and no other, and CI runs its test
command. (Its receiving example runs in ``tests/receiving/test_readme_examples.py``.)
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from tests.support.contract import ROOT
from tests.support.docs import blocks, run_test_modules

README = ROOT / "README.md"
LINK = re.compile(r"\]\((?P<target>[^)#\s]+)(?:#[^)]*)?\)")
MAP_ROW = re.compile(r"^\| `(?P<path>up42/[^`]+\.py)` \|", re.MULTILINE)


def section(title: str) -> str:
    """The README's text under ``## title``, up to the next section."""
    return README.read_text().split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_sandbox_example_passes_under_pytest(tmp_path: Path) -> None:
    page = tmp_path / "README.md"
    page.write_text(section("Test against the sandbox"))
    (example,) = [block for block in blocks(page) if block.language == "python"]
    run_test_modules(page, [dataclasses.replace(example, title="test_readme_sandbox.py")], tmp_path)


def test_every_relative_link_leads_to_a_file() -> None:
    targets = {match["target"] for match in LINK.finditer(README.read_text())}
    relative = {target for target in targets if "://" not in target}
    assert relative, "the README links to no guide"
    missing = sorted(target for target in relative if not (ROOT / target).is_file())
    assert not missing, f"the README links to missing files: {missing}"


def test_the_module_map_names_every_module_once() -> None:
    rows = MAP_ROW.findall(section("Module map"))
    modules = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "up42").rglob("*.py"))
    repeated = sorted({row for row in rows if rows.count(row) > 1})
    assert not repeated, f"the module map lists these twice: {repeated}"
    assert sorted(rows) == modules, (
        f"update the README's module map: missing {sorted(set(modules) - set(rows))}, "
        f"gone {sorted(set(rows) - set(modules))}"
    )


@pytest.mark.parametrize("target", ["demo", "test"])
def test_the_make_targets_it_promises_exist(target: str) -> None:
    shown = [block.code for block in blocks(README) if block.language == "sh" and f"make {target}" in block.code]
    assert shown, f"the README no longer shows `make {target}`"
    assert re.search(rf"^{target}:", (ROOT / "Makefile").read_text(), re.MULTILINE)


def test_ci_runs_the_readme_test_command() -> None:
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.MULTILINE)
    assert "do all the set-up on a fresh machine" in section("Try it: `make demo` and `make test`")
