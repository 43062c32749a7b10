from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TokenRequest")


def _masked(value: object) -> str:
    """How repr shows a field the spec marks sensitive: whether it is set, never its value."""
    if value is None or isinstance(value, Unset) or value == "":
        return repr(value)
    return "'********'"


@_attrs_define
class TokenRequest:
    """Form fields of the password grant.

    Attributes:
        grant_type (Literal['password']):
        username (str):
        password (str):
        client_id (Literal['up42-sdk']):
        scope (str | Unset): Space-separated scopes; the SDK asks for `openid`.
    """

    grant_type: Literal["password"]
    username: str
    password: str = _attrs_field(repr=_masked)
    client_id: Literal["up42-sdk"]
    scope: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        grant_type = self.grant_type

        username = self.username

        password = self.password

        client_id = self.client_id

        scope = self.scope

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "grant_type": grant_type,
                "username": username,
                "password": password,
                "client_id": client_id,
            }
        )
        if scope is not UNSET:
            field_dict["scope"] = scope

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = dict(src_dict)
        _value = document__.pop("grant_type")
        try:
            grant_type = cast(Literal["password"], _value)
            if grant_type != "password":
                raise ValueError(f"grant_type must match const 'password', got '{grant_type}'")
        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("grant_type")
            raise

        _value = document__.pop("username")
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("username")
            raise

        username = _value

        _value = document__.pop("password")
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("password")
            raise

        password = _value

        _value = document__.pop("client_id")
        try:
            client_id = cast(Literal["up42-sdk"], _value)
            if client_id != "up42-sdk":
                raise ValueError(f"client_id must match const 'up42-sdk', got '{client_id}'")
        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("client_id")
            raise

        _value = document__.pop("scope", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("scope")
            raise

        scope = _value

        token_request = cls(
            grant_type,
            username,
            password,
            client_id,
            scope,
        )

        if document__:
            token_request.additional_properties = document__

        return token_request

    @classmethod
    def check_dict(cls, src_dict: Mapping[str, Any]) -> None:
        """Raise what from_dict would raise for src_dict, without building this model or the models inside it.

        A caller that may never read most of a long list checks it whole up front, and builds each model on first
        use, knowing that cannot fail.
        """
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = src_dict
        _value = document__["grant_type"]
        try:
            grant_type = cast(Literal["password"], _value)
            if grant_type != "password":
                raise ValueError(f"grant_type must match const 'password', got '{grant_type}'")
        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("grant_type")
            raise

        _value = document__["username"]
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("username")
            raise

        _value = document__["password"]
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("password")
            raise

        _value = document__["client_id"]
        try:
            client_id = cast(Literal["up42-sdk"], _value)
            if client_id != "up42-sdk":
                raise ValueError(f"client_id must match const 'up42-sdk', got '{client_id}'")
        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("client_id")
            raise

        _value = document__.get("scope", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("scope")
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
