"""The two kinds of error the kiosk knows.

A KnownError is something the environment or the input did (a bad spreadsheet row, a
database from a newer version, a tampered feed): it carries a message a person can act on,
in Chinese and English, and is shown without a traceback. Anything else is a bug.
"""


class KnownError(Exception):
    """An expected failure with a bilingual message for staff.

    Args:
        zh: the Chinese message shown to people.
        en: the same message in English, for logs and administrators.
    """

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en


class SchemaTooNewError(KnownError):
    """The database was written by a newer version of the kiosk."""


class DamagedDatabase(KnownError):
    """The database file is damaged or is not a database; the kiosk can rebuild it."""


class ImportRefused(KnownError):
    """A county spreadsheet failed validation; nothing was written.

    Attributes:
        problems: one line per problem, ``file:row:column: 中文 / English``.
    """

    def __init__(self, problems: list[str], total: int | None = None):
        total = len(problems) if total is None else total
        super().__init__(
            f"导入被拒绝：发现 {total} 处错误，数据库未作任何改动",
            f"import refused: {total} problem(s) found, the database was not changed",
        )
        self.problems = problems
        self.total = total

    def __str__(self) -> str:
        shown = "\n".join(self.problems)
        more = self.total - len(self.problems)
        tail = f"\n… 另有 {more} 处 / {more} more" if more > 0 else ""
        return f"{self.zh} / {self.en}\n{shown}{tail}"




_DISK_FULL = ("存储空间已满，操作已停止，请工作人员清理磁盘或更换U盘", "the disk is full")
_READ_ONLY = ("没有写入权限（文件夹、数据库或U盘只读），请工作人员检查", "permission denied (read-only)")
_DAMAGED = ("数据库文件已损坏，请工作人员重新同步县级数据", "the database file is damaged")
_NETWORK = ("网络连接中断，请检查网络后重试", "the connection dropped")
_MEMORY = ("内存不足，操作已停止，请稍后重试", "out of memory")
_BUG = ("发生意外错误，已记录在日志中，请联系工作人员", "unexpected error, logged with its traceback")


def as_known(exc: BaseException) -> KnownError:
    """Any exception as a KnownError with words a person can act on.

    Known errors pass through. Faults of the environment (a full disk, a read-only folder,
    a dropped connection, a damaged database) get their own words; anything else is a bug
    and says so (the caller logs its traceback).
    """
    if isinstance(exc, KnownError):
        return exc
    zh, en = _classify(exc)
    return KnownError(zh, f"{en} ({type(exc).__name__}: {exc})")


def _classify(exc: BaseException) -> tuple[str, str]:
    import errno
    import http.client

    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return _DISK_FULL
    if isinstance(exc, PermissionError) or (isinstance(exc, OSError) and exc.errno == errno.EROFS):
        return _READ_ONLY
    if isinstance(exc, http.client.HTTPException | ConnectionError | TimeoutError):
        return _NETWORK
    if isinstance(exc, MemoryError):
        return _MEMORY
    if is_database_error(exc):
        text = str(exc).lower()
        if "full" in text:
            return _DISK_FULL
        if "readonly" in text or "read-only" in text:
            return _READ_ONLY
        if "malformed" in text or "not a database" in text or "corrupt" in text:
            return _DAMAGED
    if type(exc).__name__ in ("ProtocolError", "IncompleteRead"):  # urllib3's, without importing it
        return _NETWORK
    return _BUG


def is_database_error(exc: BaseException) -> bool:
    """sqlite3's DatabaseError, or peewee's class of the same name it re-raises it as."""
    import sqlite3

    return isinstance(exc, sqlite3.DatabaseError) or any(
        c.__name__ == "DatabaseError" and c.__module__ == "peewee" for c in type(exc).__mro__
    )


def is_corruption(exc: BaseException) -> bool:
    """A database error that means the file's pages are damaged (the file can be rebuilt)."""
    text = str(exc).lower()
    return is_database_error(exc) and ("malformed" in text or "not a database" in text)
