from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TokenRequest")


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
    password: str
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
        d = dict(src_dict)
        grant_type = cast(Literal["password"], d.pop("grant_type"))
        if grant_type != "password":
            raise ValueError(f"grant_type must match const 'password', got '{grant_type}'")

        username = d.pop("username")

        password = d.pop("password")

        client_id = cast(Literal["up42-sdk"], d.pop("client_id"))
        if client_id != "up42-sdk":
            raise ValueError(f"client_id must match const 'up42-sdk', got '{client_id}'")

        scope = d.pop("scope", UNSET)

        token_request = cls(
            grant_type=grant_type,
            username=username,
            password=password,
            client_id=client_id,
            scope=scope,
        )

        token_request.additional_properties = d
        return token_request

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
