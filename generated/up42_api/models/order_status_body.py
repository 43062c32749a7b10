from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_status import OrderStatus
from ..models.order_type import OrderType

_ORDER_STATUS_BY_VALUE = {member.value: member for member in OrderStatus}
_ORDER_TYPE_BY_VALUE = {member.value: member for member in OrderType}


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
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = dict(src_dict)
        _value = document__.pop("orderId")
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("orderId")
            raise

        order_id = _value

        _value = document__.pop("orderType")
        try:
            order_type = (_ORDER_TYPE_BY_VALUE.get(_value) if isinstance(_value, str) else None) or OrderType(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("orderType")
            raise

        _value = document__.pop("dataHostName")
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("dataHostName")
            raise

        data_host_name = _value

        _value = document__.pop("status")
        try:
            status = (_ORDER_STATUS_BY_VALUE.get(_value) if isinstance(_value, str) else None) or OrderStatus(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("status")
            raise

        _value = document__.pop("statusIsFinal")
        try:
            if not isinstance(_value, bool):
                raise TypeError(f"expected bool, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("statusIsFinal")
            raise

        status_is_final = _value

        order_status_body = cls(
            order_id,
            order_type,
            data_host_name,
            status,
            status_is_final,
        )

        if document__:
            order_status_body.additional_properties = document__

        return order_status_body

    @classmethod
    def check_dict(cls, src_dict: Mapping[str, Any]) -> None:
        """Raise what from_dict would raise for src_dict, without building this model or the models inside it.

        A caller that may never read most of a long list checks it whole up front, and builds each model on first
        use, knowing that cannot fail.
        """
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = src_dict
        _value = document__["orderId"]
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("orderId")
            raise

        _value = document__["orderType"]
        try:
            order_type = (_ORDER_TYPE_BY_VALUE.get(_value) if isinstance(_value, str) else None) or OrderType(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("orderType")
            raise

        _value = document__["dataHostName"]
        try:
            if not isinstance(_value, str):
                raise TypeError(f"expected str, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("dataHostName")
            raise

        _value = document__["status"]
        try:
            status = (_ORDER_STATUS_BY_VALUE.get(_value) if isinstance(_value, str) else None) or OrderStatus(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("status")
            raise

        _value = document__["statusIsFinal"]
        try:
            if not isinstance(_value, bool):
                raise TypeError(f"expected bool, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("statusIsFinal")
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
