"""Keeping credentials out of what an error keeps of a response: masking by key name and by value. No I/O.

- By value: the credentials a client knows, its password, its recent tokens and the secrets it sent in a request
  (a webhook's secret, the password in a webhook's URL), are masked wherever they appear, as they are and as
  JSON, a form or a URL escapes them. A server that repeats a secret in its message, under another name or in a
  header gives nothing away.
- By key name: in a body, the value after a key that names a credential (a token, a secret, a password, an API
  key, an authorization, a cookie, a credential) is masked whatever the key's spelling: in JSON, in a form, in a
  header line, inside a JSON string (escaped quotes), or with the name escaped (``\\u0073ecret``) or URL-encoded
  (``secret%3D...``). This catches what the client never knew, such as a refresh token. It works on text, since
  the bodies kept are often not valid JSON (cut off, a gateway's page).
- Everywhere: the credential after ``Bearer`` or ``Basic``: a run of token characters holding a digit, a symbol
  or an upper-case letter past its first, so that prose ("Basic authentication is not supported") stays readable.

A message and ``details`` are masked by value only: their keys name the fields of a request and their values say
what is wrong with them, which must stay readable.
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus, unquote

from ._text import MASK
from ._urls import url_password

# How many tokens a client remembers besides its password: a long-running client fetches a new token every few
# minutes, and only the recent ones can still be in flight.
RECENT_TOKENS = 64

# How many secrets it sent it remembers, apart from the tokens, so that renewing tokens never pushes one out: a
# server may repeat a webhook's secret in any later answer about that webhook. The oldest sent goes first.
RECENT_SENT = 1024

# A value at least this long is masked wherever it appears; a shorter one only where it stands alone, so that a
# short password does not mask every word it is part of.
ANYWHERE = 8

# A field name that names a credential, as a request or a header spells it plainly.
CREDENTIAL_NAME = re.compile(r"token|secret|passw(?:or)?d|api[-_]?key|authorization|cookie|credential", re.IGNORECASE)


def _spelled(word: str) -> str:
    """A pattern for ``word`` in which any character may be written as a JSON (``\\u0073``) or URL (``%73``) escape."""

    def character(char: str) -> str:
        codes = sorted({f"{ord(char.lower()):02x}", f"{ord(char.upper()):02x}"})
        escapes = [*(rf"\\u00{code}" for code in codes), *(f"%{code}" for code in codes)]
        return f"(?:{'|'.join([re.escape(char), *escapes])})"

    return "".join(map(character, word))


_STEM = "|".join(
    [
        *map(_spelled, ("token", "secret", "password", "passwd", "authorization", "cookie", "credential")),
        f"{_spelled('api')}(?:{_spelled('_')}|{_spelled('-')})?{_spelled('key')}",
    ]
)
# The rest of a name after its credential stem (``token_type``, ``secretName``), escapes included.
_NAME_TAIL = r"(?:[\w.-]|\\u00[0-9a-f]{2}|%[4-7][0-9a-f]){0,64}"
_QUOTE = r"(?:\\*[\"']|%2[27]|\\u002[27])?"
_SEPARATOR = r"\s*(?::|=|%3a|%3d|\\u003[ad])(?:\s|%20|\+)*"
_SCHEMES = r"(?:Bearer|Basic|Token|Digest)(?:\s|%20|\+)+"
_VALUE = "|".join(
    [
        r"\\+\"(?:(?!\\+\")[^\"])*(?:\\+\")?",  # a string inside a JSON string: \"...\"
        r"\"(?:[^\"\\]|\\.)*\"?",  # a JSON string, perhaps cut off before its closing quote
        r"'(?:[^'\\]|\\.)*'?",
        r"%2[27](?:(?!%2[27])[^\s\"&])*(?:%2[27])?",  # a URL-encoded quoted string
        rf"(?:{_SCHEMES})?(?:(?!%2[26c]|%7d)[^\s\"',;&}}\]\\<>])+",  # anything else, up to a delimiter
    ]
)
_BY_NAME = re.compile(rf"(?P<key>(?:{_STEM}){_NAME_TAIL}{_QUOTE}{_SEPARATOR})(?P<value>{_VALUE})", re.IGNORECASE)
_OPENING_QUOTE = re.compile(r"\\*\"|'|%2[27]", re.IGNORECASE)
# The credential of an Authorization header's value, wherever it is repeated: at least 8 characters a token may
# hold, among them a digit, a symbol, an inner '.' or an upper-case letter past the first (as base64, JWTs and
# random tokens have, and words do not), without the full stop that may end a sentence.
_CREDENTIAL_CHAR = "[A-Za-z0-9_.~+/%=-]"
_CREDENTIAL_LIKE = rf"(?={_CREDENTIAL_CHAR}*[0-9_~+/%=-]|{_CREDENTIAL_CHAR}+[A-Z]|{_CREDENTIAL_CHAR}*\.[A-Za-z0-9])"
_AFTER_SCHEME = re.compile(
    rf"\b(?P<scheme>(?i:Bearer|Basic))(?P<space>(?:\s|%20|\+)+){_CREDENTIAL_LIKE}{_CREDENTIAL_CHAR}{{8,}}(?<!\.)"
)


def _masked_value(match: re.Match[str]) -> str:
    opening = _OPENING_QUOTE.match(match["value"])
    quote_mark = opening.group() if opening else ""
    return f"{match['key']}{quote_mark}{MASK}{quote_mark}"


def _spellings(value: str) -> set[str]:
    """``value`` as it is and as JSON, a form, a URL and HTML escape it."""
    return {
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        quote(value, safe=""),
        quote(value),
        quote_plus(value, safe=""),
        html.escape(value),
    }


class Secrets:
    """The credentials one client knows, and the masking of them in the text an error keeps.

    Thread-safe: the threads of a `Client` and the tasks of an `AsyncClient` add to it while others read it.
    """

    __slots__ = ("_kept", "_lock", "_masks", "_sent", "_tokens")

    def __init__(self, *kept: str) -> None:
        """``kept``: credentials remembered for the client's life (its password)."""
        self._kept = frozenset(value for value in kept if value)
        # Insertion-ordered: the oldest goes first.
        self._tokens: dict[str, None] = {}
        self._sent: dict[str, None] = {}
        self._lock = threading.Lock()
        self._masks: tuple[tuple[str, ...], re.Pattern[str] | None] | None = None

    def add_token(self, token: str) -> None:
        """Remember a token; the oldest is forgotten after `RECENT_TOKENS`."""
        self._add(self._tokens, token, RECENT_TOKENS)

    def add_sent(self, payload: Any) -> None:
        """Remember the secrets in a request body (JSON or a form); the oldest is forgotten after `RECENT_SENT`.

        They are the values of the fields whose names name a credential, and the password in any URL.
        """
        if isinstance(payload, Mapping):
            for name, value in payload.items():
                if isinstance(value, str) and CREDENTIAL_NAME.search(str(name)):
                    self._add(self._sent, value, RECENT_SENT)
                else:
                    self.add_sent(value)
        elif isinstance(payload, list | tuple):
            for item in payload:
                self.add_sent(item)
        elif isinstance(payload, str) and (password := url_password(payload)):
            # As written and as sent in basic auth; the escapes of each are masked with it.
            self._add(self._sent, password, RECENT_SENT)
            self._add(self._sent, unquote(password), RECENT_SENT)

    def _add(self, recent: dict[str, None], value: str, limit: int) -> None:
        if not value or value in self._kept:
            return
        with self._lock:
            if value in recent:
                recent[value] = recent.pop(value)  # the newest again
                return
            recent[value] = None
            if len(recent) > limit:
                del recent[next(iter(recent))]
            self._masks = None

    def _compiled(self) -> tuple[tuple[str, ...], re.Pattern[str] | None]:
        masks = self._masks
        if masks is None:
            with self._lock:
                spellings = set().union(*map(_spellings, (*self._kept, *self._tokens, *self._sent)))
                # Longest first: a credential that holds another is masked whole.
                anywhere = tuple(sorted((s for s in spellings if len(s) >= ANYWHERE), key=len, reverse=True))
                alone = sorted((s for s in spellings if len(s) < ANYWHERE), key=len, reverse=True)
                pattern = rf"(?<!\w)(?:{'|'.join(map(re.escape, alone))})(?!\w)" if alone else None
                masks = self._masks = (anywhere, None if pattern is None else re.compile(pattern))
        return masks

    def text(self, text: str) -> str:
        """``text`` with every known credential, and the credential after ``Bearer`` or ``Basic``, masked."""
        anywhere, alone = self._compiled()
        for spelling in anywhere:
            if spelling in text:
                text = text.replace(spelling, MASK)
        if alone is not None:
            text = alone.sub(MASK, text)
        return _AFTER_SCHEME.sub(rf"\g<scheme>\g<space>{MASK}", text)

    def body(self, text: str) -> str:
        """A response body (or part of one) masked by value and by key name."""
        return _BY_NAME.sub(_masked_value, self.text(text))

    def excerpt(self, text: str, limit: int) -> str:
        """The first ``limit`` characters of a body, masked; only as much of it is masked as they need."""
        anywhere, _ = self._compiled()
        # A credential cut off where the masking stops is not recognised, and is left at the end of what was
        # masked: that is beyond the excerpt once the masked text is longer than it by the longest credential.
        margin = max(64, len(anywhere[0]) if anywhere else 0)  # the longest comes first
        size = 2 * limit
        while True:
            shown = self.body(text[:size])
            if size >= len(text) or len(shown) >= limit + margin:
                return shown[:limit]
            size *= 2

    def data(self, value: Any) -> Any:
        """Decoded JSON (an error's ``details``) with every string in it, keys too, masked by value."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.data(key): self.data(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.data(item) for item in value]
        return value

    def headers(self, headers: Iterable[tuple[str, str]]) -> dict[str, str]:
        """Response headers: those whose names name a credential masked whole, the others by value."""
        return {name: MASK if CREDENTIAL_NAME.search(name) else self.text(value) for name, value in headers}


NO_SECRETS = Secrets()
"""Masks nothing by value: for text known to hold none of a client's credentials."""
