"""The one way to open the terminal's database, in tests and in production."""

import sqlite3
from pathlib import Path

from kiosk import log
from kiosk.errors import KnownError, SchemaTooNewError
from kiosk.store import migrations
from kiosk.store.models import database

_log = log.get("kiosk.store")

PRAGMAS = {
    "journal_mode": "wal",  # readers (the UI) keep reading while a sync writes
    "foreign_keys": 1,
    "synchronous": "normal",  # safe with WAL; a power cut loses at most the last commit
    "busy_timeout": 10_000,
    "cache_size": -32_000,  # 32 MB
    "temp_store": "memory",
}


def _rebuild_search_index(conn: sqlite3.Connection) -> None:
    from kiosk.store import search  # its CJK text tools load only when this step runs

    search.rebuild_raw(conn)


migrations.DATA_STEPS[2] = _rebuild_search_index


def open_database(path: Path | str) -> None:
    """Open (creating if needed) and upgrade the database at ``path``; bind the models.

    Raises:
        SchemaTooNewError: the file was written by a newer kiosk; it is left untouched.
        KnownError: the file is not a SQLite database.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _check_and_upgrade(path)
    if not database.is_closed():
        database.close()
    database.init(str(path), pragmas=PRAGMAS)
    database.connect(reuse_if_open=True)


def close_database() -> None:
    if not database.is_closed():
        database.close()


def _check_and_upgrade(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None, timeout=10)
    try:
        try:
            version = migrations.current_version(conn)
        except sqlite3.DatabaseError as exc:
            raise KnownError(
                f"无法打开数据库 {path}：文件不是有效的数据库",
                f"cannot open database {path}: not a SQLite database ({exc})",
            ) from exc
        if version > migrations.LATEST:
            raise SchemaTooNewError(
                f"数据库 {path} 由更新版本的程序创建（结构版本 {version}，本程序支持到 "
                f"{migrations.LATEST}），请升级本程序后再打开",
                f"database {path} has schema version {version}, newer than this program "
                f"supports ({migrations.LATEST}); upgrade the kiosk software",
            )
        conn.execute("PRAGMA journal_mode = wal")
        applied = migrations.upgrade(conn)
        if applied:
            _log.info("database %s upgraded: versions %s applied", path, applied)
    finally:
        conn.close()
