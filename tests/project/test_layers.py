"""The package's modules import one another one way only: no circle, and no part imports a part above it.

Imports are read from the source (at run time and under TYPE_CHECKING alike), so a lazy import inside a function
counts too: what a module may import does not depend on when it does.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import up42

ROOT = Path(up42.__file__).parent

# Each part of the package, by module prefix (the longest prefix names a module's part), and the parts it may
# import besides itself. The order of the dictionary is the order of the layers, lowest first.
PARTS: dict[str, tuple[str, ...]] = {
    "foundation": (),
    "contract": ("foundation",),
    "receiving core": ("foundation",),
    "durable receiving": ("foundation", "receiving core"),
    "receiving": ("foundation", "receiving core", "durable receiving"),
    "client": ("foundation",),
    "delivering": ("foundation", "receiving core", "receiving"),
    "sandbox": ("foundation", "contract", "receiving core", "receiving", "delivering"),
    "command line": (
        "foundation",
        "contract",
        "receiving core",
        "durable receiving",
        "receiving",
        "client",
        "delivering",
        "sandbox",
    ),
    "face": ("foundation", "receiving", "client", "sandbox", "command line"),
}
PREFIXES = {
    "up42.errors": "foundation",
    "up42._version": "foundation",
    "up42._text": "foundation",
    "up42._urls": "foundation",
    "up42._masking": "foundation",
    "up42._checks": "foundation",
    "up42._backoff": "foundation",
    "up42._signals": "foundation",
    "up42._extras": "foundation",
    "up42._contract": "contract",
    "up42.receiving._errors": "receiving core",
    "up42.receiving._structured": "receiving core",
    "up42.receiving._catalog": "receiving core",
    "up42.receiving._events": "receiving core",
    "up42.receiving._signature": "receiving core",
    "up42.receiving._handlers": "receiving core",
    "up42.receiving.durable": "durable receiving",
    "up42.receiving": "receiving",
    "up42._client": "client",
    "up42._messages": "delivering",
    "up42._posting": "delivering",
    "up42._server": "delivering",
    "up42.sandbox": "sandbox",
    "up42.cli": "command line",
    "up42": "face",
}


def _module(path: Path) -> str:
    parts = ["up42", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The up42 modules (or names in them) that ``path`` imports, as absolute dotted names."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "up42" or name.startswith("up42.")}


def _graph() -> dict[str, set[str]]:
    modules = {_module(path): path for path in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        # a name imported from a module counts as that module; a submodule imported from a package as itself
        graph[name] = {target for target in _imports(path) if target in modules and target != name}
    return graph


def _part(module: str) -> str:
    prefix = max((p for p in PREFIXES if module == p or module.startswith(p + ".")), key=len)
    return PREFIXES[prefix]


def test_the_modules_import_each_other_without_a_circle() -> None:
    graphlib.TopologicalSorter(_graph()).prepare()  # raises CycleError naming the circle


def test_every_module_imports_only_its_own_part_and_the_parts_below_it() -> None:
    wrong = [
        f"{module} ({_part(module)}) imports {target} ({_part(target)})"
        for module, targets in sorted(_graph().items())
        for target in sorted(targets)
        if _part(target) != _part(module) and _part(target) not in PARTS[_part(module)]
    ]
    assert not wrong, "\n".join(wrong)


def test_every_part_is_named_and_every_prefix_is_a_module() -> None:
    graph = _graph()
    assert set(PREFIXES.values()) == set(PARTS)
    assert all(prefix in graph for prefix in PREFIXES), [p for p in PREFIXES if p not in graph]
    # the parts' order is the layers' order: a part may import only parts listed before it
    order = list(PARTS)
    assert all(order.index(below) < order.index(part) for part, belows in PARTS.items() for below in belows)
