"""A bulk build holds automatic garbage collection back while it runs and leaves the collector as it found it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from up42._client._bulk import acyclic_build


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generations of the collections that start while a test runs; the collector enabled at the start."""
    started: list[int] = []

    def seen(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started.append(info["generation"])

    was_enabled = gc.isenabled()
    gc.enable()
    gc.callbacks.append(seen)
    try:
        yield started
    finally:
        gc.callbacks.remove(seen)
        if not was_enabled:
            gc.disable()


def containers(count: int) -> list[list[int]]:
    return [[index] for index in range(count)]


def test_no_collection_starts_inside_and_the_collector_is_enabled_after(collections: list[int]) -> None:
    many = 20 * gc.get_threshold()[0]
    before = len(collections)
    with acyclic_build():
        assert not gc.isenabled()
        built = containers(many)
        # Counted before the block ends: the first allocation after it may well start a collection.
        during = len(collections) - before
    assert during == 0
    assert gc.isenabled()
    assert len(built) == many


def test_the_collector_is_enabled_again_when_the_build_fails(collections: list[int]) -> None:
    def failing_build() -> None:
        with acyclic_build():
            containers(10)
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        failing_build()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off(collections: list[int]) -> None:
    gc.disable()
    with acyclic_build():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_a_nested_build_leaves_the_collector_to_the_outer_one(collections: list[int]) -> None:
    with acyclic_build():
        with acyclic_build():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
