"""The stored login: the account and the place ``up42 login`` checked, kept for the CLI and `up42.authenticate`.

It lives in ``$XDG_CONFIG_HOME/up42/login.json`` (``~/.config/up42/login.json`` when the variable is unset):
the folder readable by its owner only (0700), the file too (0600). The password is stored in clear text, as
``~/.netrc`` and docker's ``config.json`` store theirs, so the file's permissions are what protect it. A write
goes to a private temporary file in the same folder that then replaces the old one, so a crash leaves either
the old login or the new one, never half of each.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import NotAuthenticatedError

logger = logging.getLogger("up42")

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
        NotAuthenticatedError: The file exists but cannot be read or is not a login (the message says how to
            replace it; it never quotes the file, which holds the password).
    """
    path = login_path(env)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise NotAuthenticatedError(f"{str(path)!r} is a folder, not a stored login; remove it yourself") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else "not UTF-8 text"
        raise _unusable(path, reason) from None
    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError):
        raise _unusable(path, "not valid JSON") from None
    if not isinstance(data, dict):
        raise _unusable(path, "not a JSON object")
    _warn_if_shared(path)
    username, password = data.get("username"), data.get("password")
    if not (isinstance(username, str) and username and isinstance(password, str) and password):
        raise _unusable(path, "it lacks a username or a password")
    base_url, region = data.get("base_url"), data.get("region")
    if not (base_url is None or isinstance(base_url, str)) or not (region is None or isinstance(region, str)):
        raise _unusable(path, "its base_url or region is not a string")
    return StoredLogin(username, password, base_url, region)


def _warn_if_shared(path: Path) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        logger.warning(
            "the stored login %r can be read by other users (mode %04o); run 'chmod 600' on it, or 'up42 login' "
            "again, which writes it privately",
            str(path),
            mode,
        )


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
