"""Which database the terminal has open, and the connection made to it before the models
were loaded. kiosk.store.db opens it; the models (kiosk.store.models) bind to it when they
load and take that connection over, so the thread that opened the database keeps one."""

import sqlite3
import threading
from pathlib import Path

PRAGMAS = {
    "journal_mode": "wal",  # readers (the UI) keep reading while a sync writes
    "foreign_keys": 1,
    "synchronous": "normal",  # safe with WAL; a power cut loses at most the last commit
    "busy_timeout": 10_000,
    "cache_size": -8000,  # 8 MB per connection (UI thread + each worker): see below
    "temp_store": "memory",
}
# cache_size: SQLite's own page cache, per connection, on top of the OS's cache of the same
# file. A village's page or a lookup reads well under 1 MB of pages; at 32 MB the UI
# thread's connection alone filled 32 MB on a county database (bench_ui: peak RSS 231 ->
# 206 MB at 8 MB, tap-to-table and lookups no slower).


class _Opened:
    path: str | None = None
    thread: int | None = None  # the thread that opened it: the early connection is its own
    early: sqlite3.Connection | None = None  # made before the models loaded


_opened = _Opened()


def remember(path: str) -> None:
    """``path`` is the open database now, opened by this thread."""
    forget()
    _opened.path, _opened.thread = path, threading.get_ident()


def forget() -> None:
    """Close the early connection, if the models never took it."""
    if _opened.early is not None:
        _opened.early.close()
        _opened.early = None


def early_connection() -> sqlite3.Connection | None:
    """The opening thread's connection made with sqlite3 alone (made on first ask), or None
    on another thread or before a database was opened."""
    if _opened.path is None or _opened.thread != threading.get_ident():
        return None
    if _opened.early is None:
        _opened.early = connect(_opened.path)
    return _opened.early


def connect(path: str | Path) -> sqlite3.Connection:
    """A plain sqlite3 connection to ``path`` as peewee makes one for the models: autocommit,
    the kiosk's pragmas (its hooks set them again when it takes this one over)."""
    conn = sqlite3.connect(path, timeout=PRAGMAS["busy_timeout"] / 1000, isolation_level=None)
    for pragma, value in PRAGMAS.items():
        conn.execute(f"PRAGMA {pragma} = {value}")
    return conn


def take_early(path: str) -> sqlite3.Connection | None:
    """The early connection to ``path`` on this thread, handed to the models for good."""
    conn = _opened.early
    if conn is None or path != _opened.path or _opened.thread != threading.get_ident():
        return None
    _opened.early = None
    return conn


def bind(database) -> None:
    """Point the models' peewee ``database`` at the open database (if one is open)."""
    if _opened.path is not None:
        database.init(_opened.path, pragmas=PRAGMAS)
