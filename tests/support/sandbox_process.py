"""``up42 sandbox`` as a child process that knows its URL once its banner is out."""

from __future__ import annotations

import queue
import signal
import subprocess
import threading
import time

from tests.support.cli import UP42

USERNAME, PASSWORD = "sandbox@example.com", "sandbox-password"


class SandboxProcess:
    """``up42 sandbox`` in a child process; knows its URL once the banner is printed."""

    def __init__(self, *args: str, port: int = 0) -> None:
        self.proc = subprocess.Popen(
            [UP42, "sandbox", "--port", str(port), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.output: list[str] = []
        self.url = self.wait_for("UP42 sandbox listening on ").split()[-1]
        self.port = int(self.url.rsplit(":", 1)[1])

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, prefix: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                assert self.proc.poll() is None, f"the sandbox exited: {''.join(self.output)}"
                continue
            self.output.append(line)
            if line.startswith(prefix):
                return line.strip()
        raise AssertionError(f"no line starting {prefix!r} within {timeout} s: {''.join(self.output)}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout=20)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return code

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop(signal.SIGKILL)
