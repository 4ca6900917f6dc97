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
from typing import NamedTuple
from xml.sax.saxutils import escape

from kiosk.errors import KnownError

READ_SUFFIXES = (".csv", ".xlsx", ".xls", ".ods")
MAX_WORKBOOK_BYTES = 100 * 1024 * 1024
MAX_ROWS = 1_000_000
HEADER_SEARCH_ROWS = 10  # a county file may put a title and unit rows above its header
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
    kiosk.formats.validate finds it among the first rows. ``merged`` lists the merged cell
    ranges of a workbook as ((first row, first column), (last row, last column)), 0-based.
    """

    path: Path
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    name: str = ""  # the worksheet's name ("" for a CSV)
    header_number: int = 1  # the row ``headers`` came from, as Excel numbers it


def open_sheet(path: Path) -> Sheet:
    """Open ``path`` by its suffix: a CSV, or a workbook's first sheet.

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
    if _kind(path) == ".csv":
        return _open_csv(path)
    return _open_workbook(path, every_sheet=False)[0]


def open_sheets(path: Path) -> list[Sheet]:
    """Every sheet of a workbook in its order (a CSV is one sheet), each named by ``name``.

    Raises:
        KnownError: as ``open_sheet``.
    """
    if _kind(path) == ".csv":
        return [_open_csv(path)]
    return _open_workbook(path, every_sheet=True)


def _kind(path: Path) -> str:
    """The suffix of a county spreadsheet ``path`` may be read as, or a refusal that says
    what the file is instead."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise SheetRefused(path, None, "找不到此文件", "file not found")
    if not path.is_file():
        raise SheetRefused(path, None, "不是文件（只接受 CSV、XLSX、XLS 或 ODS 表格）",
                           "not a file (CSV, XLSX, XLS or ODS spreadsheets only)")
    if path.name.startswith("~$"):
        raise SheetRefused(path, None, "Excel 或 WPS 打开表格时留下的临时文件：请关闭 Excel/WPS 后再运行"
                           "（或删除此文件）", "a lock file Excel or WPS leaves while a workbook is"
                           " open: close Excel/WPS and run again (or delete it)")  # fmt: skip
    if suffix in READ_SUFFIXES:
        return suffix
    zh, en = _OTHER_KINDS.get(suffix, ("不支持的文件类型", "unsupported file type"))
    raise SheetRefused(path, None, f"{zh}（只接受 CSV、XLSX、XLS 或 ODS 表格）",
                       f"{en} (CSV, XLSX, XLS or ODS spreadsheets only)")


def header_row(sheet: Sheet, wanted: str) -> Sheet | None:
    """``sheet`` read from the row holding a ``wanted`` header on, among the first
    HEADER_SEARCH_ROWS rows (a clerk may put a title above the header); None if it has none.

    Headers are compared without spaces and line breaks (``受理 编号`` is ``受理编号``).
    """
    texts = [h.replace(" ", "").replace("\n", "") for h in sheet.headers]
    if wanted in texts:
        return Sheet(sheet.path, texts, sheet.rows, sheet.merged, sheet.name, 1)
    for _ in range(HEADER_SEARCH_ROWS - 1):
        number, cells = next(sheet.rows, (None, None))
        if number is None:
            return None
        texts = [c.replace(" ", "").replace("\n", "") for c in cells]
        if wanted in texts:
            return Sheet(sheet.path, texts, sheet.rows, sheet.merged, sheet.name, number)
    return None


WORKBOOK_SUFFIXES = (".xlsx", ".xls", ".ods")


def workbook_in(folder: Path, stem: str) -> Path | None:
    """A county workbook named ``stem`` (consultations, screening) in ``folder``, if any."""
    return next((folder / f"{stem}{s}" for s in WORKBOOK_SUFFIXES if (folder / f"{stem}{s}").is_file()), None)


class Found(NamedTuple):
    """A sheet of a clerk's workbook holding the header looked for (``sheets_with_header``)."""

    label: str  # file[sheet], for problem lines
    header_number: int
    positions: dict[str, int]  # header text -> column (the first of a repeated one)
    rows: Iterator[tuple[int, list[str]]]


