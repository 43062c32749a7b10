from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.job_status import JobStatus

_JOB_STATUS_BY_VALUE = {member.value: member for member in JobStatus}


T = TypeVar("T", bound="JobStatusBody")


@_attrs_define
class JobStatusBody:
    """The payload of `job.status`; only `status` is known, further fields are kept.

    Attributes:
        status (JobStatus): The status of a processing job. Open.
    """

    status: JobStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = dict(src_dict)
        _value = document__.pop("status")
        try:
            status = (_JOB_STATUS_BY_VALUE.get(_value) if isinstance(_value, str) else None) or JobStatus(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("status")
            raise

        job_status_body = cls(
            status,
        )

        if document__:
            job_status_body.additional_properties = document__

        return job_status_body

    @classmethod
    def check_dict(cls, src_dict: Mapping[str, Any]) -> None:
        """Raise what from_dict would raise for src_dict, without building this model or the models inside it.

        A caller that may never read most of a long list checks it whole up front, and builds each model on first
        use, knowing that cannot fail.
        """
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = src_dict
        _value = document__["status"]
        try:
            status = (_JOB_STATUS_BY_VALUE.get(_value) if isinstance(_value, str) else None) or JobStatus(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("status")
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
