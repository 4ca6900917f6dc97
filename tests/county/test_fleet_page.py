"""The fleet's health at the county: ``kiosk fleet status``, its page and workbook, and the
terminals' use in the annual report's workbook.

Real path throughout: six enrolled terminals (one revoked, one that never reported), status
reports sealed by their own keys and imported by ``kiosk inbox import``'s code, a late one
among them; what a test expects is written out here from what it meant each terminal to say.
"""

import csv
import datetime as dt
import io
from html.parser import HTMLParser

import openpyxl
import pytest

from kiosk.county.inbox import annual_report, cases, fleet, fleet_page
from kiosk.county.inbox import intake as county_import
from kiosk.county.inbox import keys as county_keys
from kiosk.formats import envelope, status_report
from kiosk.outbox import identity
from tests.helpers.cli import run_kiosk
from tests.helpers.envelopes import drop

HOUR, DAY = dt.timedelta(hours=1), dt.timedelta(days=1)
BEIJING = dt.timezone(dt.timedelta(hours=8))
HOSTILE_NAME = '=HYPERLINK("http://x.example")<script>alert("终端")</script>&<img src=x onerror=alert(1)>'
HOSTILE_DETAIL = "<b>卡纸</b> & 缺纸"
# (town, name) of each terminal, by the part it plays
OK = ("张鲁回族镇", "张鲁便民中心")  # reported an hour ago, no faults
SILENT = ("樱桃园镇", HOSTILE_NAME)  # last reported three days ago, a printer fault open
FAULTY = ("古云镇", "古云便民服务站")  # reported two hours ago, disk low (and a cleared sync fault)
AHEAD = ("燕店镇", "燕店便民中心")  # its clock runs an hour ahead
NEVER = ("朝城镇", "朝城便民中心")  # enrolled, never reported
REVOKED = ("十八里铺镇", "十八里铺旧终端")  # revoked; its last report is old
# Shown silent first, then with faults, then the rest, then revoked; each by town then name
# (code point order, as the database sorts: 朝 < 樱, 张 < 燕).
SHOWN = [NEVER, SILENT, FAULTY, OK, AHEAD, REVOKED]


def iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="seconds")


def local(when: dt.datetime) -> str:
    return when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def report(**changes) -> dict:
    """A status report as a terminal signs one (kiosk.formats.status_report), with ``changes``;
    ``printer`` changes are merged into its printer."""
    printer = {"last_job_at": "", "last_outcome": "ok", "last_error": "", "pages_since": 0,
               "failed_in_row": 0, **changes.pop("printer", {})}  # fmt: skip
    body = {
        "app_version": "1.4.0", "sent_via": "http", "started_at": "", "uptime_s": 3600, "starts_7d": 1,
        "unclean_7d": 0, "feed_version": 12, "data_as_of": "", "applied_at": "", "last_sync_at": "",
        "last_sync_result": "ok", "last_sync_message": "", "clock_vs_feed_s": 0,
        "outbox": dict.fromkeys(status_report.OUTBOX_KEYS, 0), "disk_free_mb": 5120, "db_mb": 40,
        "printer": printer, "screen": "1080x1920", "handwriting": True, "speech": True, "usage": {},
        "faults": [], **changes,
    }  # fmt: skip
    return status_report.validate(body)


def fault(code: str, since: dt.datetime, detail: str = "", cleared: dt.datetime | None = None) -> dict:
    return {"code": code, "since": iso(since), "cleared": iso(cleared) if cleared else "", "detail": detail}


# What each terminal counted, month by month, in its newest report; and what a late report
# (signed earlier, imported after) said, which must not replace it.
USAGE = {
    OK: {"2025-12": {"payouts": 4}, "2026-10": {"payouts": 7, "prints": 2},
         "2026-11": {"payouts": 9, "lookup": 1}},
    SILENT: {"2026-09": {"qa": 2}},
    FAULTY: {"2026-11": {"screener": 5, "verifications": 1}},
}  # fmt: skip
LATE_USAGE = {"2026-11": {"payouts": 3}, "2026-08": {"catalogue": 6}}  # 2026-08 is new: it merges


