"""What the sandbox keeps of a receiver's answer to an attempt: its content type and the first 4 KiB of its body.

Kept so that the dashboard and ``up42 deliveries show`` can say why a receiver refused a delivery (a 401's reason).
Only text is kept: a body that is not UTF-8 text (an image, or a compressed body, which is never inflated) is kept
as its size alone. The webhook's own secret is masked in what is kept, as it is and as JSON, a form, a URL or HTML
escape it, and so is the credential after ``Bearer`` or ``Basic``: a receiver may echo what it was sent.
"""

from __future__ import annotations

import codecs
import dataclasses
from typing import Any

from up42._masking import NO_SECRETS, Secrets

ANSWER_LIMIT = 4 * 1024

# A content type is a label: one longer than this is cut, so that a receiver cannot fill the database with it.
_TYPE_LIMIT = 256


@dataclasses.dataclass(frozen=True)
class Answer:
    """What is kept of one answer.

    Attributes:
        content_type: The answer's Content-Type, None when it had none.
        body: The first `ANSWER_LIMIT` bytes of the body as text, secrets masked; None when they are not text.
        size: How many bytes of the body were kept: all of it, or `ANSWER_LIMIT` when it was longer.
        truncated: Whether the body went on beyond the bytes kept.
    """

    content_type: str | None
    body: str | None
    size: int
    truncated: bool

    def to_api(self) -> dict[str, Any]:
        """The answer as a delivery's detail shows it with each attempt."""
        return {"contentType": self.content_type, "body": self.body, "bytes": self.size, "truncated": self.truncated}


def kept(content_type: str | None, data: bytes, secret: str | None) -> Answer:
    """What to keep of an answer with ``content_type`` whose body began with ``data``, ``secret`` masked in it.

    ``data`` may go on beyond `ANSWER_LIMIT`; only whether it does is kept of the rest.
    """
    truncated = len(data) > ANSWER_LIMIT
    head = data[:ANSWER_LIMIT]
    masks = Secrets(secret) if secret else NO_SECRETS
    try:
        # A character cut in two at the limit is left out, rather than making the whole answer binary.
        text: str | None = codecs.getincrementaldecoder("utf-8")().decode(head, final=not truncated)
    except UnicodeDecodeError:
        text = None
    if text is not None and "\x00" in text:  # valid UTF-8, but binary all the same
        text = None
    return Answer(
        content_type=None if content_type is None else masks.text(content_type[:_TYPE_LIMIT]),
        body=None if text is None else masks.text(text),
        size=len(head),
        truncated=truncated,
    )
