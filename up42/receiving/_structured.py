"""A reader for RFC 8941 structured field dictionaries, as used by Signature-Input and Content-Digest.

Only parsing is here; it raises `ValueError` with a short reason, which the caller turns into a typed error.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

__all__ = ["InnerList", "Item", "parse_dictionary"]

BareItem = int | float | str | bytes | bool

_KEY = re.compile(r"[a-z*][a-z0-9_\-.*]*")
_TOKEN = re.compile(r"[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*")
_NUMBER = re.compile(r"-?(?P<whole>[0-9]+)(?:\.(?P<fraction>[0-9]+))?")
# Printable ASCII except '"' and '\', or one of the two escapes RFC 8941 allows.
_QUOTED = re.compile(r'"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"')
_ESCAPE = re.compile(r"\\([\"\\])")
_BYTES = re.compile(r":([A-Za-z0-9+/=]*):")
_BOOLEAN = re.compile(r"\?([01])")
_MAX_INTEGER_DIGITS = 15
_MAX_DECIMAL_DIGITS = (12, 3)


@dataclass(frozen=True)
class Item:
    """A bare item with its parameters."""

    value: BareItem
    params: dict[str, BareItem] = field(default_factory=dict)


@dataclass(frozen=True)
class InnerList:
    """A parenthesised list of items with the list's parameters."""

    items: list[Item]
    params: dict[str, BareItem] = field(default_factory=dict)


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def skip(self, chars: str) -> None:
        while self.peek() and self.peek() in chars:
            self.pos += 1

    def match(self, pattern: re.Pattern[str], what: str) -> re.Match[str]:
        found = pattern.match(self.text, self.pos)
        if found is None:
            raise ValueError(f"expected {what} at position {self.pos}")
        self.pos = found.end()
        return found

    def key(self) -> str:
        return self.match(_KEY, "a key (lowercase letters, digits, '_-.*')").group()

    def params(self) -> dict[str, BareItem]:
        params: dict[str, BareItem] = {}
        while self.peek() == ";":
            self.pos += 1
            self.skip(" ")
            name = self.key()
            value: BareItem = True
            if self.peek() == "=":
                self.pos += 1
                value = self.bare_item()
            params[name] = value
        return params

    def item_or_inner_list(self) -> Item | InnerList:
        if self.peek() != "(":
            return Item(self.bare_item(), self.params())
        self.pos += 1
        items: list[Item] = []
        while True:
            self.skip(" ")
            if self.peek() == ")":
                self.pos += 1
                return InnerList(items, self.params())
            items.append(Item(self.bare_item(), self.params()))
            if self.peek() not in (" ", ")"):
                raise ValueError(f"an inner list needs a space or ')' after each item (position {self.pos})")

    def bare_item(self) -> BareItem:
        char = self.peek()
        if char == '"':
            return _ESCAPE.sub(r"\1", self.match(_QUOTED, "a closed string of printable ASCII").group(1))
        if char == ":":
            return self.byte_sequence()
        if char == "?":
            return self.match(_BOOLEAN, "?0 or ?1").group(1) == "1"
        if char == "-" or char.isdigit():
            return self.number()
        return self.match(_TOKEN, "a value").group()

    def number(self) -> int | float:
        found = self.match(_NUMBER, "a number")
        whole, fraction = found.group("whole", "fraction")
        if fraction is None:
            if len(whole) > _MAX_INTEGER_DIGITS:
                raise ValueError(f"an integer has at most {_MAX_INTEGER_DIGITS} digits")
            return int(found.group())
        if len(whole) > _MAX_DECIMAL_DIGITS[0] or len(fraction) > _MAX_DECIMAL_DIGITS[1]:
            raise ValueError("a decimal has at most 12 digits before the point and 3 after it")
        return float(found.group())

    def byte_sequence(self) -> bytes:
        encoded = self.match(_BYTES, "a byte sequence of base64 between colons").group(1)
        try:
            return base64.b64decode(encoded, validate=True)
        except binascii.Error as error:
            raise ValueError("a byte sequence is not valid base64") from error


def parse_dictionary(text: str) -> dict[str, Item | InnerList]:
    """Parse a structured field dictionary (RFC 8941 §4.2.2); a key given twice keeps its last value."""
    reader = _Reader(text.strip(" \t"))
    members: dict[str, Item | InnerList] = {}
    if not reader.text:
        raise ValueError("the header is empty")
    while True:
        name = reader.key()
        if reader.peek() == "=":
            reader.pos += 1
            members[name] = reader.item_or_inner_list()
        else:
            members[name] = Item(True, reader.params())
        reader.skip(" \t")
        if not reader.peek():
            return members
        if reader.peek() != ",":
            raise ValueError(f"expected ',' between members at position {reader.pos}")
        reader.pos += 1
        reader.skip(" \t")
        if not reader.peek():
            raise ValueError("the header ends with a comma")
