"""Ending async calls at their deadline: an alarm per call, one loop timer per tick for every alarm due in it.

``asyncio.timeout`` schedules a timer of its own for every call and cancels it when the call ends. With a
thousand calls in flight that is a thousand timers in the event loop's heap, and every timer anybody schedules
(aiohttp arms one per read) pays for the heap's size. Here alarms due within the same `TICK` share one timer,
which is cancelled as soon as the last of them is cleared, so a burst of calls keeps a handful of timers
whatever its size. The price: a call ends up to one tick after its deadline rather than on it.

The cancellation is the one ``asyncio.timeout`` makes: the task is cancelled when its alarm rings, and the
caller turns the ``CancelledError`` into its own error only when nobody else asked to cancel the task too.
"""

from __future__ import annotations

import asyncio
import math

TICK = 0.01  # seconds


class Alarm:
    """The deadline of one task: whether it has rung, and how to tell its cancellation from anybody else's."""

    __slots__ = ("_cancelling", "rang", "task", "tick")

    def __init__(self, task: asyncio.Task[object], tick: int) -> None:
        self.task = task
        self.tick = tick
        self.rang = False
        self._cancelling = task.cancelling()

    def ended(self, error: BaseException) -> bool:
        """Whether ``error`` is this alarm's cancellation alone; the task is then no longer being cancelled."""
        return self.rang and isinstance(error, asyncio.CancelledError) and self.task.uncancel() <= self._cancelling


class Alarms:
    """The alarms of the running event loop, grouped by the tick they are due in; each group has one timer.

    A client may be used from one event loop after another (``asyncio.run`` twice): the alarms follow the loop.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._due: dict[int, tuple[set[Alarm], asyncio.TimerHandle]] = {}

    def set(self, seconds: float) -> Alarm:
        """An alarm that cancels the current task once ``seconds`` have passed (rounded up to the next tick)."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._due = loop, {}
        task = asyncio.current_task(loop)
        if task is None:
            raise RuntimeError("an alarm needs a running task")
        tick = math.ceil((loop.time() + seconds) / TICK)
        alarm = Alarm(task, tick)
        group = self._due.get(tick)
        if group is None:
            group = self._due[tick] = (set(), loop.call_at(tick * TICK, self._ring, tick))
        group[0].add(alarm)
        return alarm

    def clear(self, alarm: Alarm) -> None:
        """Stop ``alarm`` from ringing; the tick's timer goes when no alarm is left in it."""
        group = self._due.get(alarm.tick)
        if group is None:
            return
        alarms, timer = group
        alarms.discard(alarm)
        if not alarms:
            timer.cancel()
            del self._due[alarm.tick]

    def _ring(self, tick: int) -> None:
        alarms, _ = self._due.pop(tick)
        for alarm in alarms:
            alarm.rang = True
            alarm.task.cancel()
