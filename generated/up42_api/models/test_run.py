from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

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
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = dict(src_dict)
        _value = document__.pop("startedAt")
        try:
            started_at = datetime.datetime.fromisoformat(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("startedAt")
            raise

        _value = document__.pop("testsRun")
        try:
            if not (isinstance(_value, int) and not isinstance(_value, bool)):
                raise TypeError(f"expected int, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("testsRun")
            raise

        tests_run = _value

        _value = document__.pop("testsSucceeded")
        try:
            if not (isinstance(_value, int) and not isinstance(_value, bool)):
                raise TypeError(f"expected int, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("testsSucceeded")
            raise

        tests_succeeded = _value

        _value = document__.pop("testsFailed", UNSET)
        try:
            if not ((isinstance(_value, int) and not isinstance(_value, bool)) or isinstance(_value, Unset)):
                raise TypeError(f"expected int, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("testsFailed")
            raise

        tests_failed = _value

        _value = document__.pop("tests", UNSET)
        try:
            _tests = _value
            tests: list[TestResult] | Unset = UNSET
            if not isinstance(_tests, Unset):
                if not isinstance(_tests, list):
                    raise TypeError(f"expected list, got {type(_tests).__name__}")
                tests = []
                for tests__index, tests_item_data in enumerate(_tests):
                    try:
                        tests_item = TestResult.from_dict(tests_item_data)

                    except (TypeError, ValueError, KeyError, AttributeError) as _failure:
                        _failure.add_note(f"[{tests__index}]")
                        raise

                    tests.append(tests_item)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("tests")
            raise

        test_run = cls(
            started_at,
            tests_run,
            tests_succeeded,
            tests_failed,
            tests,
        )

        if document__:
            test_run.additional_properties = document__

        return test_run

    @classmethod
    def check_dict(cls, src_dict: Mapping[str, Any]) -> None:
        """Raise what from_dict would raise for src_dict, without building this model or the models inside it.

        A caller that may never read most of a long list checks it whole up front, and builds each model on first
        use, knowing that cannot fail.
        """
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise TypeError(f"expected an object, got {type(src_dict).__name__}")
        document__ = src_dict
        _value = document__["startedAt"]
        try:
            started_at = datetime.datetime.fromisoformat(_value)

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("startedAt")
            raise

        _value = document__["testsRun"]
        try:
            if not (isinstance(_value, int) and not isinstance(_value, bool)):
                raise TypeError(f"expected int, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("testsRun")
            raise

        _value = document__["testsSucceeded"]
        try:
            if not (isinstance(_value, int) and not isinstance(_value, bool)):
                raise TypeError(f"expected int, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("testsSucceeded")
            raise

        _value = document__.get("testsFailed", UNSET)
        try:
            if not ((isinstance(_value, int) and not isinstance(_value, bool)) or isinstance(_value, Unset)):
                raise TypeError(f"expected int, got {type(_value).__name__}")

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("testsFailed")
            raise

        _value = document__.get("tests", UNSET)
        try:
            if not isinstance(_value, Unset):
                if not isinstance(_value, list):
                    raise TypeError(f"expected list, got {type(_value).__name__}")
                _check_item = TestResult.check_dict
                for tests__index, tests_item_data in enumerate(_value):
                    try:
                        _check_item(tests_item_data)
                    except (TypeError, ValueError, KeyError, AttributeError) as _failure:
                        _failure.add_note(f"[{tests__index}]")
                        raise

        except (TypeError, ValueError, KeyError, AttributeError) as _failure:
            _failure.add_note("tests")
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
from ..models.test_result import TestResult
