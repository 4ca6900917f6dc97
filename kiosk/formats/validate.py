"""Row-by-row validation of county spreadsheets, reporting ``file:row:column: reason``.

The terminal reads feed partitions strictly (header on row 1, plain cells). The county side
(``mask=True``) reads files as county offices produce them: see kiosk.sync.layout.
"""

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

from kiosk import log
from kiosk.errors import ImportRefused
from kiosk.formats import cells, masking
from kiosk.formats.datasets import Dataset
from kiosk.formats.spreadsheet import HEADER_SEARCH_ROWS, Sheet, SheetRefused, open_sheet

_log = log.get("kiosk.sync")

Row = dict[str, object]


class Problems:
    """Collects problems; keeps the first ``limit`` lines and counts the rest."""

    def __init__(self, limit: int = 200):
        self.lines: list[str] = []
        self.total = 0
        self._limit = limit
        # What the county side inferred, one line per file (e.g. where 年度 was taken from);
        # not problems: they do not refuse anything.
        self.notes: list[str] = []

    def add(self, where: str, zh: str, en: str) -> None:
        self.total += 1
        if len(self.lines) < self._limit:
            self.lines.append(f"{where}: {zh} / {en}")

    def note(self, where: str, zh: str, en: str) -> None:
        line = f"{where}: {zh} / {en}"
        self.notes.append(line)
        _log.info("%s", line)

    def __bool__(self) -> bool:
        return self.total > 0

    def refuse(self) -> ImportRefused:
        return ImportRefused(self.lines, self.total)


def pii(value: str) -> tuple[str, str] | None:
    """What personal number ``value`` holds, as (中文, English) for a problem line, or None."""
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
        mask: county side: mask full ID and card numbers instead of refusing them, and read
            the file as county offices write it (:func:`_county_rows`).
        sheet: the file already opened (a feed partition read within its declaration).

    Each yielded row also carries ``_where`` (``file:row``) for later cross-checks.
    """
    name = display or str(path)
    if not mask:
        yield from _plain_rows(dataset, sheet or open_sheet(path), name, problems, duplicates)
        return
    try:
        yield from _county_rows(dataset, sheet or open_sheet(path), name, problems, duplicates)
    except SheetRefused as exc:  # reported like any problem, so every file gets its line
        problems.add(f"{name}:{exc.row}" if exc.row else name, *exc.reason)


def column_positions(dataset: Dataset, headers: list[str], name: str,
                     problems: Problems) -> dict[str, int] | None:
    """Where each column of ``dataset`` is in a feed partition's header row (key -> index),
    with a problem reported for a repeated or a missing required column; None when a
    required column cannot be read at all."""
    positions: dict[str, int] = {}
    for column in dataset.columns:
        names = (column.header, *column.aliases)
        found = [i for i, h in enumerate(headers) if h in names]
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
        return None
    return positions


def _plain_rows(dataset: Dataset, sheet: Sheet, name: str, problems: Problems,
                duplicates: DuplicateFinder) -> Iterator[Row]:
    """A feed partition: header on row 1, every cell in its plain form."""
    positions = column_positions(dataset, sheet.headers, name, problems)
    if positions is None:
        return

    # (key, header, parse, required, max_len, position, plain text, scan for PII)
    plan = [
        (c.key, c.header, c.parse, c.required, c.max_len, positions.get(c.key),
         c.parse is cells.text, dataset.personal and c.parse is cells.text)
        for c in dataset.columns
    ]  # fmt: skip
    for number, values in sheet.rows:
        if not any(values):
            continue
        row: Row = {}
        ok = True
        width = len(values)
        for key, header, parse, required, max_len, pos, plain, scan in plan:
            raw = values[pos] if pos is not None and pos < width else ""
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
                leak = pii(raw)
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


# ---------------------------------------------------------------------------------------
# County side: files as county offices produce them.
#
# A merged title row (naming the town, village or year) and a unit row (单位：元) above the
# header; the header on any of the first HEADER_SEARCH_ROWS rows, found by its column names
# and aliases, possibly over two rows (a merged group "补贴信息" over 补贴项目/补贴标准/…);
# blank rows; 合计/小计 rows, cross-checked against the rows above them; 制表人/审核人/日期
# lines under the table; numbers as "1,234.50元", "2.7亩", "131.42元/亩", full-width digits.

_TOTAL_LABELS = {"合计", "小计", "总计", "总合计", "本页合计", "本页小计", "累计", "合计金额"}
_FOOTER_PREFIXES = (
    "制表", "填表", "填报", "审核", "复核", "审批", "负责人", "单位负责人", "经办", "主管",
    "日期", "打印日期", "报送日期", "注:", "注：", "说明:", "说明：", "备注:", "备注：",
    "村委会", "村(居)委会", "村民委员会", "(盖章)", "（盖章）", "盖章",
)  # fmt: skip
# Columns a file may leave out, because the title, the file name or other columns say it.
_INFERRED = ("year", "village_code", "unit")
_YEAR = re.compile(r"(?<!\d)(20\d{2})\s*年")
_BARE_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_VILLAGE_CODE = re.compile(r"(?<!\d)(\d{12})(?!\d)")


def _norm(text: str) -> str:
    """A header as compared: full-width forms, spaces, required-marks (*) and colons gone."""
    return "".join(cells.halfwidth(text).split()).strip("*:").replace("（", "(").replace("）", ")")


def _known_names(dataset: Dataset) -> dict[str, str]:
    """Normalised header or alias -> column key."""
    names: dict[str, str] = {}
    for column in dataset.columns:
        for alias in (column.header, *column.aliases):
            names.setdefault(_norm(alias), column.key)
    return names


class _Header:
    """Where the header is: its last row number, each column's position and text."""

    def __init__(self, number: int, texts: list[str], known: dict[str, str]):
        self.number = number
        self.texts = texts
        self.keys = [known.get(_norm(t)) for t in texts]
        self.score = len({k for k in self.keys if k})


