"""Read a county spreadsheet (CSV or XLSX) as text cells, row numbers as a person sees them."""

import csv
import datetime as dt
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import KnownError

SUFFIXES = (".csv", ".xlsx")


@dataclass
class Sheet:
    """Headers and an iterator of (row number, cells) for one file; row 1 is the header."""

    path: Path
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]


def open_sheet(path: Path) -> Sheet:
    """Open ``path`` by its suffix.

    Raises:
        KnownError: the file cannot be read as a spreadsheet at all.
    """
    name = path.name.lower()
    if name.endswith(".csv.gz"):  # a feed partition
        try:
            return _csv_sheet(path, gzip.decompress(path.read_bytes()).decode("utf-8"))
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise KnownError(f"{path}: 数据文件已损坏或不完整",
                             f"{path}: corrupt or truncated data file ({exc})") from exc
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _open_csv(path)
    if suffix == ".xlsx":
        return _open_xlsx(path)
    raise KnownError(f"{path}: 不支持的文件类型（只接受 CSV 或 XLSX）",
                     f"{path}: unsupported file type (CSV or XLSX only)")


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


def _csv_sheet(path: Path, text: str) -> Sheet:
    reader = csv.reader(io.StringIO(text, newline=""))
    headers = [h.strip() for h in next(reader, [])]
    rows = ((n, [c.strip() for c in cells]) for n, cells in enumerate(reader, start=2))
    return Sheet(path, headers, rows)


def _open_xlsx(path: Path) -> Sheet:
    import openpyxl  # only county-side files need it; keep it off the kiosk's start-up path

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise KnownError(f"{path}: 无法读取 XLSX 文件（{exc}）",
                         f"{path}: cannot read the XLSX file ({exc})") from exc
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    headers = [_cell_text(v) for v in next(values, ())]

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for n, row in enumerate(values, start=2):
                yield n, [_cell_text(v) for v in row]
        finally:
            book.close()

    return Sheet(path, headers, rows())


def _cell_text(value: object) -> str:
    """A cell as the text a person sees in Excel (dates as ISO dates, 650.0 as 650)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
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
