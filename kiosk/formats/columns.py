"""A feed partition validated a column at a time: the same rules as kiosk.formats.validate,
without a Python call per cell.

``plain_columns`` answers only "every row passes": it returns the parsed columns, or None
when any cell might not, and the caller then reads the partition row by row with
``validate.read_rows`` for the exact ``file:row:column`` messages. It is exactly as strict
by construction:

- each parsed column is checked by calling its own cell parser once per distinct value (a
  county-scale payout partition has a few hundred distinct dates and amounts, not 50,000),
  and then mapped through the results;
- the one column with a value per person (the masked ID) is matched by one regular
  expression over the whole column, which admits only values the parser accepts unchanged;
- the scan for personal numbers in text runs once over the column joined by line breaks:
  it looks for runs of 7 or more digits, spaces and dashes, which cannot cross a line break.
"""

import re
from collections.abc import Sequence

from kiosk.formats import cells, masking
from kiosk.formats.datasets import Dataset
from kiosk.formats.validate import Problems, column_positions, pii

Columns = dict[str, list]

# Accepted by cells.masked_id unchanged (upper case, masked, never a full number).
_MASKED_IDS = re.compile(r"(?:(?:\d{6}|\*{6})\*{8}\d{3}[\dX]\n)*(?:\d{6}|\*{6})\*{8}\d{3}[\dX]")


def plain_columns(dataset: Dataset, headers: Sequence[str], raw: Sequence[list[str]]) -> Columns | None:
    """The cells under ``headers`` (``raw``: one list per header cell, as
    kiosk.formats.feed_format.read_columns gives them) parsed, by column key; or None when
    any cell, row or repeat might be refused (then read it row by row for the messages)."""
    problems = Problems()
    positions = column_positions(dataset, [h.strip() for h in headers], "", problems)
    if positions is None or problems:
        return None
    count = len(raw[0]) if raw else 0
    out: Columns = {}
    for column in dataset.columns:
        pos = positions.get(column.key)
        values = list(map(str.strip, raw[pos])) if pos is not None else [""] * count
        parsed = _column(column, values, dataset.personal)
        if parsed is None:
            return None
        out[column.key] = parsed
    if dataset.unique:
        keys = list(zip(*(out[k] for k in dataset.unique), strict=True))
        if len(set(keys)) != len(keys):
            return None
    return out


def _column(column, values: list[str], personal: bool) -> list | None:
    if column.required and "" in values:
        return None
    if values and max(map(len, values)) > column.max_len:
        return None
    if column.parse is cells.text:
        suspect = personal and masking.may_hold_number("\n".join(values))
        if suspect and any(pii(v) for v in set(values) if v):
            return None
        return values
    if column.parse is cells.masked_id and _MASKED_IDS.fullmatch("\n".join(values)):
        return values  # required: no "" among them
    table: dict[str, object] = {"": None}
    try:
        for value in set(values) - {""}:
            table[value] = column.parse(value)
    except cells.CellError:
        return None
    return list(map(table.__getitem__, values))
