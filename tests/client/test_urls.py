"""URLs as messages and the terminal show them: a user name and password never, a host only where requests go."""

from __future__ import annotations

import pytest

from up42._urls import shown_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://me:pw@hooks.example/h?x=1", "https://********@hooks.example/h?x=1"),
        ("https://me:p@w@hooks.example/h", "https://********@hooks.example/h"),
        ("https://me:pw\uff20hooks.example/h", "https://********\uff20hooks.example/h"),  # a full-width '@'
        ("https://hooks.example/h", "https://hooks.example/h"),
        ("me:pw@hooks.example/h", "********@hooks.example/h"),
    ],
)
def test_the_user_name_and_password_of_the_authority_are_masked(url: str, shown: str) -> None:
    assert shown_url(url) == shown


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/h?x=@bank.example",
        "https://evil.example/h#@bank.example",
        "https://evil.example\\@bank.example/h",
        "https://evil.example\uff0f@bank.example/h",  # a full-width '/'
    ],
)
def test_an_at_sign_past_the_authority_never_shows_another_host(url: str) -> None:
    shown = shown_url(url)

    assert "bank.example" not in shown
    assert "evil.example" not in shown  # it could be a password whose '/' moved the parser's idea of the host
    assert shown.startswith("https://********")


@pytest.mark.parametrize(
    "url",
    [
        "redis://me:hun/ter2@redis.example:6379/0",
        "redis://me:hun#ter2@redis.example",
        "redis://me:hun?ter2@redis.example/0",
        "https://me:hun/ter2@hooks.example/h?x=1",
    ],
)
def test_a_password_whose_slash_hash_or_question_mark_ends_the_authority_is_masked_whole(url: str) -> None:
    shown = shown_url(url)

    assert "hun" not in shown
    assert "ter2" not in shown
    assert "********" in shown
