"""The handler loop that `Receiver.handle`, `Receiver.handle_async` and the worker share."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from tests.support.deliveries import message
from up42.receiving import WebhookEvent, parse
from up42.receiving._handlers import Handler, HandlersRun, call_handler, run_handlers, run_unawaited

EVENT = parse(message())


async def _call_here(handler: Handler, event: WebhookEvent) -> None:
    handler(event)


def test_the_handlers_run_in_order_and_are_named_when_all_return() -> None:
    calls: list[str] = []

    def first(event: WebhookEvent) -> None:
        calls.append(f"first {event.message_id}")

    def second(event: WebhookEvent) -> None:
        calls.append(f"second {event.message_id}")

    run = run_unawaited(run_handlers(EVENT, [first, second], _call_here))
    assert calls == [f"first {EVENT.message_id}", f"second {EVENT.message_id}"]
    assert run.ran == (first.__qualname__, second.__qualname__)
    assert (run.failed, run.error) == (None, None)


def test_the_first_handler_that_raises_ends_the_run_and_is_named() -> None:
    calls: list[str] = []
    boom = ValueError("boom")

    def failing(event: WebhookEvent) -> None:
        calls.append("failing")
        raise boom

    run = run_unawaited(run_handlers(EVENT, [failing, lambda event: calls.append("never")], _call_here))
    assert calls == ["failing"]
    assert run == HandlersRun(failed=failing.__qualname__, error=boom)


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, SystemExit, asyncio.CancelledError])
def test_an_interrupt_or_a_cancellation_passes_through(interrupt: type[BaseException]) -> None:
    def interrupted(event: WebhookEvent) -> None:
        raise interrupt

    with pytest.raises(interrupt):
        run_unawaited(run_handlers(EVENT, [interrupted], _call_here))


def test_a_coroutine_that_waits_cannot_run_without_a_loop() -> None:
    async def waits() -> None:
        await asyncio.sleep(0)

    with pytest.raises(RuntimeError, match="waited"):
        run_unawaited(waits())


async def test_call_handler_awaits_coroutines_in_the_loop_and_sends_plain_functions_to_the_thread() -> None:
    threads: dict[str, int] = {}
    loop_thread = threading.get_ident()

    async def awaiting(event: WebhookEvent) -> None:
        threads["awaiting"] = threading.get_ident()

    def plain(event: WebhookEvent) -> None:
        threads["plain"] = threading.get_ident()

    async def later() -> None:
        threads["returned"] = threading.get_ident()

    async def in_thread(handler: Handler, event: WebhookEvent) -> Any:
        return await asyncio.to_thread(handler, event)

    run = await run_handlers(
        EVENT, [awaiting, plain, lambda event: later()], lambda handler, event: call_handler(handler, event, in_thread)
    )
    assert run.error is None
    # What a plain function returns is awaited too, in the loop.
    assert threads["awaiting"] == threads["returned"] == loop_thread != threads["plain"]
