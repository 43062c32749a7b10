from __future__ import annotations

from collections.abc import Mapping
from itertools import repeat
from operator import itemgetter
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Userinfo")


@_attrs_define
class Userinfo:
    """OpenID Connect userinfo claims; `sub` is used as the workspace id.

    Attributes:
        sub (str):
        email (str | Unset):
        preferred_username (str | Unset):
    """

    sub: str
    email: str | Unset = UNSET
    preferred_username: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sub = self.sub

        email = self.email

        preferred_username = self.preferred_username

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sub": sub,
            }
        )
        if email is not UNSET:
            field_dict["email"] = email
        if preferred_username is not UNSET:
            field_dict["preferred_username"] = preferred_username

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = dict(src_dict)
        _value = document__.pop("sub")
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("sub")
            raise

        sub = _value

        _value = document__.pop("email", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("email")
            raise

        email = _value

        _value = document__.pop("preferred_username", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("preferred_username")
            raise

        preferred_username = _value

        userinfo = cls(
            sub,
            email,
            preferred_username,
        )

        if document__:
            userinfo.additional_properties = document__

        return userinfo

    @classmethod
    def check_dict(cls, src_dict: Mapping[str, Any]) -> None:
        """Raise what from_dict would raise for src_dict, without building this model or the models inside it.

        A caller that may never read most of a long list checks it whole up front, and builds each model on first
        use, knowing that cannot fail.
        """
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = src_dict
        _value = document__["sub"]
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("sub")
            raise

        _value = document__.get("email", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("email")
            raise

        _value = document__.get("preferred_username", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("preferred_username")
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
            if not {str}.issuperset(map(type, map(itemgetter("sub"), items))):
                return False
            if not {str, Unset}.issuperset(map(type, map(dict.get, items, repeat("email"), repeat(UNSET)))):
                return False
            if not {str, Unset}.issuperset(
                map(type, map(dict.get, items, repeat("preferred_username"), repeat(UNSET)))
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
