"""A private redis-server that a test can stop and start again on the same port and data folder."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import redis

from tests.support.loopback import free_port
from up42.receiving.durable.backends._redis_client import close_client

STARTUP_SECONDS = 10


@contextlib.contextmanager
def connected(url: str) -> Iterator[redis.Redis]:
    """A client that leaves no socket open behind it, on the oldest redis-py supported too."""
    client = redis.Redis.from_url(url)
    try:
        yield client
    finally:
        close_client(client)


class RedisServer:
    """redis-server on loopback, persisting every write to an append-only file (so a restart keeps the data)."""

    def __init__(self, workdir: Path, *options: str) -> None:
        executable = shutil.which("redis-server")
        assert executable is not None, "redis-server is not installed (.ci/run installs it)"
        self.executable = executable
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.options = options
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start and wait until it answers PING."""
        command = [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.workdir), *self.options]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert self.process.poll() is None, f"redis-server exited with {self.process.returncode}"
            with connected(self.url) as client:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop it (SIGTERM: the append-only file is flushed) and wait."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(STARTUP_SECONDS)
            self.process = None
