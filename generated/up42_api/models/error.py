from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Error")


@_attrs_define
class Error:
    """What went wrong.

    Attributes:
        message (str):
        code (int | str | Unset): A symbolic code such as `RESOURCE_NOT_FOUND`, or an HTTP status number.
        details (ErrorDetailsType0 | None | Unset):
    """

    message: str
    code: int | str | Unset = UNSET
    details: ErrorDetailsType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message = self.message

        code: int | str | Unset
        if isinstance(self.code, Unset):
            code = UNSET
        else:
            code = self.code

        details: dict[str, Any] | None | Unset
        if isinstance(self.details, Unset):
            details = UNSET
        elif isinstance(self.details, ErrorDetailsType0):
            details = self.details.to_dict()
        else:
            details = self.details

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message": message,
            }
        )
        if code is not UNSET:
            field_dict["code"] = code
        if details is not UNSET:
            field_dict["details"] = details

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = dict(src_dict)
        _value = document__.pop("message")
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("message")
            raise

        message = _value

        _value = document__.pop("code", UNSET)
        try:
            code = _value
            if not (
                isinstance(code, str)
                or (isinstance(code, int) and not isinstance(code, bool))
                or isinstance(code, Unset)
            ):
                raise TypeError(f"expected int | str, got {type(code).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("code")
            raise

        _value = document__.pop("details", UNSET)
        try:

            def _parse_details(data: object) -> ErrorDetailsType0 | None | Unset:
                if data is None:
                    return data
                if isinstance(data, Unset):
                    return data
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    details_type_0 = ErrorDetailsType0.from_dict(data)

                    return details_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if data is None:
                    return cast(ErrorDetailsType0 | None | Unset, data)
                raise TypeError(f"expected ErrorDetailsType0 | None, got {type(data).__name__}")

            details = _parse_details(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("details")
            raise

        error = cls(
            message,
            code,
            details,
        )

        if document__:
            error.additional_properties = document__

        return error

    @classmethod
    def check_dict(cls, src_dict: Mapping[str, Any]) -> None:
        """Raise what from_dict would raise for src_dict, without building this model or the models inside it.

        A caller that may never read most of a long list checks it whole up front, and builds each model on first
        use, knowing that cannot fail.
        """
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = src_dict
        _value = document__["message"]
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("message")
            raise

        _value = document__.get("code", UNSET)
        try:
            code = _value
            if not (
                isinstance(code, str)
                or (isinstance(code, int) and not isinstance(code, bool))
                or isinstance(code, Unset)
            ):
                raise TypeError(f"expected int | str, got {type(code).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("code")
            raise

        _value = document__.get("details", UNSET)
        try:

            def _parse_details(data: object) -> ErrorDetailsType0 | None | Unset:
                if data is None:
                    return data
                if isinstance(data, Unset):
                    return data
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    details_type_0 = ErrorDetailsType0.from_dict(data)

                    return details_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if data is None:
                    return cast(ErrorDetailsType0 | None | Unset, data)
                raise TypeError(f"expected ErrorDetailsType0 | None, got {type(data).__name__}")

            details = _parse_details(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("details")
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
from ..models.error_details_type_0 import ErrorDetailsType0
