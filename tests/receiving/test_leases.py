"""The lease renewer that receivers (claims in a store) and workers (leases in an inbox) share."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence

from up42.receiving.durable._leases import Renewer

LEASE = 0.3
"""Renewed every 0.1 s: short, so that a test sees several rounds soon; every wait below is on an event."""


@dataclasses.dataclass(eq=False)
class Item:
    name: str


class Store:
    """Records each round of renewals; answers with the items a test marked lost; can hold a round until told."""

    def __init__(self) -> None:
        self.rounds: list[tuple[list[str], float]] = []
        self.losing: set[str] = set()
        self.renewed = threading.Condition()
        self.hold_round: threading.Event | None = None
        self.in_round = threading.Event()

    def renew(self, held: Sequence[Item], lease: float) -> list[Item]:
        self.in_round.set()
        if self.hold_round is not None:
            assert self.hold_round.wait(10), "the test never let the round end"
        with self.renewed:
            self.rounds.append(([item.name for item in held], lease))
            self.renewed.notify_all()
        return [item for item in held if item.name in self.losing]

    def wait_for(self, rounds: int) -> list[tuple[list[str], float]]:
        with self.renewed:
            assert self.renewed.wait_for(lambda: len(self.rounds) >= rounds, 10), self.rounds
            return list(self.rounds)


def _renewer(store: Store, lost: list[Item] | None = None) -> Renewer[Store, Item]:
    told = lost if lost is not None else []
    # Called as renew(store, held, lease): the store's own method, unbound.
    return Renewer(store, LEASE, Store.renew, told.append, key=lambda item: item.name)


def test_held_items_are_renewed_every_round_until_dropped_and_again_once_held_again() -> None:
    store = Store()
    renewer = _renewer(store)
    first = Item("a")
    renewer.hold(first)
    assert store.wait_for(2)[:2] == [(["a"], LEASE), (["a"], LEASE)]
    assert renewer.drop(first)
    assert not renewer.drop(first)
    # Held again after everything was dropped (its thread may have ended meanwhile), renewing starts again.
    renewer.hold(Item("b"))
    with store.renewed:
        assert store.renewed.wait_for(lambda: store.rounds[-1][0] == ["b"], 10)


def test_a_lost_lease_is_told_once_and_renewed_no_more() -> None:
    store, lost = Store(), list[Item]()
    renewer = _renewer(store, lost)
    kept, losing = Item("kept"), Item("losing")
    store.losing.add("losing")
    renewer.hold(kept)
    renewer.hold(losing)
    count = len(store.wait_for(1))
    # The round after the one that lost it renews only what is still held.
    assert store.wait_for(count + 1)[count] == (["kept"], LEASE)
    assert lost == [losing]
    assert not renewer.drop(losing)
    assert renewer.drop(kept)


def test_an_item_dropped_while_its_round_runs_is_not_told_lost() -> None:
    store, lost = Store(), list[Item]()
    renewer = _renewer(store, lost)
    item = Item("a")
    store.losing.add("a")
    store.hold_round = threading.Event()
    renewer.hold(item)
    assert store.in_round.wait(10)
    # Its holder let go of it (settled the message) while the store answered that the lease was gone.
    assert renewer.drop(item)
    store.hold_round.set()
    store.wait_for(1)
    renewer.hold(Item("b"))
    store.losing.clear()
    with store.renewed:
        assert store.renewed.wait_for(lambda: store.rounds[-1][0] == ["b"], 10)
    assert lost == []


def test_a_second_item_under_the_same_key_replaces_the_first() -> None:
    renewer = _renewer(Store())
    first, second = Item("a"), Item("a")
    renewer.hold(first)
    renewer.hold(second)
    assert not renewer.drop(first)
    assert renewer.drop(second)


def test_drop_all_drops_everything_only_when_asked_to() -> None:
    renewer = _renewer(Store())
    items = [Item("a"), Item("b")]
    for item in items:
        renewer.hold(item)
    assert renewer.drop_all(when=lambda held: len(held) > 2) == []
    assert renewer.drop_all(when=lambda held: len(held) == 2) == items
    assert renewer.drop_all() == []
    assert not renewer.drop(items[0])
