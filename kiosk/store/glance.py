"""What the kiosk's first frame shows, read with sqlite3 alone: the towns and villages, and
how fresh the data is. The models (peewee and ~40 tables, ~30 ms of imports) load after
that frame; these reads run on kiosk.store.db.connection(), which is the models' own
connection once they are loaded."""

from kiosk.store.db import connection

_TOWNS = """
SELECT t.code, t.name, t.kind, t.initials, COUNT(v.code)
FROM town AS t LEFT OUTER JOIN village AS v ON v.town_id = t.code
GROUP BY t.code ORDER BY t.code"""
_VILLAGES = """
SELECT v.code, v.name, t.code, t.name, v.initials, v.is_demo
FROM village AS v JOIN town AS t ON t.code = v.town_id"""


def towns() -> list[tuple[str, str, str, str, int]]:
    """(code, name, kind, initials, village count) of every town, in code order."""
    return connection().execute(_TOWNS).fetchall()


def villages(town_code: str) -> list[tuple[str, str, str, str, str, bool]]:
    """(code, name, town code, town name, initials, is_demo) of one town's villages, by pinyin."""
    rows = connection().execute(f"{_VILLAGES} WHERE v.town_id = ? ORDER BY v.pinyin, v.code",
                                (town_code,)).fetchall()  # fmt: skip
    return [_with_flag(row) for row in rows]


def village(code: str) -> tuple[str, str, str, str, str, bool] | None:
    row = connection().execute(f"{_VILLAGES} WHERE v.code = ?", (code,)).fetchone()
    return _with_flag(row) if row else None


def _with_flag(row: tuple) -> tuple[str, str, str, str, str, bool]:
    return (*row[:5], bool(row[5]))  # is_demo is stored as 0/1


def feed_states() -> list[tuple]:
    """(source, version, data_as_of, applied_at, last_result, last_message) of each data
    source, the most recently applied first (never applied last). Times as stored (text)."""
    return connection().execute(
        "SELECT source, version, data_as_of, applied_at, last_result, last_message FROM feed_state "
        "ORDER BY applied_at IS NULL, applied_at DESC"
    ).fetchall()


def known_moments() -> tuple[str | None, str | None, str | None]:
    """The newest data date, sync and audit-log entry, as stored (text), or None each."""
    # Aggregates: a query left with unread rows would keep its statement, and with it an old
    # read snapshot of the database, open until the garbage collector runs.
    return connection().execute(
        "SELECT (SELECT MAX(data_as_of) FROM feed_state), (SELECT MAX(applied_at) FROM feed_state), "
        "(SELECT MAX(at) FROM audit_log)"
    ).fetchone()
