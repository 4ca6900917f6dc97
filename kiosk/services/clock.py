"""Is the terminal's clock plausible? A terminal's clock decides expiry checks and the
dates printed on a notice; a dead CMOS battery sets it to 2001, a bad NTP answer to 2035.

The terminal knows a few moments that really happened: when data was applied and what date
the county's data carries. A clock before them is wrong; a clock far beyond the last sync is
probably wrong (or the terminal has not synced for over a year, which needs staff too).
"""

import datetime as dt

from peewee import fn

from kiosk.store.models import AuditLog, FeedState

TOLERANCE = dt.timedelta(days=1)  # time zones and a clock a few hours off are not faults
FAR_AHEAD = dt.timedelta(days=366)


def newest_known_moment() -> dt.datetime | None:
    """The latest moment the terminal has evidence of: data dates, syncs, prints."""
    # Aggregates, not ORDER BY ... scalar(): a query left with unread rows keeps its statement,
    # and so an old read snapshot of the database, open until the garbage collector runs.
    seen = [FeedState.select(fn.MAX(FeedState.data_as_of)).scalar(),
            FeedState.select(fn.MAX(FeedState.applied_at)).scalar(),
            AuditLog.select(fn.MAX(AuditLog.at)).scalar()]  # fmt: skip
    return max((_as_datetime(s) for s in seen if s), default=None)


def _as_datetime(value: object) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def clock_problem(now: dt.datetime | None = None) -> str | None:
    """A Chinese sentence for staff and the header when the clock looks wrong, else None."""
    now = now or dt.datetime.now()
    newest = newest_known_moment()
    if newest is None:
        return None
    if now < newest - TOLERANCE:
        return (f"终端日期时间（{now:%Y年%m月%d日}）早于本机已有数据的日期（{newest:%Y年%m月%d日}），"
                "请校准终端日期时间")
    last_sync = FeedState.select(fn.MAX(FeedState.applied_at)).scalar()
    if last_sync and now > _as_datetime(last_sync) + FAR_AHEAD:
        return (f"终端日期时间（{now:%Y年%m月%d日}）比最近一次同步（{_as_datetime(last_sync):%Y年%m月%d日}）"
                "晚一年以上，请校准终端日期时间；若日期无误，请尽快同步县级数据")
    return None
