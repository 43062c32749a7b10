from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.event_name import EventName

_EVENT_NAME_BY_VALUE = {member.value: member for member in EventName}


T = TypeVar("T", bound="WebhookMessage")


@_attrs_define
class WebhookMessage:
    """The JSON body of a delivery.

    Attributes:
        event (EventName): A webhook event name. Open: names added by UP42 after this document was written are kept as
            they are.
            `job.status` is the legacy event of the processing platform.
        live_mode (bool): False for test deliveries.
        message_id (str): Unique per message (a UUID); use it to drop duplicates.
        timestamp (datetime.datetime):
        body (JobStatusBody | OrderStatusBody): The event's payload; its shape depends on `event`.
    """

    event: EventName
    live_mode: bool
    message_id: str
    timestamp: datetime.datetime
    body: JobStatusBody | OrderStatusBody
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        event = self.event.value

        live_mode = self.live_mode

        message_id = self.message_id

        timestamp = self.timestamp.isoformat()

        body: dict[str, Any]
        if isinstance(self.body, OrderStatusBody):
            body = self.body.to_dict()
        else:
            body = self.body.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "event": event,
                "liveMode": live_mode,
                "messageId": message_id,
                "timestamp": timestamp,
                "body": body,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = dict(src_dict)
        _value = document__.pop("event")
        try:
            event = (_EVENT_NAME_BY_VALUE.get(_value) if isinstance(_value, str) else None) or EventName(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("event")
            raise

        _value = document__.pop("liveMode")
        try:
            if not isinstance(_value, bool):
                raise TypeError(f"expected bool, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("liveMode")
            raise

        live_mode = _value

        _value = document__.pop("messageId")
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("messageId")
            raise

        message_id = _value

        _value = document__.pop("timestamp")
        try:
            timestamp = datetime.datetime.fromisoformat(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("timestamp")
            raise

        _value = document__.pop("body")
        try:

            def _parse_body(data: object) -> JobStatusBody | OrderStatusBody:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    body_type_0 = OrderStatusBody.from_dict(data)

                    return body_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError(f"expected JobStatusBody | OrderStatusBody, got {type(data).__name__}")

                body_type_1 = JobStatusBody.from_dict(data)

                return body_type_1

            body = _parse_body(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("body")
            raise

        webhook_message = cls(
            event,
            live_mode,
            message_id,
            timestamp,
            body,
        )

        if document__:
            webhook_message.additional_properties = document__

        return webhook_message

    @classmethod
    def check_dict(cls, src_dict: Mapping[str, Any]) -> None:
        """Raise what from_dict would raise for src_dict, without building this model or the models inside it.

        A caller that may never read most of a long list checks it whole up front, and builds each model on first
        use, knowing that cannot fail.
        """
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = src_dict
        _value = document__["event"]
        try:
            event = (_EVENT_NAME_BY_VALUE.get(_value) if isinstance(_value, str) else None) or EventName(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("event")
            raise

        _value = document__["liveMode"]
        try:
            if not isinstance(_value, bool):
                raise TypeError(f"expected bool, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("liveMode")
            raise

        _value = document__["messageId"]
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("messageId")
            raise

        _value = document__["timestamp"]
        try:
            timestamp = datetime.datetime.fromisoformat(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("timestamp")
            raise

        _value = document__["body"]
        try:

            def _parse_body(data: object) -> JobStatusBody | OrderStatusBody:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    body_type_0 = OrderStatusBody.from_dict(data)

                    return body_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError(f"expected JobStatusBody | OrderStatusBody, got {type(data).__name__}")

                body_type_1 = JobStatusBody.from_dict(data)

                return body_type_1

            body = _parse_body(_value)

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
from ..models.job_status_body import JobStatusBody
from ..models.order_status_body import OrderStatusBody
