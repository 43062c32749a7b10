"""`make demo`: start a local UP42 sandbox and a receiver, run the quickstart and the command line's loop, stop both.

Everything runs on loopback: `up42 sandbox` on a free port, `up42 listen` on another, then
`examples/quickstart.py` with the sandbox's credentials (the Python SDK), then the developer's loop with the
`up42` command: create a webhook, simulate an order that failed with `up42 trigger`, and read the delivery log.
The receiver's lines are shown as they arrive, so the output reads as one story. Exits non-zero on the first
step that fails.
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


def relay(story: IO[str], receiver: IO[str], indent: str = "") -> None:
    """Print the story's lines and the receiver's (indented), in arrival order, until the story ends."""
    prefixes = {story.fileno(): indent, receiver.fileno(): "   [receiver] "}
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


def run(command: list[str], receiver: IO[str], env: dict[str, str], indent: str = "") -> int:
    """Run ``command``, relaying its output and the receiver's; its exit status."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)  # noqa: S603
    try:
        relay(pipe(proc), receiver, indent)
    finally:
        if proc.poll() is None:
            proc.kill()
        pipe(proc).close()
    return proc.wait()


def loop(receiver_url: str, secret: str, receiver: IO[str], env: dict[str, str]) -> int:
    """The developer's loop with the `up42` command, numbered on from the quickstart's seven steps."""
    steps = [
        ("Register a webhook from the command line, active at once.", ["webhooks", "create", "--name", "orders",
         "--url", receiver_url, "--event", "order.status", "--secret", secret, "--active"]),
        ("Simulate the platform: an order failed. The sandbox signs and delivers it live.",
         ["trigger", "order.status", "--set", "status=FAILED_PERMANENTLY", "--set", "orderType=TASKING"]),
        ("Read the delivery log: one row per message and webhook, with its attempts.", ["deliveries", "list"]),
    ]  # fmt: skip
    for number, (title, args) in enumerate(steps, start=8):
        print(f"{number}. {title}", flush=True)
        shown = " ".join('"$UP42_WEBHOOK_SECRET"' if arg == secret else arg for arg in args)
        print(f"   $ up42 {shown}", flush=True)
        code = run([UP42, *args], receiver, env, indent="   ")
        if code != 0:
            return code
    return 0


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
        code = run([sys.executable, "-u", str(HERE / "quickstart.py"), receiver_url], pipe(listener), env) or loop(
            receiver_url, secret, pipe(listener), env
        )
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
        print(f"A step failed (exit status {code}).", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
