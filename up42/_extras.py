"""The optional extras of the distribution: the modules each one brings, and the line that says one is missing.

The command line prints that line; importing `up42.sandbox` or `up42.receiving.django`, or opening a ``redis://``
or ``postgresql://`` inbox, without its extra raises it as the ``ModuleNotFoundError``, which names the extra to
install rather than a package the user never asked for.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

# The top-level modules each extra installs (the optional dependencies in pyproject.toml).
MODULES = {
    "sandbox": frozenset({"starlette", "uvicorn", "jinja2"}),
    "redis": frozenset({"redis"}),
    "django": frozenset({"django"}),
    "postgres": frozenset({"psycopg"}),
}


def install_command(extra: str) -> str:
    """How to install ``extra``: by the distribution's name, and in a checkout (until that name is published)."""
    return f"pip install 'up42-webhooks[{extra}]' (in a checkout: pip install '.[{extra}]')"


def missing_extra(extra: str) -> str:
    """The line that says ``extra`` is not installed, and how to install it."""
    return f"the {extra} extra is not installed: {install_command(extra)}"


@contextlib.contextmanager
def needs_extra(extra: str) -> Iterator[None]:
    """Imports inside that miss a module of ``extra`` raise a ``ModuleNotFoundError`` that names the extra.

    It keeps the missing module's ``name``, and the original error as its cause. A missing module that the extra
    does not install is another problem, and propagates as it is.
    """
    try:
        yield
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] not in MODULES[extra]:
            raise
        raise ModuleNotFoundError(missing_extra(extra), name=error.name) from error
