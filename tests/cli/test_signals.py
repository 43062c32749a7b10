"""`StopSignals`: SIGINT and SIGTERM counted as a request to stop, never raised, and carried into a nested holder."""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

import pytest

from up42._signals import StopSignals


def test_signals_are_counted_passed_to_listeners_and_the_handlers_restored() -> None:
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    heard: list[int] = []
    with StopSignals() as signals:
        signals.on_signal(heard.append)
        assert not signals.requested
        signal.raise_signal(signal.SIGINT)  # no KeyboardInterrupt
        signal.raise_signal(signal.SIGTERM)  # and the process goes on
        assert signals.requested
    assert heard == [1, 2]
    assert {sig: signal.getsignal(sig) for sig in before} == before


def test_a_listener_added_after_a_signal_hears_of_it_at_once() -> None:
    with StopSignals() as signals:
        signal.raise_signal(signal.SIGINT)
        heard: list[int] = []
        signals.on_signal(heard.append)
    assert heard == [1]


def test_a_nested_holder_carries_over_what_the_outer_one_received() -> None:
    with StopSignals() as outer:
        signal.raise_signal(signal.SIGTERM)
        with StopSignals() as inner:
            assert inner.requested
            signal.raise_signal(signal.SIGINT)
        assert (outer.count, inner.count) == (1, 2)
    with StopSignals(), StopSignals() as quiet:
        assert not quiet.requested


def test_holding_sigint_alone_leaves_sigterm_as_it_was() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with StopSignals((signal.SIGINT,)) as signals:
        assert signal.getsignal(signal.SIGTERM) == before
        signal.raise_signal(signal.SIGINT)
    assert signals.count == 1


def test_holding_sigterm_alone_inside_a_holder_of_both_carries_its_count_over() -> None:
    with StopSignals() as outer:
        signal.raise_signal(signal.SIGINT)
        with StopSignals((signal.SIGTERM,)) as inner:
            assert inner.requested
    assert outer.count == 1


def test_outside_the_main_thread_nothing_is_installed() -> None:
    before = signal.getsignal(signal.SIGINT)
    seen: list[object] = []

    def in_thread() -> None:
        with StopSignals() as signals:
            seen.append(signal.getsignal(signal.SIGINT))
            seen.append(signals.requested)

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()
    assert seen == [before, False]


def test_a_signal_while_a_nested_holder_installs_itself_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    # The signal lands just after the inner handler is installed and before the outer count is read: the inner
    # holder counts it, and reading the outer count must add to that count, never replace it.
    install = signal.signal
    inner = StopSignals()

    def installing(signum: int, handler: Any) -> Any:
        previous = install(signum, handler)
        if signum == signal.SIGINT and getattr(handler, "__self__", None) is inner:
            os.kill(os.getpid(), signal.SIGINT)
        return previous

    with StopSignals() as outer:
        monkeypatch.setattr(signal, "signal", installing)
        with inner:
            monkeypatch.setattr(signal, "signal", install)
            assert (outer.count, inner.count) == (0, 1)
