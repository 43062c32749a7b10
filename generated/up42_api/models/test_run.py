from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.test_result import TestResult


T = TypeVar("T", bound="TestRun")


@_attrs_define
class TestRun:
    """The outcome of a test run, one test per subscribed event.

    Attributes:
        started_at (datetime.datetime):
        tests_run (int):
        tests_succeeded (int):
        tests_failed (int | Unset):
        tests (list[TestResult] | Unset):
    """

    started_at: datetime.datetime
    tests_run: int
    tests_succeeded: int
    tests_failed: int | Unset = UNSET
    tests: list[TestResult] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        started_at = self.started_at.isoformat()

        tests_run = self.tests_run

        tests_succeeded = self.tests_succeeded

        tests_failed = self.tests_failed

        tests: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.tests, Unset):
            tests = []
            for tests_item_data in self.tests:
                tests_item = tests_item_data.to_dict()
                tests.append(tests_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "startedAt": started_at,
                "testsRun": tests_run,
                "testsSucceeded": tests_succeeded,
            }
        )
        if tests_failed is not UNSET:
            field_dict["testsFailed"] = tests_failed
        if tests is not UNSET:
            field_dict["tests"] = tests

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.test_result import TestResult

        d = dict(src_dict)
        started_at = datetime.datetime.fromisoformat(d.pop("startedAt"))

        tests_run = d.pop("testsRun")

        tests_succeeded = d.pop("testsSucceeded")

        tests_failed = d.pop("testsFailed", UNSET)

        _tests = d.pop("tests", UNSET)
        tests: list[TestResult] | Unset = UNSET
        if _tests is not UNSET:
            if not isinstance(_tests, list):
                raise TypeError("tests must be a list")
            tests = []
            for tests_item_data in _tests:
                tests_item = TestResult.from_dict(tests_item_data)

                tests.append(tests_item)

        test_run = cls(
            started_at=started_at,
            tests_run=tests_run,
            tests_succeeded=tests_succeeded,
            tests_failed=tests_failed,
            tests=tests,
        )

        test_run.additional_properties = d
        return test_run

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
