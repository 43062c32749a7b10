from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.event_type import EventType


T = TypeVar("T", bound="EventTypeListEnvelope")


@_attrs_define
class EventTypeListEnvelope:
    """
    Attributes:
        data (list[EventType]):
        error (None | Unset):
    """

    data: list[EventType]
    error: None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
            }
        )
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.event_type import EventType

        d = dict(src_dict)
        data = []
        _data = d.pop("data")
        if not isinstance(_data, list):
            raise TypeError("data must be a list")
        for data_item_data in _data:
            data_item = EventType.from_dict(data_item_data)

            data.append(data_item)

        error = d.pop("error", UNSET)

        event_type_list_envelope = cls(
            data=data,
            error=error,
        )

        event_type_list_envelope.additional_properties = d
        return event_type_list_envelope

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