def build_fleet(folder, base: dt.datetime) -> dict:
    """The county's cases database at ``base``, its terminals reporting as planned above."""
    keydir = folder / "keys"
    county_keys.create_inbox_keys(keydir, today=base.date())
    public = county_keys.inbox_public(keydir).key
    keys = {who: identity.load_or_create(folder / f"terminal-{n}") for n, who in enumerate(SHOWN)}
    listed = io.StringIO()
    writer = csv.writer(listed, lineterminator="\n")
    writer.writerow(["fingerprint", "name", "town", "status", "revoked_on"])
    for who, key in keys.items():
        revoked = who == REVOKED
        writer.writerow([key.fingerprint(), who[1], who[0], "停用" if revoked else "在用",
                         (base - 10 * DAY).date().isoformat() if revoked else ""])  # fmt: skip
    terminals = folder / "terminals.csv"
    terminals.write_text(listed.getvalue(), encoding="utf-8-sig")

    def seal(who, at, **changes):
        return envelope.seal(report(**changes), status_report.KIND, public, keys[who], now=at)

    first = [
        seal(OK, base - HOUR, data_as_of=iso(base - HOUR - 3 * DAY), usage=USAGE[OK],
             printer={"last_outcome": "ok", "pages_since": 37}),
        seal(SILENT, base - 3 * DAY, sent_via="usb", app_version="1.3.9", feed_version=10,
             data_as_of=iso(base - 8 * DAY), disk_free_mb=800, usage=USAGE[SILENT],
             printer={"last_outcome": "failed", "last_error": "卡纸", "failed_in_row": 2},
             faults=[fault("printer_failed", base - 4 * DAY, HOSTILE_DETAIL)]),
        seal(FAULTY, base - 2 * HOUR, feed_version=0, disk_free_mb=300, usage=USAGE[FAULTY],
             printer={"last_outcome": ""},
             faults=[fault("disk_low", base - DAY, "剩余 300 MB"),
                     fault("sync_failed", base - 2 * DAY, "网络不通", cleared=base - DAY)]),
        seal(AHEAD, base + HOUR, data_as_of=iso(base - DAY)),
        seal(REVOKED, base - 20 * DAY, app_version="1.2.0", data_as_of=iso(base - 21 * DAY)),
    ]  # fmt: skip
    db = folder / "cases.sqlite3"
    drop(folder / "first" / "inbox", first)
    done = county_import.import_envelopes(folder / "first", keydir, db, terminals, now=base)
    assert (done.statuses, done.late_statuses, done.refused) == (5, 0, [])
    late = [seal(OK, base - DAY, usage=LATE_USAGE, app_version="1.3.0")]
    drop(folder / "late" / "inbox", late)
    done = county_import.import_envelopes(folder / "late", keydir, db, terminals, now=base)
    assert (done.statuses, done.late_statuses, done.refused) == (1, 1, [])
    return {"db": db, "base": base, "folder": folder}


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """The fleet as of now, to the minute (the command judges silence by the real clock)."""
    base = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    return build_fleet(tmp_path_factory.mktemp("fleet"), base)


def rows_at(county, silent_after=fleet.SILENT_AFTER) -> list[fleet.FleetRow]:
    cases.open_cases(county["db"])
    try:
        return fleet.fleet_rows(county["base"], silent_after)
    finally:
        cases.close_cases()


def by_terminal(rows) -> dict[tuple[str, str], fleet.FleetRow]:
    return {(r.town, r.name): r for r in rows}


# -- the rows ---------------------------------------------------------------------------------------


