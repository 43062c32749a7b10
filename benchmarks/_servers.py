"""The uvicorn servers of rows 6 and 7, each run in its own process: ``python -m benchmarks._servers KIND ...``.

- ``sandbox [DB]``: the local UP42 (`up42.sandbox.Sandbox`), its state in the SQLite file DB when given.
- ``bare JSON PATH``: a bare Starlette app answering GET PATH with the JSON text given, under the sandbox's own
  `Server` class, so the uvicorn settings are the same by construction.
- ``receiver SECRET``: `up42.receiving.Receiver` served as ASGI, verifying every delivery.

Each prints its port, serves from a background thread, and stops when its standard input closes.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from up42._server import Server, bind
from up42.receiving import Receiver
from up42.sandbox import Sandbox

TOKEN_TTL = 3600


def bare_app(payload: Any, path: str) -> Starlette:
    """One route returning ``payload``, as a hand-written Starlette service would."""

    async def endpoint(request: Request) -> JSONResponse:
        return JSONResponse(payload)

    return Starlette(routes=[Route(path, endpoint, methods=["GET"])])


def main(kind: str, *args: str) -> None:
    if kind == "sandbox":
        sandbox = Sandbox(token_ttl=TOKEN_TTL, db=args[0] if args else None).start()
        print(sandbox.url.rsplit(":", 1)[1], flush=True)
        sys.stdin.read()
        sandbox.stop()
        return
    app = bare_app(json.loads(args[0]), args[1]) if kind == "bare" else Receiver(args[0]).asgi_app()
    server = Server(app, bind("127.0.0.1", 0))
    server.start()
    print(server.url.rsplit(":", 1)[1], flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main(*sys.argv[1:])
