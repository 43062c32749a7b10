"""The receiver the inbox benchmark's workers import (``up42 worker benchmarks._inbox_hooks:receiver``)."""

from __future__ import annotations

import os

from up42.receiving import Receiver, WebhookEvent

receiver = Receiver(os.environ["UP42_BENCH_SECRET"], inbox=os.environ.get("UP42_BENCH_INBOX"))


@receiver.on("order.status")
def trivial(event: WebhookEvent) -> None:
    """Does nothing, so the row measures the inbox and the worker loop alone."""