def test_each_terminal_shows_its_newest_signed_report(county):
    base = county["base"]
    rows = by_terminal(rows_at(county))
    assert set(rows) == set(SHOWN)
    ok = rows[OK]  # the late report (signed a day ago, app 1.3.0) changed nothing shown
    assert (ok.seen, ok.via, ok.app_version, ok.feed_version, ok.data_lag_days) == (
        base - HOUR, "http", "1.4.0", 12, 3)
    assert (ok.printer, ok.printer_pages, ok.disk_free_mb, ok.faults) == ("ok", 37, 5120, ())
    silent = rows[SILENT]
    assert (silent.seen, silent.via, silent.data_lag_days) == (base - 3 * DAY, "usb", 5) and silent.silent
    assert [(f.name, f.since, f.detail) for f in silent.faults] == [
        ("打印失败", base - 4 * DAY, HOSTILE_DETAIL)]
    faulty = rows[FAULTY]  # the cleared sync fault is not shown
    assert [f.code for f in faulty.faults] == ["disk_low"] and faulty.data_as_of is None
    ahead = rows[AHEAD]  # signed an hour after the county received it: seen when received
    assert (ahead.clock_ahead, ahead.seen, ahead.silent) == (True, base, False)
    assert (rows[NEVER].seen, rows[NEVER].silent) == (None, True)
    assert (rows[REVOKED].revoked, rows[REVOKED].silent) == (True, False)  # gone, not lost


def test_silence_is_judged_by_the_threshold(county):
    def silent(days):
        shown = fleet_page.ordered(rows_at(county, dt.timedelta(days=days)))
        return [(r.town, r.name) for r in shown if r.silent]

    assert silent(2) == [NEVER, SILENT]
    assert silent(4) == [NEVER]  # three days without a report is not silent under a four-day rule
    assert silent(0.01) == [FAULTY, OK, NEVER, SILENT]  # the clock-ahead one counts from receipt: now
    counts = fleet_page.counts(rows_at(county, dt.timedelta(days=4)))
    assert fleet_page.summary_line(counts) == "6 台终端：正常 2，有故障 2，失联 1，已停用 1"


# -- the command ------------------------------------------------------------------------------------


def test_the_command_prints_a_line_per_terminal_silent_first_and_the_summary(county):
    base = county["base"]
    done = run_kiosk("fleet", "status", "--db", county["db"], ok=True)
    lines = done.stdout.splitlines()
    assert done.stderr == "" and len(lines) == len(SHOWN) + 1
    assert lines[-1] == "6 台终端：正常 2，有故障 1，失联 2，已停用 1"
    assert lines[0] == f"【失联】{NEVER[0]} {NEVER[1]}  从未报告"
    assert lines[1] == (
        f"【失联】{SILENT[0]} {SILENT[1]}  最后报告 {local(base - 3 * DAY)}（U盘）  版本 1.3.9  "
        "数据滞后 5 天  故障：打印失败  打印机 打印失败  磁盘剩余 800 MB")
    assert lines[2] == (
        f"{FAULTY[0]} {FAULTY[1]}  最后报告 {local(base - 2 * HOUR)}（网络上传）  版本 1.4.0  尚未同步数据  "
        "故障：磁盘空间不足  打印机 未打印过  磁盘剩余 300 MB")
    assert lines[3] == (
        f"{OK[0]} {OK[1]}  最后报告 {local(base - HOUR)}（网络上传）  版本 1.4.0  数据滞后 3 天  故障：无  "
        "打印机 正常，已打印 37 页  磁盘剩余 5120 MB")
    assert lines[4].startswith(f"{AHEAD[0]} {AHEAD[1]}  最后报告 {local(base)}（网络上传，终端时钟超前）")
    assert lines[5].startswith(f"【已停用】{REVOKED[0]} {REVOKED[1]}  最后报告 {local(base - 20 * DAY)}")
    longer = run_kiosk("fleet", "status", "--db", county["db"], "--silent-days", "4", ok=True)
    assert longer.stdout.splitlines()[-1] == "6 台终端：正常 2，有故障 2，失联 1，已停用 1"
    assert longer.stdout.splitlines()[2].startswith(f"{SILENT[0]} {SILENT[1]}  最后报告")  # 古云 first


def test_the_command_writes_the_page_or_the_workbook_by_the_suffix(county, tmp_path):
    for name in ("fleet.html", "fleet.xlsx"):
        done = run_kiosk("fleet", "status", "--db", county["db"], "--out", tmp_path / name, ok=True)
        assert done.stdout == f"6 台终端：正常 2，有故障 1，失联 2，已停用 1 → {tmp_path / name}\n"
    assert "<table>" in (tmp_path / "fleet.html").read_text(encoding="utf-8")
    assert openpyxl.load_workbook(tmp_path / "fleet.xlsx").sheetnames == ["终端状况"]