def _combine(upper: list[str], lower: list[str], known: dict[str, str]) -> list[str]:
    """Two header rows as one: the lower cell where it names a column (补贴项目 under the
    group 补贴信息), else the upper one (姓名 merged over both rows), else both joined."""
    texts = []
    for i in range(max(len(upper), len(lower))):
        up = upper[i] if i < len(upper) else ""
        low = lower[i] if i < len(lower) else ""
        for candidate in (low, up, up + low):
            if candidate and _norm(candidate) in known:
                texts.append(candidate)
                break
        else:
            texts.append(low or up)
    return texts


def _find_header(dataset: Dataset, sheet: Sheet) -> tuple[_Header, list[str], Iterator]:
    """The header among the first rows, the text above it (title, unit row) and the rows
    after it."""
    known = _known_names(dataset)
    first = [(1, sheet.headers)]
    for number, values in sheet.rows:
        first.append((number, values))
        if len(first) >= HEADER_SEARCH_ROWS:
            break
    best: _Header | None = None
    for i, (number, values) in enumerate(first):
        single = _Header(number, values, known)
        if best is None or single.score > best.score:
            best = single
        if i + 1 < len(first):
            lower_number, lower = first[i + 1]
            double = _Header(lower_number, _combine(values, lower, known), known)
            below = _Header(lower_number, lower, known)
            if double.score > max(single.score, below.score) and below.score and (
                    best is None or double.score > best.score):
                best = double
    assert best is not None
    if best.score < min(3, len(dataset.columns)):  # no header anywhere: report on row 1
        best = _Header(1, sheet.headers, known)
    above = [t for number, values in first if number < best.number for t in values if t]
    rest = [(n, v) for n, v in first if n > best.number]
    return best, above, itertools.chain(rest, sheet.rows)


def _infer(key: str, above: list[str], file_name: str) -> tuple[str, str, str] | None:
    """A value for a missing column from the title rows or the file name: (value, where in
    Chinese, where in English)."""
    pattern_sets = {"year": (_YEAR, _BARE_YEAR), "village_code": (_VILLAGE_CODE,)}
    for pattern in pattern_sets.get(key, ()):
        for text in above:
            match = pattern.search(cells.halfwidth(text))
            if match:
                return match[1], f"标题“{text}”", f"the title '{text}'"
        match = pattern.search(cells.halfwidth(Path(file_name).stem))
        if match:
            return match[1], f"文件名“{Path(file_name).name}”", f"the file name '{Path(file_name).name}'"
    return None


def _merged_fill(sheet: Sheet, after: int) -> dict[int, list[tuple[int, int, int]]]:
    """Cells inside a merged range below the header take the range's value (a village name
    merged down its rows): row number -> [(column, source row number, source column)]."""
    fill: dict[int, list[tuple[int, int, int]]] = {}
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 + 1 <= after or (r1 - r0 + 1) * (c1 - c0 + 1) > 1_000_000:
            continue
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    fill.setdefault(r + 1, []).append((c, r0 + 1, c0))
    return fill


