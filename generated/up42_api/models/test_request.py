from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.test_request_headers import TestRequestHeaders
    from ..models.webhook_message import WebhookMessage


T = TypeVar("T", bound="TestRequest")


@_attrs_define
class TestRequest:
    """The test delivery as it was sent.

    Attributes:
        headers (TestRequestHeaders | Unset):
        body (WebhookMessage | Unset): The JSON body of a delivery.
    """

    headers: TestRequestHeaders | Unset = UNSET
    body: WebhookMessage | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        headers: dict[str, Any] | Unset = UNSET
        if not isinstance(self.headers, Unset):
            headers = self.headers.to_dict()

        body: dict[str, Any] | Unset = UNSET
        if not isinstance(self.body, Unset):
            body = self.body.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if headers is not UNSET:
            field_dict["headers"] = headers
        if body is not UNSET:
            field_dict["body"] = body

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.test_request_headers import TestRequestHeaders
        from ..models.webhook_message import WebhookMessage

        d = dict(src_dict)
        _headers = d.pop("headers", UNSET)
        headers: TestRequestHeaders | Unset
        if isinstance(_headers, Unset):
            headers = UNSET
        else:
            headers = TestRequestHeaders.from_dict(_headers)

        _body = d.pop("body", UNSET)
        body: WebhookMessage | Unset
        if isinstance(_body, Unset):
            body = UNSET
        else:
            body = WebhookMessage.from_dict(_body)

        test_request = cls(
            headers=headers,
            body=body,
        )

        test_request.additional_properties = d
        return test_request

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