def test_an_unknown_suffix_or_a_missing_database_is_one_line(county, tmp_path):
    done = run_kiosk("fleet", "status", "--db", county["db"], "--out", tmp_path / "fleet.pdf", ok=False)
    assert done.returncode == 1 and done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        "--out 只能是 .html 或 .xlsx 文件，不认识“.pdf” / --out must end in .html or .xlsx, not '.pdf'"]
    assert not (tmp_path / "fleet.pdf").exists()
    missing = tmp_path / "typo.sqlite3"
    done = run_kiosk("fleet", "status", "--db", missing, ok=False)
    assert done.returncode == 1 and len(done.stderr.splitlines()) == 1 and "找不到案件库" in done.stderr
    assert not missing.exists()  # a look never creates an empty database


# -- the page and the workbook ----------------------------------------------------------------------


class _Page(HTMLParser):
    """Every tag and attribute of a page, and its table body as rows of cell texts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.rows: list[tuple[str, list[str]]] = []  # (class of the tr, cell texts)
        self.header: list[str] = []
        self._cell: list[str] | None = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append((dict(attrs).get("class", ""), []))
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            (self.rows[-1][1] if self._in_body else self.header).append("".join(self._cell))
            self._cell = None
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def test_the_page_escapes_a_hostile_terminal_name_and_stands_alone(county, tmp_path):
    rows = rows_at(county)
    path = fleet_page.write_html(rows, tmp_path / "fleet.html", county["base"])
    page = path.read_text(encoding="utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">')
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;终端&quot;)&lt;/script&gt;&amp;&lt;img src=x" in page
    parsed = parse(page)
    allowed = {"html", "head", "meta", "title", "style", "body", "h1", "p", "span", "div", "table", "thead",
               "tbody", "tr", "th", "td"}  # fmt: skip
    assert {tag for tag, _ in parsed.tags} <= allowed
    assert all(set(attrs) <= {"lang", "charset", "name", "content", "http-equiv", "class"}
               for _, attrs in parsed.tags)  # no src, href, style or on… attribute: nothing fetched or run
    csp = next(a["content"] for t, a in parsed.tags if a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "script-src" not in csp
    silent = next(cells for cls, cells in parsed.rows if cls == "silent" and SILENT[0] in cells)
    assert silent[1] == f"【失联】{HOSTILE_NAME}" and HOSTILE_DETAIL in silent[6]  # read back as written
    assert parsed.tags[0] == ("html", {"lang": "zh-CN"}) and "<title>终端运行状况</title>" in page
    assert f"生成时间：{local(county['base'])}（北京时间）" in page
    assert "overflow-x:auto" in page  # the table scrolls in its box on a phone
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page


def test_the_page_and_the_workbook_show_the_same_rows_in_the_same_order(county, tmp_path):
    base = county["base"]
    rows = rows_at(county)
    page = parse(fleet_page.write_html(rows, tmp_path / "fleet.html", base).read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(fleet_page.write_xlsx(rows, tmp_path / "fleet.xlsx", base))
    assert book.sheetnames == ["终端状况"]
    sheet = book["终端状况"]
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    columns = ["乡镇", "终端", "最后报告（终端签名时间）", "送达方式", "程序版本", "数据版本/滞后", "故障",
               "打印机", "磁盘剩余"]  # fmt: skip
    assert page.header == table[0] == columns
    assert [cells for _, cells in page.rows] == table[1:]
    assert [cls for cls, _ in page.rows] == ["silent", "silent", "fault", "ok", "ok", "revoked"]
    assert [(r[0], r[1].removeprefix("【失联】").removesuffix("（已停用）")) for r in table[1:]] == SHOWN
    expected = {
        OK: ["张鲁回族镇", "张鲁便民中心", local(base - HOUR), "网络上传", "1.4.0", "第 12 版，滞后 3 天",
             "无", "正常，已打印 37 页", "5120 MB"],
        SILENT: ["樱桃园镇", f"【失联】{HOSTILE_NAME}", local(base - 3 * DAY), "U盘", "1.3.9",
                 "第 10 版，滞后 5 天", f"打印失败（自 {local(base - 4 * DAY)}）：{HOSTILE_DETAIL}",
                 "打印失败", "800 MB"],
        FAULTY: ["古云镇", "古云便民服务站", local(base - 2 * HOUR), "网络上传", "1.4.0", "尚未同步数据",
                 f"磁盘空间不足（自 {local(base - DAY)}）：剩余 300 MB", "未打印过", "300 MB"],
        AHEAD: ["燕店镇", "燕店便民中心", f"{local(base)}（终端时钟超前）", "网络上传", "1.4.0",
                "第 12 版，滞后 1 天", "无", "正常", "5120 MB"],
        NEVER: ["朝城镇", "【失联】朝城便民中心", "从未报告", "—", "—", "—", "无", "—", "—"],
        REVOKED: ["十八里铺镇", "十八里铺旧终端（已停用）", local(base - 20 * DAY), "网络上传", "1.2.0",
                  "第 12 版，滞后 1 天", "无", "正常", "5120 MB"],
    }  # fmt: skip
    assert table[1:] == [expected[who] for who in SHOWN]
    assert sheet.freeze_panes == "A2"
    assert sheet.cell(3, 2).data_type == "s" and sheet.cell(3, 2).value.startswith("【失联】=HYPERLINK")
    widths = {c: sheet.column_dimensions[c].width for c in "ABCDEFGHI"}
    assert widths["C"] >= 24 and widths["G"] >= 40 and all(w >= 6 for w in widths.values())


def test_no_terminal_makes_an_empty_page_and_workbook(tmp_path):
    now = dt.datetime(2026, 12, 1, 2, tzinfo=dt.UTC)
    page = fleet_page.write_html([], tmp_path / "empty.html", now).read_text(encoding="utf-8")
    assert "没有登记的终端" in page and "共 0 台" in page
    sheet = openpyxl.load_workbook(fleet_page.write_xlsx([], tmp_path / "empty.xlsx", now)).active
    assert sheet.max_row == 1


# -- the annual report ------------------------------------------------------------------------------


def test_the_annual_report_counts_each_terminals_use_by_month(county, tmp_path):
    out = tmp_path / "report.xlsx"
    done = annual_report.write_report(county["db"], 2026, out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [annual_report.SHEET_THREE, annual_report.SHEET_FOUR, "明细", "终端使用情况"]
    sheet = book["终端使用情况"]
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    kinds = list(status_report.USAGE_KINDS)
    assert table[0] == ["乡镇", "终端", "月份", *status_report.USAGE_KINDS.values(), "合计"]
    # The newest report's counts for each month, the late one adding only a month it alone knew;
    # 2025-12 belongs to 2025's report.
    months = {
        OK: {"2026-08": {"catalogue": 6}, "2026-10": {"payouts": 7, "prints": 2},
             "2026-11": {"payouts": 9, "lookup": 1}},
        SILENT: {"2026-09": {"qa": 2}},
        FAULTY: {"2026-11": {"screener": 5, "verifications": 1}},
    }  # fmt: skip
    expected = sorted([town, name, month, *(counts.get(k, 0) for k in kinds), sum(counts.values())]
                      for (town, name), by_month in months.items()
                      for month, counts in by_month.items())  # fmt: skip
    assert table[1:] == expected and done.usage_rows == 5
    assert [row[-1] for row in table[1:]] == [6, 6, 9, 10, 2]  # 古云 11, then 张鲁 08, 10, 11, then 樱桃园 09
    assert sheet.freeze_panes == "D2"
    earlier = annual_report.write_report(county["db"], 2025, tmp_path / "2025.xlsx")
    assert earlier.usage_rows == 1
    assert openpyxl.load_workbook(tmp_path / "2025.xlsx")["终端使用情况"]["D2"].value == 4
    none = annual_report.write_report(county["db"], 2024, tmp_path / "2024.xlsx")  # no use: no sheet
    assert none.usage_rows == 0
    assert "终端使用情况" not in openpyxl.load_workbook(tmp_path / "2024.xlsx").sheetnames
    line = run_kiosk("inbox", "report", "--year", "2026", "--db", county["db"], "--out", out, ok=True).stdout
    assert "，另附终端使用情况 5 行（每台终端每月一行）：本年新收 0 件" in line
