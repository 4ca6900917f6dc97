"""Terminal databases: copying a live one, and telling whether two hold the same rows."""

import hashlib
import sqlite3
from pathlib import Path


def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy of a live SQLite database, WAL content included.

    Through SQLite's backup API, never by copying the file: opening and closing the file
    from this process would drop SQLite's POSIX locks on it, and another process could
    then checkpoint and delete the WAL under this process's open connections.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return target


def content_digest(path: Path) -> str:
    """A digest of every row of every table: equal digests mean equal content."""
    conn = sqlite3.connect(path)
    try:
        digest = hashlib.sha256()
        for line in conn.iterdump():
            digest.update(line.encode())
        return digest.hexdigest()
    finally:
        conn.close()
