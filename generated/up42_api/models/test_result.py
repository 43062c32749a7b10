from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.event_name import EventName
from ..types import UNSET, Unset

_EVENT_NAME_BY_VALUE = {member.value: member for member in EventName}


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
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = dict(src_dict)
        _value = document__.pop("eventName")
        try:
            event_name = (_EVENT_NAME_BY_VALUE.get(_value) if isinstance(_value, str) else None) or EventName(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("eventName")
            raise

        _value = document__.pop("success")
        try:
            if not isinstance(_value, bool):
                raise TypeError(f"expected bool, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("success")
            raise

        success = _value

        _value = document__.pop("startedAt", UNSET)
        try:
            _started_at = _value
            started_at: datetime.datetime | Unset
            if isinstance(_started_at, Unset):
                started_at = UNSET
            else:
                started_at = datetime.datetime.fromisoformat(_started_at)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("startedAt")
            raise

        _value = document__.pop("message", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("message")
            raise

        message = _value

        _value = document__.pop("request", UNSET)
        try:
            _request = _value
            request: TestRequest | Unset
            if isinstance(_request, Unset):
                request = UNSET
            else:
                request = TestRequest.from_dict(_request)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("request")
            raise

        _value = document__.pop("response", UNSET)
        try:
            response = _value
            if not (isinstance(response, str) or (response is None) or isinstance(response, Unset)):
                raise TypeError(f"expected None | str, got {type(response).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("response")
            raise

        test_result = cls(
            event_name,
            success,
            started_at,
            message,
            request,
            response,
        )

        if document__:
            test_result.additional_properties = document__

        return test_result

    @classmethod
    def check_dict(cls, src_dict: Mapping[str, Any]) -> None:
        """Raise what from_dict would raise for src_dict, without building this model or the models inside it.

        A caller that may never read most of a long list checks it whole up front, and builds each model on first
        use, knowing that cannot fail.
        """
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = src_dict
        _value = document__["eventName"]
        try:
            event_name = (_EVENT_NAME_BY_VALUE.get(_value) if isinstance(_value, str) else None) or EventName(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("eventName")
            raise

        _value = document__["success"]
        try:
            if not isinstance(_value, bool):
                raise TypeError(f"expected bool, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("success")
            raise

        _value = document__.get("startedAt", UNSET)
        try:
            _started_at = _value
            started_at: datetime.datetime | Unset
            if isinstance(_started_at, Unset):
                started_at = UNSET
            else:
                started_at = datetime.datetime.fromisoformat(_started_at)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("startedAt")
            raise

        _value = document__.get("message", UNSET)
        try:
            if not (isinstance(_value, str) or isinstance(_value, Unset)):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("message")
            raise

        _value = document__.get("request", UNSET)
        try:
            if not isinstance(_value, Unset):
                TestRequest.check_dict(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("request")
            raise

        _value = document__.get("response", UNSET)
        try:
            response = _value
            if not (isinstance(response, str) or (response is None) or isinstance(response, Unset)):
                raise TypeError(f"expected None | str, got {type(response).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("response")
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
from ..models.test_request import TestRequest
