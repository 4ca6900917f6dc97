"""Atomic, durable file writes: a power cut leaves either the old state or the whole new file."""

import os
import secrets
from pathlib import Path

TMP_SUFFIX = ".tmp"


def fsync_dir(folder: Path) -> None:
    """Make a rename or unlink in ``folder`` durable (the directory entry is data too)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_tmp(folder: Path, stem: str, data: bytes, mode: int = 0o600) -> Path:
    """Write ``data`` to a fresh hidden ``.tmp`` file in ``folder`` and fsync it.

    The temporary file lives in the same folder as its final name so the rename is atomic.
    """
    tmp = folder / f".{stem}.{os.getpid()}.{secrets.token_hex(4)}{TMP_SUFFIX}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    return tmp


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data``: tmp in the same folder + fsync + rename + fsync folder."""
    tmp = write_tmp(path.parent, path.name, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


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
