"""The durable-receiving guide's plain-shell recipe, run as written in bash and in the system's sh: a receiver and
two workers in the background, and nothing left running once the shell is interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.docs import DOCS, blocks
from tests.support.loopback import free_port

GUIDE = DOCS / "guides" / "durable-receiving.md"
DEADLINE = 60.0
"""Seconds for the processes to start, and for all of them to be gone after SIGINT (a worker stops within 10 s)."""


def recipe() -> str:
    """The guide's ``sh`` block that starts the workers, as written."""
    (code,) = [block.code for block in blocks(GUIDE) if block.language == "sh" and "up42 worker" in block.code]
    return code


def hooks_module() -> str:
    """The module the guide's receivers and workers import, ``hooks.py``."""
    (code,) = [block.code for block in blocks(GUIDE) if block.language == "python" and "asgi_app()" in block.code]
    return code


def session(leader: int) -> dict[int, str]:
    """The live processes of the session ``leader`` leads, with their command lines (zombies have ended)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, _, _, sid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:4]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # ended while being read
        if int(sid) == leader and state != "Z":
            found[int(entry.name)] = command
    return found


def wait_until(check: object, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.1)


# The shell starts with Ctrl+C's signals as a terminal gives them. A process started in the background by a
# non-interactive shell (a CI runner, `make ... &`) has SIGINT and SIGQUIT ignored, and a shell cannot trap a signal
# ignored when it started: the recipe's trap would never run.
DEFAULT_SIGNALS = (
    "import os, signal, sys\n"
    "for number in (signal.SIGINT, signal.SIGQUIT):\n"
    "    signal.signal(number, signal.SIG_DFL)\n"
    "os.execvp(sys.argv[1], sys.argv[1:])\n"
)


@pytest.fixture(params=["bash", "sh"])
def shell(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """The shell running the recipe in a session of its own (on a free port), and its log; all killed at the end."""
    (tmp_path / "hooks.py").write_text(hooks_module())
    script = tmp_path / "recipe.sh"
    script.write_text(recipe().replace("--port 8000", f"--port {free_port()}"))
    log = tmp_path / "recipe.log"
    env = {name: value for name, value in os.environ.items() if not name.startswith("UP42_")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-c", DEFAULT_SIGNALS, request.param, str(script)],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process, log
    finally:
        for pid in session(process.pid):
            os.kill(pid, signal.SIGKILL)
        process.wait(DEADLINE)


@pytest.mark.parametrize(
    ("number", "to_group"),
    [(signal.SIGINT, False), (signal.SIGTERM, False), (signal.SIGINT, True)],
    ids=["SIGINT to the shell", "SIGTERM to the shell", "Ctrl+C in a terminal"],
)
def test_the_plain_shell_recipe_stops_every_process_it_started_when_it_is_stopped(
    shell: tuple[subprocess.Popen[bytes], Path], number: signal.Signals, to_group: bool
) -> None:
    process, log = shell
    # Both uvicorn processes have started the app, and both workers are taking messages.
    wait_until(
        lambda: (
            log.read_text().count("Application startup complete") == 2 and log.read_text().count(" started on ") == 2
        ),
        "the receivers and the workers have started",
    )
    started = session(process.pid)
    assert sum("uvicorn hooks:app" in command for command in started.values()) >= 1
    assert sum("worker hooks:receiver" in command for command in started.values()) == 2

    # A terminal sends Ctrl+C to every process of its foreground group; `kill` and a process manager to the shell.
    (os.killpg if to_group else os.kill)(process.pid, number)

    process.wait(DEADLINE)
    wait_until(lambda: not session(process.pid), "every process the recipe started is gone")
    assert process.returncode == 128 + number  # the shell ends as one stopped by that signal does
    assert log.read_text().count(" stopped") >= 2, log.read_text()
