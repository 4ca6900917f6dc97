"""Row-by-row validation of county spreadsheets, reporting ``file:row:column: reason``."""

from collections.abc import Iterator
from pathlib import Path

from kiosk.errors import ImportRefused
from kiosk.store import masking
from kiosk.sync import cells
from kiosk.sync.datasets import Dataset
from kiosk.sync.spreadsheet import Sheet, open_sheet

Row = dict[str, object]


class Problems:
    """Collects problems; keeps the first ``limit`` lines and counts the rest."""

    def __init__(self, limit: int = 200):
        self.lines: list[str] = []
        self.total = 0
        self._limit = limit

    def add(self, where: str, zh: str, en: str) -> None:
        self.total += 1
        if len(self.lines) < self._limit:
            self.lines.append(f"{where}: {zh} / {en}")

    def __bool__(self) -> bool:
        return self.total > 0

    def refuse(self) -> ImportRefused:
        return ImportRefused(self.lines, self.total)


def _pii(value: str) -> tuple[str, str] | None:
    if not masking.may_hold_number(value):
        return None
    if masking.contains_full_id(value):
        return "出现完整身份证号", "a full ID number is present"
    if masking.contains_card_number(value):
        return "出现完整银行卡/社保卡号", "a full bank or social-security card number is present"
    if masking.contains_phone(value):
        return "发放结果中不得出现电话号码", "phone numbers are not allowed in payout rows"
    return None


class DuplicateFinder:
    """Remembers row keys across all files of a dataset to report repeats."""

    def __init__(self):
        # hash of the key -> where it was first seen; a hash keeps county-scale memory small
        self._seen: dict[int, str] = {}

    def check(self, key: tuple, where: str) -> str | None:
        digest = hash(key)
        first = self._seen.get(digest)
        if first is None:
            self._seen[digest] = where
        return first


def read_rows(
    dataset: Dataset,
    path: Path,
    problems: Problems,
    duplicates: DuplicateFinder,
    display: str | None = None,
    mask: bool = False,
    sheet: Sheet | None = None,
) -> Iterator[Row]:
    """Yield the rows of ``path`` that pass every cell check, typed; report the others.

    Args:
        display: how the file is named in messages (default: its path).
        mask: county side: mask full ID and card numbers instead of refusing them.
        sheet: the file already opened (a feed partition read within its declaration).

    Each yielded row also carries ``_where`` (``file:row``) for later cross-checks.
    """
    name = display or str(path)
    sheet = sheet or open_sheet(path)
    positions: dict[str, int] = {}
    for column in dataset.columns:
        names = (column.header, *column.aliases)
        found = [i for i, h in enumerate(sheet.headers) if h in names]
        if len(found) > 1:
            where = f"{name}:1:{column.header}"
            problems.add(where, "该列出现多次", "the column appears more than once")
        elif found:
            positions[column.key] = found[0]
        elif column.required:
            problems.add(
                f"{name}:1:{column.header}",
                f"缺少必需的列“{column.header}”",
                f"required column '{column.header}' is missing",
            )
    if any(c.required and c.key not in positions for c in dataset.columns):
        return

    # (key, header, parse, required, max_len, position, plain text, scan for PII, mask)
    plan = [
        (c.key, c.header, c.parse, c.required, c.max_len, positions.get(c.key),
         c.parse is cells.text, dataset.personal and c.parse is cells.text,
         c.mask if mask else None)
        for c in dataset.columns
    ]  # fmt: skip
    for number, values in sheet.rows:
        if not any(values):
            continue
        row: Row = {}
        ok = True
        width = len(values)
        for key, header, parse, required, max_len, pos, plain, scan, masker in plan:
            raw = values[pos] if pos is not None and pos < width else ""
            if masker is not None and raw:
                raw = masker(raw)
            if not raw:
                if required:
                    problems.add(f"{name}:{number}:{header}", "必填项为空", "required cell is empty")
                    ok = False
                row[key] = "" if plain else None
                continue
            if len(raw) > max_len:
                problems.add(
                    f"{name}:{number}:{header}",
                    f"内容过长（{len(raw)} 字，上限 {max_len} 字）",
                    f"cell too long ({len(raw)} characters, limit {max_len})",
                )
                ok = False
                continue
            if scan:
                leak = _pii(raw)
                if leak:
                    problems.add(f"{name}:{number}:{header}", *leak)
                    ok = False
                    continue
            if plain:
                row[key] = raw
                continue
            try:
                row[key] = parse(raw)
            except cells.CellError as exc:
                problems.add(f"{name}:{number}:{header}", exc.zh, exc.en)
                ok = False
        if not ok:
            continue
        where = f"{name}:{number}"
        first = duplicates.check(tuple(row[k] for k in dataset.unique), where)
        if first is not None:
            problems.add(where, f"与 {first} 重复", f"duplicate of {first}")
            continue
        row["_where"] = where
        yield row
