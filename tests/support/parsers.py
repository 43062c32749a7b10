"""What a parser makes of a value, so that two parsers can be held to the same answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def outcome(parse: Callable[[Any], Any], value: Any) -> tuple[str, str, list[str]] | None:
    """None when ``parse`` accepts ``value``, else the error's type, message and location notes."""
    try:
        parse(value)
    except Exception as error:  # whatever it is, both parsers must agree on it
        return type(error).__name__, str(error), list(getattr(error, "__notes__", []))
    return None
