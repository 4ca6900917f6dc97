"""County side: the fleet's health as the county's office reads it, from plain FleetRows
(kiosk.county.inbox.fleet.fleet_rows): lines for the command, one static page, one workbook.

Nothing here reads the database: the rows and the time ``now`` come in, text and files go
out, so the three views cannot disagree. Rows are shown silent first (highlighted), then
those with open faults, then the rest, then revoked terminals; each group in town and name
order. Times are the county's local time (Beijing time, UTC+8; China keeps no summer time).

The page (``write_html``) is meant to be hosted beside the public verify site: one
self-contained file (inline CSS, no script, no external resource, a Content-Security-Policy
that forbids both), every value escaped (a terminal's name comes from terminals.csv and may
hold anything), the table scrolling inside its own box on a phone. The rows hold nothing
about villagers: versions, times, counts and faults only.
"""

import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path

from kiosk.county.inbox.export import display_width, writable
from kiosk.county.inbox.fleet import SILENT_AFTER, FleetRow, OpenFault
from kiosk.files import replacing, write_atomic
from kiosk.formats.status_report import PRINT_OUTCOME_NAMES, VIA_NAMES, clean_text

CHINA = dt.timezone(dt.timedelta(hours=8), "北京时间")
TITLE = "终端运行状况"
SHEET = "终端状况"
COLUMNS = ("乡镇", "终端", "最后报告（终端签名时间）", "送达方式", "程序版本", "数据版本/滞后", "故障",
           "打印机", "磁盘剩余")  # fmt: skip
CLOCK_AHEAD = "终端时钟超前"
SILENT_MARK, REVOKED_MARK = "【失联】", "【已停用】"
NEVER = "从未报告"
NONE = "—"
# The groups a row falls in, in the order they are shown.
SILENT, FAULTY, OK, REVOKED = 0, 1, 2, 3


def group(row: FleetRow) -> int:
    if row.revoked:
        return REVOKED
    if row.silent:
        return SILENT
    return FAULTY if row.faults else OK


def ordered(rows: list[FleetRow]) -> list[FleetRow]:
    """Silent first, then with faults, then the rest, then revoked; each by town and name."""
    return sorted(rows, key=lambda r: (group(r), r.town, r.name, r.fingerprint))


@dataclass(frozen=True)
class Counts:
    total: int
    ok: int
    faulty: int
    silent: int
    revoked: int


def counts(rows: list[FleetRow]) -> Counts:
    groups = [group(r) for r in rows]
    return Counts(len(rows), groups.count(OK), groups.count(FAULTY), groups.count(SILENT),
                  groups.count(REVOKED))  # fmt: skip


def summary_line(c: Counts) -> str:
    """``N 台终端：正常 a，有故障 b，失联 c`` (and ``，已停用 d`` when there are any)."""
    line = f"{c.total} 台终端：正常 {c.ok}，有故障 {c.faulty}，失联 {c.silent}"
    return line + (f"，已停用 {c.revoked}" if c.revoked else "")


def local(when: dt.datetime | None) -> str:
    """A time as the county's office reads it: ``2026-11-27 10:00`` in Beijing time."""
    return f"{when.astimezone(CHINA):%Y-%m-%d %H:%M}" if when is not None else NONE


def _silent_days(silent_after: dt.timedelta) -> str:
    days = silent_after / dt.timedelta(days=1)
    return f"{days:g} 天"


# -- the columns, as text ---------------------------------------------------------------------------


def terminal_name(row: FleetRow) -> str:
    return row.name or row.fingerprint


def seen_text(row: FleetRow) -> str:
    if row.seen is None:
        return NEVER
    return f"{local(row.seen)}（{CLOCK_AHEAD}）" if row.clock_ahead else local(row.seen)


def via_text(row: FleetRow) -> str:
    return VIA_NAMES.get(row.via, row.via) or NONE


def data_text(row: FleetRow) -> str:
    if row.seen is None:
        return NONE
    if row.data_as_of is None:
        return "尚未同步数据"
    return f"第 {row.feed_version} 版，滞后 {row.data_lag_days} 天"


def fault_text(fault: OpenFault) -> str:
    detail = f"：{fault.detail}" if fault.detail else ""
    return f"{fault.name}（自 {local(fault.since)}）{detail}"


