"""`up42 inbox` and `up42 worker` as subprocesses, where a newcomer meets them first: the wrong thing named as the
receiver, an inbox that is not there, the redis extra not installed, and what `inbox list` shows of a message."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import fails, run

NOT_RECEIVERS = """
import os
from up42.receiving import Receiver

number = 3
text = "hooks"
nothing = None
def function(): ...
"""


@pytest.mark.parametrize(
    ("attribute", "shown"),
    [
        ("number", "is an object of type int,"),
        ("text", "is an object of type str,"),
        ("nothing", "is an object of type NoneType,"),
        ("function", "is an object of type function,"),
        ("Receiver", "is the class Receiver,"),
        ("os", "is an object of type module,"),
    ],
)
def test_a_worker_target_that_is_not_a_receiver_says_what_it_is(tmp_path: Path, attribute: str, shown: str) -> None:
    (tmp_path / "plain.py").write_text(NOT_RECEIVERS)
    stderr = fails(run(None, "worker", f"plain:{attribute}", "--app-dir", str(tmp_path)))
    assert stderr == f"error: plain:{attribute} {shown} not an up42.receiving.Receiver\n"
