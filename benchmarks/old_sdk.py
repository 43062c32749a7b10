"""Row 8: the calls of rows 1 and 2 through the old UP42 SDK (up42-py 2.6.0), in its own venv, on the same server.

The venv is made once under ``.bench/`` (ignored by git) with the exact pinned version. Ours is measured in this
process right after the old SDK, against the same canned server; the ratio is ours over theirs, so below 1 means
this SDK is faster.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import venv

from benchmarks import client
from benchmarks._canned import WEBHOOK_ID
from benchmarks._harness import ROOT, Row, Sizes, background, median_time, micros, run_python

OLD = "up42-py==2.6.0"
VENV = ROOT / ".bench" / "up42-py-2.6.0"
PYTHON = VENV / "bin" / "python"
PROBE = ROOT / "benchmarks" / "old_sdk_probe.py"


def ensure_venv(install: bool) -> str | None:
    """Make the old SDK's venv if needed; otherwise why it cannot be used (no package index reachable)."""
    if not PYTHON.exists():
        if not install:
            return f"no venv with {OLD} yet; a full run makes it"
        venv.create(VENV, with_pip=True)
    installed = subprocess.run(  # noqa: S603 - the venv's own interpreter
        [str(PYTHON), "-I", "-c", "import up42._client._webhooks"], capture_output=True, check=False
    )
    if installed.returncode == 0:
        return None
    if not install:
        return f"{OLD} is not installed in its venv; a full run installs it"
    pip = subprocess.run(  # noqa: S603 - pip of the venv, one pinned package
        [str(PYTHON), "-m", "pip", "install", "--quiet", OLD], capture_output=True, text=True, check=False
    )
    return None if pip.returncode == 0 else f"pip install {OLD} failed: {pip.stderr.strip().splitlines()[-1:]}"


def rows(sizes: Sizes) -> list[Row]:
    """Rows 8a (one webhook) and 8b (the list)."""
    problem = ensure_venv(sizes.install_old_sdk)
    if problem is not None:
        return [Row("8", f"{OLD}: calls of rows 1 and 2", "-", "not measured", note=problem)]
    with background("benchmarks._canned", str(sizes.webhooks)) as server:
        url = server.url
        args = (str(sizes.calls), str(sizes.list_calls), str(sizes.rounds))
        with client.sdk_client(url) as sdk:

            def get_one() -> None:
                for _ in range(sizes.calls):
                    sdk.initialize_webhook(WEBHOOK_ID)

            def get_list() -> None:
                for _ in range(sizes.list_calls):
                    sdk.get_webhooks()

            # The old SDK runs in its own interpreter, so the sides cannot alternate round by round as in the other
            # rows; alternating whole runs, twice each, keeps the machine's drift from favouring one side.
            probes: list[dict[str, float]] = []
            ones: list[float] = []
            lists: list[float] = []
            for _ in range(2):
                probes.append(json.loads(run_python(str(PYTHON), str(PROBE), url, *args)))
                ones.append(median_time(get_one, sizes.rounds))
                lists.append(median_time(get_list, sizes.rounds))
        theirs = {kind: statistics.mean(probe[kind] for probe in probes) for kind in ("get", "all")}
        one, listed = statistics.mean(ones), statistics.mean(lists)
    return [
        Row(
            "8a",
            f"row 1 through {OLD} (Webhook.get)",
            micros(one / sizes.calls) + "/call",
            micros(theirs["get"] / sizes.calls) + "/call",
            one / theirs["get"],
            note=f"baseline: {OLD} in its own venv; ratio = ours / theirs (below 1: we are faster)",
        ),
        Row(
            "8b",
            f"row 2 through {OLD} (Webhook.all)",
            micros(listed / sizes.list_calls) + "/call",
            micros(theirs["all"] / sizes.list_calls) + "/call",
            listed / theirs["all"],
            note=f"baseline: {OLD}, which builds plain dataclasses and checks no types or dates",
        ),
    ]
