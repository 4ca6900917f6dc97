"""The one way to open the terminal's database, in tests and in production."""

import datetime as dt
import os
import sqlite3
import sys
from pathlib import Path

from kiosk import log
from kiosk.errors import DamagedDatabase, KnownError, SchemaTooNewError, is_corruption
from kiosk.store import migrations, opened

_log = log.get("kiosk.store")


def _rebuild_search_index(conn: sqlite3.Connection) -> None:
    from kiosk.store import search  # its CJK text tools load only when this step runs

    search.rebuild_raw(conn)


migrations.DATA_STEPS[2] = _rebuild_search_index
_MODELS = "kiosk.store.models"


def open_database(path: Path | str) -> None:
    """Open (creating if needed) and upgrade the database at ``path``; bind the models.

    The models (peewee and ~40 tables, ~30 ms of imports) may not be loaded yet: the kiosk
    shows its first frame from what ``connection()`` reads with sqlite3 alone, and the
    models bind themselves to this database when they are first imported, taking this
    thread's connection over (kiosk.store.opened).

    Raises:
        SchemaTooNewError: the file was written by a newer kiosk; it is left untouched.
        KnownError: the file is not a SQLite database.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _check_and_upgrade(path)
    close_database()
    opened.remember(str(path))
    models = sys.modules.get(_MODELS)
    if models is not None:
        opened.bind(models.database)
        models.database.connect(reuse_if_open=True)


def connection() -> sqlite3.Connection:
    """This thread's connection to the database: the models' once they are loaded; before
    that, on the thread that opened the database, one made with sqlite3 alone."""
    if _MODELS not in sys.modules and (early := opened.early_connection()) is not None:
        return early
    from kiosk.store.models import database

    return database.connection()


def close_database() -> None:
    opened.forget()
    models = sys.modules.get(_MODELS)
    if models is not None and not models.database.is_closed():
        models.database.close()


def _check_and_upgrade(path: Path) -> None:
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=10)
    except sqlite3.DatabaseError as exc:
        raise _open_error(path, exc) from exc
    try:
        try:
            version = migrations.current_version(conn)
        except sqlite3.DatabaseError as exc:
            raise _open_error(path, exc) from exc
        if version > migrations.LATEST:
            raise SchemaTooNewError(
                f"数据库 {path} 由更新版本的程序创建（结构版本 {version}，本程序支持到 "
                f"{migrations.LATEST}），请升级本程序后再打开",
                f"database {path} has schema version {version}, newer than this program "
                f"supports ({migrations.LATEST}); upgrade the kiosk software",
            )
        try:
            conn.execute("PRAGMA journal_mode = wal")
            applied = migrations.upgrade(conn)
        except sqlite3.DatabaseError as exc:
            raise _open_error(path, exc) from exc
        if applied:
            _log.info("database %s upgraded: versions %s applied", path, applied)
    finally:
        conn.close()


def _open_error(path: Path, exc: sqlite3.DatabaseError) -> KnownError:
    """Say why a database cannot be opened: damaged, read-only, or full are different jobs."""
    text = str(exc).lower()
    if "not a database" in text or "malformed" in text:
        return DamagedDatabase(f"无法打开数据库 {path}：文件不是有效的数据库或已损坏",
                               f"cannot open database {path}: damaged or not a SQLite database ({exc})")
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return KnownError(f"无法写入数据库 {path}：文件或所在文件夹只读（没有写入权限），请工作人员检查",
                          f"cannot write database {path}: read-only file or folder ({exc})")
    if "full" in text:
        return KnownError(f"无法写入数据库 {path}：存储空间已满，请工作人员清理磁盘",
                          f"cannot write database {path}: the disk is full ({exc})")
    return KnownError(f"无法打开数据库 {path}（{exc}）", f"cannot open database {path} ({exc})")


def quick_check(path: Path, timeout_s: float = 10) -> str | None:
    """SQLite's ``PRAGMA quick_check`` on its own connection: None when the file is sound,
    else the first problem it reports (damaged pages, a file that is not a database).

    Raises:
        sqlite3.DatabaseError: the check could not run (locked by a long sync, unreadable);
            that says nothing about the pages, and a sound file must never be set aside.
    """
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True,
                               timeout=timeout_s)  # fmt: skip
        try:
            first = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            return str(exc)
        raise
    return None if first == "ok" else first


def set_aside(path: Path) -> Path:
    """Move a damaged database (with its WAL and shared-memory files) aside and open a new,
    empty one at ``path``. What cannot come back from the feed (the staff PIN) is carried
    over when the damaged file still yields it.

    Returns:
        where the damaged file now is, ``<name>.broken-YYYYmmdd-HHMMSS``.
    """
    from kiosk.store.models import StaffAccess

    path = Path(path)
    staff = _salvage_staff_access(path)
    close_database()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.broken-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            os.replace(part, f"{aside}{suffix}")
    open_database(path)
    if staff is not None:
        StaffAccess.replace(id=1, pin_hash=staff, failures=0, boot_id="").execute()
    _log.warning("damaged database moved aside to %s; a new one was created", aside)
    return aside


def _salvage_staff_access(path: Path) -> str | None:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT pin_hash FROM staff_access WHERE id = 1").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row and row[0] else None
