"""The guides' examples run as written, and the API reference covers every public name.

Each guide's ```python blocks run in order in one namespace, like a reader pasting them into one session. A block
followed directly by a ```text title="Output" block must print that text (``...`` matches anything, as in
doctest). A block titled like a test module (```python title="test_....py") is written to a file and run by pytest
in a fresh process, as a reader would run it; a block titled like another module (```python title="urls.py") is
a file of the reader's project, written beside the test modules for them to import, and not run on its own.
In a ```console block, each ``$ up42 ...`` line runs the command line and must print the lines below it;
``WEBHOOK_ID`` and ``DELIVERY_ID`` stand for the ids a command printed last, which the page shows as SAMPLE_ID and
SAMPLE_DELIVERY_ID. A block is skipped only when the line before it is the marker ``<!-- docs: not run -->``, for
the few that cannot run here (a real UP42 account, a server that never returns).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
import re
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

import griffe
import pytest
from click.testing import CliRunner

import up42
import up42.errors
import up42.receiving
import up42.sandbox
from tests.support.contract import ROOT
from tests.support.docs import DOCS, GUIDES, NOT_RUN, PRINTED_IDS, Block, blocks, check_output, run_test_modules
from tests.support.listen import Listener
from up42.cli import cli, main
from up42.sandbox import Sandbox


def is_test_module(block: Block) -> bool:
    return block.title.startswith("test_") and block.title.endswith(".py")


def is_project_file(block: Block) -> bool:
    return block.title.endswith(".py") and not is_test_module(block)


def runnable(page: Path) -> list[Block]:
    return [block for block in blocks(page) if block.language in ("python", "console") and not block.not_run]


def run_console(page: Path, block: Block, placeholders: dict[str, str], stdin: str = "") -> None:
    """Run each ``$ up42 ...`` line of a console block and compare what it prints with the lines below it.

    ``placeholders`` maps words of the page to what the test uses instead (ids printed earlier, the addresses of
    the servers it started); what a command prints shows them as the page does. ``stdin`` answers any prompt.
    """
    sessions = re.split(r"^\$ ", block.code, flags=re.MULTILINE)[1:]
    for session in sessions:
        command, _, expected = session.partition("\n")
        words = shlex.split(command)
        assert words[0] == "up42", f"{page.name}:{block.line}: a console block runs only the up42 command"
        args = [placeholders.get(word, word) for word in words[1:]]
        with CliRunner().isolation(input=stdin) as (_, _, output), contextlib.suppress(SystemExit):
            sys.stdin.isatty = lambda: True  # type: ignore[method-assign]  # the page shows a person at a terminal
            main(args)
        printed = output.getvalue().decode()
        for name, (pattern, _) in PRINTED_IDS.items():
            shown = pattern.search(printed)
            if shown:
                placeholders[name] = shown[1]
        for word, real in placeholders.items():
            # The page shows sample ids of the same length, so its tables line up as the real ones do.
            printed = printed.replace(real, PRINTED_IDS[word][1] if word in PRINTED_IDS else word)
        check_output(page, dataclasses.replace(block, output=expected), printed)


def run_page(
    page: Path,
    tmp_path: Path,
    secrets: set[str] | None = None,
    placeholders: dict[str, str] | None = None,
    stdin: str = "",
) -> None:
    namespace: dict[str, object] = {"__name__": "__docs__"}
    # Webhook secrets must never show in what an example prints.
    secrets = (secrets or set()) | set(re.findall(r'secret="([^"]+)"', page.read_text()))
    modules = [block for block in runnable(page) if is_test_module(block)]
    files = [block for block in runnable(page) if is_project_file(block)]
    placeholders = dict(placeholders or {})
    for block in blocks(page):
        if block.language == "console" and not block.not_run:
            run_console(page, block, placeholders, stdin)
    for block in runnable(page):
        if block.language != "python" or is_test_module(block) or is_project_file(block):
            continue
        # Leading newlines keep the page's line numbers in tracebacks.
        code = compile("\n" * (block.line - 1) + block.code, str(page), "exec")
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(code, namespace)  # noqa: S102 - the page's own examples, run on purpose
        for secret in secrets:
            assert secret not in printed.getvalue(), f"{page.name}:{block.line} printed a webhook secret"
        if block.output is not None:
            check_output(page, block, printed.getvalue())
    if modules:
        run_test_modules(page, modules, tmp_path, files)


@pytest.fixture(autouse=True)
def sleeps() -> None:
    """Retry waits are real here (this overrides the suite's recording fixture): the guides show real behaviour."""


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """A guide may turn up the SDK's log level, as it tells its readers to; the next test starts afresh."""
    logger = logging.getLogger("up42")
    level = logger.level
    yield
    logger.setLevel(level)


@pytest.fixture
def sandbox_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """A sandbox that the UP42_* variables point at, as the guides' readers are asked to set up."""
    with Sandbox() as sandbox:
        for name, value in sandbox.env.items():
            monkeypatch.setenv(name, value)
        yield sandbox


# Guides whose examples act on "your workspace" run against a sandbox through the UP42_* variables; the others
# start what they need themselves.
NEEDS_SANDBOX = {"managing-webhooks.md", "errors-retries-timeouts.md", "migrating.md", "contract-testing.md"}
# Pages that start from nothing, as a reader does in three terminals: `up42 sandbox` and `up42 listen` run at the
# addresses the page shows, and the reader logs in. The test starts them for real, maps the page's addresses to
# theirs, and types the sandbox's password at the prompts. Each page names its listeners by address, with their
# options: one without --secret registers a webhook of its own, which the page shows as WEBHOOK_ID.
LOOP_PAGES = {"command-line.md": {"http://127.0.0.1:8043/": (), "http://127.0.0.1:8044/": ("--secret", "whsec-guide")}}
# Variables a guide asks its readers to set.
PAGE_ENV = {"receiving.md": {"UP42_WEBHOOK_SECRET": "whsec-docs-never-shown"}}


@pytest.mark.parametrize("page", GUIDES, ids=[page.stem for page in GUIDES])
def test_the_guide_runs_as_written(
    page: Path, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if page.name in NEEDS_SANDBOX:
        request.getfixturevalue("sandbox_env")
    for name, value in PAGE_ENV.get(page.name, {}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(ROOT)
    secrets = set(PAGE_ENV.get(page.name, {}).values())
    if page.name not in LOOP_PAGES:
        run_page(page, tmp_path, secrets=secrets)
        return
    with Sandbox() as sandbox, contextlib.ExitStack() as stack:
        placeholders = {"http://127.0.0.1:8042": sandbox.url}
        for address, options in LOOP_PAGES[page.name].items():
            listener = Listener(*options, env=sandbox.env)
            stack.callback(listener.stop)
            placeholders[address] = listener.url
            if listener.webhook_id:
                placeholders["WEBHOOK_ID"] = listener.webhook_id
        run_page(page, tmp_path, secrets=secrets, placeholders=placeholders, stdin=f"{sandbox.password}\n")


@pytest.mark.parametrize("page", GUIDES, ids=[page.stem for page in GUIDES])
def test_every_guide_has_examples_that_run(page: Path) -> None:
    assert runnable(page), f"{page.name} has no example the test suite runs"


def test_there_is_a_guide_for_each_topic() -> None:
    assert {page.stem for page in GUIDES} == {
        "getting-started",
        "managing-webhooks",
        "command-line",
        "receiving",
        "durable-receiving",
        "testing",
        "contract-testing",
        "errors-retries-timeouts",
        "regenerating",
        "migrating",
    }


def test_a_wrong_output_fails_the_guide(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text('```python\nprint("one")\n```\n\n```text title="Output"\ntwo\n```\n')
    with pytest.raises(pytest.fail.Exception, match="printed"):
        run_page(page, tmp_path)


def test_a_raising_example_fails_the_guide(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```python\nx = 1\n```\n\n```python\nx / 0\n```\n")
    with pytest.raises(ZeroDivisionError):
        run_page(page, tmp_path)


def test_the_marker_skips_only_the_next_block(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(f"{NOT_RUN}\n```python\nraise SystemExit\n```\n\n```python\nx = 1\n```\n")
    assert [block.code for block in runnable(page)] == ["x = 1\n"]


def referenced_names() -> set[str]:
    """Every name a reference page renders: its ``:::`` targets and their ``members`` lists."""
    names: set[str] = set()
    for page in (DOCS / "reference").glob("*.md"):
        text = page.read_text()
        names.update(re.findall(r"^::: ([\w.]+)", text, re.MULTILINE))
        for target, options in re.findall(r"^::: ([\w.]+)\n((?:[ ]{4}.*\n?)*)", text, re.MULTILINE):
            names.update(f"{target}.{member}" for member in re.findall(r"^ {8}- (\w+)$", options, re.MULTILINE))
    return names


@pytest.mark.parametrize("module", [up42, up42.errors, up42.receiving, up42.sandbox], ids=lambda m: m.__name__)
def test_the_reference_covers_every_public_name(module: object) -> None:
    names = referenced_names()
    whole_module = module.__name__ in names and not any(  # type: ignore[attr-defined]
        name.startswith(module.__name__ + ".")
        for name in names  # type: ignore[attr-defined]
    )
    if whole_module:
        return
    exported = {name for name in module.__all__ if not name.startswith("_")}  # type: ignore[attr-defined]
    documented = {
        name.rsplit(".", 1)[1]
        for name in names
        if name.rsplit(".", 1)[0] == module.__name__  # type: ignore[attr-defined]
    }
    if module is up42:
        # up42 re-exports the error classes; their page is up42.errors.
        exported -= set(up42.errors.__all__)
    assert exported <= documented, f"not in the API reference: {sorted(exported - documented)}"


def shown_commands() -> list[tuple[str, list[str]]]:
    """Every ``up42 ...`` command line of the shell blocks in the docs, with where it stands."""
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        for block in blocks(page):
            if block.language not in ("sh", "console", "bash"):
                continue
            for line in block.code.splitlines():
                # In a pipeline, the part before the first pipe is the up42 command.
                line = line.removeprefix("$ ").split(" | ")[0].strip()
                if line.startswith("up42 "):
                    found.append((f"{page.name}: {line}", shlex.split(line, comments=True)[1:]))
    return found


@pytest.mark.parametrize(("where", "args"), shown_commands(), ids=[where for where, _ in shown_commands()])
def test_every_command_shown_exists_with_its_options(where: str, args: list[str]) -> None:
    # --help stops before anything runs, after the command path and every option shown were parsed.
    result = CliRunner().invoke(cli, [*args, "--help"], prog_name="up42")
    assert result.exit_code == 0, f"{where}\n{result.output}"


def test_a_command_with_a_wrong_option_is_caught() -> None:
    result = CliRunner().invoke(cli, ["webhooks", "create", "--events", "order.status", "--help"], prog_name="up42")
    assert result.exit_code != 0


def test_reference_signatures_spell_out_private_names() -> None:
    extension = griffe.load_extensions(f"{DOCS / '_griffe' / 'public_signatures.py'}:PublicSignatures")
    package = griffe.load("up42", search_paths=[ROOT], extensions=extension, resolve_aliases=True)
    for path in ("authenticate", "Client.__init__", "AsyncClient.__init__"):
        function = package[path]
        shown = " ".join(f"{p.annotation} {p.default}" for p in function.parameters)
        assert "httpx.Timeout" in shown, path
        assert not {"TimeoutTypes", "DEFAULT_TIMEOUT", "RetryOptions"} & set(re.findall(r"\w+", shown)), shown