def faults_text(row: FleetRow) -> str:
    return "；".join(fault_text(f) for f in row.faults) or "无"


def printer_text(row: FleetRow) -> str:
    if row.seen is None:
        return NONE
    name = PRINT_OUTCOME_NAMES.get(row.printer, row.printer)
    return f"{name}，已打印 {row.printer_pages} 页" if row.printer_pages else name


def disk_text(row: FleetRow) -> str:
    return f"{row.disk_free_mb} MB" if row.disk_free_mb is not None else NONE


def cells(row: FleetRow) -> tuple[str, ...]:
    """The row's text under each of ``COLUMNS`` (a silent terminal's name marked)."""
    mark = SILENT_MARK if group(row) == SILENT else ""
    name = mark + terminal_name(row) + ("（已停用）" if row.revoked else "")
    return (row.town or NONE, name, seen_text(row), via_text(row), row.app_version or NONE, data_text(row),
            faults_text(row), printer_text(row), disk_text(row))  # fmt: skip


def line(row: FleetRow) -> str:
    """One terminal as the command prints it (open faults by name only)."""
    mark = SILENT_MARK if group(row) == SILENT else REVOKED_MARK if row.revoked else ""
    who = f"{mark}{row.town or NONE} {terminal_name(row)}"
    who = clean_text(who, len(who))  # a name from terminals.csv puts no escape codes on a console
    if row.seen is None:
        return f"{who}  {NEVER}"
    ahead = f"，{CLOCK_AHEAD}" if row.clock_ahead else ""
    reported = f"最后报告 {local(row.seen)}（{via_text(row)}{ahead}）"
    lag = f"数据滞后 {row.data_lag_days} 天" if row.data_as_of is not None else "尚未同步数据"
    faults = "、".join(f.name for f in row.faults) or "无"
    return (f"{who}  {reported}  版本 {row.app_version}  {lag}  "
            f"故障：{faults}  打印机 {printer_text(row)}  磁盘剩余 {disk_text(row)}")


def lines(rows: list[FleetRow]) -> list[str]:
    """The command's output: one line per terminal in shown order, then the summary."""
    return [*(line(r) for r in ordered(rows)), summary_line(counts(rows))]


# -- the page ---------------------------------------------------------------------------------------

_CSS = """body{font-family:sans-serif;font-size:16px;line-height:1.5;margin:0 auto;padding:12px;
max-width:90em;color:#111;background:#fff}
h1{font-size:22px;margin:0 0 8px}p{margin:6px 0}.note{color:#444;font-size:14px}
.counts span{display:inline-block;margin:4px 12px 4px 0;padding:2px 10px;border:2px solid #888}
.counts .silent{border-color:#b00020;color:#b00020;font-weight:bold}.counts .fault{border-color:#b35900}
.wide{overflow-x:auto;-webkit-overflow-scrolling:touch;border:1px solid #888;max-width:100%}
table{border-collapse:collapse;min-width:100%}
th,td{border:1px solid #bbb;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#ddebf7;white-space:nowrap;position:sticky;top:0}
td.n{white-space:nowrap}td.t{min-width:7em;max-width:16em;overflow-wrap:anywhere}
td.f{min-width:12em;max-width:22em;overflow-wrap:anywhere}td.w{min-width:7em}
tr.silent td{background:#fde2e1}tr.silent td.t{color:#b00020;font-weight:bold}
tr.fault td{background:#fff4ce}tr.revoked td{color:#777}
.ahead{color:#b35900;font-weight:bold}"""
# No script, no resource from elsewhere: even a value that slipped past escaping could run nothing.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'"
_ROW_CLASS = {SILENT: "silent", FAULTY: "fault", OK: "ok", REVOKED: "revoked"}
_TD_CLASSES = ("n", "t", "n", "n", "", "w", "f", "w", "n")  # t the terminal, n no wrap, w wider, f faults


