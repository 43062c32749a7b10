"""`run_handlers`: run the handlers of an event one after the other, until one raises.

One loop for `Receiver.handle`, `Receiver.handle_async` and the `Worker`; they differ only in how one handler is
called (in this thread, in a worker thread, within a timeout), which each passes in. The loop is a coroutine, and
`run_unawaited` runs it without an event loop for a caller whose calls never wait, so the sync receiver shares it.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

from ._events import WebhookEvent

__all__ = ["Handler", "HandlersRun", "call_handler", "handler_name", "run_handlers", "run_unawaited"]

T = TypeVar("T")

Handler = Callable[[WebhookEvent], Any]
"""A function, or a coroutine function, that takes the `WebhookEvent`; its return value is ignored."""

HandlerCall = Callable[[Handler, WebhookEvent], Awaitable[None]]
"""Calls one handler with the event; returns once it has, raising what it raised."""


def handler_name(handler: Callable[..., Any]) -> str:
    """How logs and errors name a handler."""
    return getattr(handler, "__qualname__", None) or repr(handler)


@dataclasses.dataclass(frozen=True)
class HandlersRun:
    """What became of a run of handlers.

    Attributes:
        ran: The names of the handlers, in order, when none failed; empty otherwise.
        failed: The name of the handler that raised; None when none did.
        error: What it raised.
    """

    ran: tuple[str, ...] = ()
    failed: str | None = None
    error: Exception | None = None


async def run_handlers(event: WebhookEvent, handlers: Sequence[Handler], call: HandlerCall) -> HandlersRun:
    """Call each handler in turn with `call`; the first that raises an `Exception` ends the run.

    Anything else (a cancellation, an interrupt) passes through, for the caller's clean-up to see.
    """
    for handler in handlers:
        try:
            await call(handler, event)
        except Exception as error:
            return HandlersRun(failed=handler_name(handler), error=error)
    return HandlersRun(tuple(handler_name(handler) for handler in handlers))


async def call_handler(
    handler: Handler, event: WebhookEvent, in_thread: Callable[[Handler, WebhookEvent], Awaitable[Any]]
) -> None:
    """Call `handler` from an event loop: a coroutine function in the loop, a plain function through `in_thread`.

    What a plain function returns is awaited too when it is awaitable.
    """
    result = handler(event) if inspect.iscoroutinefunction(handler) else await in_thread(handler, event)
    if inspect.isawaitable(result):
        await result


def run_unawaited(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never waits (it awaits only coroutines that return without waiting), with no loop.

    Raises:
        RuntimeError: The coroutine waited after all: a bug of the caller's, since nothing here would wake it.
    """
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coroutine.close()
    raise RuntimeError("a coroutine run without an event loop waited for something")
