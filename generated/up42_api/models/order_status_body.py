from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_status import OrderStatus
from ..models.order_type import OrderType

T = TypeVar("T", bound="OrderStatusBody")


@_attrs_define
class OrderStatusBody:
    """The payload of `order.status`.

    Attributes:
        order_id (str):
        order_type (OrderType): The kind of order. Open.
        data_host_name (str):
        status (OrderStatus): The status of an order. Open, like every enum here.
        status_is_final (bool):
    """

    order_id: str
    order_type: OrderType
    data_host_name: str
    status: OrderStatus
    status_is_final: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order_id = self.order_id

        order_type = self.order_type.value

        data_host_name = self.data_host_name

        status = self.status.value

        status_is_final = self.status_is_final

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "orderId": order_id,
                "orderType": order_type,
                "dataHostName": data_host_name,
                "status": status,
                "statusIsFinal": status_is_final,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        order_id = d.pop("orderId")

        order_type = OrderType(d.pop("orderType"))

        data_host_name = d.pop("dataHostName")

        status = OrderStatus(d.pop("status"))

        status_is_final = d.pop("statusIsFinal")

        order_status_body = cls(
            order_id=order_id,
            order_type=order_type,
            data_host_name=data_host_name,
            status=status,
            status_is_final=status_is_final,
        )

        order_status_body.additional_properties = d
        return order_status_body

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
