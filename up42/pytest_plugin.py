"""The pytest plugin of up42-webhooks: an ``up42_sandbox`` fixture for testing code that uses UP42 webhooks.

Installed with the package (a ``pytest11`` entry point), so any test can ask for it:

    def test_my_hook_setup(up42_sandbox):
        client = up42.Client(up42_sandbox.username, up42_sandbox.password, base_url=up42_sandbox.url)
        ...
        assert up42_sandbox.deliveries()[0]["status"] == 200

The sandbox is imported only when a test uses the fixture, so the plugin costs nothing otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from up42.sandbox import Sandbox


@pytest.fixture
def up42_sandbox() -> Iterator[Sandbox]:
    """A fresh local UP42 on a free loopback port, stopped after the test.

    It is a `up42.sandbox.Sandbox`: ``url``, ``username``, ``password`` and ``env`` (the ``UP42_*`` variables
    pointing at it), ``deliveries()`` (the log of delivery attempts), ``trigger(event, body)`` (simulate a platform
    event), and ``script(operation_id, status, ...)`` to make the next calls of an operation answer as the test
    needs, with ``scripts()`` listing those not used yet:

        def test_a_refused_create_is_reported(up42_sandbox):
            up42_sandbox.script("createWebhook", 422)
            with up42.Client(up42_sandbox.username, up42_sandbox.password, base_url=up42_sandbox.url) as client:
                with pytest.raises(up42.ValidationError):
                    client.create_webhook("orders", "https://example.com/hook", ["order.status"])
            assert up42_sandbox.scripts() == []
    """
    from up42.sandbox import Sandbox  # the sandbox's dependencies load only when used

    with Sandbox() as sandbox:
        yield sandbox
