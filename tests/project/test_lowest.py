"""`make test-lowest` and the requirements it checks: every floor is tested, every tool pinned, no file missing."""

from __future__ import annotations

import re
import subprocess
import tomllib

from tests.support.contract import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _make_variable(name: str) -> list[str]:
    """The words of a Makefile variable, as make expands it (wildcards included)."""
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", "-f", "Makefile", "-f", "-", "print-variable"],
        input=f"print-variable:\n\t@echo $({name})\n",
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_the_lowest_step_names_only_test_files_that_exist() -> None:
    files = _make_variable("LOWEST_TESTS") + _make_variable("LOWEST_HTTPX_AIOHTTP_TESTS")
    assert "tests/receiving/test_signature.py" in files
    assert "tests/sandbox/test_end_to_end.py" in files
    missing = [name for name in files if not (ROOT / name).is_file()]
    assert not missing, f"make test-lowest names test files that are gone: {missing}"


def test_runtime_requirements_are_ranges_and_the_dev_extra_pins_the_lowest_steps_tools() -> None:
    extras = PROJECT["optional-dependencies"]
    runtime = list(PROJECT["dependencies"]) + [req for name, reqs in extras.items() if name != "dev" for req in reqs]
    for requirement in runtime:
        assert ">=" in requirement, f"no tested lower bound: {requirement}"
        assert "==" not in requirement, f"an exact pin outside the dev extra: {requirement}"
        if not requirement.startswith("attrs"):  # calendar-versioned, no breaking majors
            assert "<" in requirement, f"no upper bound: {requirement}"
    pins = {req.split("==")[0] for req in extras["dev"] if re.fullmatch(r"[A-Za-z0-9._-]+==[0-9][0-9a-z.]*", req)}
    assert set(_make_variable("LOWEST_TOOLS")) <= pins
    assert set(_make_variable("LOWEST_HTTPX_AIOHTTP_TOOLS")) <= pins
    assert all("==" in req for req in extras["dev"]), "the dev extra is the toolchain: every entry pinned exactly"