def _county_rows(dataset: Dataset, sheet: Sheet, name: str, problems: Problems,
                 duplicates: DuplicateFinder) -> Iterator[Row]:
    header, above, rows = _find_header(dataset, sheet)
    positions: dict[str, int] = {}
    shown: dict[str, str] = {}  # key -> the column's name as the file writes it
    for column in dataset.columns:
        found = [i for i, k in enumerate(header.keys) if k == column.key]
        if len(found) > 1:  # e.g. both 户主姓名 and 姓名: the column's own name wins
            found = [i for i in found if _norm(header.texts[i]) == _norm(column.header)] or found
        if len(found) > 1:
            problems.add(f"{name}:{header.number}:{header.texts[found[1]]}", "该列出现多次",
                         "the column appears more than once")
        elif found:
            positions[column.key] = found[0]
            shown[column.key] = header.texts[found[0]]
    constants: dict[str, object] = {}
    excused: set[str] = set()  # required columns left out that other cells stand in for
    where_names = {"town_name", "village_name", "village_code"}
    title = ""
    if (dataset.personal and len(positions) >= 3 and not where_names & positions.keys()
            and _infer("village_code", above, name) is None):  # fmt: skip
        # A village's own list: the title names the town and village (朝城镇东村2025年…).
        title = " ".join([*above, Path(name).stem])
        excused |= where_names
        problems.note(name, "没有“乡镇”“村”“村代码”列，按标题和文件名在村名单中查找乡镇和村",
                      "no 乡镇, 村 or 村代码 column: the town and village are looked up in the"
                      " village list by the title and file name")  # fmt: skip
    for column in dataset.columns:
        if column.key in positions or column.key in excused or not column.required:
            continue
        inferred = _infer(column.key, above, name) if column.key in _INFERRED else None
        if inferred is not None:
            value, zh, en = inferred
            try:
                constants[column.key] = column.parse(value)
            except cells.CellError:
                inferred = None
            else:
                problems.note(name, f"没有“{column.header}”列，{column.header} {value} 取自{zh}",
                              f"no '{column.header}' column: {value} taken from {en}")
                continue
        if column.key == "village_code" and {"town_name", "village_name"} <= positions.keys():
            excused.add(column.key)  # kiosk.formats.checks finds it from the town and village
            problems.note(name, "没有“村代码”列，村代码按各行的乡镇和村名称查得",
                          "no '村代码' column: each row's village code is found from its town"
                          " and village name")
            continue
        if column.key == "unit" and "quantity_centi" in positions:
            excused.add(column.key)  # each row's unit is written with its quantity (2.7亩)
            continue
        problems.add(f"{name}:{header.number}:{column.header}",
                     f"缺少必需的列“{column.header}”",
                     f"required column '{column.header}' is missing")
    if any(c.required and c.key not in positions and c.key not in constants
           and c.key not in excused for c in dataset.columns):  # fmt: skip
        return

    # (key, header, parse, required, max_len, position, plain text, scan for PII, mask)
    plan = [
        (c.key, shown.get(c.key, c.header), c.parse, c.required, c.max_len, positions[c.key],
         c.parse is cells.text, dataset.personal and c.parse is cells.text, c.mask)
        for c in sorted(dataset.columns, key=lambda c: c.key == "unit")  # units come last:
        if c.key in positions  # 131.42元/亩 in a later column may name the row's unit
    ]  # fmt: skip
    missing = [(c.key, c.header, c.required, c.parse is cells.text) for c in dataset.columns
               if c.key not in positions]  # fmt: skip
    header_row = [_norm(t) for t in header.texts]
    amount_pos = positions.get("amount_fen")
    amount_header = shown.get("amount_fen", "")
    fill = _merged_fill(sheet, header.number)
    kept: dict[tuple[int, int], str] = {}  # merged ranges' values by (row number, column)
    sources = {(r, c) for cells_ in fill.values() for _, r, c in cells_}
    total = subtotal = 0  # fen, of the rows since the start and since the last 小计
    after_table = False
    free_text = bool(dataset.workbook)
    for number, values in rows:
        if fill or sources:
            values = _apply_merged(values, number, fill, sources, kept)
        texts = [v for v in values if v]
        if not texts:
            continue
        # Totals and signature lines close exported tables; a sheet of free text typed into
        # our own template has neither ("村民委员会负责……" is an article, not a footer).
        label = None if free_text else _total_label(texts)
        if label is not None:
            total, subtotal = _check_total(values, label, number, name, amount_pos,
                                           amount_header, total, subtotal, problems)
            after_table = True
            continue
        if not free_text and (_is_footer(texts, len(header_row)) or (after_table and len(texts) < 3)):
            after_table = True
            continue
        if len(texts) == len([t for t in header_row if t]) and [_norm(v) for v in values][
                :len(header_row)] == header_row:
            continue  # the header repeated (a long export printed page by page)
        row: Row = {}
        ok = True
        width = len(values)
        unit_found = ""
        for key, header_text, parse, required, max_len, pos, plain, scan, masker in plan:
            raw = values[pos] if pos < width else ""
            if raw and not plain and not raw.isascii():
                raw, unit = cells.loose(parse, raw)
                unit_found = unit_found or unit
            elif raw and parse is cells.masked_id:
                raw = raw.upper()
            if masker is not None and raw:
                raw = masker(raw)
            if not raw:
                if required and not (key == "unit" and unit_found):
                    problems.add(f"{name}:{number}:{header_text}", "必填项为空",
                                 "required cell is empty")
                    ok = False
                row[key] = "" if plain else None
                continue
            if len(raw) > max_len:
                problems.add(
                    f"{name}:{number}:{header_text}",
                    f"内容过长（{len(raw)} 字，上限 {max_len} 字）",
                    f"cell too long ({len(raw)} characters, limit {max_len})",
                )
                ok = False
                continue
            if plain:
                control = cells.control_character(raw)
                if control:
                    problems.add(f"{name}:{number}:{header_text}", f"含有控制字符 {control}",
                                 f"contains the control character {control}")
                    ok = False
                    continue
            if scan:
                leak = pii(raw)
                if leak:
                    problems.add(f"{name}:{number}:{header_text}", *leak)
                    ok = False
                    continue
            if plain:
                row[key] = raw
                continue
            try:
                row[key] = parse(raw)
            except cells.CellError as exc:
                # ASCII forms the fast path above let through: "2025-05-12 00:00:00", "2025"
                cleaned = cells.loose(parse, raw)[0] if raw.isascii() else raw
                try:
                    if cleaned == raw:
                        raise
                    row[key] = parse(cleaned)
                except cells.CellError:
                    problems.add(f"{name}:{number}:{header_text}", exc.zh, exc.en)
                    ok = False
        for key, column_header, required, plain in missing:
            if key in constants:
                row[key] = constants[key]
            elif key == "unit" and unit_found:
                row[key] = unit_found
            elif key == "unit" and required:
                problems.add(f"{name}:{number}:{column_header}", "必填项为空（数量和标准中也没有写单位）",
                             "required cell is empty (no unit with the quantity or standard either)")
                ok = False
            else:
                row[key] = "" if plain else None
        if "unit" in positions and not row.get("unit") and unit_found:
            row["unit"] = unit_found
        amount = row.get("amount_fen")
        if isinstance(amount, int):
            total += amount
            subtotal += amount
        if not ok:
            continue
        where = f"{name}:{number}"
        first = duplicates.check(tuple(row[k] for k in dataset.unique), where)
        if first is not None:
            problems.add(where, f"与 {first} 重复", f"duplicate of {first}")
            continue
        row["_where"] = where
        if title:
            row["_title"] = title
        yield row


