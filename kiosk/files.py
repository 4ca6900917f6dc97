"""Atomic, durable file writes: a power cut leaves either the old file or the whole new one;
and the one bounded read of a small file named from outside (read_small).

The one way this program replaces a file: write a hidden temporary in the same folder,
fsync it, rename it over the target, fsync the folder (the rename is data too).
"""

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from kiosk.errors import KnownError

TMP_SUFFIX = ".tmp"


def fsync_dir(folder: Path) -> None:
    """Make a rename or unlink in ``folder`` durable (the directory entry is data too)."""
    if os.name == "nt":  # Windows cannot open a folder for fsync; NTFS journals the rename
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _tmp_name(folder: Path, stem: str) -> Path:
    return folder / f".{stem}.{os.getpid()}.{os.urandom(4).hex()}{TMP_SUFFIX}"


@contextmanager
def replacing(path: Path, mode: int = 0o600) -> Iterator[BinaryIO]:
    """Write ``path`` through a temporary file that replaces it only when the block ends
    without an error; otherwise the temporary is removed and ``path`` is as it was.

    For writers that want a file object (reportlab, openpyxl, csv); ``mode`` applies from
    the first byte, so a private file is never readable by others, even half-written.
    """
    path = Path(path)
    tmp = _tmp_name(path.parent, path.name)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` (see ``replacing``)."""
    with replacing(path, mode) as out:
        out.write(data)


def write_tmp(folder: Path, stem: str, data: bytes, mode: int = 0o600) -> Path:
    """Write ``data`` to a fresh hidden ``.tmp`` file in ``folder`` and fsync it; the caller
    links or renames it into place."""
    tmp = _tmp_name(folder, stem)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    return tmp


def create_exclusive(path: Path, data: bytes, mode: int = 0o600) -> bool:
    """Create ``path`` with ``data`` atomically unless it exists (two first starts race).

    Returns:
        True if this call created the file, False if it was already there (left untouched).
    """
    tmp = write_tmp(path.parent, path.name, data, mode)
    try:
        os.link(tmp, path)  # unlike rename, link refuses an existing name
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)
    return True


def read_small(path: Path, limit: int) -> bytes:
    """A regular file of at most ``limit`` bytes, read without waiting on a FIFO or reading
    past the limit of a huge one.

    Raises:
        KnownError: not there, not a regular file, or larger than ``limit``.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise KnownError(f"{path}: 无法打开（{exc.strerror}）", f"{path}: cannot open ({exc})") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise KnownError(f"{path}: 不是普通文件", f"{path}: not a regular file")
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise KnownError(f"{path}: 文件超过 {limit} 字节", f"{path}: larger than {limit} bytes")
    return data
