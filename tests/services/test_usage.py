"""Usage counts (kiosk.services.usage): counted in memory, written in one transaction per
flush, read back by month with what is not written yet; a flush the database refuses loses
nothing."""

import datetime as dt
import sqlite3

import pytest

from kiosk.formats.status_report import MAX_MONTHS
from kiosk.services import usage
from kiosk.store.models import UsageCount, database

NOV = dt.datetime(2026, 11, 30, 23, 59)
DEC = dt.datetime(2026, 12, 1, 0, 1)


@pytest.fixture
def db(empty_db):
    usage.forget_pending()
    yield empty_db
    usage.forget_pending()


def written() -> dict[tuple[str, str], int]:
    return {(r.month, r.kind): r.count for r in UsageCount.select()}


def test_counts_wait_in_memory_until_a_flush_writes_them_by_month(db):
    usage.count("payouts", now=NOV)
    usage.count("payouts", now=NOV)
    usage.count("payouts", now=DEC)
    usage.count("prints", now=DEC)
    assert written() == {}  # a tap does not wait for the disk
    assert usage.months(DEC) == {"2026-11": {"payouts": 2}, "2026-12": {"payouts": 1, "prints": 1}}
    assert usage.flush() == 3
    assert written() == {("2026-11", "payouts"): 2, ("2026-12", "payouts"): 1, ("2026-12", "prints"): 1}
    assert usage.flush() == 0  # nothing new: no transaction
    usage.count("payouts", now=DEC)
    assert usage.months(DEC)["2026-12"] == {"payouts": 2, "prints": 1}  # written and pending added
    usage.flush()
    assert written()[("2026-12", "payouts")] == 2  # added to the month's row, not a second row
    assert usage.months(NOV) == {"2026-11": {"payouts": 2}}  # nothing after the month asked for


def test_the_months_read_back_are_the_last_thirteen(db):
    for month in range(1, 13):
        usage.count("qa", now=dt.datetime(2025, month, 15))
    for month in range(1, 4):
        usage.count("qa", now=dt.datetime(2026, month, 15))
    usage.flush()
    months = usage.months(dt.datetime(2026, 3, 31))
    assert len(months) == MAX_MONTHS
    assert min(months) == "2025-03" and max(months) == "2026-03"


def test_an_unknown_kind_is_refused(db):
    with pytest.raises(KeyError):
        usage.count("who looked at whom")
    assert usage.months(DEC) == {}


def test_a_flush_the_database_refuses_keeps_the_counts_for_the_next(db):
    usage.count("verifications", now=DEC)
    usage.count("verifications", now=DEC)
    # Another connection holds the write lock (a sync applying data), longer than we wait.
    database.execute_sql("PRAGMA busy_timeout = 100")
    holder = sqlite3.connect(db, timeout=0)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(Exception, match="locked"):
            usage.flush()
        usage.count("verifications", now=DEC)  # counted meanwhile
        assert usage.months(DEC) == {"2026-12": {"verifications": 3}}
    finally:
        holder.rollback()
        holder.close()
        database.execute_sql("PRAGMA busy_timeout = 10000")
    assert usage.flush() == 1
    assert written() == {("2026-12", "verifications"): 3}
