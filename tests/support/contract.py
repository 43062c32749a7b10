"""Checks HTTP traffic against the specs (openapi/up42.yaml, and openapi/sandbox.yaml for the sandbox's own
paths) with openapi-core, so a stale mock or an off-spec request fails."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import httpx
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi" / "up42.yaml"
SPEC = OpenAPI.from_file_path(str(SPEC_PATH))

# Hosts are checked by the routing tests; here the spec's own servers stand in for whatever origin was used
# (a region, or a base URL such as a sandbox), so traffic under any origin is held to the same contract.
AUTH_SERVER = "https://auth.up42.com"
API_SERVER = "https://api.up42.com"


class OpenAPIRequest:
    """openapi-core's request protocol over an `httpx.Request`."""

    def __init__(self, request: httpx.Request) -> None:
        self._request = request
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qs(request.url.query.decode())),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        return AUTH_SERVER if self.path.startswith("/realms/") else API_SERVER

    @property
    def path(self) -> str:
        # The raw path: url.path is decoded, so an encoded "/" in an id would look like two segments.
        return self._request.url.raw_path.decode().split("?", 1)[0]

    @property
    def full_url_pattern(self) -> str:
        return self.host_url + self.path

    @property
    def method(self) -> str:
        return self._request.method.lower()

    @property
    def body(self) -> bytes | None:
        return self._request.content or None

    @property
    def content_type(self) -> str:
        return self._request.headers.get("content-type", "")


class OpenAPIResponse:
    """openapi-core's response protocol over an `httpx.Response`."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def data(self) -> bytes:
        return self._response.content

    @property
    def status_code(self) -> int:
        return self._response.status_code

    @property
    def content_type(self) -> str:
        return self._response.headers.get("content-type", "")

    @property
    def headers(self) -> Headers:
        return Headers(dict(self._response.headers))


def assert_request_matches_spec(request: httpx.Request) -> None:
    """Raise if the request breaks the spec (path, method, parameters, security, body)."""
    SPEC.validate_request(OpenAPIRequest(request))


def assert_response_matches_spec(request: httpx.Request, response: httpx.Response) -> None:
    """Raise if the response breaks the spec for that request (status documented, headers, body schema)."""
    response.read()
    SPEC.validate_response(OpenAPIRequest(request), OpenAPIResponse(response))


SANDBOX_SPEC_PATH = ROOT / "openapi" / "sandbox.yaml"
SANDBOX_SPEC = OpenAPI.from_file_path(str(SANDBOX_SPEC_PATH))


class SandboxRequest(OpenAPIRequest):
    """A request to a sandbox on any port, matched against the sandbox spec's server."""

    @property
    def host_url(self) -> str:
        return "http://127.0.0.1:8042"


def check_against_spec(response: httpx.Response) -> None:
    """Raise if a /sandbox/ answer breaks openapi/sandbox.yaml (status documented, body schema).

    The request is checked too when it was accepted; the refused ones are sent off-spec on purpose.
    """
    response.read()
    if response.is_success:
        SANDBOX_SPEC.validate_request(SandboxRequest(response.request))
    SANDBOX_SPEC.validate_response(SandboxRequest(response.request), OpenAPIResponse(response))
