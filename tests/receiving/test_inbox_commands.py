"""`up42 inbox` and `up42 worker` as subprocesses, where a newcomer meets them first: the wrong thing named as the
receiver, an inbox that is not there, the redis or postgres extra not installed, and what `inbox list` shows of a
message."""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import environment, fails, ok, run
from tests.support.redis_server import RedisServer, connected
from up42._extras import missing_extra
from up42.receiving import InboxNotFoundError, open_inbox

NO_MODULE = """
import sys


class NoModule:
    \"\"\"Finds no {module} package, as on a machine where the extra that installs it is not installed.\"\"\"

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "{module}":
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None


sys.meta_path.insert(0, NoModule())
"""
REDIS_MISSING = (
    "the redis extra is not installed: pip install 'up42-webhooks[redis]' (in a checkout: pip install '.[redis]')"
)
UNUSED_REDIS = "redis://127.0.0.1:9/0"


def without(module: str, tmp_path: Path) -> dict[str, str]:
    """The environment of a process in which ``import module`` fails: a sitecustomize on PYTHONPATH blocks it."""
    folder = tmp_path / f"no-{module}"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(NO_MODULE.format(module=module))
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))}


@pytest.fixture
def without_redis(tmp_path: Path) -> dict[str, str]:
    """The environment of a process in which ``import redis`` fails."""
    return without("redis", tmp_path)


