"""A private PostgreSQL cluster that a test can stop and start again on the same port and data folder.

``initdb`` makes a throwaway cluster in a temporary folder, and ``pg_ctl`` runs it on a free loopback port with its
Unix socket in that folder. PostgreSQL refuses to run as root: as root, every server command runs as the
``postgres`` user (``runuser``), who owns the folder.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg

from tests.support.loopback import free_port

STARTUP_SECONDS = 60
USER = "up42"
PASSWORD = "pg-test-password"
# Speed over durability: the cluster lives for one test session, and a clean stop (pg_ctl's) loses nothing.
SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=300")


def find_bindir() -> Path | None:
    """Where initdb and pg_ctl are: ``pg_config --bindir``, Debian's /usr/lib/postgresql/<version>/bin (the newest),
    or PATH; None when the server is not installed."""
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        found = Path(subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True).stdout.strip())
        if (found / "pg_ctl").exists():
            return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda path: int(path.split("/")[4]))
    on_path = shutil.which("pg_ctl")
    if not candidates and on_path is None:
        return None
    return Path(candidates[-1] if candidates else str(on_path)).parent


class PostgresServer:
    """A PostgreSQL cluster on loopback, with a password user `USER` who owns the databases the tests make.

    Args:
        settings: Server settings (``name=value``); by default `SETTINGS`, for tests.
    """

    def __init__(self, settings: tuple[str, ...] = SETTINGS) -> None:
        found = find_bindir()
        assert found is not None, "the PostgreSQL server is not installed (.ci/run installs it)"
        self.bin = found
        self.settings = settings
        self.folder = Path(tempfile.mkdtemp(prefix="up42-postgres-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        (self.folder / "password").write_text(PASSWORD)
        self._server(
            "initdb",
            f"--pgdata={self.data}",
            f"--username={USER}",
            f"--pwfile={self.folder / 'password'}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--no-sync",
        )
        self.admin_url = self.database_url("postgres")
        self.url = self.database_url("up42")

    def _server(self, program: str, *args: str) -> None:
        """Run a server program of the cluster, as the ``postgres`` user when this is root."""
        command = [str(self.bin / program), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=STARTUP_SECONDS)

    def database_url(self, name: str) -> str:
        return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{name}"

    def start(self) -> None:
        """Start, and wait until it accepts connections (pg_ctl -w)."""
        settings = [f"-c {setting}" for setting in ("listen_addresses=127.0.0.1", *self.settings)]
        options = " ".join([f"-p {self.port}", f"-k {self.folder}", *settings])
        self._server(
            "pg_ctl", "start", "-w", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-o", options
        )

    def stop(self) -> None:
        """Stop it: its clients are disconnected at once, and what they committed is kept."""
        self._server("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data))

    def create_database(self, name: str | None = None) -> str:
        """A new empty database (a fresh name unless given); its URL."""
        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.database_url(name)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def running_server(settings: tuple[str, ...] = SETTINGS) -> Iterator[PostgresServer]:
    """A started `PostgresServer` with a database ``up42``, stopped and removed afterwards."""
    server = PostgresServer(settings)
    try:
        server.start()
        server.create_database("up42")
        yield server
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop()
    finally:
        server.remove()
