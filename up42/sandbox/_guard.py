"""Which requests the sandbox serves: those addressed to it by a loopback name, and no state change from other sites.

Its ``/sandbox/`` paths and its dashboard need no token, since the sandbox listens on loopback; two browser attacks
still reach a server there, and both are refused here, in front of every route.

* DNS rebinding: a page on ``attacker.example`` points that name at 127.0.0.1, and the browser then lets it read
  the sandbox's answers as its own origin's. Such requests carry ``Host: attacker.example``, so a request whose
  Host is not a loopback name or address (``localhost``, ``127.0.0.0/8``, ``[::1]``), which covers the address the
  sandbox is bound to, is answered 403.
* Cross-site requests: any page can make a browser POST to ``http://127.0.0.1:8042/...`` (a form, or ``fetch``
  in ``no-cors`` mode). It cannot read the answer, but the POST would act: simulate an event, resend deliveries.
  A state-changing request (any method but GET, HEAD and OPTIONS) to ``/sandbox/`` or ``/dashboard`` that the
  browser marks as coming from another site (``Sec-Fetch-Site``, or an ``Origin`` other than the sandbox's own)
  is answered 403. Clients other than browsers send neither header and pass.

Bound to an address that is not loopback (``--host 0.0.0.0``), the sandbox is meant to be reached under other
names (a LAN address, ``host.docker.internal``), so the Host check is off: anyone on the network can use it, and
so can a rebinding page. The cross-site check still holds.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ._faults import TOOL_PREFIXES
from ._validation import is_loopback

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def same_site(request: Request) -> bool:
    """Whether a browser would say ``request`` comes from the sandbox's own pages (or from no page at all)."""
    # Browsers send Sec-Fetch-Site and, on a POST, Origin; a request from another site carries either.
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.url.netloc}"


def host_name(host: str) -> str:
    """The name or address of a Host header's value, without its port and an IPv6 address's brackets."""
    if host.startswith("["):
        return host[1:].partition("]")[0]
    name, colon, port = host.rpartition(":")
    return name if colon and port.isdigit() else host


def _refusal(message: str) -> JSONResponse:
    body = {"data": None, "error": {"code": "FORBIDDEN", "message": message, "details": None}}
    return JSONResponse(body, status_code=403)


class Guard:
    """ASGI middleware refusing foreign Host headers (when ``check_host``) and cross-site state changes."""

    def __init__(self, app: ASGIApp, *, check_host: bool) -> None:
        self._app = app
        self._check_host = check_host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] == "http":
            refusal = self._refusal(scope)
            if refusal is not None:
                await _refusal(refusal)(scope, receive, send)
                return
        await self._app(scope, receive, send)

    def _refusal(self, scope: Scope) -> str | None:
        host = Headers(scope=scope).get("host")
        # A browser always sends Host; a client that sends none (HTTP/1.0) is not one.
        if self._check_host and host is not None and not is_loopback(host_name(host)):
            return "the sandbox answers only requests addressed to it by a loopback name, such as 127.0.0.1"
        if scope["method"] in SAFE_METHODS or not scope["path"].startswith(TOOL_PREFIXES):
            return None
        if not same_site(Request(scope)):
            return "the sandbox refuses state changes from another site's pages"
        return None
