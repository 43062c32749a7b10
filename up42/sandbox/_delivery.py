"""Deliveries: build the message, sign it, POST it, log the attempt, and retry live events with backoff.

Test deliveries (``liveMode`` false) are sent once and reported in the TestRun. Live deliveries are sent at
once; those that fail are retried in the background, with exponentially growing pauses, until one succeeds,
the attempts run out, or the webhook is deleted or deactivated. Every attempt lands in the delivery log.
Pending retries live in memory: stopping the sandbox drops them (the log keeps the attempts made).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import logging
import ssl
import uuid
from typing import Any

import httpx
from starlette.concurrency import run_in_threadpool

from up42._simulate import test_body
from up42._version import __version__
from up42.receiving import sign

from ._store import Attempt, Store, StoredWebhook, timestamp

logger = logging.getLogger("up42.sandbox")

USER_AGENT = f"up42-sandbox/{__version__}"


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """How live deliveries are retried: ``attempts`` in all, pauses from ``first_delay`` growing by ``factor``."""

    attempts: int = 5
    first_delay: float = 1.0
    factor: float = 2.0
    max_delay: float = 60.0
    timeout: float = 10.0

    def delay(self, attempt: int) -> float:
        """The pause before attempt number ``attempt`` (2 and up)."""
        return min(self.max_delay, self.first_delay * self.factor ** (attempt - 2))


@dataclasses.dataclass(frozen=True)
class Outcome:
    """How one attempt went."""

    headers: dict[str, str]
    status: int | None
    reason: str
    error: str | None

    @property
    def ok(self) -> bool:
        """Whether the receiver acknowledged the delivery (any 2xx)."""
        return self.error is None


@functools.cache
def _tls() -> ssl.SSLContext:
    # Loading the CA certificates takes a noticeable moment; every sandbox in a process shares one context.
    return ssl.create_default_context()


def message(event: str, body: dict[str, Any], *, live: bool) -> dict[str, Any]:
    """A delivery body as UP42 sends it, with a fresh ``messageId``."""
    return {
        "event": event,
        "liveMode": live,
        "messageId": str(uuid.uuid4()),
        "timestamp": timestamp(),
        "body": body,
    }


class Deliverer:
    """Sends deliveries over one HTTP client and remembers the retries still pending."""

    def __init__(self, store: Store, policy: RetryPolicy) -> None:
        self._store = store
        self.policy = policy
        self._http = httpx.AsyncClient(
            timeout=policy.timeout,
            verify=_tls(),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": USER_AGENT},
        )
        self._pending: set[asyncio.Task[None]] = set()

    async def aclose(self) -> None:
        """Cancel pending retries and close the HTTP client."""
        for task in list(self._pending):
            task.cancel()
        await asyncio.gather(*self._pending, return_exceptions=True)
        await self._http.aclose()

    async def _send(self, hook: StoredWebhook, payload: dict[str, Any], attempt: int) -> Outcome:
        body = json.dumps(payload, separators=(",", ":")).encode()
        secret = hook.fields.secret
        headers = dict(sign(body, secret)) if secret else {"Content-Type": "application/json"}
        sent_at = timestamp()
        try:
            # Streamed and never read: the answer's body is ignored, however large.
            async with self._http.stream("POST", hook.fields.url, content=body, headers=headers) as response:
                failed = None if response.is_success else f"the receiver answered {response.status_code}"
                outcome = Outcome(headers, response.status_code, response.reason_phrase, failed)
        except httpx.HTTPError as error:
            outcome = Outcome(headers, None, "", f"{type(error).__name__}: {error}".rstrip(": "))
        attempt_row = Attempt(
            hook.id,
            payload["event"],
            payload["messageId"],
            payload["liveMode"],
            attempt,
            outcome.status,
            outcome.error,
            sent_at,
        )
        await run_in_threadpool(self._store.record, attempt_row)
        logger.info(
            "Delivered %s %s to webhook %s (attempt %d): %s",
            payload["event"],
            payload["messageId"],
            hook.id,
            attempt,
            outcome.error or outcome.status,
        )
        return outcome

    async def test(self, hook: StoredWebhook) -> dict[str, Any]:
        """Send one test delivery per subscribed event and report them as UP42's TestRun."""
        started = timestamp()
        tests = []
        for event in hook.fields.events:
            payload = message(event, test_body(event), live=False)
            test_started = timestamp()
            outcome = await self._send(hook, payload, attempt=1)
            tests.append(
                {
                    "startedAt": test_started,
                    "eventName": event,
                    "success": outcome.ok,
                    "message": "Test request was successful!"
                    if outcome.ok
                    else f"Test request failed: {outcome.error}",
                    "request": {"headers": outcome.headers, "body": payload},
                    "response": None
                    if outcome.status is None
                    else f"HttpResponse[{hook.fields.url}, {outcome.status} {outcome.reason}]".replace(" ]", "]"),
                }
            )
        succeeded = sum(1 for test in tests if test["success"])
        return {
            "startedAt": started,
            "testsRun": len(tests),
            "testsSucceeded": succeeded,
            "testsFailed": len(tests) - succeeded,
            "tests": tests,
        }

    async def publish(self, event: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        """Deliver a live event to every active subscribed webhook; return each first attempt.

        Failed first attempts are retried in the background.
        """
        hooks = await run_in_threadpool(self._store.subscribed, event)
        payloads = [message(event, body, live=True) for _ in hooks]
        outcomes = await asyncio.gather(
            *(self._send(hook, payload, 1) for hook, payload in zip(hooks, payloads, strict=True))
        )
        first = []
        for hook, payload, outcome in zip(hooks, payloads, outcomes, strict=True):
            if not outcome.ok and self.policy.attempts > 1:
                task = asyncio.create_task(self._retry(hook, payload))
                self._pending.add(task)
                task.add_done_callback(self._pending.discard)
            first.append(
                {
                    "webhookId": hook.id,
                    "messageId": payload["messageId"],
                    "status": outcome.status,
                    "error": outcome.error,
                }
            )
        return first

    async def _retry(self, hook: StoredWebhook, payload: dict[str, Any]) -> None:
        for attempt in range(2, self.policy.attempts + 1):
            await asyncio.sleep(self.policy.delay(attempt))
            current = await run_in_threadpool(self._store.get, hook.workspace_id, hook.id)
            if current is None or not current.fields.active:
                logger.info("Stopped retrying %s: webhook %s is gone or inactive", payload["messageId"], hook.id)
                return
            if (await self._send(current, payload, attempt)).ok:
                return
        logger.warning(
            "Gave up on %s to webhook %s after %d attempts", payload["messageId"], hook.id, self.policy.attempts
        )
