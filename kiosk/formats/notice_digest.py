"""The 校验码 of a 公示单: one definition, computed by the county (feed build, from the
feed's payout rows) and by the terminal (when printing, from its database rows).

It covers only the published data, never print-time choices (notice period, layout,
print number, date), so any print of the same data carries the same code:

    payload = {"v": 1, "village": <12-digit village code>, "year": <int>,
               "scope": "*" (all items) or <item code>,
               "rows": [[item_code, name, id_masked, quantity_centi, unit, standard_fen,
                         amount_fen, paid_on, remark], ...]}

- rows: the village-year's payout rows (for an item scope only that item's rows), each as
  the nine values above: texts as stored (``paid_on`` ISO ``YYYY-MM-DD``, a missing remark
  ``""``), the three numbers as integers (hundredths of the unit, fen per unit, fen);
  sorted ascending by the whole list, so the order rows were stored or shown in does not
  matter. Duplicates stay.
- text: ``json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))``
  encoded as UTF-8.
- digest: the first 16 hex digits (lowercase) of its SHA-256.

Batch and account tail are not covered: they are not printed.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence

VERSION = 1
ALL_ITEMS = "*"  # the scope of a sheet listing every item
FIELDS = ("item_code", "name", "id_masked", "quantity_centi", "unit", "standard_fen", "amount_fen",
          "paid_on", "remark")  # fmt: skip
LENGTH = 16


def canonical_row(values: Sequence) -> list:
    """One row's nine values (``FIELDS`` order) in canonical form."""
    item, name, id_masked, quantity, unit, standard, amount, paid_on, remark = values
    if isinstance(paid_on, dt.date):
        paid_on = paid_on.isoformat()
    return [str(item), str(name), str(id_masked), int(quantity), str(unit), int(standard),
            int(amount), str(paid_on), remark or ""]  # fmt: skip


def digest(village_code: str, year: int, item_code: str | None,
           rows: Iterable[Sequence]) -> str:
    """The digest of a village-year's rows (``FIELDS`` order), all items or ``item_code``'s."""
    canonical = [canonical_row(r) for r in rows]
    if item_code:
        canonical = [r for r in canonical if r[0] == item_code]
    canonical.sort()
    return digest_of_sorted(village_code, year, item_code, canonical)


def digest_of_sorted(village_code: str, year: int, item_code: str | None,
                     canonical: list[list]) -> str:
    """The digest of rows already canonical, filtered to the scope and sorted (the county
    computes the all-items and every item's digest from one sorted list)."""
    payload = {"v": VERSION, "village": village_code, "year": int(year),
               "scope": item_code or ALL_ITEMS, "rows": canonical}  # fmt: skip
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:LENGTH]


def digest_of_records(village_code: str, year: int, item_code: str | None,
                      rows: Iterable[object]) -> str:
    """The same for records with the ``FIELDS`` as attributes (the services' PayoutRow)."""
    return digest(village_code, year, item_code,
                  ([getattr(r, f) for f in FIELDS] for r in rows))  # fmt: skip
