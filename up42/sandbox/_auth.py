"""Access tokens: HS256 JWTs signed with the store's key, carrying the user, the workspace and an expiry.

Tokens are stateless, so checking one needs no database write, and with a database file they stay valid across
a restart of the sandbox, as a real identity provider's would.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

_HEADER = {"alg": "HS256", "typ": "JWT"}
_MAX_VERIFIED = 4096


class TokenError(Exception):
    """The token is missing, malformed, forged or expired; the message says which, never the token."""


@dataclasses.dataclass(frozen=True)
class Identity:
    """Whom a valid token was issued to."""

    username: str
    workspace_id: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenIssuer:
    """Issues and checks tokens with one key and one lifetime."""

    def __init__(self, key: bytes, ttl: int, clock: Callable[[], float] = time.time) -> None:
        self._key = key
        self.ttl = ttl
        self._clock = clock
        # A client sends the same token many times; its signature and claims need checking once, its expiry
        # every time. Bounded, since every login adds an entry.
        self._verified: dict[str, tuple[Identity, float]] = {}

    def _mac(self, signing_input: str) -> str:
        return _b64(hmac.new(self._key, signing_input.encode("ascii"), hashlib.sha256).digest())

    def issue(self, identity: Identity) -> str:
        """A token for ``identity`` that expires ``ttl`` seconds from now."""
        now = self._clock()
        # Fractional NumericDates (RFC 7519 allows them) give every token exactly the lifetime the token response
        # promises; whole seconds would leave a 1 s token anywhere between 0 and 1 s to live.
        claims = {"sub": identity.workspace_id, "preferred_username": identity.username, "iat": now}
        claims["exp"] = now + self.ttl
        signing_input = f"{_b64(json.dumps(_HEADER).encode())}.{_b64(json.dumps(claims).encode())}"
        return f"{signing_input}.{self._mac(signing_input)}"

    def check(self, token: str) -> Identity:
        """Whom ``token`` belongs to; raises `TokenError` unless it is ours and unexpired."""
        identity, expires = self._verified.get(token) or self._verify(token)
        if self._clock() >= expires:
            moment = datetime.datetime.fromtimestamp(expires, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            raise TokenError(f"ACCESS_TOKEN_EXPIRED: JWT expired at {moment}")
        return identity

    def _verify(self, token: str) -> tuple[Identity, float]:
        parts = token.split(".")
        # A JWT is ASCII; other text (a header's latin-1 bytes) could not even be compared with the signature.
        if len(parts) != 3 or not token.isascii():
            raise TokenError("INVALID_TOKEN: the bearer token is not a JWT")
        header, payload, signature = parts
        if not hmac.compare_digest(signature, self._mac(f"{header}.{payload}")):
            raise TokenError("INVALID_TOKEN: the bearer token was not issued by this sandbox")
        try:
            claims: Any = json.loads(_unb64(payload))
            username, workspace_id, expires = claims["preferred_username"], claims["sub"], float(claims["exp"])
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise TokenError("INVALID_TOKEN: the bearer token's claims are unreadable") from None
        if len(self._verified) >= _MAX_VERIFIED:
            self._verified.clear()
        verified = self._verified[token] = (Identity(username=str(username), workspace_id=str(workspace_id)), expires)
        return verified
