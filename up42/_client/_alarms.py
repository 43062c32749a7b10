"""Ending async calls at their deadline: an alarm per call, one loop timer per tick for every alarm due in it.

``asyncio.timeout`` schedules a timer of its own for every call and cancels it when the call ends. With a
thousand calls in flight that is a thousand timers in the event loop's heap, and every timer anybody schedules
(aiohttp arms one per read) pays for the heap's size. Here alarms due within the same `TICK` share one timer,
which is cancelled as soon as the last of them is cleared, so a burst of calls keeps a handful of timers
whatever its size. The price: a call ends up to one tick after its deadline rather than on it.

The cancellation follows ``asyncio.timeout``: the task is cancelled when its alarm rings; once rung, that
cancellation is withdrawn (``Task.uncancel``) however the call ends, and the caller turns the ``CancelledError``
into its own error only when nobody else asked to cancel the task too.

Each event loop has its own table of alarms: one client may be used from one ``asyncio.run`` after another, or
from loops in several threads at once, and a timer only ever touches the alarms of its own loop.
"""

from __future__ import annotations

import asyncio
import math
import threading
import weakref

TICK = 0.01  # seconds
# A deadline further off than this (31 years) is set this far off: the tick of an infinite one is no number.
_FARTHEST = 1e9

# One loop's alarms by the tick they are due in, each group with the loop timer that rings it.
_Table = dict[int, tuple[set["Alarm"], asyncio.TimerHandle]]


class Alarm:
    """The deadline of one task: whether it has rung, and how to tell its cancellation from anybody else's."""

    __slots__ = ("_cancelling", "_table", "rang", "task", "tick")

    def __init__(self, task: asyncio.Task[object], tick: int, table: _Table) -> None:
        self.task = task
        self.tick = tick
        self._table = table
        self.rang = False
        self._cancelling = task.cancelling()

    def ended(self, error: BaseException) -> bool:
        """Whether ``error`` is this alarm's cancellation alone.

        Once the alarm has rung, its cancellation is withdrawn here, whatever ``error`` is: a cleanup that raised
        something else while unwinding must not leave the task marked as being cancelled.
        """
        if not self.rang:
            return False
        self.rang = False
        return self.task.uncancel() <= self._cancelling and isinstance(error, asyncio.CancelledError)


class Alarms:
    """The alarms of every event loop a client is used in, grouped per loop by the tick they are due in."""

    def __init__(self) -> None:
        self._tables: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Table] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        # The last loop and its table, as one tuple so that threads replacing it never pair one's loop with the
        # other's table: a lookup in the weak dictionary costs more than the rest of set().
        self._last: tuple[asyncio.AbstractEventLoop, _Table] | None = None

    def _table(self, loop: asyncio.AbstractEventLoop) -> _Table:
        last = self._last
        if last is not None and last[0] is loop:
            return last[1]
        with self._lock:
            table = self._tables.get(loop)
            if table is None:
                table = self._tables[loop] = {}
        self._last = (loop, table)
        return table

    def set(self, seconds: float) -> Alarm:
        """An alarm that cancels the current task once ``seconds`` have passed (rounded up to the next tick)."""
        loop = asyncio.get_running_loop()
        task = asyncio.current_task(loop)
        if task is None:
            raise RuntimeError("an alarm needs a running task")
        table = self._table(loop)
        tick = math.ceil((loop.time() + min(seconds, _FARTHEST)) / TICK)
        alarm = Alarm(task, tick, table)
        group = table.get(tick)
        if group is None:
            group = table[tick] = (set(), loop.call_at(tick * TICK, _ring, table, tick))
        group[0].add(alarm)
        return alarm

    def clear(self, alarm: Alarm) -> None:
        """Stop ``alarm`` from ringing, or withdraw its cancellation if it has rung.

        A tick's timer is cancelled with its last alarm. Called in the alarm's own loop, as `set` was.
        """
        if alarm.rang:
            # It rang, but the call ended before its cancellation was delivered (or `ended` was not asked).
            alarm.rang = False
            alarm.task.uncancel()
        table = alarm._table
        group = table.get(alarm.tick)
        if group is None:
            return
        alarms, timer = group
        alarms.discard(alarm)
        if not alarms:
            timer.cancel()
            del table[alarm.tick]


def _ring(table: _Table, tick: int) -> None:
    alarms, _ = table.pop(tick)
    for alarm in alarms:
        alarm.rang = True
        alarm.task.cancel()