def test_the_blocker_really_hides_redis(without_redis: dict[str, str]) -> None:
    command = [sys.executable, "-c", "import redis"]
    result = subprocess.run(command, env=environment(None, without_redis), capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "ModuleNotFoundError: No module named 'redis'" in result.stderr


@pytest.mark.parametrize("args", [["list"], ["show", "m-1"], ["replay", "--failed"]])
def test_inbox_commands_on_redis_without_the_extra_name_it_in_one_line(
    without_redis: dict[str, str], args: list[str]
) -> None:
    stderr = fails(run(None, "inbox", *args, "--inbox", UNUSED_REDIS, env=without_redis))
    assert stderr == f"error: {REDIS_MISSING}\n"


def test_a_worker_on_redis_without_the_extra_names_it_in_one_line(
    tmp_path: Path, without_redis: dict[str, str]
) -> None:
    (tmp_path / "hooks.py").write_text(
        f"from up42.receiving import Receiver\nreceiver = Receiver('s', inbox={UNUSED_REDIS!r})\n"
    )
    stderr = fails(run(None, "worker", "hooks:receiver", "--app-dir", str(tmp_path), env=without_redis))
    assert stderr == f"error: importing hooks failed: {REDIS_MISSING}\n"


def test_a_receiver_and_a_store_on_redis_without_the_extra_raise_a_module_not_found_error_naming_it(
    without_redis: dict[str, str],
) -> None:
    script = f"""
from up42.receiving import Receiver, RedisDedupeStore
for make in (lambda: Receiver("s", inbox={UNUSED_REDIS!r}), lambda: RedisDedupeStore.from_url({UNUSED_REDIS!r})):
    try:
        make()
    except ModuleNotFoundError as error:
        print(type(error).__name__, error.name)
        print(error)
"""
    command = [sys.executable, "-c", script]
    result = subprocess.run(command, env=environment(None, without_redis), capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"ModuleNotFoundError redis\n{REDIS_MISSING}\n" * 2
    assert missing_extra("redis") == REDIS_MISSING  # in the words the sandbox extra's line has


def test_inbox_commands_and_a_receiver_on_postgresql_without_the_extra_name_it_in_one_line(tmp_path: Path) -> None:
    env = without("psycopg", tmp_path)
    url = "postgresql://up42:hunter2@127.0.0.1:9/db"
    missing = missing_extra("postgres")
    assert missing.startswith("the postgres extra is not installed: pip install 'up42-webhooks[postgres]'")
    assert fails(run(None, "inbox", "list", "--inbox", url, env=env)) == f"error: {missing}\n"
    script = f"""
from up42.receiving import Receiver
try:
    Receiver("s", inbox={url!r})
except ModuleNotFoundError as error:
    print(error)
"""
    command = [sys.executable, "-c", script]
    result = subprocess.run(command, env=environment(None, env), capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{missing}\n", "")


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


TRACEBACK = """Traceback (most recent call last):
  File "hooks.py", line 12, in order_changed
    raise RuntimeError("the archive is not there yet")
RuntimeError: the archive is not there yet
"""
LAST_LINE = "RuntimeError: the archive is not there yet"
RFC3339_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


@pytest.fixture
def settled(tmp_path: Path) -> str:
    """An inbox URL holding ``m-done``, done on its second attempt after a traceback, and ``m-failed``, failed."""
    url = f"sqlite:///{tmp_path}/inbox.db"
    inbox = open_inbox(url)
    try:
        for message_id in ("m-done", "m-failed"):
            assert inbox.put(message_id, "order.status", b"{}")
        first = {taken.message_id: taken for taken in inbox.take("test", 30, 2, 5)}
        assert inbox.retry(first["m-done"], "test", TRACEBACK, 0)
        assert inbox.fail(first["m-failed"], "test", TRACEBACK)
        (again,) = inbox.take("test", 30, 1, 5)
        assert inbox.complete(again, "test")
    finally:
        inbox.close()
    return url


def test_inbox_list_shows_the_last_line_of_an_error_and_none_for_a_done_message(settled: str) -> None:
    rows = {line.split()[0]: line for line in ok(None, "inbox", "list", "--inbox", settled).splitlines()[1:]}
    assert rows["m-failed"].endswith(f"  {LAST_LINE}")
    assert rows["m-done"].split()[2:4] == ["done", "2"]
    assert "Error" not in rows["m-done"]

    listed = {row["messageId"]: row for row in json.loads(ok(None, "inbox", "list", "--json", "--inbox", settled))}
    assert (listed["m-failed"]["error"], listed["m-done"]["error"]) == (LAST_LINE, None)
    # The traceback is shown by `show`, for a done message too, as the error of an earlier attempt.
    assert json.loads(ok(None, "inbox", "show", "m-failed", "--json", "--inbox", settled))["error"] == TRACEBACK
    shown = ok(None, "inbox", "show", "m-done", "--inbox", settled)
    assert f"error of an earlier attempt:\n{TRACEBACK}" in shown


def test_inbox_json_has_camel_case_keys_and_rfc3339_utc_times_as_every_other_json(settled: str) -> None:
    (listed,) = json.loads(ok(None, "inbox", "list", "--json", "--status", "failed", "--inbox", settled))
    shown = json.loads(ok(None, "inbox", "show", "m-failed", "--json", "--inbox", settled))

    keys = ["messageId", "event", "status", "attempts", "error", "receivedAt", "updatedAt", "dueAt", "note", "body"]
    assert list(listed) == list(shown) == keys
    assert (listed["body"], shown["body"]) == (None, "{}")
    now = datetime.datetime.now(datetime.UTC)
    for record in (listed, shown):
        for key in ("receivedAt", "updatedAt", "dueAt"):
            assert RFC3339_UTC.fullmatch(record[key]), record[key]
            assert abs(datetime.datetime.fromisoformat(record[key]) - now) < datetime.timedelta(minutes=10)


@pytest.mark.parametrize(
    "args", [["list"], ["list", "--json"], ["show", "m-1"], ["replay", "--failed"], ["replay", "m-1"]]
)
def test_inbox_commands_open_an_existing_sqlite_inbox_only_and_create_nothing(tmp_path: Path, args: list[str]) -> None:
    url = f"sqlite:///{tmp_path}/missing/inbox.db"
    stderr = fails(run(None, "inbox", *args, "--inbox", url))
    assert stderr == f"error: no inbox at {url}: no receiver or worker has used it yet\n"
    assert not (tmp_path / "missing").exists()


def test_a_sqlite_file_that_holds_no_inbox_is_not_one_and_is_left_as_it_was(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with contextlib.closing(sqlite3.connect(other)) as db, db:
        db.execute("CREATE TABLE orders (id TEXT)")
    before = other.read_bytes()
    url = f"sqlite:///{other}"
    assert (
        fails(run(None, "inbox", "list", "--inbox", url))
        == f"error: no inbox at {url}: no receiver or worker has used it yet\n"
    )
    assert other.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["other.db"]


def test_the_receivers_side_still_creates_the_inbox_the_commands_then_read(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/new/inbox.db"
    with pytest.raises(InboxNotFoundError, match="no inbox at"):
        open_inbox(url, create=False)
    inbox = open_inbox(url)
    try:
        assert inbox.put("m-1", "order.status", b"{}")
    finally:
        inbox.close()
    (listed,) = json.loads(ok(None, "inbox", "list", "--json", "--inbox", url))
    assert (listed["messageId"], listed["status"]) == ("m-1", "pending")


def test_inbox_commands_open_an_existing_redis_inbox_only_and_create_nothing(redis_server: RedisServer) -> None:
    with connected(redis_server.url) as client:
        client.flushdb()
        for args in (["list"], ["show", "m-1"], ["replay", "--failed"], ["replay", "m-1"]):
            stderr = fails(run(None, "inbox", *args, "--inbox", redis_server.url))
            assert stderr == f"error: no inbox at {redis_server.url}: no receiver or worker has used it yet\n"
        assert client.dbsize() == 0
    # Used, it is there, and stays there once every message is settled and pruned.
    inbox = open_inbox(redis_server.url)
    try:
        assert inbox.put("m-1", "order.status", b"{}")
        assert "m-1" in ok(None, "inbox", "list", "--inbox", redis_server.url)
        (taken,) = inbox.take("test", 30, 1, 5)
        assert inbox.complete(taken, "test")
        assert inbox.prune(0) == 1
    finally:
        inbox.close()
    assert ok(None, "inbox", "list", "--inbox", redis_server.url).splitlines()[1:] == []
