"""A local UP42 for development and tests: a real HTTP server with SQLite state that speaks the webhooks API.

It serves the token and userinfo endpoints and the seven webhook operations with UP42's shapes, sends signed
deliveries (test runs, and live events simulated with ``POST /sandbox/events``), and keeps every delivery with
its attempts in the database: pending retries survive a restart, and ``GET /sandbox/deliveries`` lists them a
page at a time (the newest 1,000, or ``limit``; the ``Link`` header names the page of older ones, ``rel="next"``),
``GET /sandbox/deliveries/{id}`` shows the request exactly as sent, ``POST /sandbox/deliveries/{id}/resend`` sends
it again (``openapi/sandbox.yaml`` describes these paths). It can inject latency, rate limiting and random
failures, and answer the next calls of an operation as a test scripts them (`Sandbox.script`, or
``POST /sandbox/scripts``): a 422 on create, a 503 on get, held to UP42's spec. Start it from Python
with `Sandbox`, from a shell with ``up42 sandbox``, or in a test with the ``up42_sandbox`` pytest fixture.

It needs the ``sandbox`` extra: ``pip install 'up42-webhooks[sandbox]'``; without it, importing this module raises
a ``ModuleNotFoundError`` that says so.
"""

from .._extras import needs_extra

with needs_extra("sandbox"):
    from ._delivery import RetryPolicy
    from ._faults import Faults
    from ._sandbox import DEFAULT_PASSWORD, DEFAULT_TOKEN_TTL, DEFAULT_USERNAME, Sandbox

__all__ = ["DEFAULT_PASSWORD", "DEFAULT_TOKEN_TTL", "DEFAULT_USERNAME", "Faults", "RetryPolicy", "Sandbox"]