def _apply_merged(values: list[str], number: int, fill: dict, sources: set,
                  kept: dict[tuple[int, int], str]) -> list[str]:
    for column in range(len(values)):
        if (number, column) in sources:
            kept[number, column] = values[column]
    targets = fill.get(number)
    if not targets:
        return values
    values = list(values)
    for column, r, c in targets:
        if column >= len(values):
            values.extend([""] * (column + 1 - len(values)))
        if not values[column]:
            values[column] = kept.get((r, c), "")
    return values


def _total_label(texts: list[str]) -> str | None:
    for text in texts[:4]:
        if "计" in text:  # every label has it; most rows are spared the normalising
            label = _norm(text)
            if label in _TOTAL_LABELS:
                return label
    return None


def _is_footer(texts: list[str], width: int) -> bool:
    if len(texts) > max(3, width // 2):
        return False
    return any(_norm(t).startswith(_FOOTER_PREFIXES) for t in texts)


def _yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


def _check_total(values: list[str], label: str, number: int, name: str, pos: int | None,
                 header: str, total: int, subtotal: int, problems: Problems) -> tuple[int, int]:
    """Compare a 合计 (all rows) or 小计 (rows since the last 小计) with the rows' sum."""
    raw = values[pos] if pos is not None and pos < len(values) else ""
    expected = subtotal if "小计" in label else total
    if raw:
        try:
            stated = cells.hundredths(cells.split_unit(raw)[0])
        except cells.CellError as exc:
            problems.add(f"{name}:{number}:{header}", f"{label}行：{exc.zh}", f"{label} row: {exc.en}")
        else:
            if stated != expected:
                problems.add(
                    f"{name}:{number}:{header}",
                    f"{label} {_yuan(stated)} 元与各行发放金额之和 {_yuan(expected)} 元不符",
                    f"the {label} (total) {_yuan(stated)} does not match the sum of the rows,"
                    f" {_yuan(expected)}",
                )
    return total, (0 if "小计" in label else subtotal)
