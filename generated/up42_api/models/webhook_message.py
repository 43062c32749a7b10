from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.event_name import EventName

if TYPE_CHECKING:
    from ..models.job_status_body import JobStatusBody
    from ..models.order_status_body import OrderStatusBody


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
        from ..models.order_status_body import OrderStatusBody

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
        from ..models.job_status_body import JobStatusBody
        from ..models.order_status_body import OrderStatusBody

        d = dict(src_dict)
        event = EventName(d.pop("event"))

        live_mode = d.pop("liveMode")

        message_id = d.pop("messageId")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        def _parse_body(data: object) -> JobStatusBody | OrderStatusBody:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                body_type_0 = OrderStatusBody.from_dict(data)

                return body_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            body_type_1 = JobStatusBody.from_dict(data)

            return body_type_1

        body = _parse_body(d.pop("body"))

        webhook_message = cls(
            event=event,
            live_mode=live_mode,
            message_id=message_id,
            timestamp=timestamp,
            body=body,
        )

        webhook_message.additional_properties = d
        return webhook_message

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
