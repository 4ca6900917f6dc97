"""Notice periods: natural days, working days (with the holiday/调休 calendar) or 长期."""

import datetime as dt
from dataclasses import dataclass

from kiosk.store.models import WorkDay

UNITS = ("自然日", "工作日", "长期")


@dataclass(frozen=True)
class NoticePeriod:
    start: dt.date
    end: dt.date | None  # None: 长期公示
    text: str  # "7天", "7个工作日", "长期"


def period(start: dt.date, days: int, unit: str = "自然日") -> NoticePeriod:
    """The period that starts on ``start`` (counted as its first day).

    Raises:
        ValueError: an unknown unit or a non-positive length.
    """
    if unit == "长期":
        return NoticePeriod(start, None, "长期")
    if days < 1 or unit not in UNITS:
        raise ValueError(f"bad notice period: {days} {unit}")
    if unit == "自然日":
        return NoticePeriod(start, start + dt.timedelta(days=days - 1), f"{days}天")
    exceptions = {
        dt.date.fromisoformat(str(day)): kind
        for day, kind in WorkDay.select(WorkDay.day, WorkDay.kind).tuples()
    }
    day, counted = start, 0
    while True:
        kind = exceptions.get(day)
        if kind == "班" or (kind is None and day.weekday() < 5):
            counted += 1
            if counted == days:
                return NoticePeriod(start, day, f"{days}个工作日")
        day += dt.timedelta(days=1)
