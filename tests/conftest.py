"""Shared fixtures: a spec-checking respx router, UP42's auth endpoints, realistic API bodies."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
import respx

import up42
from tests.support.contract import assert_request_matches_spec, assert_response_matches_spec
from tests.support.evolution import project, project_template  # noqa: F401 - project copies (evolution, regen)
from tests.support.loopback import Answering
from tests.support.mock_api import PASSWORD, USERNAME, Auth
from up42._client import _default, _retry
from up42._server import Server, bind
from up42.pytest_plugin import up42_sandbox  # noqa: F401 - the package's fixture (its entry point is off here)


@pytest.fixture
def api(request: pytest.FixtureRequest) -> Iterator[respx.MockRouter]:
    """A respx router; every request sent and every response mocked is checked against the spec afterwards."""
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        yield router
        if request.node.get_closest_marker("off_spec") is None:
            for call in router.calls:
                assert_request_matches_spec(call.request)
                if call.has_response:
                    assert_response_matches_spec(call.request, call.response)


@pytest.fixture
def auth(api: respx.MockRouter) -> Auth:
    """UP42's token and userinfo endpoints."""
    return Auth(api)


@pytest.fixture
def client(auth: Auth) -> Iterator[up42.Client]:
    """An explicit client for the eu region."""
    with up42.Client(USERNAME, PASSWORD) as client:
        yield client


@pytest.fixture
def servers() -> Iterator[list[Answering]]:
    """Loopback servers that a test starts and appends here: each is stopped after the test."""
    made: list[Answering] = []
    yield made
    for server in made:
        server.stop()


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test sees the developer's UP42 variables, stored login, or another test's default client."""
    for name in ("UP42_USERNAME", "UP42_PASSWORD", "UP42_BASE_URL", "UP42_REGION"):
        monkeypatch.delenv(name, raising=False)
    # Subprocesses inherit it: the up42 command run by a test stores and reads its login in a folder of its own.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    monkeypatch.setattr(_default, "_default", None)
    yield
    if _default._default is not None:
        _default._default.close()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Everything imported so far stays: kept out of the collections each test ends with, which stay cheap."""
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def _garbage_collected() -> Iterator[None]:
    """Whatever a test leaves unclosed is found at its own teardown, not in whichever test the collector next runs.

    An unclosed file or socket warns when it is collected, and every warning fails the test it happens in: without
    this, one test's leak would fail another, depending on which tests ran before it.
    """
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retry waits are recorded instead of slept, so tests of the policy run at full speed."""
    waited: list[float] = []

    async def asleep(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(_retry, "sleep", waited.append)
    monkeypatch.setattr(_retry, "asleep", asleep)
    return waited


@pytest.fixture
def facade(auth: Auth) -> None:
    """The module-level functions, authenticated."""
    up42.authenticate(username=USERNAME, password=PASSWORD)


@pytest.fixture
def serve() -> Iterator[Any]:
    """Serve ASGI apps (receivers) on free loopback ports for the test; yields a function returning the URL."""
    servers: list[Server] = []

    def start(app: Any) -> str:
        server = Server(app, bind("127.0.0.1", 0))
        server.start()
        servers.append(server)
        return f"{server.url}/hook"

    yield start
    for server in servers:
        server.stop()
