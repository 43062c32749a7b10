import re
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.test_run_envelope import TestRunEnvelope
from ...types import Response

_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]+").fullmatch


def _segment(value: Any) -> str:
    """A path parameter as one URL path segment: as it is when it holds only unreserved characters (an id is
    checked faster than quote() would find that out), else percent-encoded."""
    text = str(value)
    return text if _UNRESERVED(text) else quote(text, safe="")


def _get_kwargs(
    workspace_id: str,
    webhook_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": f"/workspaces/{_segment(workspace_id)}/webhooks/{_segment(webhook_id)}/tests",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | TestRunEnvelope | None:
    if response.status_code == 200:
        response_200 = TestRunEnvelope.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorEnvelope.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorEnvelope.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())

        return response_429

    if 500 <= response.status_code <= 599:
        response_5xx = ErrorEnvelope.from_dict(response.json())

        return response_5xx

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _check_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> bool:
    """Check the body the way _parse_response reads it, without building models; False for an undocumented status.

    An error in the body raises what _parse_response would raise.
    """
    if response.status_code == 200:
        TestRunEnvelope.check_dict(response.json())
        return True

    if response.status_code == 400:
        ErrorEnvelope.check_dict(response.json())
        return True

    if response.status_code == 401:
        ErrorEnvelope.check_dict(response.json())
        return True

    if response.status_code == 403:
        ErrorEnvelope.check_dict(response.json())
        return True

    if response.status_code == 404:
        ErrorEnvelope.check_dict(response.json())
        return True

    if response.status_code == 429:
        ErrorEnvelope.check_dict(response.json())
        return True

    if 500 <= response.status_code <= 599:
        ErrorEnvelope.check_dict(response.json())
        return True

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return False


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorEnvelope | TestRunEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    workspace_id: str,
    webhook_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorEnvelope | TestRunEnvelope]:
    """Send one test delivery per subscribed event to the webhook URL and report the outcome.

     Works while the webhook is inactive. Test deliveries carry `liveMode` false.

    Args:
        workspace_id (str):
        webhook_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TestRunEnvelope]
    """

    kwargs = _get_kwargs(
        workspace_id=workspace_id,
        webhook_id=webhook_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    workspace_id: str,
    webhook_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> ErrorEnvelope | TestRunEnvelope | None:
    """Send one test delivery per subscribed event to the webhook URL and report the outcome.

     Works while the webhook is inactive. Test deliveries carry `liveMode` false.

    Args:
        workspace_id (str):
        webhook_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | TestRunEnvelope
    """

    return sync_detailed(
        workspace_id=workspace_id,
        webhook_id=webhook_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    workspace_id: str,
    webhook_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorEnvelope | TestRunEnvelope]:
    """Send one test delivery per subscribed event to the webhook URL and report the outcome.

     Works while the webhook is inactive. Test deliveries carry `liveMode` false.

    Args:
        workspace_id (str):
        webhook_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TestRunEnvelope]
    """

    kwargs = _get_kwargs(
        workspace_id=workspace_id,
        webhook_id=webhook_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    workspace_id: str,
    webhook_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> ErrorEnvelope | TestRunEnvelope | None:
    """Send one test delivery per subscribed event to the webhook URL and report the outcome.

     Works while the webhook is inactive. Test deliveries carry `liveMode` false.

    Args:
        workspace_id (str):
        webhook_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | TestRunEnvelope
    """

    return (
        await asyncio_detailed(
            workspace_id=workspace_id,
            webhook_id=webhook_id,
            client=client,
        )
    ).parsed
