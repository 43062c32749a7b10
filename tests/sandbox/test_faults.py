"""Fault injection in front of an app, with a controlled clock and dice: exact, and without waiting."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from up42.sandbox._faults import FaultInjection, Faults


async def ok_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"handled"})


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def client(faults: Faults, *, clock: Clock | None = None, dice: list[float] | None = None) -> httpx.AsyncClient:
    rolls = iter(dice or [])
    app = FaultInjection(ok_app, faults, chance=lambda: next(rolls), clock=clock or Clock())
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox")


async def test_the_rate_limit_counts_a_sliding_second_and_names_the_wait() -> None:
    clock = Clock()
    async with client(Faults(rate_limit=2), clock=clock) as http:
        assert [(await http.get("/webhooks/events")).status_code for _ in range(2)] == [200, 200]
        clock.now += 0.4
        limited = await http.get("/webhooks/events")
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "1"
        assert limited.json() == {
            "data": None,
            "error": {
                "code": "TOO_MANY_REQUESTS",
                "message": "more than 2 requests per second; retry after 1 s",
                "details": None,
            },
        }
        assert (await http.get("/sandbox/deliveries")).status_code == 200  # never limited, never counted
        clock.now += 0.6  # the first two fall out of the window
        assert (await http.get("/webhooks/events")).status_code == 200
        assert (await http.get("/webhooks/events")).status_code == 200
        assert (await http.get("/webhooks/events")).status_code == 429


@pytest.mark.parametrize(("roll", "status"), [(0.0, 503), (0.29, 503), (0.3, 200), (0.99, 200)])
async def test_the_fail_rate_answers_503_when_the_dice_fall_below_it(roll: float, status: int) -> None:
    async with client(Faults(fail_rate=0.3), dice=[roll]) as http:
        response = await http.post("/workspaces/w/webhooks", json={})
    assert response.status_code == status
    if status == 503:
        assert response.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    else:
        assert response.text == "handled"


async def test_the_sandbox_paths_never_fail_and_no_faults_means_untouched() -> None:
    async with client(Faults(fail_rate=1.0, rate_limit=1)) as http:
        assert [(await http.get("/sandbox/deliveries")).status_code for _ in range(5)] == [200] * 5
    async with client(Faults()) as http:
        assert [(await http.get("/webhooks/events")).text for _ in range(5)] == ["handled"] * 5
