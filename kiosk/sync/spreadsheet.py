"""Read a county spreadsheet (CSV, XLSX, XLS or ODS) as text cells, row numbers as a person
sees them in Excel.

Workbooks are read with python-calamine (many times faster than openpyxl); openpyxl only
writes (the demo county). What a file may hold is bounded: a workbook of 100 MB or more,
more than 1,000,000 rows, or a CSV cell over 131,072 characters is refused with the file and
row, never with a traceback.
"""

import csv
import datetime as dt
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.errors import KnownError

READ_SUFFIXES = (".csv", ".xlsx", ".xls", ".ods")
MAX_WORKBOOK_BYTES = 100 * 1024 * 1024
MAX_ROWS = 1_000_000
# What staff save from WPS or by mistake; named in the refusal so the fix is obvious.
_OTHER_KINDS = {
    ".et": ("WPS 表格文件，请在 WPS 中“另存为”Excel 工作簿（.xlsx）",
            "a WPS spreadsheet: save it as an Excel workbook (.xlsx) in WPS"),
    ".ett": ("WPS 表格模板，请另存为 Excel 工作簿（.xlsx）",
             "a WPS spreadsheet template: save it as an Excel workbook (.xlsx)"),
    ".wps": ("WPS 文字文档，不是表格", "a WPS text document, not a spreadsheet"),
    ".xlsb": ("Excel 二进制工作簿，请另存为 .xlsx", "an Excel binary workbook: save it as .xlsx"),
}  # fmt: skip


class SheetRefused(KnownError):
    """A county file that is not read at all: its kind, a limit, damage.

    Attributes:
        row: the row it stopped at (as Excel numbers rows), or None for the whole file.
        reason: (中文, English) without the file name, for a ``file:row: reason`` line.
    """

    def __init__(self, path: Path, row: int | None, zh: str, en: str):
        where = f"{path}:{row}" if row else str(path)
        super().__init__(f"{where}: {zh}", f"{where}: {en}")
        self.row = row
        self.reason = (zh, en)





@dataclass
class Sheet:
    """Headers and an iterator of (row number, cells) for one file; row 1 is the header.

    For a county file the real header may be lower (title and unit rows above it):
    kiosk.sync.validate finds it among the first rows. ``merged`` lists the merged cell
    ranges of a workbook as ((first row, first column), (last row, last column)), 0-based.
    """

    path: Path
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


def open_sheet(path: Path) -> Sheet:
    """Open ``path`` by its suffix.

    Raises:
        KnownError: the file cannot be read as a spreadsheet at all, is of another kind, or
            is over a limit.
    """
    name = path.name.lower()
    if name.endswith(".csv.gz"):  # a feed partition
        try:
            text = gzip.decompress(path.read_bytes()).decode("utf-8")
            return _csv_sheet(path, text, county=False)
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise KnownError(f"{path}: 数据文件已损坏或不完整",
                             f"{path}: corrupt or truncated data file ({exc})") from exc
    suffix = path.suffix.lower()
    if not path.is_file():
        raise SheetRefused(path, None, "不是文件（只接受 CSV、XLSX、XLS 或 ODS 表格）",
                           "not a file (CSV, XLSX, XLS or ODS spreadsheets only)")
    if path.name.startswith("~$"):
        raise SheetRefused(path, None, "Excel 或 WPS 打开表格时留下的临时文件：请关闭 Excel/WPS 后再运行"
                           "（或删除此文件）", "a lock file Excel or WPS leaves while a workbook is"
                           " open: close Excel/WPS and run again (or delete it)")  # fmt: skip
    if suffix == ".csv":
        return _open_csv(path)
    if suffix in (".xlsx", ".xls", ".ods"):
        return _open_workbook(path)
    zh, en = _OTHER_KINDS.get(suffix, ("不支持的文件类型", "unsupported file type"))
    raise SheetRefused(path, None, f"{zh}（只接受 CSV、XLSX、XLS 或 ODS 表格）",
                       f"{en} (CSV, XLSX, XLS or ODS spreadsheets only)")


