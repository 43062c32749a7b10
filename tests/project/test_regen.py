"""scripts/regen.sh and its entry point, scripts/regen.py: what they write, and how they fail.

The script is run as a process where its exit and its messages are the point; the entry point is called in this
process as the API-evolution tests call it, which must give the same files and leave nothing behind.
"""

from __future__ import annotations

import filecmp
import os
import sys
from pathlib import Path
from typing import Any

from tests.support.contract import ROOT
from tests.support.evolution import Project, run_main, scripts_module

CATALOG = Path("up42", "receiving", "_catalog.py")


def differences(left: Path, right: Path) -> list[str]:
    """The files that differ or exist on one side only, in two trees (bytecode caches aside)."""
    found: list[str] = []

    def walk(compared: filecmp.dircmp[str], where: str) -> None:
        found.extend(f"{where}{name}" for name in compared.left_only + compared.right_only + compared.diff_files)
        for name, sub in compared.subdirs.items():
            walk(sub, f"{where}{name}/")

    walk(filecmp.dircmp(left, right, ignore=["__pycache__"]), "")
    return found


def regen_in_process(root: Path, *args: Path) -> tuple[int, str]:
    """The entry point's exit status and what it wrote to stderr."""
    done = run_main(scripts_module("regen").main, "regen", "--root", str(root), *map(str, args))
    return done.returncode, done.stderr


def test_the_entry_point_in_process_writes_the_committed_files_and_leaves_no_state(tmp_path: Path) -> None:
    before: dict[str, Any] = {
        "cwd": os.getcwd(),
        "path": list(sys.path),
        "environ": dict(os.environ),
        "modules": set(sys.modules),
    }
    for run in ("first", "second"):  # the second from templates compiled by the first
        code, errors = regen_in_process(ROOT, tmp_path / run / "up42_api", tmp_path / run / "_catalog.py")
        assert (code, errors) == (0, "")
        assert differences(ROOT / "generated" / "up42_api", tmp_path / run / "up42_api") == []
        assert (tmp_path / run / "_catalog.py").read_bytes() == (ROOT / CATALOG).read_bytes()
    assert os.getcwd() == before["cwd"]
    assert sys.path == before["path"]
    assert dict(os.environ) == before["environ"]
    new = {name: sys.modules[name] for name in set(sys.modules) - before["modules"]}
    generated = [name for name, module in new.items() if str(tmp_path) in str(getattr(module, "__file__", ""))]
    assert generated == []


def test_a_changed_template_is_compiled_again_in_the_same_process(project: Project) -> None:
    assert regen_in_process(project.root) == (0, "")
    project.replace(
        "openapi/templates/str_enum.py.jinja",
        "class {{ enum.class_info.name }}",
        "# marked\nclass {{ enum.class_info.name }}",
    )

    assert regen_in_process(project.root) == (0, "")

    assert "# marked\n" in (project.root / "generated" / "up42_api" / "models" / "event_name.py").read_text()


def test_regen_sh_stops_on_an_invalid_spec_with_one_line_and_writes_nothing(project: Project, tmp_path: Path) -> None:
    project.replace("openapi/up42.yaml", "  /webhooks/events:", "  /webhooks/{eventId}:")

    done = project.run("scripts/regen.sh", str(tmp_path / "out"), str(tmp_path / "catalog.py"))

    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"regen: {project.root / 'openapi' / 'up42.yaml'} is not a valid OpenAPI document: Path parameter 'eventId' "
        "for 'get' operation in '/webhooks/{eventId}' was not resolved"
    ]
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "catalog.py").exists()


def test_regen_sh_fails_on_a_generator_warning_after_its_report(project: Project, tmp_path: Path) -> None:
    def add_csv_body(spec: dict[str, Any]) -> None:
        body = spec["paths"]["/workspaces/{workspaceId}/webhooks"]["post"]["requestBody"]
        body["content"]["text/csv"] = {"schema": {"type": "string"}}

    project.edit_spec(add_csv_body)

    done = project.run("scripts/regen.sh", str(tmp_path / "out"), str(tmp_path / "catalog.py"))

    assert done.returncode == 1
    assert "Unsupported content type text/csv" in done.stderr
    assert done.stderr.splitlines()[-1] == "regen: the generator failed (a warning or an error, reported above)"
    assert not (tmp_path / "catalog.py").exists()


def test_a_catalog_the_spec_cannot_make_fails_with_the_generators_message(project: Project, tmp_path: Path) -> None:
    project.edit_spec(lambda spec: spec["components"]["schemas"]["EventName"]["x-event-types"].pop("job.status"))

    code, errors = regen_in_process(project.root, tmp_path / "out", tmp_path / "catalog.py")

    assert (code, errors) == (1, "gen_catalog: job.status has no entry in EventName's x-event-types\n")
    assert not (tmp_path / "catalog.py").exists()
