"""A feed partition validated a column at a time: the same rules as kiosk.formats.validate,
without a Python call per cell.

``plain_columns`` answers only "every row passes": it returns the parsed columns, or None
when any cell might not, and the caller then reads the partition row by row with
``validate.read_rows`` for the exact ``file:row:column`` messages. It is exactly as strict
by construction:

- every rule about a single cell (required, length, personal numbers, the parser) depends
  on the cell's text alone, so it is checked once per distinct value of the column: a
  county-scale payout partition has a few hundred distinct dates and amounts, not 50,000;
- cells are stripped only when some distinct value has white space around it;
- the columns whose parser returns most values unchanged (masked IDs, account tails) are
  matched by one regular expression over their distinct values joined by line breaks,
  which admits only values the parser returns unchanged; a value holding a line break
  itself would blur the joined lines, so such a column takes the per-value way;
- the scan for personal numbers in text runs once over the distinct values joined by line
  breaks: it looks for runs of 7 or more digits, spaces and dashes, which cannot cross a
  line break, and only a column where it finds one is scanned value by value;
- the repeat check compares the parsed key columns of every row, as the row reader does.
"""

import re
from collections.abc import Sequence

from kiosk.formats import cells, masking
from kiosk.formats.datasets import Column, Dataset
from kiosk.formats.validate import Problems, column_positions, pii

Columns = dict[str, list]

# Values each parser returns unchanged: upper-case masked IDs (never a full number) and the
# bare 4 digits of an account.
_UNCHANGED = {
    cells.masked_id: r"(?:\d{6}|\*{6})\*{8}\d{3}[\dX]",
    cells.account_tail: r"\d{4}",
}
_UNCHANGED_LINES = {parse: re.compile(rf"{one}(?:\n{one})*") for parse, one in _UNCHANGED.items()}


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
        parsed = _column(column, raw[pos] if pos is not None else [""] * count, dataset.personal)
        if parsed is None:
            return None
        out[column.key] = parsed
    if dataset.unique and _repeats(out, dataset.unique):
        return None
    return out


def _repeats(columns: Columns, keys: Sequence[str]) -> bool:
    """Whether two rows have the same key. A column with one value throughout (the year of
    a town-year partition, usually its batch) cannot tell rows apart and is left out."""
    count = len(columns[keys[0]])
    if not count:
        return False
    varying = [values for values in map(columns.__getitem__, keys) if values.count(values[0]) != count]
    if not varying:
        return count > 1
    return len(set(zip(*varying, strict=True))) != count


def _column(column: Column, values: list[str], personal: bool) -> list | None:
    """One column's cells parsed, or None when any of them might be refused."""
    distinct = set(values)
    unchanged = _unchanged(column.parse, distinct - {""})  # then no white space either
    if not unchanged and any(value != value.strip() for value in distinct):
        values = list(map(str.strip, values))
        distinct = set(values)
    if column.required and "" in distinct:
        return None
    if distinct and max(map(len, distinct)) > column.max_len:
        return None
    if unchanged:
        return values if "" not in distinct else [value or None for value in values]
    filled = distinct - {""}
    if column.parse is cells.text:
        suspect = personal and masking.may_hold_number("\n".join(filled))
        if suspect and any(pii(value) for value in filled):
            return None
        return values
    table: dict[str, object] = {"": None}
    try:
        for value in filled:
            table[value] = column.parse(value)
    except cells.CellError:
        return None
    return list(map(table.__getitem__, values))


def _unchanged(parse: cells.Parser, filled: set[str]) -> bool:
    """Whether ``parse`` returns every one of the (non-empty) ``filled`` values unchanged."""
    lines = _UNCHANGED_LINES.get(parse)
    if lines is None or not filled:
        return False
    joined = "\n".join(filled)
    return joined.count("\n") == len(filled) - 1 and lines.fullmatch(joined) is not None
