"""The wheel ships both packages with their py.typed markers and the spec, and nothing else."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.support.contract import ROOT, SPEC_PATH


def test_the_wheel_holds_up42_and_up42_api_with_py_typed(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("up42_webhooks-*.whl")
    names = zipfile.ZipFile(wheel).namelist()

    assert "up42/py.typed" in names
    assert "up42_api/py.typed" in names
    assert "up42/__init__.py" in names
    assert "up42_api/api/webhooks/get_webhook.py" in names
    assert {name.split("/")[0] for name in names if not name.startswith("up42_webhooks-")} == {"up42", "up42_api"}
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    requirements = [
        line for line in metadata.splitlines() if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]
    # Ranges, not pins: the SDK installs beside an application's own versions (make test-lowest checks the floors).
    assert sorted(requirements) == [
        "Requires-Dist: attrs>=22.2",
        "Requires-Dist: click<9,>=8.1",
        "Requires-Dist: httpx<0.29,>=0.25",
        "Requires-Dist: pyyaml<7,>=6.0.1",
    ]
    sandbox_extra = sorted(line for line in metadata.splitlines() if "extra == 'sandbox'" in line)
    assert sandbox_extra == [
        "Requires-Dist: jinja2<4,>=3.1; extra == 'sandbox'",
        "Requires-Dist: starlette<2,>=0.31.1; extra == 'sandbox'",
        "Requires-Dist: uvicorn<1,>=0.22; extra == 'sandbox'",
    ]
    redis_extra = sorted(line for line in metadata.splitlines() if "extra == 'redis'" in line)
    assert redis_extra == ["Requires-Dist: redis<9,>=4.3.4; extra == 'redis'"]
    # The SDK sends over aiohttp itself; httpx over aiohttp would only raise its users' httpx floor.
    aiohttp_extra = sorted(line for line in metadata.splitlines() if "extra == 'aiohttp'" in line)
    assert aiohttp_extra == ["Requires-Dist: aiohttp<4,>=3.14; extra == 'aiohttp'"]
    extras = {line.split("extra == ", 1)[1].strip("'") for line in metadata.splitlines() if "extra == " in line}
    assert "dev" in extras  # the toolchain, the one place with exact pins
    for line in metadata.splitlines():
        if line.startswith("Requires-Dist:") and "extra == 'dev'" not in line:
            assert "==" not in line.split(";")[0], f"an exact pin outside the dev extra: {line}"
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "[console_scripts]\nup42 = up42.cli:main" in entry_points
    assert "[pytest11]\nup42 = up42.pytest_plugin" in entry_points
    assert "up42/sandbox/_app.py" in names
    assert "up42/sandbox/templates/delivery.html" in names  # the dashboard's templates ship in the wheel
    assert "up42/pytest_plugin.py" in names
    # The spec ships inside the package, and the package imported from the unpacked wheel reads that copy.
    assert zipfile.ZipFile(wheel).read("up42/_contract/up42.yaml") == SPEC_PATH.read_bytes()
    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(wheel).extractall(unpacked)
    probe = "import up42, up42._contract as c; print(up42.__file__); print(c.Spec.shipped().source)"
    shown = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "PYTHONPATH": str(unpacked)},
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert shown == [str(unpacked / "up42" / "__init__.py"), str(unpacked / "up42" / "_contract" / "up42.yaml")]
