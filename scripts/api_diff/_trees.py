"""The two sides of a comparison: a git ref, unpacked into a temporary folder, and the working tree."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

SPEC = "openapi/up42.yaml"
VERSION = "up42/_version.py"
# libyaml's safe loader where PyYAML has it: ten times faster on the spec.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# What the comparison reads of a tree: the spec, the version, and the two packages.
PARTS = (SPEC, "up42", "generated/up42_api")


class TreeError(RuntimeError):
    """A side that cannot be read: an unknown ref, or a tree without the spec or the packages."""


@dataclasses.dataclass(frozen=True)
class Tree:
    """One side: where its files are, its spec as data, and the version ``up42/_version.py`` names."""

    root: Path
    spec: dict[str, Any]
    version: str


def read(root: Path) -> Tree:
    """The tree at ``root``."""
    for part in PARTS:
        if not (root / part).exists():
            raise TreeError(f"{part} is missing")
    try:
        spec = yaml.load((root / SPEC).read_text(encoding="utf-8"), Loader=LOADER)  # noqa: S506  (a safe loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise TreeError(f"{SPEC} is not YAML{line}: {getattr(error, 'problem', None) or 'unreadable'}") from None
    found = re.search(r"""^__version__\s*=\s*["']([^"']+)["']""", (root / VERSION).read_text(encoding="utf-8"), re.M)
    if not isinstance(spec, dict) or found is None:
        raise TreeError(f"{SPEC} is not a mapping, or {VERSION} names no __version__")
    return Tree(root, spec, found.group(1))


def unpack(repo: Path, ref: str, into: Path) -> Tree:
    """The tree of the git ref ``ref`` of ``repo``, unpacked into the folder ``into``."""
    if ref.startswith("-"):
        raise TreeError(f"{ref!r} is not a git ref")  # git would read it as an option
    archive = subprocess.run(  # noqa: S603  (a fixed program; the ref is an argument, never a shell word)
        ["git", "-C", str(repo), "archive", "--format=tar", f"{ref}^{{commit}}", "--", *PARTS],  # noqa: S607
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        reason = archive.stderr.decode(errors="replace").strip().splitlines()
        raise TreeError(f"cannot read {ref!r}: {reason[-1] if reason else 'git archive failed'}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    try:
        return read(into)
    except TreeError as error:
        raise TreeError(f"{ref}: {error}") from None
