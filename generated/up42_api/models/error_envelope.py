from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ErrorEnvelope")


@_attrs_define
class ErrorEnvelope:
    """
    Attributes:
        error (Error): What went wrong.
        data (None | Unset):
    """

    error: Error
    data: None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error = self.error.to_dict()

        data = self.data

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
            }
        )
        if data is not UNSET:
            field_dict["data"] = data

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = dict(src_dict)
        _value = document__.pop("error")
        try:
            error = Error.from_dict(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("error")
            raise

        _value = document__.pop("data", UNSET)
        try:
            if not ((_value is None) or isinstance(_value, Unset)):
                raise TypeError(f"expected None, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("data")
            raise

        data = _value

        error_envelope = cls(
            error,
            data,
        )

        if document__:
            error_envelope.additional_properties = document__

        return error_envelope

    @classmethod
    def check_dict(cls, src_dict: Mapping[str, Any]) -> None:
        """Raise what from_dict would raise for src_dict, without building this model or the models inside it.

        A caller that may never read most of a long list checks it whole up front, and builds each model on first
        use, knowing that cannot fail.
        """
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = src_dict
        _value = document__["error"]
        try:
            Error.check_dict(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("error")
            raise

        _value = document__.get("data", UNSET)
        try:
            if not ((_value is None) or isinstance(_value, Unset)):
                raise TypeError(f"expected None, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("data")
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
from ..models.error import Error
