from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.event_name import EventName
from ..types import UNSET, Unset

_EVENT_NAME_BY_VALUE = {member.value: member for member in EventName}


T = TypeVar("T", bound="EventType")


@_attrs_define
class EventType:
    """An entry of the event type catalog.

    Attributes:
        name (EventName): A webhook event name. Open: names added by UP42 after this document was written are kept as
            they are.
            `job.status` is the legacy event of the processing platform.
        title (str | Unset):
        category (str | Unset):
        description (str | Unset):
        documentation (str | Unset):
    """

    name: EventName
    title: str | Unset = UNSET
    category: str | Unset = UNSET
    description: str | Unset = UNSET
    documentation: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name.value

        title = self.title

        category = self.category

        description = self.description

        documentation = self.documentation

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
            }
        )
        if title is not UNSET:
            field_dict["title"] = title
        if category is not UNSET:
            field_dict["category"] = category
        if description is not UNSET:
            field_dict["description"] = description
        if documentation is not UNSET:
            field_dict["documentation"] = documentation

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = dict(src_dict)
        _value = document__.pop("name")
        try:
            name = (_EVENT_NAME_BY_VALUE.get(_value) if isinstance(_value, str) else None) or EventName(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("name")
            raise

        _value = document__.pop("title", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("title")
            raise

        title = _value

        _value = document__.pop("category", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("category")
            raise

        category = _value

        _value = document__.pop("description", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("description")
            raise

        description = _value

        _value = document__.pop("documentation", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("documentation")
            raise

        documentation = _value

        event_type = cls(
            name,
            title,
            category,
            description,
            documentation,
        )

        if document__:
            event_type.additional_properties = document__

        return event_type

    @classmethod
    def check_dict(cls, src_dict: Mapping[str, Any]) -> None:
        """Raise what from_dict would raise for src_dict, without building this model or the models inside it.

        A caller that may never read most of a long list checks it whole up front, and builds each model on first
        use, knowing that cannot fail.
        """
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = src_dict
        _value = document__["name"]
        try:
            name = (_EVENT_NAME_BY_VALUE.get(_value) if isinstance(_value, str) else None) or EventName(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("name")
            raise

        _value = document__.get("title", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("title")
            raise

        _value = document__.get("category", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("category")
            raise

        _value = document__.get("description", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("description")
            raise

        _value = document__.get("documentation", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("documentation")
            raise

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
