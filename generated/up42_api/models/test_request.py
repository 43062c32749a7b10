from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

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
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = dict(src_dict)
        _value = document__.pop("headers", UNSET)
        try:
            _headers = _value
            headers: TestRequestHeaders | Unset
            if isinstance(_headers, Unset):
                headers = UNSET
            else:
                headers = TestRequestHeaders.from_dict(_headers)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("headers")
            raise

        _value = document__.pop("body", UNSET)
        try:
            _body = _value
            body: WebhookMessage | Unset
            if isinstance(_body, Unset):
                body = UNSET
            else:
                body = WebhookMessage.from_dict(_body)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("body")
            raise

        test_request = cls(
            headers,
            body,
        )

        if document__:
            test_request.additional_properties = document__

        return test_request

    @classmethod
    def check_dict(cls, src_dict: Mapping[str, Any]) -> None:
        """Raise what from_dict would raise for src_dict, without building this model or the models inside it.

        A caller that may never read most of a long list checks it whole up front, and builds each model on first
        use, knowing that cannot fail.
        """
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = src_dict
        _value = document__.get("headers", UNSET)
        try:
            if not isinstance(_value, Unset):
                TestRequestHeaders.check_dict(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("headers")
            raise

        _value = document__.get("body", UNSET)
        try:
            if not isinstance(_value, Unset):
                WebhookMessage.check_dict(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("body")
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
from ..models.test_request_headers import TestRequestHeaders
from ..models.webhook_message import WebhookMessage
