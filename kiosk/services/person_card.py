"""One person's payouts as the card the lookup shows and prints (printing.card): per
year, newest first, the total and each item with its amount, how it was reckoned and when it
was paid; and whom to ring about a figure (the town's service centre, the village committee).
"""

import datetime as dt

from kiosk import fmt
from kiosk.services import notices, status
from kiosk.services.types import PayoutRow, PersonPayouts
from printing.card import CardItem, CardPayment, CardYear, PayoutCard


def payout_card(found: PersonPayouts) -> PayoutCard:
    """The card of ``found`` (payouts.person_payouts). The county's question hotline 12345
    closes the list of whom to ask."""
    rows = found.rows
    first = rows[0] if rows else None
    village = found.villages.get(first.village_code) if first else None
    ask = [(phone.label, phone.number) for phone in notices.objection_phones(village)] if village else []
    ask.append((notices.HOTLINE.label, notices.HOTLINE.number))
    as_of = status.feed_status().data_as_of
    return PayoutCard(
        name=first.name if first else "", id_masked=first.id_masked if first else "",
        place=f"{village.town_name} · {village.name}" if village else "",
        years=tuple(_year(year, [r for r in rows if r.year == year])
                    for year in sorted({r.year for r in rows}, reverse=True)),
        ask=tuple(ask), data_as_of=fmt.chinese_date(dt.datetime.fromisoformat(as_of).date()) if as_of else "",
        demo=bool(village and village.is_demo),
    )  # fmt: skip


def _year(year: int, rows: list[PayoutRow]) -> CardYear:
    items: dict[str, list[PayoutRow]] = {}
    for row in rows:
        items.setdefault(row.item_code, []).append(row)
    return CardYear(year, fmt.money(sum(r.amount_fen for r in rows)), tuple(
        CardItem(paid[0].item_name, fmt.money(sum(r.amount_fen for r in paid)),
                 tuple(_payment(r) for r in sorted(paid, key=lambda r: (r.paid_on, r.batch))))
        for paid in items.values()
    ))  # fmt: skip


def _payment(row: PayoutRow) -> CardPayment:
    quantity = f"{fmt.hundredths(row.quantity_centi)}{row.unit}"
    basis = f"{quantity} × {fmt.money(row.standard_fen)}元/{row.unit}" if row.standard_fen else quantity
    # The batch is left out, as the table leaves it: the county writes the year there.
    return CardPayment(basis, fmt.money(row.amount_fen), f"{_day(row.paid_on)}发放", row.remark)


def _day(paid_on: str) -> str:
    """2025年5月14日; a date not as the feed writes one is said as it is."""
    try:
        return fmt.chinese_date(dt.date.fromisoformat(str(paid_on)))
    except ValueError:
        return str(paid_on)
