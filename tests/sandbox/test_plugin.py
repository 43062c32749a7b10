"""The pytest plugin as users get it: installed through its entry point, its fixture works in their tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

USER_TEST = """
import httpx
import up42


def test_my_code_against_the_sandbox(up42_sandbox):
    with up42.Client(up42_sandbox.username, up42_sandbox.password, base_url=up42_sandbox.url) as client:
        hook = client.create_webhook("mine", "http://127.0.0.1:9/hook", ["order.status"])
        assert client.initialize_webhook(hook.id).name == "mine"
        hook.trigger_test_events()
    assert [attempt["webhookId"] for attempt in up42_sandbox.deliveries()] == [hook.id]
    assert httpx.get(up42_sandbox.url + "/sandbox/deliveries").status_code == 200


def test_each_test_gets_a_fresh_sandbox(up42_sandbox):
    with up42.Client(up42_sandbox.username, up42_sandbox.password, base_url=up42_sandbox.url) as client:
        assert client.get_webhooks() == []
"""


def test_the_up42_sandbox_fixture_is_available_through_the_entry_point(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(USER_TEST)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
