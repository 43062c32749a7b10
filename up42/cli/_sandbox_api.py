"""A small client for the sandbox's own ``/sandbox/`` paths (events, the delivery log, resends), for the CLI.

These paths need no token. Every failure becomes one `click.ClickException` line that says what to do: the
sandbox is not running, the place is UP42 itself (which has no ``/sandbox/`` paths), or the sandbox refused
the request (its own message).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import click
import httpx

from .._client._config import ENV_BASE_URL, ENV_REGION, USER_AGENT, region_of, resolve_hosts
from .._client._login import load_login
from .._client._unreachable import reason, tls_failure, unreachable
from ._common import check_place_variables

# A trigger answers once each webhook's first attempt is over, and a receiver may take its full 10 s each.
TIMEOUT = httpx.Timeout(60.0, connect=5.0)
# Deliveries asked for per page when listing all of them.
PAGE_SIZE = 1000


def needs_sandbox(place: str) -> click.ClickException:
    """The one-line answer when the place resolved to is not a sandbox."""
    command = click.get_current_context().command_path
    return click.ClickException(
        f"{command} needs a sandbox, and {place} has no /sandbox/ paths: start one with `up42 sandbox`, "
        "then pass --base-url URL or run `up42 login --base-url URL`"
    )


def sandbox_url(base_url: str | None, region: str | None, env: Mapping[str, str] = os.environ) -> str:
    """The sandbox's base URL: ``--base-url``, else ``UP42_BASE_URL``, else the stored login's.

    Raises:
        click.UsageError: Both ``base_url`` and ``region`` are given, or a variable read is not UTF-8 text.
        click.ClickException: The place is one of UP42's regions, which have no sandbox.
    """
    check_place_variables(base_url, region)
    # The stored login is read only when it decides the place, so a broken login file does not get in the way
    # of an explicit --base-url.
    decided = base_url or region or env.get(ENV_BASE_URL) or env.get(ENV_REGION)
    hosts = resolve_hosts(region, base_url, env, None if decided else load_login(env))
    name = region_of(hosts.api)
    if name is not None:
        raise needs_sandbox(f"UP42 itself (region {name}, {hosts.api})")
    return hosts.api


class SandboxAPI:
    """The ``/sandbox/`` paths of the sandbox at ``url``; each method returns the ``data`` of the envelope."""

    def __init__(self, url: str) -> None:
        self.url = url
        # trust_env off: the sandbox is a local server, and a proxy from the environment would only get in the way.
        self._http = httpx.Client(base_url=url, timeout=TIMEOUT, trust_env=False, headers={"User-Agent": USER_AGENT})

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._http.close()

    def trigger(self, event: str, body: Mapping[str, Any], webhook_id: str | None) -> dict[str, Any]:
        """Simulate ``event`` with ``body``: ``{"event", "messageId", "deliveries": [...]}``."""
        payload: dict[str, Any] = {"event": event, "body": dict(body)}
        missing = None
        refusals: dict[str, str] = {}
        if webhook_id is not None:
            payload["webhookId"] = webhook_id
            missing = f"no webhook {webhook_id!r} in the sandbox; `up42 webhooks list` shows them"
            # The sandbox says how to fix it over HTTP; here it is said with the commands that do it.
            refusals = {
                "WEBHOOK_INACTIVE": f"--webhook {webhook_id}: the webhook is inactive; activate it with "
                f"`up42 webhooks update {webhook_id} --active`",
                "WEBHOOK_NOT_SUBSCRIBED": f"--webhook {webhook_id}: the webhook is not subscribed to {event}; "
                f"subscribe it with `up42 webhooks update {webhook_id} --event {event}` (and --event for each "
                "event it keeps)",
            }
        result: dict[str, Any] = self._call("POST", "/sandbox/events", missing=missing, refusals=refusals, json=payload)
        return result

    def deliveries(self, **filters: str | int | None) -> list[dict[str, Any]]:
        """The delivery log, oldest first; ``filters`` are the query parameters that are not None.

        With a ``limit``, the newest that many (one page); without, every page, followed back from the newest.
        """
        params = {name: value for name, value in filters.items() if value is not None}
        if "limit" in params:
            rows: list[dict[str, Any]] = self._call("GET", "/sandbox/deliveries", params=params)
            return rows
        pages: list[list[dict[str, Any]]] = []
        page: dict[str, Any] = {**params, "limit": PAGE_SIZE}
        while True:
            response = self._send("GET", "/sandbox/deliveries", params=page)
            pages.append(self._data(response))
            # Only the cursor is taken from the link: the requests stay on this sandbox, with these filters.
            before = httpx.URL(response.links.get("next", {}).get("url", "")).params.get("before")
            if before is None:
                break
            page["before"] = before
        return [row for rows in reversed(pages) for row in rows]

    def delivery(self, delivery_id: str) -> dict[str, Any]:
        """One delivery with its request exactly as sent and every attempt."""
        path = f"/sandbox/deliveries/{_segment(delivery_id)}"
        detail: dict[str, Any] = self._call("GET", path, missing=_no_delivery(delivery_id))
        return detail

    def resend(self, delivery_id: str) -> dict[str, Any]:
        """Send a delivery's message again (same messageId, signed again); the detail after that attempt."""
        path = f"/sandbox/deliveries/{_segment(delivery_id)}/resend"
        detail: dict[str, Any] = self._call("POST", path, missing=_no_delivery(delivery_id))
        return detail

    def resend_failed(self, since: str | None) -> dict[str, list[dict[str, Any]]]:
        """Resend every failed delivery (created at or after ``since``, when given) whose webhook still exists.

        Returns ``{"resent": [...], "skipped": [...]}``: the rows of those resent, afterwards, and the ``id``,
        ``webhookId`` and ``reason`` of those skipped.
        """
        payload = {"state": "failed"} if since is None else {"state": "failed", "since": since}
        result: dict[str, list[dict[str, Any]]] = self._call("POST", "/sandbox/deliveries/resend", json=payload)
        return result

    def _call(
        self,
        method: str,
        path: str,
        *,
        missing: str | None = None,
        refusals: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """The ``data`` of the answer.

        ``missing`` is the message for a 404 from the sandbox itself, ``refusals`` the message for each error code.
        """
        return self._data(self._send(method, path, **kwargs), missing=missing, refusals=refusals)

    def _data(
        self, response: httpx.Response, *, missing: str | None = None, refusals: Mapping[str, str] | None = None
    ) -> Any:
        """The ``data`` of an answer, as `_call` says."""
        envelope = _envelope(response)
        if response.is_redirect:
            # The sandbox never redirects its own paths: whatever answers is something else.
            raise needs_sandbox(f"the server at {self.url}")
        if response.status_code == 404:
            if not self.is_sandbox():
                raise needs_sandbox(f"the server at {self.url}")
            if missing is not None:
                raise click.ClickException(missing)
        if envelope is None:
            if response.is_success:  # some web server, but not one that speaks the sandbox's API
                raise needs_sandbox(f"the server at {self.url}")
            raise click.ClickException(f"the sandbox at {self.url} answered {_status(response)}")
        if response.is_error or envelope["error"]:
            error = envelope["error"] or {}
            known = (refusals or {}).get(str(error.get("code")))
            raise click.ClickException(known or str(error.get("message") or _status(response)))
        return envelope["data"]

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._http.request(method, path, **kwargs)
        except httpx.ConnectError as error:
            # Something answers when the handshake failed: starting a sandbox is not the cure then.
            hint = "" if tls_failure(error) else "; start it with `up42 sandbox` (or pass --base-url)"
            raise click.ClickException(unreachable(self.url, error, "the sandbox") + hint) from None
        except httpx.TimeoutException:
            raise click.ClickException(f"the sandbox at {self.url} did not answer in time") from None
        except httpx.HTTPError as error:
            raise click.ClickException(
                f"the request to the sandbox at {self.url} failed: {reason(error, self.url)}"
            ) from None

    def is_sandbox(self) -> bool:
        """Whether the server at ``url`` is a sandbox: its delivery log answers, in the sandbox's envelope.

        Only a sandbox has ``/sandbox/`` paths; UP42 and other servers answer 404 or something else there.

        Raises:
            click.ClickException: Nothing answers at ``url``, or not in time.
        """
        probe = self._send("GET", "/sandbox/deliveries", params={"limit": 1})
        envelope = _envelope(probe)
        return probe.is_success and envelope is not None and isinstance(envelope["data"], list)


def _no_delivery(delivery_id: str) -> str:
    return f"no delivery {delivery_id!r} in the sandbox; `up42 deliveries list` shows them"


def _segment(value: str) -> str:
    # An id goes into the path as one segment, whatever it holds; "." and ".." would be read as dot-segments.
    return quote(value, safe="").replace(".", "%2E") if value in (".", "..") else quote(value, safe="")


def _envelope(response: httpx.Response) -> dict[str, Any] | None:
    """The ``{"data", "error"}`` envelope of an answer, or None when it has none."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict) or "data" not in body or "error" not in body:
        return None
    if body["error"] is not None and not isinstance(body["error"], dict):
        return None
    return body


def _status(response: httpx.Response) -> str:
    return f"{response.status_code} {response.reason_phrase}".strip()
