from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.event_name import EventName
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.test_request import TestRequest


T = TypeVar("T", bound="TestResult")


@_attrs_define
class TestResult:
    """One test delivery and how the receiver answered.

    Attributes:
        event_name (EventName): A webhook event name. Open: names added by UP42 after this document was written are kept
            as they are.
            `job.status` is the legacy event of the processing platform.
        success (bool):
        started_at (datetime.datetime | Unset):
        message (str | Unset):
        request (TestRequest | Unset): The test delivery as it was sent.
        response (None | str | Unset): A one-line summary of the receiver's answer, e.g.
            `HttpResponse[https://example.com/hook, 200 OK]`.
    """

    event_name: EventName
    success: bool
    started_at: datetime.datetime | Unset = UNSET
    message: str | Unset = UNSET
    request: TestRequest | Unset = UNSET
    response: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        event_name = self.event_name.value

        success = self.success

        started_at: str | Unset = UNSET
        if not isinstance(self.started_at, Unset):
            started_at = self.started_at.isoformat()

        message = self.message

        request: dict[str, Any] | Unset = UNSET
        if not isinstance(self.request, Unset):
            request = self.request.to_dict()

        response: None | str | Unset
        if isinstance(self.response, Unset):
            response = UNSET
        else:
            response = self.response

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "eventName": event_name,
                "success": success,
            }
        )
        if started_at is not UNSET:
            field_dict["startedAt"] = started_at
        if message is not UNSET:
            field_dict["message"] = message
        if request is not UNSET:
            field_dict["request"] = request
        if response is not UNSET:
            field_dict["response"] = response

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.test_request import TestRequest

        d = dict(src_dict)
        event_name = EventName(d.pop("eventName"))

        success = d.pop("success")

        _started_at = d.pop("startedAt", UNSET)
        started_at: datetime.datetime | Unset
        if isinstance(_started_at, Unset):
            started_at = UNSET
        else:
            started_at = datetime.datetime.fromisoformat(_started_at)

        message = d.pop("message", UNSET)

        _request = d.pop("request", UNSET)
        request: TestRequest | Unset
        if isinstance(_request, Unset):
            request = UNSET
        else:
            request = TestRequest.from_dict(_request)

        def _parse_response(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        response = _parse_response(d.pop("response", UNSET))

        test_result = cls(
            event_name=event_name,
            success=success,
            started_at=started_at,
            message=message,
            request=request,
            response=response,
        )

        test_result.additional_properties = d
        return test_result

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
