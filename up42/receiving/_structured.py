"""A reader for RFC 8941 structured field dictionaries, as used by Signature-Input and Content-Digest.

Only parsing is here; it raises `ValueError` with a short reason, which the caller turns into a typed error.
"""

from __future__ import annotations

import base64
import binascii
import string
from dataclasses import dataclass, field

__all__ = ["InnerList", "Item", "parse_dictionary"]

BareItem = int | float | str | bytes | bool

_KEY_START = frozenset(string.ascii_lowercase + "*")
_KEY_CHARS = frozenset(string.ascii_lowercase + string.digits + "_-.*")
_TOKEN_START = frozenset(string.ascii_letters + "*")
_TOKEN_CHARS = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~:/")
_BASE64_CHARS = frozenset(string.ascii_letters + string.digits + "+/=")
_MAX_INTEGER_DIGITS = 15
_NUMBER_START = frozenset("-" + string.digits)
_NUMBER_CHARS = frozenset("." + string.digits)


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
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def take(self) -> str:
        char = self.peek()
        self.pos += 1
        return char

    def expect(self, char: str) -> None:
        if self.take() != char:
            raise ValueError(f"expected {char!r} at position {self.pos - 1}")

    def skip(self, chars: str) -> None:
        while self.peek() and self.peek() in chars:
            self.pos += 1

    def key(self) -> str:
        if self.peek() not in _KEY_START:
            raise ValueError(f"a key must start with a lowercase letter or '*' (position {self.pos})")
        start = self.pos
        while self.peek() and self.peek() in _KEY_CHARS:
            self.pos += 1
        return self.text[start : self.pos]

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
        if char and char in _NUMBER_START:
            return self.number()
        if char == '"':
            return self.quoted()
        if char == ":":
            return self.byte_sequence()
        if char == "?":
            self.pos += 1
            flag = self.take()
            if flag not in ("0", "1"):
                raise ValueError("a boolean must be ?0 or ?1")
            return flag == "1"
        if char and char in _TOKEN_START:
            start = self.pos
            while self.peek() and self.peek() in _TOKEN_CHARS:
                self.pos += 1
            return self.text[start : self.pos]
        raise ValueError(
            f"unexpected {char!r} where a value should start (position {self.pos})"
            if char
            else "a value is missing at the end"
        )

    def number(self) -> int | float:
        start = self.pos
        if self.peek() == "-":
            self.pos += 1
        while self.peek() and self.peek() in _NUMBER_CHARS:
            self.pos += 1
        text = self.text[start : self.pos]
        digits = text.lstrip("-")
        if not digits or not digits[0].isdigit() or digits.count(".") > 1 or digits.endswith("."):
            raise ValueError(f"{text!r} is not a number")
        if "." in digits:
            return float(text)
        if len(digits) > _MAX_INTEGER_DIGITS:
            raise ValueError(f"an integer has at most {_MAX_INTEGER_DIGITS} digits")
        return int(text)

    def quoted(self) -> str:
        self.pos += 1
        chars: list[str] = []
        while True:
            char = self.take()
            if char == "":
                raise ValueError("a quoted string is not closed")
            if char == '"':
                return "".join(chars)
            if char == "\\":
                char = self.take()
                if char not in ('"', "\\"):
                    raise ValueError('only \\" and \\\\ may be escaped in a quoted string')
            elif not " " <= char <= "~":
                raise ValueError("a quoted string may hold printable ASCII only")
            chars.append(char)

    def byte_sequence(self) -> bytes:
        self.pos += 1
        end = self.text.find(":", self.pos)
        if end < 0:
            raise ValueError("a byte sequence is not closed with ':'")
        encoded = self.text[self.pos : end]
        self.pos = end + 1
        if not set(encoded) <= _BASE64_CHARS:
            raise ValueError("a byte sequence holds characters outside base64")
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
        reader.expect(",")
        reader.skip(" \t")
        if not reader.peek():
            raise ValueError("the header ends with a comma")
