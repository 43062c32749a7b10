"""This suite's settings fail a test that leaves a socket open, however the socket is found unclosed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.support.contract import ROOT

LEAKY = textwrap.dedent(
    """
    import socket


    def test_drops_an_open_socket():
        socket.socket()


    def test_leaves_one_to_the_garbage_collector():
        cycle = [socket.socket()]
        cycle.append(cycle)
    """
)


def test_the_suite_fails_on_a_leaked_socket(tmp_path: Path) -> None:
    (tmp_path / "test_leaky.py").write_text(LEAKY)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path),
         "-p", "no:cacheprovider", "-q", str(tmp_path / "test_leaky.py")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "ResourceWarning: unclosed <socket.socket" in output
    assert "PytestUnraisableExceptionWarning" in output  # the one only a garbage collection finds
