from __future__ import annotations

import datetime
from collections import deque
from collections.abc import Mapping
from itertools import chain, repeat
from operator import itemgetter
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.event_name import EventName
from ..types import UNSET, Unset

_EVENT_NAME_BY_VALUE = {member.value: member for member in EventName}
_EVENT_NAME_VALUES = frozenset(_EVENT_NAME_BY_VALUE)


T = TypeVar("T", bound="Webhook")


def _masked(value: object) -> str:
    """How repr shows a field the spec marks sensitive: whether it is set, never its value."""
    if value is None or isinstance(value, Unset) or value == "":
        return repr(value)
    return "'********'"


@_attrs_define
class Webhook:
    """A registered webhook. Fields the server adds later are kept.

    Attributes:
        id (str): The webhook id (a UUID).
        name (str):
        url (str): Where deliveries are POSTed.
        events (list[EventName]):
        active (bool):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        secret (None | str | Unset): The signing secret, returned in clear text; empty when none is set.
    """

    id: str
    name: str
    url: str
    events: list[EventName]
    active: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime
    secret: None | str | Unset = _attrs_field(default=UNSET, repr=_masked)
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        url = self.url

        events = []
        for events_item_data in self.events:
            events_item = events_item_data.value
            events.append(events_item)

        active = self.active

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        secret: None | str | Unset
        if isinstance(self.secret, Unset):
            secret = UNSET
        else:
            secret = self.secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "url": url,
                "events": events,
                "active": active,
                "createdAt": created_at,
                "updatedAt": updated_at,
            }
        )
        if secret is not UNSET:
            field_dict["secret"] = secret

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = dict(src_dict)
        _value = document__.pop("id")
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("id")
            raise

        id = _value

        _value = document__.pop("name")
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("name")
            raise

        name = _value

        _value = document__.pop("url")
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("url")
            raise

        url = _value

        _value = document__.pop("events")
        try:
            _events = _value
            if not isinstance(_events, list):
                raise TypeError(f"expected list, got {type(_events).__name__}")
            try:
                events = [_EVENT_NAME_BY_VALUE[events_item_data] for events_item_data in _events]
            except (KeyError, TypeError):
                events = []
                for events__index, events_item_data in enumerate(_events):
                    try:
                        events_item = (
                            _EVENT_NAME_BY_VALUE.get(events_item_data) if isinstance(events_item_data, str) else None
                        ) or EventName(events_item_data)

                    except (TypeError, ValueError, KeyError, AttributeError) as _failure:
                        _failure.add_note(f"[{events__index}]")
                        raise

                    events.append(events_item)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("events")
            raise

        _value = document__.pop("active")
        try:
            if not isinstance(_value, bool):
                raise TypeError(f"expected bool, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("active")
            raise

        active = _value

        _value = document__.pop("createdAt")
        try:
            created_at = datetime.datetime.fromisoformat(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("createdAt")
            raise

        _value = document__.pop("updatedAt")
        try:
            updated_at = datetime.datetime.fromisoformat(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("updatedAt")
            raise

        _value = document__.pop("secret", UNSET)
        try:
            secret = _value
            if not (isinstance(secret, str) or (secret is None) or isinstance(secret, Unset)):
                raise TypeError(f"expected None | str, got {type(secret).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("secret")
            raise

        webhook = cls(
            id,
            name,
            url,
            events,
            active,
            created_at,
            updated_at,
            secret,
        )

        if document__:
            webhook.additional_properties = document__

        return webhook

    @classmethod
    def check_dict(cls, src_dict: Mapping[str, Any]) -> None:
        """Raise what from_dict would raise for src_dict, without building this model or the models inside it.

        A caller that may never read most of a long list checks it whole up front, and builds each model on first
        use, knowing that cannot fail.
        """
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = src_dict
        _value = document__["id"]
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("id")
            raise

        _value = document__["name"]
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("name")
            raise

        _value = document__["url"]
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("url")
            raise

        _value = document__["events"]
        try:
            _events = _value
            if not isinstance(_events, list):
                raise TypeError(f"expected list, got {type(_events).__name__}")
            try:
                events__known = _EVENT_NAME_VALUES.issuperset(_events)
            except TypeError:
                events__known = False
            if not events__known:
                events = []
                for events__index, events_item_data in enumerate(_events):
                    try:
                        events_item = (
                            _EVENT_NAME_BY_VALUE.get(events_item_data) if isinstance(events_item_data, str) else None
                        ) or EventName(events_item_data)

                    except (TypeError, ValueError, KeyError, AttributeError) as _failure:
                        _failure.add_note(f"[{events__index}]")
                        raise

                    events.append(events_item)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("events")
            raise

        _value = document__["active"]
        try:
            if not isinstance(_value, bool):
                raise TypeError(f"expected bool, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("active")
            raise

        _value = document__["createdAt"]
        try:
            created_at = datetime.datetime.fromisoformat(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("createdAt")
            raise

        _value = document__["updatedAt"]
        try:
            updated_at = datetime.datetime.fromisoformat(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("updatedAt")
            raise

        _value = document__.get("secret", UNSET)
        try:
            secret = _value
            if not (isinstance(secret, str) or (secret is None) or isinstance(secret, Unset)):
                raise TypeError(f"expected None | str, got {type(secret).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("secret")
            raise

    @classmethod
    def check_dicts(cls, items: list[Any]) -> bool:
        """Whether check_dict accepts every item of items, found out a field at a time over the whole list.

        True only when it does; False when unsure (a type it does not expect exactly, an unknown enum value, any
        error): the caller then checks item by item, which names what is wrong.
        """
        try:
            if not {dict}.issuperset(map(type, items)):
                return False
            if not {str}.issuperset(map(type, map(itemgetter("id"), items))):
                return False
            if not {str}.issuperset(map(type, map(itemgetter("name"), items))):
                return False
            if not {str}.issuperset(map(type, map(itemgetter("url"), items))):
                return False
            events__lists = list(map(itemgetter("events"), items))
            if not {list}.issuperset(map(type, events__lists)):
                return False
            if not _EVENT_NAME_VALUES.issuperset(chain.from_iterable(events__lists)):
                return False
            if not {bool}.issuperset(map(type, map(itemgetter("active"), items))):
                return False
            deque(map(datetime.datetime.fromisoformat, map(itemgetter("createdAt"), items)), 0)
            deque(map(datetime.datetime.fromisoformat, map(itemgetter("updatedAt"), items)), 0)
            if not {str, type(None), Unset}.issuperset(
                map(type, map(dict.get, items, repeat("secret"), repeat(UNSET)))
            ):
                return False
        except (KeyError, TypeError, ValueError):
            return False
        return True

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
