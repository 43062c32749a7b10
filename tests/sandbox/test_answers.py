"""What the sandbox keeps of a receiver's answer: the content type and the first 4 KiB, as text, secrets masked."""

from __future__ import annotations

import json

from up42._text import MASK
from up42.sandbox._answers import ANSWER_LIMIT, Answer, kept

SECRET = "answer-secret-never-kept"


def test_a_short_text_answer_is_kept_whole() -> None:
    body = json.dumps({"error": "signature mismatch"}).encode()
    assert kept("application/json", body, SECRET) == Answer("application/json", body.decode(), len(body), False)


def test_a_long_answer_is_cut_at_the_limit_and_says_so() -> None:
    answer = kept("text/plain", b"a" * (ANSWER_LIMIT + 1), None)
    assert (answer.body, answer.size, answer.truncated) == ("a" * ANSWER_LIMIT, ANSWER_LIMIT, True)
    exact = kept("text/plain", b"a" * ANSWER_LIMIT, None)
    assert (exact.size, exact.truncated) == (ANSWER_LIMIT, False)


def test_a_character_cut_in_two_at_the_limit_leaves_the_rest_text() -> None:
    # "é" is two bytes; the limit falls between them.
    answer = kept("text/plain", b"a" * (ANSWER_LIMIT - 1) + "é".encode() * 4, None)
    assert answer.body == "a" * (ANSWER_LIMIT - 1)
    assert answer.truncated


def test_an_answer_that_is_not_text_is_kept_as_its_size() -> None:
    for data in (b"\x89PNG\r\n\x1a\n\xff\xfe", b"text with a \x00 in it"):
        answer = kept("application/octet-stream", data, SECRET)
        assert (answer.body, answer.size, answer.truncated) == (None, len(data), False)


def test_the_webhooks_secret_is_masked_as_it_is_and_escaped() -> None:
    secret = 'se"cret/with+signs'
    body = json.dumps({"got": secret, "form": "se%22cret%2Fwith%2Bsigns"}).encode()
    answer = kept(f"text/plain; echo={secret}", body, secret)
    assert answer.body is not None
    assert answer.content_type is not None
    assert "cret" not in answer.body + answer.content_type
    assert answer.body.count(MASK) == 2
    assert answer.size == len(body)  # the bytes received, not the masked text


def test_without_a_content_type_none_is_kept() -> None:
    assert kept(None, b"", SECRET) == Answer(None, "", 0, False)