def render_html(rows: list[FleetRow], now: dt.datetime, silent_after: dt.timedelta = SILENT_AFTER) -> str:
    """The page's text (see the module's docstring)."""
    e = html.escape
    c = counts(rows)
    out = [
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{TITLE}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n"
        f"<h1>{TITLE}</h1>\n"
        f"<p>生成时间：{e(local(now))}（北京时间）</p>\n"
        f'<p class="counts"><span>共 {c.total} 台</span><span>正常 {c.ok}</span>'
        f'<span class="fault">有故障 {c.faulty}</span><span class="silent">失联 {c.silent}</span>'
        + (f"<span>已停用 {c.revoked}</span>" if c.revoked else "")
        + "</p>\n"
        f'<p class="note">超过 {e(_silent_days(silent_after))}没有新的状态报告视为失联。“最后报告”是终端签名'
        f"报告的时间，不是文件送到县里的时间；标有“{CLOCK_AHEAD}”的终端时钟比县里快，按县里收到的时间计。"
        "</p>\n"
        '<div class="wide">\n<table>\n<thead>\n<tr>'
        + "".join(f"<th>{e(name)}</th>" for name in COLUMNS)
        + "</tr>\n</thead>\n<tbody>\n"
    ]  # fmt: skip
    for row in ordered(rows):
        out.append(_html_row(row))
    if not rows:
        out.append(f'<tr><td colspan="{len(COLUMNS)}">没有登记的终端</td></tr>\n')
    out.append("</tbody>\n</table>\n</div>\n"
               '<p class="note">本页只含终端的运行情况（版本、时间、故障、打印机、磁盘），不含任何群众信息。'
               "由 kiosk fleet status 生成。</p>\n</body>\n</html>\n")  # fmt: skip
    return "".join(out)


def _html_row(row: FleetRow) -> str:
    texts = [html.escape(text) for text in cells(row)]
    if row.clock_ahead and row.seen is not None:  # the marker in colour beside the time
        texts[2] = f'{html.escape(local(row.seen))}<span class="ahead">（{CLOCK_AHEAD}）</span>'
    tds = "".join(f'<td class="{cls}">{text}</td>' if cls else f"<td>{text}</td>"
                  for cls, text in zip(_TD_CLASSES, texts, strict=True))  # fmt: skip
    return f'<tr class="{_ROW_CLASS[group(row)]}">{tds}</tr>\n'


def write_html(rows: list[FleetRow], path: Path | str, now: dt.datetime,
               silent_after: dt.timedelta = SILENT_AFTER) -> Path:  # fmt: skip
    """Write the page to ``path`` (replaced atomically, readable by all: it is published)."""
    path = Path(path)
    write_atomic(path, render_html(rows, now, silent_after).encode("utf-8"), 0o644)
    return path


# -- the workbook -----------------------------------------------------------------------------------

_MAX_WIDTH = {"故障": 60}
_HEADER_FILL, _SILENT_FILL, _FAULT_FILL = "DDEBF7", "FFC7CE", "FFEB9C"  # Excel's "bad" and "neutral"


def write_xlsx(rows: list[FleetRow], path: Path | str, now: dt.datetime) -> Path:
    """One sheet ``终端状况``: the page's columns, in the page's order, header row frozen,
    silent and faulty rows filled as on the page; ``now`` goes in the document's properties."""
    from openpyxl import Workbook  # county side only
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    book.properties.title = f"{TITLE}（{local(now)} 北京时间）"
    book.properties.created = now.astimezone(dt.UTC).replace(tzinfo=None)
    sheet.append(list(COLUMNS))
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor=_HEADER_FILL)
    for cell in sheet[1]:
        cell.font, cell.fill = header_font, header_fill
    fills = {SILENT: PatternFill("solid", fgColor=_SILENT_FILL),
             FAULTY: PatternFill("solid", fgColor=_FAULT_FILL)}  # fmt: skip
    top, wrap = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
    widths = [display_width(name) + 2 for name in COLUMNS]
    for number, row in enumerate(ordered(rows), start=2):
        fill = fills.get(group(row))
        for index, text in enumerate(cells(row)):
            cell = sheet.cell(row=number, column=index + 1)
            cell.value = writable(text)
            cell.data_type = "s"  # after the value: a name starting with "=" is text, never a formula
            cell.alignment = wrap if COLUMNS[index] in _MAX_WIDTH else top
            if fill is not None:
                cell.fill = fill
            widths[index] = max(widths[index], display_width(text) + 2)
    for index, name in enumerate(COLUMNS):
        width = min(widths[index], _MAX_WIDTH.get(name, 40))
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(len(rows) + 1, 1)}"
    with replacing(path, 0o644) as out:
        book.save(out)
    return path
