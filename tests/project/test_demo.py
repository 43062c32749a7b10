"""`make demo`'s script end to end: it starts a sandbox and a receiver, tells the whole story, and cleans up."""

from __future__ import annotations

import re
import subprocess
import sys

import httpx
import pytest

from tests.support.contract import ROOT


def test_the_demo_walks_through_the_flow_and_stops_what_it_started() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")], capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    story = [line.split(".", 1)[0] for line in lines if re.match(r"^\d+\. ", line)]
    assert story == [str(step) for step in range(1, 11)]
    test_step = lines.index(next(line for line in lines if line.startswith("4. ")))
    verified = next(i for i, line in enumerate(lines) if "[receiver]" in line and "verified order.status (test" in line)
    assert test_step < verified < lines.index("   The receiver verified the signed delivery.")
    assert any("Test request was successful! HttpResponse[" in line and "200 OK]" in line for line in lines)
    assert "   Deleted; 0 webhooks left." in lines
    # The command line's loop: `up42 trigger` reaches the receiver live, and the delivery log shows it.
    trigger_step = lines.index(next(line for line in lines if line.startswith("9. ")))
    live = next(i for i, line in enumerate(lines) if "[receiver]" in line and "is FAILED_PERMANENTLY" in line)
    assert trigger_step < live
    message_id = next(line.split()[-1] for line in lines if line.startswith("   Triggered order.status: message "))
    log = lines[lines.index(next(line for line in lines if line.startswith("10. "))) :]
    assert any(message_id in line and line.rstrip().endswith("200     delivered") for line in log)
    assert "$UP42_WEBHOOK_SECRET" in result.stdout  # the secret itself is never shown
    assert lines[-1].startswith("Done:")

    started = re.findall(r"(http://127\.0\.0\.1:\d+)", result.stdout.split("\n\n", 1)[0])
    assert len(started) == 2
    for url in started:
        with pytest.raises(httpx.ConnectError):
            httpx.get(url, timeout=5)
