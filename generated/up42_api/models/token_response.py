from __future__ import annotations

from collections.abc import Mapping
from itertools import repeat
from operator import itemgetter
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TokenResponse")


def _masked(value: object) -> str:
    """How repr shows a field the spec marks sensitive: whether it is set, never its value."""
    if value is None or isinstance(value, Unset) or value == "":
        return repr(value)
    return "'********'"


@_attrs_define
class TokenResponse:
    """A standard OAuth2 token response.

    Attributes:
        access_token (str):
        expires_in (int): Lifetime of the access token in seconds.
        token_type (str | Unset):
        refresh_token (str | Unset):
        refresh_expires_in (int | Unset):
        id_token (str | Unset): The OpenID Connect ID token, sent when the scope includes `openid`.
        scope (str | Unset):
    """

    access_token: str = _attrs_field(repr=_masked)
    expires_in: int
    token_type: str | Unset = UNSET
    refresh_token: str | Unset = _attrs_field(default=UNSET, repr=_masked)
    refresh_expires_in: int | Unset = UNSET
    id_token: str | Unset = _attrs_field(default=UNSET, repr=_masked)
    scope: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        access_token = self.access_token

        expires_in = self.expires_in

        token_type = self.token_type

        refresh_token = self.refresh_token

        refresh_expires_in = self.refresh_expires_in

        id_token = self.id_token

        scope = self.scope

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "access_token": access_token,
                "expires_in": expires_in,
            }
        )
        if token_type is not UNSET:
            field_dict["token_type"] = token_type
        if refresh_token is not UNSET:
            field_dict["refresh_token"] = refresh_token
        if refresh_expires_in is not UNSET:
            field_dict["refresh_expires_in"] = refresh_expires_in
        if id_token is not UNSET:
            field_dict["id_token"] = id_token
        if scope is not UNSET:
            field_dict["scope"] = scope

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = dict(src_dict)
        _value = document__.pop("access_token")
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("access_token")
            raise

        access_token = _value

        _value = document__.pop("expires_in")
        try:
            if not (isinstance(_value, int) and not isinstance(_value, bool)):
                raise TypeError(f"expected int, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("expires_in")
            raise

        expires_in = _value

        _value = document__.pop("token_type", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("token_type")
            raise

        token_type = _value

        _value = document__.pop("refresh_token", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("refresh_token")
            raise

        refresh_token = _value

        _value = document__.pop("refresh_expires_in", UNSET)
        try:
            if not ((isinstance(_value, int) and not isinstance(_value, bool)) or isinstance(_value, Unset)):
                raise TypeError(f"expected int, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("refresh_expires_in")
            raise

        refresh_expires_in = _value

        _value = document__.pop("id_token", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("id_token")
            raise

        id_token = _value

        _value = document__.pop("scope", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("scope")
            raise

        scope = _value

        token_response = cls(
            access_token,
            expires_in,
            token_type,
            refresh_token,
            refresh_expires_in,
            id_token,
            scope,
        )

        if document__:
            token_response.additional_properties = document__

        return token_response

    @classmethod
    def check_dict(cls, src_dict: Mapping[str, Any]) -> None:
        """Raise what from_dict would raise for src_dict, without building this model or the models inside it.

        A caller that may never read most of a long list checks it whole up front, and builds each model on first
        use, knowing that cannot fail.
        """
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = src_dict
        _value = document__["access_token"]
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("access_token")
            raise

        _value = document__["expires_in"]
        try:
            if not (isinstance(_value, int) and not isinstance(_value, bool)):
                raise TypeError(f"expected int, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("expires_in")
            raise

        _value = document__.get("token_type", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("token_type")
            raise

        _value = document__.get("refresh_token", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("refresh_token")
            raise

        _value = document__.get("refresh_expires_in", UNSET)
        try:
            if not ((isinstance(_value, int) and not isinstance(_value, bool)) or isinstance(_value, Unset)):
                raise TypeError(f"expected int, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("refresh_expires_in")
            raise

        _value = document__.get("id_token", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("id_token")
            raise

        _value = document__.get("scope", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("scope")
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
            if not {str}.issuperset(map(type, map(itemgetter("access_token"), items))):
                return False
            if not {int}.issuperset(map(type, map(itemgetter("expires_in"), items))):
                return False
            if not {str, Unset}.issuperset(map(type, map(dict.get, items, repeat("token_type"), repeat(UNSET)))):
                return False
            if not {str, Unset}.issuperset(map(type, map(dict.get, items, repeat("refresh_token"), repeat(UNSET)))):
                return False
            if not {int, Unset}.issuperset(
                map(type, map(dict.get, items, repeat("refresh_expires_in"), repeat(UNSET)))
            ):
                return False
            if not {str, Unset}.issuperset(map(type, map(dict.get, items, repeat("id_token"), repeat(UNSET)))):
                return False
            if not {str, Unset}.issuperset(map(type, map(dict.get, items, repeat("scope"), repeat(UNSET)))):
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
