"""The docs' pages and their fenced code blocks, as the docs tests read them."""

from __future__ import annotations

import collections
import dataclasses
import doctest
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.support.contract import ROOT

DOCS = ROOT / "docs"
GUIDES = sorted((DOCS / "guides").glob("*.md"))
NOT_RUN = "<!-- docs: not run -->"
SAMPLE_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
SAMPLE_DELIVERY_ID = "dlv_5f2a9c0e7b1d3a48"
# What a command printed that later commands refer to: the placeholder, how to find it, and how the page shows it.
PRINTED_IDS = {
    "WEBHOOK_ID": (re.compile(r"^id\s+(\S+)$", re.MULTILINE), SAMPLE_ID),
    "DELIVERY_ID": (re.compile(r"\b(dlv_[0-9a-f]{16})\b"), SAMPLE_DELIVERY_ID),
}

FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
TITLE = re.compile(r'title="(?P<title>[^"]*)"')


@dataclasses.dataclass
class Block:
    """One fenced code block of a page."""

    language: str
    title: str
    code: str
    line: int  # 1-based line of the first code line in the page
    not_run: bool
    output: str | None = None  # the expected output, when an Output block follows


def blocks(page: Path) -> list[Block]:
    """The page's code blocks, each python block paired with the Output block right after it."""
    text = page.read_text()
    found: list[Block] = []
    previous_end = 0
    for match in FENCE.finditer(text):
        info = match["info"].strip()
        title = TITLE.search(info)
        before = text[: match.start()].rstrip().rsplit("\n", 1)[-1].strip()
        block = Block(
            language=info.split(" ", 1)[0] if info else "",
            title=title["title"] if title else "",
            code=textwrap.dedent(match["body"]),
            line=text.count("\n", 0, match.start()) + 2,
            not_run=before == NOT_RUN,
        )
        between = text[previous_end : match.start()]
        if (
            block.language == "text"
            and block.title == "Output"
            and found
            and found[-1].language == "python"
            and not between.strip()
        ):
            found[-1].output = block.code
        found.append(block)
        previous_end = match.end()
    return found


def check_output(page: Path, block: Block, printed: str) -> None:
    assert block.output is not None
    checker = doctest.OutputChecker()
    if not checker.check_output(block.output, printed, doctest.ELLIPSIS):
        pytest.fail(
            f"{page.name}:{block.line}: the example printed\n{printed}\nbut the page shows\n{block.output}",
            pytrace=False,
        )


def run_test_modules(page: Path, modules: list[Block], tmp_path: Path, files: Sequence[Block] = ()) -> None:
    """Run the page's test modules in one pytest process (plugins load once), then check each module's result.

    ``files`` are the other modules of the page's project, written beside the test modules.
    """
    for block in [*files, *modules]:
        (tmp_path / block.title).write_text(block.code)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("UP42_", "PYTEST_"))}
    report = tmp_path / "report.xml"
    # The up42 plugin arrives through its entry point, as in a reader's project. This project's own test plugins
    # stay out: they are no part of a reader's setup, pytest-asyncio warns about its settings (which -W error
    # would turn into a failure), and the others only slow the start.
    quiet = ["no:cacheprovider", "no:asyncio", "no:hypothesispytest", "no:schemathesis", "no:pytest_cov"]
    command = [sys.executable, "-m", "pytest", "-q", "-W", "error", *(f"-p{plugin}" for plugin in quiet)]
    result = subprocess.run(
        [*command, f"--junitxml={report}", *(block.title for block in modules)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        titles = ", ".join(block.title for block in modules)
        pytest.fail(f"{page.name}: {titles} failed under pytest\n{result.stdout}{result.stderr}", pytrace=False)
    cases = ElementTree.parse(report).getroot().iter("testcase")  # noqa: S314 - the report pytest just wrote
    passed = collections.Counter(case.get("classname", "").split(".")[0] for case in cases)
    for block in modules:
        module = block.title.removesuffix(".py")
        assert passed[module], f"{page.name}:{block.line}: {block.title} ran no test"
        if block.output is not None:
            check_output(page, block, f"{passed[module]} passed\n")
