"""The shared argument checks and the one backoff schedule, on their own."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from up42._backoff import backoff
from up42._checks import WHITESPACE, check_positive, check_seconds, is_number, is_whole, url_problem
from up42.errors import InvalidArgumentError
from up42.sandbox._delivery import RetryPolicy as DeliveryPolicy


@pytest.mark.parametrize(
    ("value", "number", "whole"),
    [
        (0, True, True),
        (-3, True, True),
        (2.5, True, False),
        (math.inf, True, False),
        (True, False, False),
        (False, False, False),
        ("1", False, False),
        (None, False, False),
    ],
)
def test_a_bool_is_neither_a_number_nor_a_whole_number(value: object, number: bool, whole: bool) -> None:
    assert (is_number(value), is_whole(value)) == (number, whole)


@pytest.mark.parametrize("value", [0.001, 1, 600.0])
def test_check_positive_returns_a_positive_finite_number(value: float) -> None:
    assert check_positive(value, "lease") == value


@pytest.mark.parametrize("value", [0, -1, math.inf, math.nan, True, "5", None])
def test_check_positive_refuses_anything_else_by_name(value: object) -> None:
    with pytest.raises(InvalidArgumentError, match="^lease must be a positive number$"):
        check_positive(value, "lease")


def test_check_seconds_returns_a_float_and_takes_zero() -> None:
    assert check_seconds(0, "max_age") == 0.0
    assert isinstance(check_seconds(300, "max_age"), float)


@pytest.mark.parametrize("value", [-0.5, math.inf, math.nan, False, "300"])
def test_check_seconds_refuses_anything_else_by_name(value: object) -> None:
    with pytest.raises(InvalidArgumentError, match="^max_age must be a finite, non-negative number of seconds$"):
        check_seconds(value, "max_age")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://127.0.0.1:8000/hook", None),
        ("https://hooks.example", None),
        ("http://[::1]:8000/", None),
        ("https://hooks.example/a b", WHITESPACE),
        ("https://hooks.example/\n", WHITESPACE),
        ("localhost:8000", "it must start with http:// or https://"),
        ("ftp://hooks.example/", "it must start with http:// or https://"),
        ("https:///hook", "it has no host"),
        ("http://127.0.0.1:99999/", "its port is not a number from 0 to 65535"),
        ("http://127.0.0.1:port/", "its port is not a number from 0 to 65535"),
        ("http://[::1/", "it cannot be parsed (Invalid IPv6 URL)"),
        ("http://hooks.example/\x00", "it cannot be sent to (Invalid non-printable ASCII character in URL, "),
    ],
)
def test_url_problem_names_the_first_problem(url: str, problem: str | None) -> None:
    found = url_problem(url)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert found.startswith(problem)


def test_url_problem_without_http_leaves_the_scheme_and_host_to_the_caller() -> None:
    assert url_problem("ftp://hooks.example/", http=False) is None
    assert url_problem("https://", http=False) is None
    # What no client could send to is still a problem, whatever the scheme.
    assert url_problem("ftp://hooks.example:99999/", http=False) == "its port is not a number from 0 to 65535"
    assert url_problem("ftp://hooks.example/ x", http=False) == WHITESPACE


def test_url_problem_never_quotes_a_password() -> None:
    problem = url_problem("http://me:s3cret@[::1/")
    assert problem is not None
    assert problem.startswith("it cannot be parsed")
    assert "s3cret" not in problem
    sent = url_problem("http://me:s3cret@hooks.example/\x00")
    assert sent is not None
    assert sent.startswith("it cannot be sent to")
    assert "s3cret" not in sent


def test_backoff_doubles_from_the_first_wait_up_to_the_cap() -> None:
    assert [backoff(n, first=0.5, cap=8.0) for n in range(7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert [backoff(n, first=1.0, cap=600.0) for n in (0, 1, 9, 10)] == [1.0, 2.0, 512.0, 600.0]


def test_backoff_grows_by_the_given_factor() -> None:
    assert [backoff(n, first=0.5, cap=60.0, factor=1.0) for n in range(3)] == [0.5, 0.5, 0.5]
    assert [backoff(n, first=1.0, cap=60.0, factor=3.0) for n in range(5)] == [1.0, 3.0, 9.0, 27.0, 60.0]


def test_backoff_past_the_largest_float_is_the_cap() -> None:
    assert backoff(5000, first=1.0, cap=600.0) == 600.0
    assert backoff(5000, first=0.0, cap=600.0) == 0.0


def test_the_sandbox_redelivers_on_the_shared_schedule() -> None:
    # Attempt 2 is the first retry.
    assert [DeliveryPolicy().delay(n) for n in range(2, 10)] == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    assert DeliveryPolicy(first_delay=0.05, factor=1.0).delay(7) == 0.05


def test_receiving_and_the_checks_load_without_httpx() -> None:
    code = (
        "import sys, up42.receiving, up42._checks, up42._backoff; "
        "print(sorted(m for m in ('httpx', 'up42._checks', 'up42._backoff') if m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "['up42._backoff', 'up42._checks']"
