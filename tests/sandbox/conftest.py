"""Fixtures the sandbox tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.sandbox import Session
from up42.sandbox import Sandbox


@pytest.fixture
def session(up42_sandbox: Sandbox) -> Iterator[Session]:
    with Session(up42_sandbox) as session:
        yield session
