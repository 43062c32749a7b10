"""A griffe extension for the API reference: mark the methods and attributes that use what the API deprecates.

Whether one warns is decided as `up42` is imported, from the generated client, which the spec makes (see
``up42/_client/_deprecations.py``): a warning one keeps what it warns about in ``_deprecated``. This extension
imports each public function and attribute of the client side, and marks the ones that warn: a "Deprecated"
admonition after the docstring's summary quotes the messages, and the "deprecated" label shows on those that are
deprecated as a whole (not only an argument of them). So the reference says what the code does, and with nothing
deprecated in the spec, marks nothing.
"""

from __future__ import annotations

import textwrap
from typing import Any

import griffe

# The facade lives here; the rest of the package is not imported.
FACADE = "up42._client."


def deprecated(path: str) -> tuple[tuple[str | None, str], ...]:
    """What the object at ``path`` warns about, read from the object itself (a property from its getter): pairs of
    the argument concerned (None for the object itself) and the message."""
    try:
        target = griffe.dynamic_import(path)
    except ImportError:
        return ()
    messages: tuple[tuple[str | None, str], ...] = getattr(getattr(target, "fget", target), "_deprecated", ())
    return messages


class Deprecations(griffe.Extension):
    """Label and explain each facade function or attribute that warns DeprecationWarning."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Mark one object as it is loaded, when it warns."""
        if not (obj.is_function or obj.is_attribute) or not obj.path.startswith(FACADE) or obj.name.startswith("_"):
            return
        messages = deprecated(obj.path)
        if not messages or obj.docstring is None:
            return
        whole = [message for argument, message in messages if argument is None]
        if whole:
            obj.labels.add("deprecated")
            obj.deprecated = "\n".join(whole)
        lines = [message if argument is None else f"`{argument}`: {message}" for argument, message in messages]
        summary, _, rest = obj.docstring.value.partition("\n\n")
        notice = "Warning: Deprecated\n" + textwrap.indent("\n\n".join(lines), "    ")
        obj.docstring.value = "\n\n".join(part for part in (summary, notice, rest) if part)
