from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookListEnvelope")


@_attrs_define
class WebhookListEnvelope:
    """
    Attributes:
        data (list[Webhook]):
        error (None | Unset):
    """

    data: list[Webhook]
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
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = dict(src_dict)
        _value = document__.pop("data")
        try:
            _data = _value
            if not isinstance(_data, list):
                raise TypeError(f"expected list, got {type(_data).__name__}")
            data = []
            for data__index, data_item_data in enumerate(_data):
                try:
                    data_item = Webhook.from_dict(data_item_data)

                except (TypeError, ValueError, KeyError, AttributeError) as _failure:
                    _failure.add_note(f"[{data__index}]")
                    raise

                data.append(data_item)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("data")
            raise

        _value = document__.pop("error", UNSET)
        try:
            if not ((_value is None) or isinstance(_value, Unset)):
                raise TypeError(f"expected None, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("error")
            raise

        error = _value

        webhook_list_envelope = cls(
            data,
            error,
        )

        if document__:
            webhook_list_envelope.additional_properties = document__

        return webhook_list_envelope

    @classmethod
    def check_dict(cls, src_dict: Mapping[str, Any]) -> None:
        """Raise what from_dict would raise for src_dict, without building this model or the models inside it.

        A caller that may never read most of a long list checks it whole up front, and builds each model on first
        use, knowing that cannot fail.
        """
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = src_dict
        _value = document__["data"]
        try:
            if not isinstance(_value, list):
                raise TypeError(f"expected list, got {type(_value).__name__}")
            if not Webhook.check_dicts(_value):
                _check_item = Webhook.check_dict
                for data__index, data_item_data in enumerate(_value):
                    try:
                        _check_item(data_item_data)
                    except (TypeError, ValueError, KeyError, AttributeError) as _failure:
                        _failure.add_note(f"[{data__index}]")
                        raise

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("data")
            raise

        _value = document__.get("error", UNSET)
        try:
            if not ((_value is None) or isinstance(_value, Unset)):
                raise TypeError(f"expected None, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("error")
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


# The models this one holds, imported after the class: models may refer to each other, and an import inside
# from_dict or check_dict would cost about a microsecond on every call.
from ..models.webhook import Webhook
