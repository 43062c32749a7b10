"""The dashboard: server-rendered pages of the sandbox's webhooks and deliveries, with a resend button.

Plain HTML from Jinja2 templates (``templates/``), autoescaped, so a webhook named ``<script>`` shows as text and
no page needs JavaScript. A JSON body, sent or answered, is shown indented. Webhook secrets are never handed to a
template. The one form, resend, is refused when
it comes from another site (by `Guard`, in front of every route): a page elsewhere must not make this server
send deliveries.
"""

from __future__ import annotations

import json
from typing import Any

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from ._delivery import Deliverer, WebhookGoneError
from ._store import DELIVERY_STATES, Store

RECENT = 100


def _templates() -> Jinja2Templates:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("up42.sandbox", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["indented"] = indented
    return Jinja2Templates(env=environment)


def indented(text: str) -> str:
    """``text`` indented for reading when it is JSON, else as it is."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        return text


class Dashboard:
    """The pages over one store and one deliverer."""

    def __init__(self, store: Store, deliverer: Deliverer) -> None:
        self._store = store
        self._deliverer = deliverer
        self._templates = _templates()

    def routes(self) -> list[Route]:
        """``/dashboard``, a page per delivery, and the resend form's target."""
        return [
            Route("/dashboard", self.home, methods=["GET"], name="dashboard"),
            Route("/dashboard/deliveries/{delivery_id}", self.delivery, methods=["GET"], name="dashboard_delivery"),
            Route(
                "/dashboard/deliveries/{delivery_id}/resend",
                self.resend,
                methods=["POST"],
                name="dashboard_resend",
            ),
        ]

    def _problem(self, request: Request, status: int, title: str, message: str) -> Response:
        context = {"title": title, "message": message}
        return self._templates.TemplateResponse(request, "problem.html", context, status_code=status)

    async def home(self, request: Request) -> Response:
        """The webhooks (never their secrets) and a page of the deliveries, newest first, with a link to older ones.

        ``?before=ID`` shows the page of those made before that delivery, as the link does.
        """
        state = request.query_params.get("state") or None
        before = request.query_params.get("before") or None
        if state is not None and state not in DELIVERY_STATES:
            return self._problem(
                request, 400, "Unknown state", f"Show deliveries by state: {', '.join(DELIVERY_STATES)}."
            )
        hooks = await run_in_threadpool(self._store.all_webhooks)
        try:
            page = await run_in_threadpool(lambda: self._store.page(RECENT, state=state, before=before))
        except LookupError:
            message = f"The sandbox has no delivery {request.query_params['before'][:40]!r} to show older ones from."
            return self._problem(request, 404, "No such delivery", message)
        context: dict[str, Any] = {
            "webhooks": [
                {
                    "id": hook.id,
                    "name": hook.fields.name,
                    "url": hook.fields.url,
                    "events": hook.fields.events,
                    "active": hook.fields.active,
                }
                for hook in hooks
            ],
            "names": {hook.id: hook.fields.name for hook in hooks},
            "deliveries": [delivery.to_api() for delivery in reversed(page.deliveries)],
            "older": None if page.older is None else request.url.include_query_params(before=page.older),
            "newest": None if before is None else request.url.remove_query_params("before"),
            "current_state": state,
            "states": DELIVERY_STATES,
        }
        return self._templates.TemplateResponse(request, "dashboard.html", context)

    async def delivery(self, request: Request) -> Response:
        """One delivery: the request exactly as sent, every attempt, and the resend button."""
        delivery_id = request.path_params["delivery_id"]
        found = await run_in_threadpool(self._store.delivery, delivery_id)
        if found is None:
            return self._problem(request, 404, "No such delivery", f"The sandbox has no delivery {delivery_id!r}.")
        hook = await run_in_threadpool(self._store.webhook, found.webhook_id)
        context = {
            "delivery": found.to_detail(),
            "webhook_name": "(deleted)" if hook is None else hook.fields.name,
            "resent": request.query_params.get("resent") == "1",
        }
        return self._templates.TemplateResponse(request, "delivery.html", context)

    async def resend(self, request: Request) -> Response:
        """Send the message again, then show the delivery with the new attempt (`Guard` refused other sites)."""
        delivery_id = request.path_params["delivery_id"]
        try:
            await self._deliverer.resend(delivery_id)
        except LookupError as missing:
            return self._problem(request, 404, "Cannot resend", str(missing))
        except WebhookGoneError as gone:
            return self._problem(request, 409, "Cannot resend", str(gone))
        target = request.url_for("dashboard_delivery", delivery_id=delivery_id).include_query_params(resent="1")
        return RedirectResponse(str(target), status_code=303)
