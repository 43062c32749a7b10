from __future__ import annotations

from collections.abc import Mapping
from itertools import repeat
from operator import itemgetter
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="OAuthError")


@_attrs_define
class OAuthError:
    """An OAuth2 error (RFC 6749, section 5.2).

    Attributes:
        error (str):
        error_description (str | Unset):
    """

    error: str
    error_description: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error = self.error

        error_description = self.error_description

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
            }
        )
        if error_description is not UNSET:
            field_dict["error_description"] = error_description

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = dict(src_dict)
        _value = document__.pop("error")
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("error")
            raise

        error = _value

        _value = document__.pop("error_description", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("error_description")
            raise

        error_description = _value

        o_auth_error = cls(
            error,
            error_description,
        )

        if document__:
            o_auth_error.additional_properties = document__

        return o_auth_error

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
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("error")
            raise

        _value = document__.get("error_description", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("error_description")
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
            if not {str}.issuperset(map(type, map(itemgetter("error"), items))):
                return False
            if not {str, Unset}.issuperset(map(type, map(dict.get, items, repeat("error_description"), repeat(UNSET)))):
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
