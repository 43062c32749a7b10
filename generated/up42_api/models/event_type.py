from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.event_name import EventName
from ..types import UNSET, Unset

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
        d = dict(src_dict)
        name = EventName(d.pop("name"))

        title = d.pop("title", UNSET)

        category = d.pop("category", UNSET)

        description = d.pop("description", UNSET)

        documentation = d.pop("documentation", UNSET)

        event_type = cls(
            name=name,
            title=title,
            category=category,
            description=description,
            documentation=documentation,
        )

        event_type.additional_properties = d
        return event_type

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