def sheets_with_header(path: Path, wanted: str, skip: tuple[str, ...] = ()) -> Iterator[Found]:
    """Each sheet of the workbook at ``path`` (not named in ``skip``) with a ``wanted``
    header among its first rows: a workbook the county sent out, filled in Excel, WPS or
    LibreOffice, read back.

    Raises:
        KnownError: not a workbook, or one that cannot be read.
    """
    if path.suffix.lower() not in WORKBOOK_SUFFIXES and not path.name.startswith("~$"):
        raise KnownError(f"{path.name}: 只接受 XLSX、XLS 或 ODS 工作簿",
                         f"{path.name}: XLSX, XLS or ODS workbooks only")
    for sheet in open_sheets(path):
        if sheet.name in skip:
            continue
        found = header_row(sheet, wanted)
        if found is None:
            continue
        positions: dict[str, int] = {}
        for pos, header in enumerate(found.headers):
            positions.setdefault(header, pos)
        yield Found(f"{path.name}[{sheet.name}]", found.header_number, positions, found.rows)


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


def _open_workbook(path: Path, every_sheet: bool) -> list[Sheet]:
    from python_calamine import CalamineWorkbook  # county side only; off the kiosk's start-up

    size = path.stat().st_size
    if size >= MAX_WORKBOOK_BYTES:
        raise SheetRefused(
            path, None, f"文件大小 {size / 2**20:.0f} MB，达到上限 100 MB，请按乡镇或年度拆分文件",
            f"the file is {size / 2**20:.0f} MB, the limit is under 100 MB; split it by town"
            " or year",
        )
    kind = path.suffix.lower().lstrip(".").upper()
    sheets = []
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names) if every_sheet else [book.sheet_names[0]]
        for name in names:
            sheet = book.get_sheet_by_name(name)
            if sheet.total_height > MAX_ROWS + 1:
                raise _too_many_rows(path, MAX_ROWS + 2)
            merged = list(sheet.merged_cell_ranges or [])
            values = iter(sheet.iter_rows())
            headers = [_cell_text(v) for v in next(values, [])]
            rows = ((n, [_cell_text(v) for v in row]) for n, row in enumerate(values, start=2))
            sheets.append(Sheet(path, headers, rows, merged, name))
    except KnownError:
        raise
    except Exception as exc:  # calamine raises its own error types for a damaged file
        raise SheetRefused(path, None, f"无法读取 {kind} 文件（{exc}）",
                           f"cannot read the {kind} file ({exc})") from exc
    return sheets


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
    """One sheet of ``headers`` and ``rows`` (str, int, float, date) as an .xlsx file.

    Written directly (inline strings, one date style): openpyxl spends ~60 µs a cell on
    XML serialisation, which made the demo county's 72 workbooks most of the first
    ``make run``. Excel, WPS, LibreOffice, openpyxl and calamine read the result.
    """
    import zipfile

    sheet = io.StringIO()
    sheet.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
                f'xmlns="{_MAIN_NS}"><sheetData>')
    for number, row in enumerate([headers, *rows], start=1):
        sheet.write(f'<row r="{number}">')
        for column, value in enumerate(row):
            sheet.write(_xlsx_cell(f"{_column_letters(column)}{number}", value))
        sheet.write("</row>")
    sheet.write("</sheetData></worksheet>")
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in _XLSX_PARTS.items():
            book.writestr(name, text)
        book.writestr("xl/worksheets/sheet1.xml", sheet.getvalue())


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_XLSX_PARTS = {
    "[Content_Types].xml": _XML_HEAD + (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'),
    "_rels/.rels": _XML_HEAD + (
        f'<Relationships xmlns="{_PKG_REL_NS}"><Relationship Id="rId1" Type="{_REL_NS}/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": _XML_HEAD + (
        f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": _XML_HEAD + (
        f'<Relationships xmlns="{_PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL_NS}/styles" Target="styles.xml"/></Relationships>'),
    # Style 1 is Excel's built-in short date (numFmtId 14), for date cells.
    "xl/styles.xml": _XML_HEAD + (
        f'<styleSheet xmlns="{_MAIN_NS}"><fonts count="1"><font><sz val="11"/><name val="宋体"/>'
        '</font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" xfId="0"/><xf numFmtId="14" xfId="0" '
        'applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" '
        'xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
}
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _xlsx_cell(ref: str, value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="1"><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = escape(str(value))
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
