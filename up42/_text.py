"""Text rules the client, the command line, the sandbox and receiving share. The standard library only, no I/O.

- `MASK` stands in for a credential wherever one would be shown.
- `lone_surrogate` finds where a string stops being text that UTF-8 can carry.
- `one_line` says an error in one line, for logs and messages that a line break would split.
"""

from __future__ import annotations

MASK = "********"


def lone_surrogate(text: str) -> int | None:
    """The position of the first character UTF-8 cannot encode (a lone surrogate) in ``text``; None when none is.

    A Python string may hold one: from a stray escape such as ``"\\ud800"``, a JSON ``\\ud800`` escape, or bytes of
    a command line or an environment variable that are not valid UTF-8. No request, file or terminal takes it.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return error.start
    return None


def one_line(error: BaseException) -> str:
    """An error's text with its whitespace and line breaks folded to single spaces; its type's name when it has none."""
    return " ".join(str(error).split()) or type(error).__name__
