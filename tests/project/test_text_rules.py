"""Each rule about text has one home, which the client, the command line, the sandbox and receiving import."""

from __future__ import annotations

import re
from pathlib import Path

import up42

PACKAGE = Path(up42.__file__).parent


def homes(pattern: str) -> list[str]:
    """The modules of the package whose source matches ``pattern``."""
    found = re.compile(pattern, re.MULTILINE)
    return sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py") if found.search(path.read_text()))


def test_the_mask_is_defined_once() -> None:
    assert homes(r"^MASK\b.*=") == ["_text.py"]


def test_the_at_sign_and_its_look_alikes_are_found_by_one_rule() -> None:
    assert homes(r"NFKC|\\uff20") == ["_urls.py"]


def test_text_is_checked_for_utf8_in_one_place_outside_receiving() -> None:
    checks = homes(r"except UnicodeEncodeError")
    # Receiving encodes a secret or a body to use the bytes, not to check them.
    assert [home for home in checks if not home.startswith("receiving")] == ["_text.py"]
