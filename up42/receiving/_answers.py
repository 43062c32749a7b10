"""What the HTTP entry points of a receiver answer, whatever serves them: `Receiver.asgi_app` and the Django view.

An `Answer` is a status, its headers and the small JSON document ``{"outcome": ..., "detail": ...}``. `answer`
makes one of a handled delivery's outcome; `NOT_POST` and `too_large` are the refusals made before a delivery
reaches the receiver, and `check_max_body_size` the one check of the body limit they share.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Protocol

from .._checks import is_whole
from ..errors import InvalidArgumentError

CONTENT_TYPE = "application/json"


class Answerable(Protocol):
    """What an entry point needs of a handled delivery to answer it; an `Outcome` is one."""

    @property
    def kind(self) -> str:
        """The outcome's name, such as ``handled``, sent as the body's ``outcome``."""

    @property
    def status_code(self) -> int:
        """The HTTP status."""

    @property
    def detail(self) -> str:
        """A reason that is safe to send back, sent as the body's ``detail``."""

    @property
    def headers(self) -> Mapping[str, str]:
        """Headers to answer with besides the status, such as ``Retry-After``."""


@dataclasses.dataclass(frozen=True)
class Answer:
    """One HTTP answer: its status, the body's ``outcome`` and ``detail``, and headers besides the content type."""

    status: int
    outcome: str
    detail: str
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @property
    def body(self) -> bytes:
        """The JSON document sent as the body."""
        return json.dumps({"outcome": self.outcome, "detail": self.detail}).encode("utf-8")


def answer(outcome: Answerable) -> Answer:
    """The answer to a delivery the receiver handled."""
    return Answer(outcome.status_code, str(outcome.kind), outcome.detail, outcome.headers)


NOT_POST = Answer(405, "method_not_allowed", "deliveries are POSTed", {"Allow": "POST"})
"""The answer to any method but POST."""


def too_large(max_body_size: int) -> Answer:
    """The answer to a body over ``max_body_size`` bytes."""
    return Answer(413, "too_large", f"the body exceeds {max_body_size} bytes")


def check_max_body_size(max_body_size: int) -> int:
    """``max_body_size`` when it is a positive whole number of bytes.

    Raises:
        InvalidArgumentError: It is not.
    """
    if not is_whole(max_body_size) or max_body_size < 1:
        raise InvalidArgumentError("max_body_size must be a positive whole number of bytes")
    return max_body_size
