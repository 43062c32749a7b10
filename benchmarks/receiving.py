"""Row 5: `up42.receiving.verify` of a 2 KiB delivery against the same checks written inline, and against the webhook
libraries of other platforms, each verifying and parsing a 2 KiB payload of its own scheme; then how verify's cost
grows with the body.

The peers come from the ``bench`` dependency group in pyproject.toml (``make bench`` installs it).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import stripe
from gidgethub.sansio import Event as GitHubEvent
from standardwebhooks import Webhook as StandardWebhook
from svix.webhooks import Webhook as SvixWebhook

from benchmarks._harness import Row, Scaling, Sizes, compare, micros
from up42.receiving import sign, verify

SECRET = "bench-secret"  # noqa: S105 - a throwaway secret for signing test deliveries
# Standard Webhooks and Svix take a base64 secret with their prefix; Stripe's start with whsec_ too.
PEER_SECRET = "whsec_" + base64.b64encode(SECRET.encode()).decode()
SIZE = 2048
KIB = 1024
SCALING_SIZES = (KIB, 64 * KIB, 1024 * KIB)
QUICK_SCALING_SIZES = (KIB, 2 * KIB, 4 * KIB)


def padded(message: dict[str, Any], note: dict[str, Any], size: int) -> bytes:
    """``message`` as JSON of exactly ``size`` bytes: ``note["note"]`` (a dict inside it) takes the padding."""
    note["note"] = ""
    note["note"] = "x" * (size - len(json.dumps(message).encode()))
    body = json.dumps(message).encode()
    assert len(body) == size
    return body


def _now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def delivery(size: int = SIZE) -> tuple[bytes, dict[str, str]]:
    """An order.status message padded to ``size`` bytes, and the headers UP42 would send with it."""
    body: dict[str, Any] = {
        "orderId": "3c4e1e2a-8f0b-4c1d-9d7e-0a1b2c3d4e5f",
        "orderType": "ARCHIVE",
        "dataHostName": "oneatlas",
        "status": "FULFILLED",
        "statusIsFinal": True,
    }
    message = {
        "event": "order.status",
        "liveMode": True,
        "messageId": "6f1c0a52-8a53-4d0b-9c41-6c1d2f8e9a10",
        "timestamp": _now_iso(),
        "body": body,
    }
    raw = padded(message, body, size)
    return raw, sign(raw, SECRET)


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


def _invoice(size: int) -> bytes:
    """A ``size``-byte message of the shape the Standard Webhooks scheme (and Svix's) sends."""
    data: dict[str, Any] = {"id": "inv_01HV", "status": "paid", "amount": 4200, "currency": "EUR"}
    return padded({"type": "invoice.paid", "timestamp": _now_iso(), "data": data}, data, size)


def _signed(prefix: str, sign: Callable[[str, datetime.datetime], str]) -> dict[str, str]:
    """The id, timestamp and signature headers of the Standard Webhooks scheme; Svix names them with its prefix."""
    msg_id = f"msg_{uuid.uuid4().hex}"
    created = datetime.datetime.now(datetime.UTC)
    return {
        f"{prefix}-id": msg_id,
        f"{prefix}-timestamp": str(int(created.timestamp())),
        f"{prefix}-signature": sign(msg_id, created),
    }


def standard_webhooks(size: int) -> Callable[[], object]:
    """Standard Webhooks' verify (which parses the JSON) of a signed ``size``-byte message of its shape."""
    body = _invoice(size)
    hook = StandardWebhook(PEER_SECRET)
    headers = _signed("webhook", lambda msg_id, created: hook.sign(msg_id, created, body))
    return lambda: hook.verify(body, headers)


def svix(size: int) -> Callable[[], object]:
    """Svix's verify, then json.loads (its verify parses nothing), of a signed ``size``-byte message of its shape."""
    body = _invoice(size)
    hook = SvixWebhook(PEER_SECRET)
    headers = _signed("svix", lambda msg_id, created: hook.sign(msg_id, created, body.decode()))

    def work() -> object:
        hook.verify(body, headers)
        return json.loads(body)

    return work


def stripe_event(size: int) -> Callable[[], object]:
    """Stripe's construct_event (verify, then an Event object) of a signed ``size``-byte event of its shape."""
    payment: dict[str, Any] = {"id": "pi_3Qx", "object": "payment_intent", "amount": 4200, "currency": "eur"}
    message = {
        "id": "evt_1Qx",
        "object": "event",
        "api_version": "2025-01-27",
        "created": int(time.time()),
        "type": "payment_intent.succeeded",
        "livemode": True,
        "data": {"object": payment},
    }
    body = padded(message, payment, size)
    header = stripe.WebhookSignature.generate_signature_header(body.decode(), PEER_SECRET)
    return lambda: stripe.Webhook.construct_event(body, header, PEER_SECRET)


def github_event(size: int) -> Callable[[], object]:
    """gidgethub's Event.from_http (X-Hub-Signature-256, then the JSON) of a signed ``size``-byte push event."""
    repository: dict[str, Any] = {"id": 1296269, "full_name": "octocat/Hello-World", "private": False}
    message = {"ref": "refs/heads/main", "before": "0" * 40, "after": "1" * 40, "repository": repository}
    body = padded(message, repository, size)
    headers = {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-github-delivery": str(uuid.uuid4()),
        "x-hub-signature-256": "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(),
    }
    return lambda: GitHubEvent.from_http(headers, body, secret=SECRET)


def _repeat(work: Callable[[], object], calls: int) -> Callable[[], None]:
    def run() -> None:
        for _ in range(calls):
            work()

    return run


def _up42(size: int) -> Callable[[], object]:
    body, headers = delivery(size)
    return lambda: verify(body, headers, SECRET)


def _inline(size: int) -> Callable[[], object]:
    body, headers = delivery(size)
    key = SECRET.encode()
    return lambda: inline(body, headers, key)


# (row, the peer, what its side does, how its side is made, target for the SDK's ratio to it)
PEERS: list[tuple[str, str, str, Callable[[int], Callable[[], object]], float | None]] = [
    ("5b", "Standard Webhooks", "standardwebhooks 1.3.0 Webhook.verify (parses the JSON)", standard_webhooks, 1.0),
    ("5c", "Svix", "svix 2.9.1 Webhook.verify + json.loads (its verify parses nothing)", svix, None),
    ("5d", "Stripe", "stripe 16.1.0 Webhook.construct_event (verify, then an Event object)", stripe_event, None),
    ("5e", "gidgethub", "gidgethub 6.0.0 Event.from_http (X-Hub-Signature-256, then the JSON)", github_event, None),
]


def scaling(sizes: Sizes) -> Scaling:
    """Verify's cost per KiB of body at 1 KiB, 64 KiB and 1 MiB, beside the inline checks and Standard Webhooks."""
    body_sizes = QUICK_SCALING_SIZES if sizes.quick else SCALING_SIZES
    lines: dict[str, list[float]] = {"SDK": [], "inline hashlib + hmac + json": [], "Standard Webhooks": []}
    for size in body_sizes:
        # About 64 MiB of body per round at every size; 2 calls when quick.
        calls = 2 if sizes.quick else max(10, 64 * KIB * KIB // size // 16)
        ours, theirs = compare(_repeat(_up42(size), calls), _repeat(_inline(size), calls), sizes.rounds)
        _, peer = compare(_repeat(_up42(size), calls), _repeat(standard_webhooks(size), calls), sizes.rounds)
        for name, seconds in zip(lines, (ours, theirs, peer), strict=True):
            lines[name].append(seconds / calls * 1e6 / (size / KIB))
    return Scaling(
        key="verify",
        title="verify and parse a delivery: cost per KiB of body",
        size_name="body size (bytes)",
        sizes=body_sizes,
        unit="us/KiB",
        lines={name: tuple(figures) for name, figures in lines.items()},
        flat="SDK",
        note=(
            "Each side hashes the body once (the SDK and the inline checks for its Content-Digest, Standard "
            "Webhooks inside its HMAC) and decodes it once. verify reads any body size; a receiver's ASGI app "
            "refuses bodies over max_body_size, 1 MiB by default, before verifying (exactly 1 MiB is accepted)."
        ),
    )


def rows(sizes: Sizes) -> list[Row | Scaling]:
    """Row 5 and its peers 5b-5e, each measured against the SDK in alternating rounds, then the scaling."""
    sdk = _repeat(_up42(SIZE), sizes.verifies)
    ours, theirs = compare(sdk, _repeat(_inline(SIZE), sizes.verifies), sizes.rounds)
    results: list[Row | Scaling] = [
        Row(
            "5",
            "receiving.verify of a 2 KiB delivery (verify, then the typed event)",
            micros(ours / sizes.verifies) + "/call",
            micros(theirs / sizes.verifies) + "/call",
            ours / theirs,
            1.6,
            note="baseline: hmac + hashlib + base64 + json.loads inline, same checks",
        )
    ]
    for number, peer, what, make, target in PEERS:
        ours, theirs = compare(sdk, _repeat(make(SIZE), sizes.verifies), sizes.rounds)
        results.append(
            Row(
                number,
                f"row 5 against {peer}, verifying its own 2 KiB delivery",
                micros(ours / sizes.verifies) + "/call",
                micros(theirs / sizes.verifies) + "/call",
                ours / theirs,
                target,
                note=f"baseline: {what}",
            )
        )
    results.append(scaling(sizes))
    return results
