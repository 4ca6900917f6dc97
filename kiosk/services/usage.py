"""Anonymous usage counts: how often each kind of page was opened, and prints and
verifications, per month. Counts only, nothing about who or what was looked at.

A tap must not wait for the disk, so ``count`` only adds in memory; ``flush`` writes what
has gathered in one small transaction (the kiosk calls it when it returns to its start
screen and before a status report). A power cut loses at most the counts since then.
"""

import datetime as dt
import threading
from collections import Counter

from kiosk.formats.status_report import MAX_MONTHS, USAGE_KINDS
from kiosk.store.models import UsageCount, database

_pending: Counter[tuple[str, str]] = Counter()
_lock = threading.Lock()


def _month(now: dt.datetime | None) -> str:
    return f"{(now or dt.datetime.now()):%Y-%m}"


def count(kind: str, now: dt.datetime | None = None) -> None:
    """One more of ``kind`` (kiosk.formats.status_report.USAGE_KINDS) this month.

    Raises:
        KeyError: an unknown kind (a programming error, caught by the tests).
    """
    if kind not in USAGE_KINDS:
        raise KeyError(kind)
    with _lock:
        _pending[(_month(now), kind)] += 1


def flush() -> int:
    """Write the counts gathered since the last flush; returns how many kinds were written."""
    with _lock:
        rows = list(_pending.items())
        _pending.clear()
    if not rows:
        return 0
    try:
        with database.atomic():
            for (month, kind), n in rows:
                (UsageCount.insert(month=month, kind=kind, count=n)
                 .on_conflict(conflict_target=[UsageCount.month, UsageCount.kind],
                              update={UsageCount.count: UsageCount.count + n})
                 .execute())  # fmt: skip
    except Exception:
        with _lock:  # not lost: the next flush tries again
            for key, n in rows:
                _pending[key] += n
        raise
    return len(rows)


def months(now: dt.datetime | None = None) -> dict[str, dict[str, int]]:
    """The counts of the last ``MAX_MONTHS`` months up to ``now``'s (written and pending)."""
    last = _month(now)
    out: dict[str, dict[str, int]] = {}
    for row in UsageCount.select().where(UsageCount.month <= last):
        out.setdefault(row.month, {})[row.kind] = row.count
    with _lock:
        for (month, kind), n in _pending.items():
            if month <= last:
                counts = out.setdefault(month, {})
                counts[kind] = counts.get(kind, 0) + n
    return {month: dict(sorted(out[month].items())) for month in sorted(out)[-MAX_MONTHS:]}


def forget_pending() -> None:
    """Drop what has not been written (tests, and a database being replaced)."""
    with _lock:
        _pending.clear()
