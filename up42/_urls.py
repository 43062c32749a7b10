"""A user name and password in a URL: found by one rule, masked wherever a URL is shown. The standard library only.

They sit in the authority, between ``scheme://`` and the first '/', '?', '#' (or '\\', which browsers read as
'/'), before its last '@'. URL parsers fold look-alikes (a full-width '@' or '/') into these characters, so those
count too. An '@' past the authority is ambiguous: it may end a password holding a '/', '?' or '#' nobody
escaped (``redis://u:pa/ss@host``), or belong to the path or query (``https://evil.example/h?x=@bank.example``).
Such a URL is shown with everything from the authority to the end of the host after that '@' masked, so that
neither a piece of a password nor a host the request never goes to is shown.
"""

from __future__ import annotations

import re
import unicodedata

from ._text import MASK

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_ENDS_AUTHORITY = frozenset("/?#\\")


def _folded(char: str) -> str:
    """``char`` as URL parsers may read it: NFKC folds look-alikes into ASCII."""
    return char if char.isascii() else unicodedata.normalize("NFKC", char)


def has_at(text: str) -> bool:
    """Whether ``text`` holds an '@', or a character URL parsers fold into one."""
    return any("@" in _folded(char) for char in text)


def _userinfo(text: str) -> tuple[int, int, int] | None:
    """Where a user name and password may be: (start, their last '@', where the rest may be shown); None if nowhere.

    Text that does not start with ``scheme://`` is read from its start: a netloc (``u:p@host``), or a message
    that quotes one.
    """
    scheme = _SCHEME.match(text)
    start = scheme.end() if scheme else 0
    folded = [_folded(char) for char in text[start:]]
    ats = [i for i, char in enumerate(folded) if "@" in char]
    if not ats:
        return None
    last = ats[-1]
    ends = [i for i, char in enumerate(folded) if not _ENDS_AUTHORITY.isdisjoint(char)]
    if not ends or last < ends[0]:
        return start, start + last, start + last  # the host after the '@' is where requests go
    return start, start + last, start + next((i for i in ends if i > last), len(folded))


def shown_url(url: str) -> str:
    """``url``, or a message quoting one, as it may be shown: a user name and password in it replaced by `MASK`."""
    found = _userinfo(url)
    if found is None:
        return url
    start, _, rest = found
    return f"{url[:start]}{MASK}{url[rest:]}"


def url_password(url: str) -> str | None:
    """The password of a URL that starts with ``scheme://``, as written (percent-escapes kept); None for none."""
    found = _userinfo(url) if _SCHEME.match(url) else None
    if found is None:
        return None
    start, at, _ = found
    return url[start:at].partition(":")[2] or None
