"""Working days for answer deadlines: Monday–Friday, with a county's holidays and 调休 workdays."""

import datetime as dt
from collections.abc import Collection

DISCLOSURE_DAYS = 20  # 政府信息公开条例 第三十三条: answer within 20 working days of receipt
CALLBACK_DAYS = 2  # a call-back request: staff call within two working days


def is_working_day(
    day: dt.date, holidays: Collection[dt.date] = (), workdays: Collection[dt.date] = ()
) -> bool:
    if day in workdays:  # a weekend made a working day (调休) wins over the weekday rule
        return True
    return day.weekday() < 5 and day not in holidays


def working_days_after(
    start: dt.date, n: int, holidays: Collection[dt.date] = (), workdays: Collection[dt.date] = ()
) -> dt.date:
    """The ``n``-th working day after ``start`` (``start`` itself is not counted)."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    while n:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays, workdays):
            n -= 1
    return day


def due_on(
    kind: str, received: dt.date, holidays: Collection[dt.date] = (), workdays: Collection[dt.date] = ()
) -> dt.date:
    days = DISCLOSURE_DAYS if kind == "disclosure" else CALLBACK_DAYS
    return working_days_after(received, days, holidays, workdays)
