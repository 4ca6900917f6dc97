"""County side: what a build changes, town-year by town-year, before anything is signed.

Compares the payout partitions of a new build with those the feed publishes now (read
through its signed targets metadata by the publisher). A row is identified by the columns
that make it unique (village, year, item, name, masked ID, date, batch); the same row with
another amount, quantity or remark counts as changed. Amounts are integer fen.
"""

import csv
import io
from dataclasses import dataclass

from kiosk.formats import datasets as ds
from kiosk.formats import feed_format

_HEADERS = {c.key: c.header for c in ds.PAYOUTS.columns}
_IDENTITY = tuple(_HEADERS[k] for k in ds.PAYOUTS.unique)
_AMOUNT = _HEADERS["amount_fen"]


@dataclass(frozen=True)
class TownYearChange:
    """How one town-year's payouts differ between the current feed and a new build."""

    year: int
    town: str
    town_name: str
    added: int
    removed: int
    changed: int
    rows_before: int
    rows_after: int
    fen_before: int
    fen_after: int
    new: bool = False  # the town-year is not in the current feed
    gone: bool = False  # the town-year is not in the new build (withdrawn)

    @property
    def target(self) -> str:
        return feed_format.Partition(ds.PAYOUTS, self.year, self.town).target


def compare(previous: dict[str, bytes], partitions: dict[str, bytes],
            town_names: dict[str, str] | None = None) -> list[TownYearChange]:
    """Every payout town-year whose partition differs (new, changed or gone), by target.

    Args:
        previous: target path -> bytes of the feed published now (empty for a new feed).
        partitions: target path -> bytes of the new build.
        town_names: town code -> name, for people reading the summary.
    """
    town_names = town_names or {}
    targets = {t for t in (*previous, *partitions) if t.startswith("payouts/")}
    found = []
    for target in sorted(targets):
        old_data, new_data = previous.get(target), partitions.get(target)
        if old_data == new_data:
            continue
        before, after = _rows(old_data), _rows(new_data)
        both = before.keys() & after.keys()
        partition = feed_format.partition_of(target)
        found.append(TownYearChange(
            year=partition.year, town=partition.town_code,  # type: ignore[arg-type]
            town_name=town_names.get(partition.town_code or "", ""),
            added=len(after.keys() - before.keys()), removed=len(before.keys() - after.keys()),
            changed=sum(1 for k in both if before[k] != after[k]),
            rows_before=len(before), rows_after=len(after),
            fen_before=sum(_fen(r[_AMOUNT]) for r in before.values()),
            fen_after=sum(_fen(r[_AMOUNT]) for r in after.values()),
            new=old_data is None, gone=new_data is None,
        ))  # fmt: skip
    return found


def _rows(data: bytes | None) -> dict[tuple, dict[str, str]]:
    if data is None:
        return {}
    reader = csv.DictReader(io.StringIO(feed_format.decode(data), newline=""))
    return {tuple(row[h] for h in _IDENTITY): row for row in reader}


def _fen(text: str) -> int:
    """Canonical partition money text (``705.08``, always two decimals) -> fen."""
    negative = text.startswith("-")
    whole, _, cents = text.lstrip("-").partition(".")
    fen = int(whole or 0) * 100 + int((cents + "00")[:2])
    return -fen if negative else fen