def _open_csv(path: Path) -> Sheet:
    # County exports come from Excel: UTF-8 with a BOM, or GB18030 on older systems.
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise KnownError(f"{path}: 无法识别文件编码", f"{path}: unknown text encoding")
    return _csv_sheet(path, text)


def _csv_sheet(path: Path, text: str, county: bool = True) -> Sheet:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        raise _csv_refusal(path, reader, exc) from exc

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, cells in enumerate(reader, start=2):
                if county and number > MAX_ROWS + 1:
                    raise _too_many_rows(path, number)
                yield number, [c.strip() for c in cells]
        except csv.Error as exc:
            raise _csv_refusal(path, reader, exc) from exc

    return Sheet(path, headers, rows())


def _csv_refusal(path: Path, reader, exc: csv.Error) -> SheetRefused:
    # The csv module's own limit (131,072 characters a field) is the only error it raises on
    # a decoded text; say which line in words a clerk can act on.
    line = reader.line_num
    limit = csv.field_size_limit()
    if "field larger than field limit" in str(exc):
        return SheetRefused(path, line, f"单元格超过 {limit} 字，文件可能已损坏或不是导出的表格",
                            f"a cell is over {limit} characters; the file may be damaged or"
                            " not an exported table")  # fmt: skip
    return SheetRefused(path, line, f"无法按 CSV 读取（{exc}）", f"cannot be read as CSV ({exc})")


def _too_many_rows(path: Path, number: int) -> SheetRefused:
    return SheetRefused(path, number, f"行数超过上限 {MAX_ROWS:,} 行，请按乡镇或年度拆分文件",
                        f"more than {MAX_ROWS:,} rows; split the file by town or year")


def _open_workbook(path: Path) -> Sheet:
    from python_calamine import CalamineWorkbook  # county side only; off the kiosk's start-up

    size = path.stat().st_size
    if size >= MAX_WORKBOOK_BYTES:
        raise SheetRefused(
            path, None, f"文件大小 {size / 2**20:.0f} MB，达到上限 100 MB，请按乡镇或年度拆分文件",
            f"the file is {size / 2**20:.0f} MB, the limit is under 100 MB; split it by town"
            " or year",
        )
    kind = path.suffix.lower().lstrip(".").upper()
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        if sheet.total_height > MAX_ROWS + 1:
            raise _too_many_rows(path, MAX_ROWS + 2)
        merged = list(sheet.merged_cell_ranges or [])
        values = iter(sheet.iter_rows())
        first = next(values, [])
    except KnownError:
        raise
    except Exception as exc:  # calamine raises its own error types for a damaged file
        raise SheetRefused(path, None, f"无法读取 {kind} 文件（{exc}）",
                           f"cannot read the {kind} file ({exc})") from exc
    headers = [_cell_text(v) for v in first]

    def rows() -> Iterator[tuple[int, list[str]]]:
        for n, row in enumerate(values, start=2):
            yield n, [_cell_text(v) for v in row]

    return Sheet(path, headers, rows(), merged)


def _cell_text(value: object) -> str:
    """A cell as the text a person sees in Excel (dates as ISO dates, 650.0 as 650)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float):  # as Excel shows it: 15 significant digits, no 0.1+0.2 noise
        if abs(value) >= 1e15:
            # An 18-digit ID number typed into a number cell has lost its last digits: show
            # it as Excel does (3.71522E+17), never as a plausible wrong number.
            return f"{value:.6G}"
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def write_csv(path: Path, headers: list[str], rows: list[list[object]]) -> None:
    """Write a CSV the way county systems export it (UTF-8 with BOM, so Excel opens it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(headers)
        writer.writerows(rows)


def write_xlsx(path: Path, headers: list[str], rows: list[list[object]]) -> None:
    import openpyxl

    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
