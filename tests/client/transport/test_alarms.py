"""The alarms that end async calls at their deadline: they ring, they can be cleared, and they share timers."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest

from up42._client._alarms import TICK, Alarms

T = TypeVar("T")


async def _sleep_under(alarms: Alarms, seconds: float, sleep: float = 10.0) -> tuple[bool, int]:
    """Sleep with an alarm set; whether the alarm ended the sleep, and how many cancellations are left."""
    alarm = alarms.set(seconds)
    try:
        await asyncio.sleep(sleep)
    except asyncio.CancelledError as error:
        if not alarm.ended(error):
            raise
        return True, asyncio.current_task().cancelling()  # type: ignore[union-attr]
    finally:
        alarms.clear(alarm)
    return False, asyncio.current_task().cancelling()  # type: ignore[union-attr]


async def test_an_alarm_cancels_its_task_once_due_and_leaves_it_uncancelled() -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    rang, cancelling = await _sleep_under(Alarms(), 0.05)
    assert rang
    assert cancelling == 0  # the task can go on, e.g. to raise the deadline's error
    assert 0.05 <= loop.time() - started < 0.05 + TICK + 0.5


async def test_a_cleared_alarm_never_rings() -> None:
    alarms = Alarms()
    alarm = alarms.set(0.02)
    alarms.clear(alarm)
    await asyncio.sleep(0.1)  # would be cancelled if the alarm rang
    assert not alarm.rang


async def test_the_work_ending_first_keeps_the_alarm_from_ringing() -> None:
    assert await _sleep_under(Alarms(), 5.0, sleep=0.01) == (False, 0)


async def test_a_cancellation_by_somebody_else_is_not_taken_for_the_alarms() -> None:
    alarms = Alarms()

    async def cancelled(also_ring: bool) -> None:
        alarm = alarms.set(0.01)
        task = asyncio.current_task()
        assert task is not None
        if also_ring:
            time.sleep(0.03)  # blocks the loop past the alarm: it rings in the same round as the cancel below
        asyncio.get_running_loop().call_soon(task.cancel)
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError as error:
            assert alarm.rang is also_ring
            if alarm.ended(error):
                return
            raise
        finally:
            alarms.clear(alarm)

    for also_ring in (False, True):
        with pytest.raises(asyncio.CancelledError):
            await asyncio.create_task(cancelled(also_ring))


async def test_alarms_due_in_the_same_tick_share_one_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = asyncio.get_running_loop()
    timers: list[asyncio.TimerHandle] = []
    call_at = loop.call_at

    def counted(when: float, callback: Any, *args: Any) -> asyncio.TimerHandle:
        timers.append(call_at(when, callback, *args))
        return timers[-1]

    monkeypatch.setattr(loop, "call_at", counted)
    alarms = Alarms()
    gate = asyncio.Event()

    async def one() -> tuple[bool, int]:
        await gate.wait()
        return await _sleep_under(alarms, 60.0, sleep=0)

    tasks = [asyncio.create_task(one()) for _ in range(1000)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*tasks) == [(False, 0)] * 1000
    # A thousand alarms set within a few ticks: a timer per tick, not per alarm; none left once all were cleared.
    assert 1 <= len(timers) <= 10
    assert all(timer.cancelled() for timer in timers)


def test_alarms_follow_the_event_loop_they_are_set_in() -> None:
    alarms = Alarms()
    # One client used from one asyncio.run after another: the second loop's alarm must ring in the second loop.
    assert asyncio.run(_sleep_under(alarms, 5.0, sleep=0)) == (False, 0)
    assert asyncio.run(_sleep_under(alarms, 0.02)) == (True, 0)


def test_an_alarm_outside_a_task_is_refused() -> None:
    with pytest.raises(RuntimeError):
        Alarms().set(1.0)


def _run_in_thread(work: Callable[[], Coroutine[Any, Any, T]], results: dict[str, object], name: str) -> None:
    """Run ``work`` on a loop of this thread, keeping its result and whatever the loop reported as an error."""
    errors: list[object] = []
    with asyncio.Runner() as runner:
        runner.get_loop().set_exception_handler(lambda loop, context: errors.append(context))
        results[name] = (runner.run(work()), errors)


def test_loops_in_two_threads_at_once_each_ring_their_own_alarms() -> None:
    alarms = Alarms()
    results: dict[str, object] = {}

    async def late() -> tuple[bool, int]:
        return await _sleep_under(alarms, 0.3)  # set first, rings last

    async def early() -> tuple[bool, int]:
        await asyncio.sleep(0.05)  # sets its alarm while the other loop's is pending
        return await _sleep_under(alarms, 0.05)

    threads = [threading.Thread(target=_run_in_thread, args=(work, results, work.__name__)) for work in (late, early)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert results == {"late": ((True, 0), []), "early": ((True, 0), [])}


async def test_a_rung_alarm_is_withdrawn_whatever_the_task_raised() -> None:
    alarms = Alarms()

    async def cleanup_fails() -> tuple[bool, int]:
        alarm = alarms.set(0.01)
        failure = ValueError("a cleanup that failed while unwinding")
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(1)
        # Not the alarm's error, but its cancellation is withdrawn all the same.
        ended = alarm.ended(failure)
        alarms.clear(alarm)
        return ended, asyncio.current_task().cancelling()  # type: ignore[union-attr]

    async def swallows_it() -> int:
        alarm = alarms.set(0.01)
        with contextlib.suppress(asyncio.CancelledError):  # a library that swallows the cancellation
            await asyncio.sleep(1)
        alarms.clear(alarm)  # the alarm rang and nobody asked it why: withdrawn here
        return asyncio.current_task().cancelling()  # type: ignore[union-attr]

    assert await asyncio.create_task(cleanup_fails()) == (False, 0)
    assert await asyncio.create_task(swallows_it()) == 0
