"""``up42 listen`` as a child process, and deliveries signed for it."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
import time
from typing import Any

import httpx

from tests.support.cli import SECRET, UP42
from tests.support.deliveries import delivery, message
from tests.support.waiting import WAIT

# What a listener that sets itself up prints on stderr once its webhook exists.
READY = re.compile(r"^Ready! Signing secret: (?P<secret>\S+); webhook (?P<id>\S+) delivers (?P<events>.+) here, ")


class Listener:
    """``up42 listen`` in a child process; its lines arrive in ``out`` and ``err`` as it prints them.

    ``env`` is added to the test's environment (a sandbox's ``env``, say). Without ``--secret`` the listener sets
    itself up: its secret and its webhook's id are then ``secret`` and ``webhook_id``, from its ``Ready!`` line.
    """

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [UP42, "listen", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=None if env is None else {**os.environ, **env},
        )
        self.out: queue.Queue[str] = queue.Queue()
        self.err: queue.Queue[str] = queue.Queue()
        self._pumps = [
            threading.Thread(target=self._pump, args=(stream, lines), daemon=True)
            for stream, lines in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))
        ]
        for pump in self._pumps:
            pump.start()
        self.secret = self.webhook_id = ""
        self.events: list[str] = []
        try:
            first = self.next_line(self.err if "--json" in args else self.out)
            assert first.startswith("Listening on http://127.0.0.1:"), first  # on stderr in JSON mode
            if "--secret" not in args:
                ready = READY.match(self.lines_until(self.err, "Ready! ")[-1])
                assert ready, "no Ready! line"
                self.secret, self.webhook_id, self.events = ready["secret"], ready["id"], ready["events"].split(", ")
        except AssertionError:
            self.stop()  # leave no listener running behind a failed test
            raise
        self.url = first.split()[2]

    @staticmethod
    def _pump(stream: Any, lines: queue.Queue[str]) -> None:
        for line in stream:
            lines.put(line)

    def next_line(self, lines: queue.Queue[str], timeout: float = WAIT) -> str:
        try:
            return lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("the listener printed nothing in time") from None

    def lines_until(self, lines: queue.Queue[str], needle: str) -> list[str]:
        seen: list[str] = []
        deadline = time.monotonic() + 20
        while not any(needle in line for line in seen):
            assert time.monotonic() < deadline, seen
            seen.append(self.next_line(lines))
        return seen

    def stop(self, sig: int = signal.SIGTERM) -> tuple[list[str], list[str]]:
        """Stop the listener with ``sig``; the lines of stdout and of stderr not read yet."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.wait(timeout=20)
        for pump in self._pumps:
            pump.join(timeout=20)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        return list(self.out.queue), list(self.err.queue)


GUARD = 60.0  # seconds; far beyond the forward deadline, so only a forward that is never given up trips it


def deliver(url: str, **fields: Any) -> httpx.Response:
    """POST a delivery signed with SECRET to ``url``, as UP42 would (``fields`` replace the message's); the answer."""
    body, headers = delivery(message(**fields), secret=SECRET)
    return httpx.post(url, content=body, headers=headers, timeout=GUARD, trust_env=False)
