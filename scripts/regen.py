"""Regenerate the low-level client and the event catalog from openapi/up42.yaml (what scripts/regen.sh runs).

Usage: python scripts/regen.py [--root ROOT] [OUTPUT_DIR [CATALOG]]
(defaults: the repository holding this script, ROOT/generated/up42_api and ROOT/up42/receiving/_catalog.py)

Every step runs in this one interpreter, through the Python APIs of the validator and the generator, so their
imports are paid once; only ruff, which sits beside the interpreter in the dev venv, runs as a process (the
generator's post-hooks and the catalog's formatting). A failure ends the run with exit status 1 and says which step
failed on stderr (after the generator's own report, when it is the generator that failed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import CodeType

import gen_catalog
import gen_deprecations
import typer
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from openapi_python_client import _get_project_for_url_or_path
from openapi_python_client.cli import handle_errors
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser.errors import GeneratorError
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

# The pinned generator and ruff are installed with this interpreter.
TOOLS = Path(sys.executable).parent
SPEC = Path("openapi", "up42.yaml")
CONFIG = Path("openapi", "config.yaml")
TEMPLATES = Path("openapi", "templates")
OUTPUT = Path("generated", "up42_api")
CATALOG = Path("up42", "receiving", "_catalog.py")


class RegenError(Exception):
    """A step of the regeneration failed; the message says which, in one line."""


class _CompiledTemplates(BytecodeCache):
    """The generator's templates compiled once per process, for every further generation in it (the tests').

    Kept by template name and source, not by file: the templates are read from a new temporary copy each time. A
    template whose source changed is compiled again.
    """

    def __init__(self) -> None:
        self._code: dict[tuple[str, str], CodeType] = {}

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        """The template's name alone."""
        return name

    def load_bytecode(self, bucket: Bucket) -> None:
        """The code compiled before from the same source, if any."""
        bucket.code = self._code.get((bucket.key, bucket.checksum))

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep the code just compiled."""
        if bucket.code is not None:
            self._code[bucket.key, bucket.checksum] = bucket.code


_COMPILED = _CompiledTemplates()


def validate_spec(spec_file: Path) -> None:
    """Stop on an invalid spec: the generator does not validate its input."""
    try:
        spec, base_uri = read_from_filename(str(spec_file))
        validate(spec, base_uri=base_uri)
    except Exception as error:  # what the reader and the checks raise alike: the validator's command reports each
        # A schema error's text carries the schema it broke, and a missing reference's the whole document: the
        # message is what matters, in one line.
        said = textwrap.shorten(str(getattr(error, "message", None) or error), width=300, placeholder=" ...")
        raise RegenError(f"regen: {spec_file} is not a valid OpenAPI document: {said}") from error


@contextmanager
def _tools_first_on_path() -> Iterator[None]:
    """The generator looks its post-hooks' commands (ruff) up on PATH: the pinned ones come first, for a while."""
    saved = os.environ.get("PATH")
    os.environ["PATH"] = f"{TOOLS}{os.pathsep}{saved or ''}"
    try:
        yield
    finally:
        if saved is None:
            del os.environ["PATH"]
        else:
            os.environ["PATH"] = saved


def generate_client(root: Path, output: Path) -> None:
    """Generate the client into ``output``, as ``openapi-python-client generate`` does with regen's options.

    Those are the config, the templates with what the spec deprecates, ``--meta none``, ``--overwrite`` and
    ``--fail-on-warning``.
    """
    try:
        config_file = ConfigFile.load_from_path(path=root / CONFIG)
    except Exception as error:  # whatever the reader or the settings' model raise: the file cannot be used
        raise RegenError(f"regen: cannot read the generator config {root / CONFIG}: {error}") from error
    config = Config.from_sources(config_file, MetaType.NONE, root / SPEC, "utf-8", True, output_path=output)
    # The generator keeps no `deprecated` flag, so the templates read what the spec deprecates from
    # deprecations.jinja, generated into a copy of them.
    with tempfile.TemporaryDirectory() as templates:
        shutil.copytree(root / TEMPLATES, templates, dirs_exist_ok=True)
        Path(templates, "deprecations.jinja").write_text(
            gen_deprecations.from_files(root / SPEC, root / CONFIG), encoding="utf-8"
        )
        try:
            # What openapi_python_client.generate does, with the compiled templates kept.
            project = _get_project_for_url_or_path(config=config, custom_template_path=Path(templates).resolve())
            errors: Sequence[GeneratorError]
            if isinstance(project, GeneratorError):
                errors = [project]
            else:
                project.env.bytecode_cache = _COMPILED
                with _tools_first_on_path():
                    errors = project.build()
        except Exception as error:  # a template that does not render, say: the command would end in a traceback
            raise RegenError(f"regen: the generator failed: {type(error).__name__}: {error}") from error
    try:
        handle_errors(errors, fail_on_warning=True)
    except typer.Exit as error:
        raise RegenError("regen: the generator failed (a warning or an error, reported above)") from error
    # --meta none writes no py.typed marker; the package is typed, so ship one.
    (output / "py.typed").touch()


def write_catalog(root: Path, catalog: Path) -> None:
    """Write the event catalog, formatted by the pinned ruff.

    It is a module of up42.receiving rather than of the client, whose package imports httpx: a receiver must not
    need httpx. Formatted from the repository root, so that ruff reads the project's settings.
    """
    try:
        source = gen_catalog.from_file(root / SPEC)
    except SystemExit as error:  # the catalog's generator stops with its message on what the spec lacks
        raise RegenError(str(error.code)) from error
    formatter = [str(TOOLS / "ruff"), "format", "--quiet", "--stdin-filename", str(CATALOG), "-"]
    done = subprocess.run(formatter, input=source.encode(), cwd=root, capture_output=True, check=False)  # noqa: S603
    if done.returncode != 0:
        said = " ".join(done.stderr.decode(errors="replace").split())
        raise RegenError(f"regen: ruff could not format the event catalog: {said}")
    # One final newline, however many ruff ends with (as the shell's command substitution had it).
    catalog.write_bytes(done.stdout.rstrip(b"\n") + b"\n")


def regenerate(root: Path, output: Path, catalog: Path) -> None:
    """Validate the spec, then generate the client into ``output`` and the event catalog into ``catalog``."""
    validate_spec(root / SPEC)
    generate_client(root, output)
    write_catalog(root, catalog)


def main(argv: Sequence[str] | None = None) -> int:
    """Run regen with command-line arguments; the exit status (1 when a step failed, said on stderr)."""
    parser = argparse.ArgumentParser(prog="scripts/regen.sh", description="Regenerate the client and event catalog.")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent, help="the repository")
    parser.add_argument("output", type=Path, nargs="?", help=f"the generated package (default: ROOT/{OUTPUT})")
    parser.add_argument("catalog", type=Path, nargs="?", help=f"the event catalog (default: ROOT/{CATALOG})")
    args = parser.parse_args(argv)
    try:
        regenerate(args.root, args.output or args.root / OUTPUT, args.catalog or args.root / CATALOG)
    except RegenError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
