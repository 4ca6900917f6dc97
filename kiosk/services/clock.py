"""Is the terminal's clock plausible? A terminal's clock decides expiry checks and the
dates printed on a notice; a dead CMOS battery sets it to 2001, a bad NTP answer to 2035.

The terminal knows a few moments that really happened: when data was applied and what date
the county's data carries. A clock before them is wrong; a clock far beyond the last sync is
probably wrong (or the terminal has not synced for over a year, which needs staff too).
"""

import datetime as dt

from kiosk.store import glance

TOLERANCE = dt.timedelta(days=1)  # time zones and a clock a few hours off are not faults
FAR_AHEAD = dt.timedelta(days=366)


def clock_problem(now: dt.datetime | None = None) -> str | None:
    """A Chinese sentence for staff and the header when the clock looks wrong, else None."""
    now = now or dt.datetime.now()
    # The latest moments the terminal has evidence of: data dates, syncs, prints.
    data_as_of, last_sync, last_logged = (dt.datetime.fromisoformat(m) if m else None
                                          for m in glance.known_moments())  # fmt: skip
    newest = max((m for m in (data_as_of, last_sync, last_logged) if m), default=None)
    if newest is None:
        return None
    if now < newest - TOLERANCE:
        return (f"终端日期时间（{now:%Y年%m月%d日}）早于本机已有数据的日期（{newest:%Y年%m月%d日}），"
                "请校准终端日期时间")
    if last_sync and now > last_sync + FAR_AHEAD:
        return (f"终端日期时间（{now:%Y年%m月%d日}）比最近一次同步（{last_sync:%Y年%m月%d日}）"
                "晚一年以上，请校准终端日期时间；若日期无误，请尽快同步县级数据")
    return None
