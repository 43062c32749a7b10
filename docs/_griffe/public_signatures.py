"""A griffe extension for the API reference: spell out names that live in private modules.

The connection settings of `up42.authenticate`, `up42.Client` and `up42.AsyncClient` are annotated with a type
alias, a default and a TypedDict from private modules. A reader cannot import those names, so the reference shows
what they stand for instead; the parameter tables explain each setting.
"""

from __future__ import annotations

from typing import Any

import griffe

SPELLED_OUT = {
    "TimeoutTypes": "float | httpx.Timeout | None",
    "DEFAULT_TIMEOUT": "httpx.Timeout(30.0, connect=10.0)",
    "Unpack[RetryOptions]": "int | float",
}


class PublicSignatures(griffe.Extension):
    """Replace private annotations and defaults in function signatures with what they mean."""

    def on_function_instance(self, *, func: griffe.Function, **kwargs: Any) -> None:
        """Rewrite the parameters of one function as it is loaded."""
        for parameter in func.parameters:
            if parameter.annotation is not None and str(parameter.annotation) in SPELLED_OUT:
                parameter.annotation = SPELLED_OUT[str(parameter.annotation)]
            if parameter.default is not None and str(parameter.default) in SPELLED_OUT:
                parameter.default = SPELLED_OUT[str(parameter.default)]
