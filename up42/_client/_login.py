"""The stored login: the account and the place ``up42 login`` checked, kept for the CLI and `up42.authenticate`.

It lives in ``$XDG_CONFIG_HOME/up42/login.json`` (``~/.config/up42/login.json`` when the variable is unset):
the folder readable by its owner only (0700), the file too (0600). The password is stored in clear text, as
``~/.netrc`` and docker's ``config.json`` store theirs, so the file's permissions are what protect it: as ssh
refuses a private key that others can read, a login file of another user's, or one that other users can read or
write, is refused. A write goes to a private temporary file in the same folder that then replaces the old one,
so a crash leaves either the old login or the new one, never half of each.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shlex
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import NotAuthenticatedError

ENV_CONFIG_HOME = "XDG_CONFIG_HOME"
FILE_NAME = "login.json"


@dataclasses.dataclass(frozen=True)
class StoredLogin:
    """An account and where it logs in: a base URL (a sandbox, a proxy) or a region; the password never shows."""

    username: str
    password: str = dataclasses.field(repr=False)
    base_url: str | None = None
    region: str | None = None

    @property
    def place(self) -> str:
        """The base URL, else the region (``eu`` when neither was stored)."""
        return self.base_url or f"region {self.region or 'eu'}"


def login_path(env: Mapping[str, str] = os.environ) -> Path:
    """Where the login is stored: under ``$XDG_CONFIG_HOME``, else ``~/.config``."""
    # The XDG spec says a relative value is invalid and must be ignored.
    base = env.get(ENV_CONFIG_HOME, "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".config"
    return root / "up42" / FILE_NAME


def load_login(env: Mapping[str, str] = os.environ) -> StoredLogin | None:
    """The stored login, or None when there is none.

    Raises:
        NotAuthenticatedError: The file exists but cannot be read, is not a login, belongs to another user or is
            open to other users (the message says how to fix or replace it; it never quotes the file, which holds
            the password).
    """
    path = login_path(env)
    try:
        text = _read_private(path).decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else "not UTF-8 text"
        raise _unusable(path, reason) from None
    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError):
        raise _unusable(path, "not valid JSON") from None
    if not isinstance(data, dict):
        raise _unusable(path, "not a JSON object")
    username, password = data.get("username"), data.get("password")
    if not (isinstance(username, str) and username and isinstance(password, str) and password):
        raise _unusable(path, "it lacks a username or a password")
    base_url, region = data.get("base_url"), data.get("region")
    if not (base_url is None or isinstance(base_url, str)) or not (region is None or isinstance(region, str)):
        raise _unusable(path, "its base_url or region is not a string")
    return StoredLogin(username, password, base_url, region)


def _read_private(path: Path) -> bytes:
    """The bytes of ``path``, a file of this user's that no one else may read or write.

    Judged by the file that was opened, not by its name, so it cannot be swapped in between.
    """
    # Non-blocking: a FIFO planted in its place must not hang the command.
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise NotAuthenticatedError(f"{str(path)!r} is a folder, not a stored login; remove it yourself")
        if not stat.S_ISREG(info.st_mode):
            raise _unusable(path, "not a regular file")
        if info.st_uid != os.getuid():
            raise NotAuthenticatedError(
                f"the stored login {str(path)!r} belongs to another user (uid {info.st_uid}) and is not used; "
                "remove it with 'up42 logout' and log in again with 'up42 login'"
            )
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            raise NotAuthenticatedError(
                f"the stored login {str(path)!r} is open to other users (mode {mode:04o}) and is not used: make it "
                f"yours alone with 'chmod 600 {shlex.quote(str(path))}', or replace it with 'up42 login'"
            )
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            return file.read()
    finally:
        os.close(descriptor)


def _unusable(path: Path, reason: str) -> NotAuthenticatedError:
    return NotAuthenticatedError(
        f"the stored login {str(path)!r} cannot be used ({reason}); run 'up42 login' to replace it "
        "or 'up42 logout' to remove it"
    )


def save_login(login: StoredLogin, env: Mapping[str, str] = os.environ) -> Path:
    """Store ``login`` atomically with owner-only permissions; return the file's path.

    Raises:
        OSError: The folder or the file cannot be written.
    """
    path = login_path(env)
    _private_folder(path.parent)
    record = {key: value for key, value in dataclasses.asdict(login).items() if value is not None}
    # mkstemp creates the file 0600 before any byte is written, so the password is never readable by others.
    descriptor, temporary = tempfile.mkstemp(prefix=".login-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(record, file, indent=2)
            file.write("\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_folder(path.parent)
    return path


def forget_login(env: Mapping[str, str] = os.environ) -> bool:
    """Remove the stored login; False when there was none.

    Raises:
        NotAuthenticatedError: Something that is not a file stands where the login belongs.
    """
    path = login_path(env)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except IsADirectoryError:
        raise NotAuthenticatedError(f"{str(path)!r} is a folder, not a stored login; remove it yourself") from None
    return True


def _private_folder(folder: Path) -> None:
    """Make ``folder`` (0700) or check it: a real folder of this user, never a link to somewhere else."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.lstat()
    # A link could lead a chmod and the password into a folder others can read (say, one under /tmp).
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise OSError(f"{str(folder)!r} is a symbolic link or not a folder; the login is stored only in a real folder")
    if info.st_uid != os.getuid():
        raise OSError(f"{str(folder)!r} belongs to another user; the login is stored only in a folder of yours")
    # mkdir leaves an existing folder as it was; a login must not sit in a folder others can list.
    folder.chmod(0o700)


def _sync_folder(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk.
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
