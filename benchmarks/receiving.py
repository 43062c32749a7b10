"""Row 5: `up42.receiving.verify` of a 2 KiB delivery against the same checks written inline."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import time
from typing import Any

from benchmarks._harness import Row, Sizes, compare, micros
from up42.receiving import sign, verify

SECRET = "bench-secret"  # noqa: S105 - a throwaway secret for signing test deliveries
SIZE = 2048


def delivery() -> tuple[bytes, dict[str, str]]:
    """An order.status message padded to 2 KiB, and the headers UP42 would send with it."""
    message: dict[str, Any] = {
        "event": "order.status",
        "liveMode": True,
        "messageId": "6f1c0a52-8a53-4d0b-9c41-6c1d2f8e9a10",
        "timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "body": {
            "orderId": "3c4e1e2a-8f0b-4c1d-9d7e-0a1b2c3d4e5f",
            "orderType": "ARCHIVE",
            "dataHostName": "oneatlas",
            "status": "FULFILLED",
            "statusIsFinal": True,
            "note": "",
        },
    }
    padding = SIZE - len(json.dumps(message).encode())
    message["body"]["note"] = "x" * padding
    body = json.dumps(message).encode()
    assert len(body) == SIZE
    return body, sign(body, SECRET)


def inline(body: bytes, headers: dict[str, str], key: bytes) -> Any:
    """What a receiver would write by hand: the same HMAC, freshness and digest checks, then json.loads."""
    signed = (headers["Content-Type"] + headers["Content-Digest"]).encode()
    expected = base64.b64decode(headers["Signature"].split("=", 1)[1])
    if not hmac.compare_digest(hmac.new(key, signed, hashlib.sha256).digest(), expected):
        raise ValueError("bad signature")
    if abs(time.time() - int(headers["Signature-Input"].rsplit("created=", 1)[1])) > 300:
        raise ValueError("stale")
    digest = base64.b64decode(headers["Content-Digest"].removeprefix("sha-256=:").removesuffix(":"))
    if not hmac.compare_digest(digest, hashlib.sha256(body).digest()):
        raise ValueError("body changed")
    return json.loads(body)


def rows(sizes: Sizes) -> list[Row]:
    """Row 5."""
    body, headers = delivery()
    key = SECRET.encode()

    def sdk() -> None:
        for _ in range(sizes.verifies):
            verify(body, headers, SECRET)

    def baseline() -> None:
        for _ in range(sizes.verifies):
            inline(body, headers, key)

    ours, theirs = compare(sdk, baseline, sizes.rounds)
    return [
        Row(
            "5",
            "receiving.verify of a 2 KiB delivery",
            micros(ours / sizes.verifies) + "/call",
            micros(theirs / sizes.verifies) + "/call",
            ours / theirs,
            3.0,
            note="baseline: hmac + hashlib + base64 + json.loads inline, same checks",
        )
    ]
