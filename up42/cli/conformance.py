"""``up42 conformance``: hold every answer of the API to the spec the package ships, and record them if asked."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import click
import httpx

from .._client._config import DEFAULT_TIMEOUT, USER_AGENT
from .._contract._cassettes import Redactor, write_cassette
from .._contract._spec import Spec
from .._contract._tour import Exchange, Report, Tour
from .._signals import StopSignals
from ._common import INTERRUPTED, Connection, emit_json, place_options, say

# What each result means to the person who reads it.
VERDICTS = {
    "ok": "every answer matches the spec",
    "drift": "the answers carry what the spec does not know: the spec is stale, clients still work",
    "violation": "answers break the spec: clients that trust it may fail",
}


@click.command()
@place_options
@click.option("--strict", is_flag=True, help="Exit 1 on drift too, not only on a violation.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: the result and each operation's.")
@click.option(
    "--record",
    "record_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write each call and answer to DIR as a cassette (01-createToken.json, ...), every credential masked.",
)
def conformance(base_url: str | None, region: str | None, strict: bool, as_json: bool, record_dir: Path | None) -> None:
    """Hold the API's answers to the shipped spec.

    Each operation of the API is called once and its answer held to the spec this package ships. Each operation is ok,
    drift (the answer carries what the spec does not know: a property, an enum value, a header declared otherwise) or
    violation (it breaks the spec: a required property missing, a wrong type or format, an undeclared status). The check
    creates a webhook of its own (inactive, named 'up42 conformance check <UTC time>', pointing at a .invalid host that
    never receives) and deletes it in every case, also after a failure, Ctrl+C or SIGTERM. Exits 0 when nothing is a
    violation (with --strict, when nothing drifts either), 1 otherwise.
    """
    hosts, credentials = Connection(base_url=base_url, region=region).account()
    spec = Spec.shipped()
    record = None
    if record_dir is not None:
        record_dir.mkdir(parents=True, exist_ok=True)  # a folder that cannot be made fails before any call
        record = functools.partial(_record, record_dir, Redactor(spec, credentials.username, credentials.password), [0])
    with (
        httpx.Client(timeout=DEFAULT_TIMEOUT, headers={"User-Agent": USER_AGENT}) as http,
        StopSignals() as stop,
    ):
        tour = Tour(
            http,
            api=hosts.api,
            auth=hosts.auth,
            username=credentials.username,
            password=credentials.password,
            spec=spec,
            record=record,
        )
        stop.on_signal(lambda count: tour.interrupt())
        try:
            report = tour.run()
        except KeyboardInterrupt:
            raise click.exceptions.Exit(INTERRUPTED) from None  # stopped, its webhook deleted: nothing to report
    if report.outcomes:
        _show_json(report) if as_json else _show_text(report)
    failures = [failure for failure in (report.stopped, report.leftover) if failure]
    for failure in failures:
        say(f"error: {failure}", err=True)
    if failures or report.result == "violation" or (strict and report.result == "drift"):
        raise click.exceptions.Exit(1)


def _record(directory: Path, redactor: Redactor, count: list[int], exchange: Exchange) -> None:
    count[0] += 1
    write_cassette(directory, count[0], redactor.cassette(exchange))


def _show_text(report: Report) -> None:
    width = max(len(outcome.operation_id) for outcome in report.outcomes)
    for outcome in report.outcomes:
        say(f"{outcome.operation_id:<{width}}  {outcome.status}  {outcome.result}")
    for outcome in report.outcomes:
        for problem in outcome.problems:
            say(f"{problem.level}: {outcome.operation_id} {problem.where}: {problem.text}")
    say(f"result: {report.result}: {VERDICTS[report.result]}")


def _show_json(report: Report) -> None:
    operations: list[dict[str, Any]] = [
        {
            "operationId": outcome.operation_id,
            "status": outcome.status,
            "result": outcome.result,
            "problems": [{"where": problem.where, "text": problem.text} for problem in outcome.problems],
        }
        for outcome in report.outcomes
    ]
    emit_json({"result": report.result, "operations": operations})
