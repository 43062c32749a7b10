"""The optional extras of the distribution: the one wording of an extra that is missing, and its error."""

from __future__ import annotations

__all__ = ["ExtraNotInstalledError", "missing_extra"]


def missing_extra(extra: str, needed_by: str | None = None) -> str:
    """The line that says ``extra`` is not installed (and what needs it) and how to install it."""
    why = f" ({needed_by} needs it)" if needed_by else ""
    return f"the {extra} extra is not installed{why}: pip install 'up42-webhooks[{extra}]'"


class ExtraNotInstalledError(ModuleNotFoundError):
    """A part of the SDK was used whose extra is not installed; the message names the extra and how to install it.

    A `ModuleNotFoundError`, as the failed import it stands for: ``name`` is the module that is missing.
    """

    def __init__(self, extra: str, needed_by: str, *, name: str | None) -> None:
        super().__init__(missing_extra(extra, needed_by), name=name)
