"""`make demo`: start a local UP42 sandbox and a receiver, run the quickstart against them, then stop both.

Everything runs on loopback: `up42 sandbox` on a free port, `up42 listen` on another, and
`examples/quickstart.py` with the sandbox's credentials. The receiver's lines are shown as they arrive, so the
output reads as one story. Exits with the quickstart's status.
"""

from __future__ import annotations

import os
import secrets
import selectors
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

HERE = Path(__file__).resolve().parent
UP42 = str(Path(sys.executable).with_name("up42"))
TIMEOUT = 120


def pipe(proc: subprocess.Popen[str]) -> IO[str]:
    if proc.stdout is None:
        raise RuntimeError("started without stdout=PIPE")
    return proc.stdout


def line_starting(proc: subprocess.Popen[str], prefix: str, what: str) -> str:
    """The first line of the process's output that starts with ``prefix``."""
    for line in pipe(proc):
        if line.startswith(prefix):
            return line.strip()
    raise SystemExit(f"{what} did not start (exit status {proc.wait()})")


def relay(story: IO[str], receiver: IO[str]) -> None:
    """Print the quickstart's lines and the receiver's (indented), in arrival order, until the quickstart ends."""
    prefixes = {story.fileno(): "", receiver.fileno(): "   [receiver] "}
    partial = dict.fromkeys(prefixes, b"")
    selector = selectors.DefaultSelector()
    for fd in prefixes:
        selector.register(fd, selectors.EVENT_READ)
    deadline = time.monotonic() + TIMEOUT
    while story.fileno() in selector.get_map():
        if time.monotonic() > deadline:
            raise SystemExit(f"the quickstart did not finish within {TIMEOUT} s")
        # When both are ready the receiver goes first: it printed before it answered the delivery.
        for key, _ in sorted(selector.select(timeout=0.2), key=lambda ready: ready[0].fd == story.fileno()):
            # Raw reads: a buffered reader would hold lines back from select() and mix up the order.
            chunk = os.read(key.fd, 65536)
            if not chunk:
                selector.unregister(key.fd)
            *lines, partial[key.fd] = (partial[key.fd] + chunk).split(b"\n")
            for line in lines:
                print(f"{prefixes[key.fd]}{line.decode(errors='replace').rstrip()}", flush=True)


def main() -> int:
    secret = secrets.token_urlsafe(24)
    print("Starting a local UP42 sandbox and a receiver for its deliveries.", flush=True)
    sandbox = subprocess.Popen(  # noqa: S603 - a fixed command line, no shell
        [UP42, "sandbox", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    listener = None
    try:
        base_url = line_starting(sandbox, "UP42 sandbox listening on ", "the sandbox").split()[-1]
        # The banner ends with the line that points the SDK at the sandbox: export UP42_BASE_URL=... .
        exported = line_starting(sandbox, "  export ", "the sandbox").split()[1:]
        print(f"  sandbox:  {base_url}  (the UP42 API, token endpoint included)", flush=True)
        listener = subprocess.Popen(  # noqa: S603 - a fixed command line, no shell
            [UP42, "listen", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "UP42_WEBHOOK_SECRET": secret},
        )
        receiver_url = line_starting(listener, "Listening on ", "the receiver").split()[2]
        print(f"  receiver: {receiver_url}  (`up42 listen`: verifies each delivery's signature)", flush=True)
        print(flush=True)
        env = {**os.environ, **dict(pair.split("=", 1) for pair in exported), "UP42_WEBHOOK_SECRET": secret}
        quickstart = subprocess.Popen(  # noqa: S603 - a fixed command line, no shell
            [sys.executable, "-u", str(HERE / "quickstart.py"), receiver_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        try:
            relay(pipe(quickstart), pipe(listener))
        finally:
            if quickstart.poll() is None:
                quickstart.kill()
            pipe(quickstart).close()
        code = quickstart.wait()
    finally:
        for proc in (listener, sandbox):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=20)
                pipe(proc).close()
    print(flush=True)
    if code == 0:
        print("Done: the sandbox and the receiver are stopped. Next: `make test`, or the README.", flush=True)
    else:
        print(f"The quickstart failed (exit status {code}).", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
