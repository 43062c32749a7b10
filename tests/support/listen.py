"""``up42 listen`` as a child process, and deliveries signed for it."""

from __future__ import annotations

import queue
import subprocess
import threading
import time
from typing import Any

import httpx

from tests.support.cli import SECRET, UP42
from tests.support.deliveries import delivery, message


class Listener:
    """``up42 listen`` in a child process; its lines arrive in ``out`` and ``err`` as it prints them."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [UP42, "listen", "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.out: queue.Queue[str] = queue.Queue()
        self.err: queue.Queue[str] = queue.Queue()
        self._pumps = [
            threading.Thread(target=self._pump, args=(stream, lines), daemon=True)
            for stream, lines in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))
        ]
        for pump in self._pumps:
            pump.start()
        try:
            first = self.next_line(self.err if "--json" in args else self.out)
            assert first.startswith("Listening on http://127.0.0.1:"), first  # on stderr in JSON mode
        except AssertionError:
            self.stop()  # leave no listener running behind a failed test
            raise
        self.url = first.split()[2]

    @staticmethod
    def _pump(stream: Any, lines: queue.Queue[str]) -> None:
        for line in stream:
            lines.put(line)

    def next_line(self, lines: queue.Queue[str], timeout: float = 20) -> str:
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

    def stop(self) -> tuple[list[str], list[str]]:
        """Stop the listener; the lines of stdout and of stderr not read yet."""
        self.proc.terminate()
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
