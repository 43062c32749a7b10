"""Hooks for `schemathesis run` against a sandbox, loaded from the path given as ``hooks`` in schemathesis.toml.

A webhook's URL is where the sandbox sends test runs and simulated events, and generated URLs name real hosts
(``https://0.com``). So before each request, a URL in its body is pointed at a closed port on loopback: a run never
reaches beyond this machine. Every URL schemathesis generates is an ``https://`` one, valid for the spec and the
sandbox alike, so the swap leaves a valid request valid; a value that is not a URL is left alone, to be refused.
"""

from __future__ import annotations

from typing import Any

import schemathesis

# The discard port: nothing listens there, so a delivery fails at once.
NOWHERE = "http://127.0.0.1:9/hook"


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: schemathesis.Case, kwargs: dict[str, Any]) -> None:
    """Point the webhook URL of a request body at `NOWHERE`."""
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("url"), str) and body["url"].lower().startswith("http"):
        body["url"] = NOWHERE
