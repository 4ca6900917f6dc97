"""The county's side of a delivery folder: a USB stick, or the folder the upload store writes
into. Anyone may have put anything there, so every file is judged alone and within bounds.

Where envelopes are looked for: the folder itself, its ``inbox/`` (a stick as
``kiosk outbox push --to STICK`` writes it) and one level of subfolders (the drop keeps one
per terminal user). Links to folders are not followed.

How one is read: opened without following a link and without blocking (a FIFO answers at
once), checked to be a regular file of at most ``MAX_BYTES`` before a byte is read, and read
to that bound only: a link to /dev/zero, a FIFO or a 5 GB file costs a refusal, not a hang.

After import, each file leaves the drop: filed and duplicate envelopes go to the county's
archive (``<cases folder>/inbox-archive/<day>/``, ciphertext, kept ``KEEP_DAYS``, then
deleted by a later import), refused regular files to ``inbox-refused/<day>/``; what cannot
be read at all (links, FIFOs, devices, oversized files) stays where it is and is named in
every report until someone removes it.
"""

import datetime as dt
import errno
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from kiosk import log
from kiosk.files import fsync_dir, write_atomic
from kiosk.formats import envelope

SUFFIX = ".env"
MAX_BYTES = envelope.MAX_BYTES
STICK_FOLDER = "inbox"
# Ciphertext of filed requests, kept so a damaged cases database can be rebuilt with the
# inbox key (restore the last backup, import the archive): about half a year covers a
# request's statutory period and its extension many times over, and limits what a later
# leak of the inbox key could open.
KEEP_DAYS = 180
ARCHIVE, REFUSED = "inbox-archive", "inbox-refused"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)

_log = log.get("kiosk.county")


@dataclass(frozen=True)
class Found:
    path: Path

    @property
    def label(self) -> str:
        """How a report names it: its folder's name and its own."""
        return f"{self.path.parent.name}/{self.path.name}"


class Unreadable(Exception):
    """A file that is not read at all. ``reason`` is a short code for reports."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def find(source: Path) -> list[Found]:
    """Every ``*.env`` entry in ``source``, its ``inbox/`` and its subfolders, by name.

    Entries are listed, not judged: a link or a FIFO named ``x.env`` is found here and
    refused when read.
    """
    folders = [source]
    with os.scandir(source) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                folders.append(Path(entry.path))
    found = []
    for folder in folders:
        try:
            with os.scandir(folder) as entries:
                found += [Found(Path(e.path)) for e in entries if e.name.endswith(SUFFIX)
                          and not e.name.startswith(".")]  # fmt: skip
        except OSError as exc:  # a subfolder this user may not read: the others still count
            _log.warning("cannot list %s: %s", folder, exc)
    return sorted(found, key=lambda f: (f.path.name, str(f.path)))


def read(found: Found) -> bytes:
    """The file's bytes, if it is a regular file of at most MAX_BYTES.

    Raises:
        Unreadable: a link, not a regular file, too large, or gone.
    """
    try:
        fd = os.open(found.path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        if found.path.is_symlink():
            raise Unreadable("link", "是链接，不读取 / a link: not followed") from exc
        raise Unreadable("unreadable", f"无法打开 / cannot open: {exc.strerror}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("not_a_file", "不是普通文件（管道、设备或文件夹） / not a regular file")
        if info.st_size > MAX_BYTES:
            raise Unreadable("too_large", f"文件过大（{info.st_size} 字节，上限 {MAX_BYTES}） / "
                                          f"too large ({info.st_size} bytes, limit {MAX_BYTES})")
        data = os.read(fd, MAX_BYTES + 1)
        if len(data) > MAX_BYTES:  # it grew while being read
            raise Unreadable("too_large", f"文件过大（上限 {MAX_BYTES} 字节） / too large")
        return data
    except OSError as exc:
        raise Unreadable("unreadable", f"无法读取 / cannot read: {exc.strerror}") from exc
    finally:
        os.close(fd)


def set_aside(found: Found, data: bytes, county: Path, kind: str, today: dt.date) -> Path | None:
    """Move a file that was read out of the drop into ``<county>/<kind>/<day>/`` (a folder
    only the county's user may open). On the same file system it is renamed (the caller
    makes the renames durable with ``sync_folders``); from a stick, ``data`` is written there
    and the original removed. Returns where it was kept, or None when the original could
    not be removed (a read-only stick: it stays, and the next import finds it a duplicate)."""
    folder = county / kind / today.isoformat()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest = envelope.digest(data)
    kept = folder / (f"{digest}{SUFFIX}" if kind == ARCHIVE else f"{digest[:12]}-{found.path.name}")
    try:
        os.rename(found.path, kept)  # a link swapped in meanwhile moves as a link: harmless
        if not kept.is_symlink():
            os.chmod(kept, 0o600)
        return kept
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            _log.warning("could not move %s out of the drop: %s", found.path, exc)
            return None
    write_atomic(kept, data, 0o600)
    try:
        found.path.unlink()
    except OSError as exc:
        _log.warning("could not remove %s from the drop: %s", found.path, exc)
        return None
    return kept


def sync_folders(folders: set[Path]) -> None:
    """Make the moves into and out of these folders durable (one fsync per folder, not per file)."""
    for folder in folders:
        try:
            fsync_dir(folder)
        except OSError as exc:  # a stick pulled out after its files were read
            _log.warning("could not sync %s: %s", folder, exc)


def prune(county: Path, today: dt.date, keep_days: int = KEEP_DAYS) -> int:
    """Delete archived and refused day folders older than ``keep_days``; returns how many."""
    removed = 0
    for kind in (ARCHIVE, REFUSED):
        for day in sorted((county / kind).glob("????-??-??")):
            try:
                old = (today - dt.date.fromisoformat(day.name)).days > keep_days
            except ValueError:
                continue
            if old and day.is_dir() and not day.is_symlink():
                shutil.rmtree(day)
                removed += 1
    return removed
