"""The modules of ``up42.receiving`` import one another one way only: no circle, not even for type checking."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import up42.receiving

PACKAGE = Path(up42.receiving.__file__).parent


def _siblings(module: Path) -> set[str]:
    """The modules of the package that ``module`` imports, at run time or under TYPE_CHECKING alike."""
    imported: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                imported.add(node.module)
            else:  # from . import _x
                imported.update(alias.name for alias in node.names)
    return imported


def test_the_receiving_modules_import_each_other_without_a_circle() -> None:
    graph = {module.stem: _siblings(module) for module in PACKAGE.glob("*.py")}
    order = list(graphlib.TopologicalSorter(graph).static_order())  # raises CycleError on a circle
    assert order.index("_asgi") < order.index("_receiver")
