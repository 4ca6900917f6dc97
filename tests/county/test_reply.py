"""The county clerk's Excel round trip: export the cases, fill the workbook, apply, publish replies."""

import csv
import datetime as dt
import io
import sqlite3
import zipfile
from xml.sax.saxutils import escape

import openpyxl
import pytest
import xlwt

from kiosk.county.inbox import cases
from kiosk.county.inbox import export as county_export
from kiosk.county.inbox import intake as county_import
from kiosk.county.inbox import reply as county_reply
from kiosk.errors import ImportRefused, KnownError
from kiosk.formats import datasets, envelope, replies
from kiosk.formats.spreadsheet import write_csv
from kiosk.formats.validate import DuplicateFinder, Problems, read_rows
from tests.helpers.envelopes import DISCLOSURE, NOW, drop, make_county, seal, valid_id, write_terminals_csv

TODAY = dt.date(2026, 12, 3)  # Thursday: the call-backs (due Tuesday 12-01) are late
SECOND_ID = valid_id("37152219800101002")
PEOPLE = (
    {"name": "欧阳小明", "id_number": DISCLOSURE["id_number"], "phone": "13912345678"},
    {"name": "张秀英", "id_number": SECOND_ID, "phone": "13800001111"},
)
CALLBACK_PHONES = ("15066667777", "18655554444")
SECRETS = (
    "欧阳小明", "张秀英", DISCLOSURE["id_number"], SECOND_ID, "13912345678", "13800001111",
    *CALLBACK_PHONES, "前街村", "耕地地力", "低保什么时候评",
)
DIS, CB = "政府信息公开申请", "咨询·预约回电"


@pytest.fixture
def county_db(tmp_path, terminals):
    """Two disclosure requests and two call-backs, from two enrolled terminals."""
    keydir = tmp_path / "county-keys"
    public, _ = make_county(keydir)
    term_list = write_terminals_csv(tmp_path / "terminals.csv", [
        f"{terminals[0].fingerprint()},张鲁便民服务中心,张鲁回族镇,在用",
        f"{terminals[1].fingerprint()},燕店便民服务中心,燕店镇,在用",
    ])
    sealed = [
        seal(terminals[0], public, "disclosure", **PEOPLE[0]),
        seal(terminals[0], public, "disclosure", **PEOPLE[1], delivery="现场领取", address=None),
        seal(terminals[0], public, "callback", phone=CALLBACK_PHONES[0]),
        seal(terminals[1], public, "callback", phone=CALLBACK_PHONES[1], text="想问问今年的低保什么时候评"),
    ]
    drop(tmp_path / "in", sealed)
    db = tmp_path / "cases.sqlite3"
    report = county_import.import_envelopes(tmp_path / "in", keydir, db, term_list, now=NOW)
    assert (report.imported, report.held, report.refused) == (4, 0, [])
    # The last was filed by an older version, before unenrolled terminals were held: it carries
    # the internal flag 待核实终端, which the clerk sees and the feed never shows.
    conn = sqlite3.connect(db)
    conn.execute('UPDATE "case" SET status = ?, terminal_verified = 0 WHERE ulid = ?',
                 (cases.STATUS_UNVERIFIED, sealed[3].id))  # fmt: skip
    conn.execute("DELETE FROM terminal WHERE fingerprint = ?", (terminals[1].fingerprint(),))
    conn.commit()
    conn.close()
    return db, sealed


def case_rows(db):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            'SELECT receipt, status, answer, answered_on FROM "case" ORDER BY receipt'
        ).fetchall()
    finally:
        conn.close()


def by_header(sheet):
    headers = [c.value for c in sheet[1]]
    return {h: i for i, h in enumerate(headers)}, headers


def export_book(tmp_path, db, name="cases.xlsx"):
    out = tmp_path / name
    summary = county_export.export_cases(db, out, TODAY)
    return out, summary


def test_what_the_county_writes_is_what_the_feed_dataset_reads():
    assert list(county_reply.REPLIES_HEADERS) == [c.header for c in datasets.REPLIES.columns]
    columns = {c.key: c for c in datasets.REPLIES.columns}
    for kind in county_export.REQUEST_KINDS.values():
        assert columns["kind"].parse(kind) == kind
    for status in county_export.COUNTY_STATUSES:
        assert columns["status"].parse(status) == status


def test_export_has_a_sheet_per_kind_with_text_cells_overdue_rows_and_a_status_list(tmp_path, county_db):
    db, sealed = county_db
    out, summary = export_book(tmp_path, db)
    assert (summary.disclosure, summary.callback, summary.overdue, summary.total) == (2, 2, 2, 4)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [DIS, CB, "复议诉讼", "选项"]  # the 年度报告's: test_annual_report.py
    dis, cb = book[DIS], book[CB]
    col, headers = by_header(dis)
    assert headers == list(county_export.DISCLOSURE_COLUMNS)
    assert [c.value for c in cb[1]] == list(county_export.CALLBACK_COLUMNS)
    for name in ("受理编号", "状态", "答复日期", "答复内容"):
        assert name in headers
    assert dis.max_row == 3 and cb.max_row == 3
    receipts = [dis.cell(r, 1).value for r in (2, 3)]
    assert receipts == sorted(s.header.receipt for s in sealed[:2])  # same day: by receipt
    row = 2 + receipts.index(sealed[0].header.receipt)
    cell = dis.cell(row, col["身份证号"] + 1)
    assert cell.value == DISCLOSURE["id_number"] and cell.data_type == "s"
    phone = dis.cell(row, col["联系电话"] + 1)
    assert phone.value == "13912345678" and phone.data_type == "s" and phone.number_format == "@"
    assert dis.cell(row, col["受理编号"] + 1).data_type == "s"
    assert dis.cell(row, col["收到日期"] + 1).value == dt.datetime(2026, 11, 27)
    assert dis.cell(row, col["法定答复期限"] + 1).value == dt.datetime(2026, 12, 25)
    assert dis.cell(row, col["关联内容"] + 1).value == "村代码 371522102001；年度 2025"
    assert dis.cell(row, col["获取方式"] + 1).value == "邮寄"
    assert dis.cell(row, col["终端"] + 1).value == "张鲁便民服务中心"
    assert dis.cell(row, col["终端核实"] + 1).value == "已登记"
    assert dis.cell(row, col["状态"] + 1).value == "县里已收到"
    # Overdue: both call-backs (due 12-01), no disclosure (due 12-25); the whole row is filled.
    for r in (2, 3):
        assert {c.fill.fgColor.rgb for c in cb[r]} == {"00" + county_export.OVERDUE_FILL}
        assert all(c.fill.fill_type is None for c in dis[r])
    cb_col, _ = by_header(cb)
    checks = sorted(cb.cell(r, cb_col["终端核实"] + 1).value for r in (2, 3))
    assert checks == ["已登记", "待核实终端"]
    assert {cb.cell(r, cb_col["状态"] + 1).value for r in (2, 3)} == {"县里已收到"}  # never the flag
    for sheet, columns in ((dis, county_export.DISCLOSURE_COLUMNS), (cb, county_export.CALLBACK_COLUMNS)):
        assert sheet.freeze_panes == "B2"
        validation, private = sheet.data_validations.dataValidation[:2]  # then the 年度报告's
        letter = openpyxl.utils.get_column_letter(columns.index("状态") + 1)
        assert private.formula1 == '"否,是"' and str(private.sqref).startswith(
            openpyxl.utils.get_column_letter(columns.index("仅申请人可见") + 1))
        assert validation.type == "list"
        assert validation.formula1 == '"县里已收到,办理中,已答复,需补正,已延期"'
        assert str(validation.sqref).startswith(f"{letter}2:{letter}")
        assert all(sheet.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width >= 8
                   for i in range(len(columns)))
    assert dis.column_dimensions[openpyxl.utils.get_column_letter(col["答复内容"] + 1)].width == 50


def test_an_answered_case_is_not_overdue(tmp_path, county_db):
    db, _ = county_db
    conn = sqlite3.connect(db)
    conn.execute("""UPDATE "case" SET status = '已答复', answer = '已回电', answered_on = '2026-12-02'
                    WHERE kind = 'callback' AND terminal_verified = 1""")
    conn.commit()
    conn.close()
    _, summary = export_book(tmp_path, db)
    assert summary.overdue == 1


def fill(book_path, out_path, edits, extra_rows=()):
    """As a clerk does in Excel: ``edits`` maps (sheet, receipt) -> {column: value}."""
    book = openpyxl.load_workbook(book_path)
    for (sheet_name, receipt), values in edits.items():
        sheet = book[sheet_name]
        col, _ = by_header(sheet)
        [row] = [r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == receipt]
        for name, value in values.items():
            sheet.cell(row, col[name] + 1).value = value
    for sheet_name, values in extra_rows:
        sheet = book[sheet_name]
        col, _ = by_header(sheet)
        row = sheet.max_row + 1
        for name, value in values.items():
            sheet.cell(row, col[name] + 1).value = value
    book.save(out_path)
    return out_path


def test_clerk_answers_are_recorded_once(tmp_path, county_db):
    db, sealed = county_db
    exported, _ = export_book(tmp_path, db)
    unverified = sealed[3].header.receipt
    answers = fill(exported, tmp_path / "answers.xlsx", {
        (DIS, sealed[0].header.receipt): {"状态": "已答复", "答复内容": "已邮寄补贴发放明细。\n请注意查收。",
                                           "答复日期": dt.datetime(2026, 12, 2)},
        (DIS, sealed[1].header.receipt): {"状态": "需补正", "答复日期": "2026年12月1日"},
        (CB, sealed[2].header.receipt): {"状态": "已答复", "答复内容": "已电话答复"},  # no date: today
        (CB, unverified): {"状态": "县里已收到"},  # left as exported: keeps the internal flag
    })
    assert [a.receipt for a in county_reply.read_answers(answers, db)] == [
        *sorted(s.header.receipt for s in sealed[:2]), *sorted(s.header.receipt for s in sealed[2:])
    ]
    summary = county_reply.apply_answers(db, answers, TODAY)
    assert (summary.rows, summary.changed) == (4, 3)
    after = {row[0]: row[1:] for row in case_rows(db)}
    assert after[sealed[0].header.receipt] == ("已答复", "已邮寄补贴发放明细。\n请注意查收。", "2026-12-02")
    assert after[sealed[1].header.receipt] == ("需补正", None, "2026-12-01")
    assert after[sealed[2].header.receipt] == ("已答复", "已电话答复", "2026-12-03")
    assert after[unverified] == (cases.STATUS_UNVERIFIED, None, None)
    again = county_reply.apply_answers(db, answers, TODAY + dt.timedelta(days=1))
    assert (again.rows, again.changed) == (4, 0)
    assert {row[0]: row[1:] for row in case_rows(db)} == after
    # The next export shows the answers and no longer counts the answered call-back as late.
    out, summary = export_book(tmp_path, db, "again.xlsx")
    assert summary.overdue == 1
    sheet = openpyxl.load_workbook(out)[CB]
    col, _ = by_header(sheet)
    answered = next(r for r in (2, 3) if sheet.cell(r, 1).value == sealed[2].header.receipt)
    assert sheet.cell(answered, col["答复内容"] + 1).value == "已电话答复"
    assert sheet.cell(answered, col["答复日期"] + 1).value == dt.datetime(2026, 12, 3)


def test_every_bad_row_is_reported_and_nothing_is_recorded(tmp_path, county_db):
    db, sealed = county_db
    exported, _ = export_book(tmp_path, db)
    first, second = sorted(s.header.receipt for s in sealed[:2])
    cb_first, cb_second = sorted(s.header.receipt for s in sealed[2:])
    answers = fill(exported, tmp_path / "answers.xlsx", {
        (DIS, first): {"状态": "已答复"},  # row 2: no answer
        (DIS, second): {"状态": "已办结", "答复内容": "已办结"},  # row 3: not a county status
        (CB, cb_first): {"状态": "已答复", "答复内容": "答" * 10_000},  # row 2
        (CB, cb_second): {"状态": "办理中", "答复日期": "2026-13-45"},  # row 3
    }, extra_rows=[
        (DIS, {"受理编号": "99999-99999-9999", "状态": "办理中"}),  # row 4: unknown
        (DIS, {"受理编号": first, "状态": "办理中"}),  # row 5: duplicate
        (CB, {"受理编号": cb_first, "状态": "已答复", "答复内容": "好"}),  # row 4: duplicate
    ])
    before = case_rows(db)
    with pytest.raises(ImportRefused) as info:
        county_reply.apply_answers(db, answers, TODAY)
    d, c = f"answers.xlsx[{DIS}]", f"answers.xlsx[{CB}]"
    assert info.value.problems == [
        f"{d}:2:答复内容: 状态为“已答复”时必须填写答复内容 / an answer is required when the status is"
        " 已答复 (answered)",
        f"{d}:3:状态: “已办结”不是允许的取值（县里已收到、办理中、已答复、需补正、已延期） / '已办结' is not"
        " one of 县里已收到, 办理中, 已答复, 需补正, 已延期",
        f"{d}:4:受理编号: 受理编号“99999-99999-9999”不在案件库中 / receipt number '99999-99999-9999' is not"
        " in the cases database",
        f"{d}:5:受理编号: 受理编号与 {d}:2 重复 / receipt number repeats {d}:2",
        f"{c}:2:答复内容: 内容过长（10000 字，上限 2000 字） / cell too long (10000 characters, limit 2000)",
        f"{c}:3:答复日期: 日期“2026-13-45”无法识别（应如 2026-12-01） / date '2026-13-45' does not parse"
        " (write it like 2026-12-01)",
        f"{c}:4:受理编号: 受理编号与 {c}:2 重复 / receipt number repeats {c}:2",
    ]
    assert "数据库未作任何改动" in info.value.zh
    assert case_rows(db) == before


@pytest.mark.parametrize(("cell", "line"), [
    ("2026/11/1", "答复日期 2026-11-01 早于收到日期 2026-11-27 / the answer date 2026-11-01 is before the"
                  " received date 2026-11-27"),
    ("2026-12-31", "答复日期 2026-12-31 晚于今天 2026-12-03 / the answer date 2026-12-31 is after today"
                   " 2026-12-03"),
    ("not a date", "日期“not a date”无法识别（应如 2026-12-01） / date 'not a date' does not parse"
                   " (write it like 2026-12-01)"),
])
def test_an_answer_date_before_receipt_or_in_the_future_is_refused(tmp_path, county_db, cell, line):
    db, sealed = county_db
    exported, _ = export_book(tmp_path, db)
    first = min(s.header.receipt for s in sealed[:2])
    answers = fill(exported, tmp_path / "answers.xlsx",
                   {(DIS, first): {"状态": "已答复", "答复内容": "已答复", "答复日期": cell}})
    before = case_rows(db)
    with pytest.raises(ImportRefused) as info:
        county_reply.apply_answers(db, answers, TODAY)
    assert info.value.problems == [f"answers.xlsx[{DIS}]:2:答复日期: {line}"]
    assert case_rows(db) == before


def test_reading_without_the_database_uses_the_workbook_and_skips_empty_rows(tmp_path, county_db):
    db, _ = county_db
    exported, _ = export_book(tmp_path, db)
    book = openpyxl.load_workbook(exported)
    sheet = book[DIS]
    sheet.insert_rows(1)  # a title row above the header
    sheet["A1"] = "莘县依申请公开答复登记表"
    sheet.insert_rows(3)  # an empty row between the header and the cases
    book.save(tmp_path / "titled.xlsx")
    answers = county_reply.read_answers(tmp_path / "titled.xlsx")
    assert len(answers) == 4
    assert answers[0].where == f"titled.xlsx[{DIS}]:4"


@pytest.mark.parametrize(("answer", "what"), [
    ("已联系申请人 13912345678", "手机号"), ("已联系申请人 139 1234 5678", "手机号"),
    ("已联系申请人 139-1234-5678", "手机号"), ("身份证 110105 19491231 002X 已核对", "身份证号"),
    ("请致电 0635-7322000", "固定电话"), ("张三（住前街村5号）已领取", "住址"),
    ("卡号 6222 0212 3456 7890 123", "银行卡号"),
])  # fmt: skip
def test_personal_details_in_an_answer_are_refused_unless_meant_for_the_applicant(tmp_path, county_db,
                                                                                 answer, what):  # fmt: skip
    db, sealed = county_db
    exported, _ = export_book(tmp_path, db)
    first = min(s.header.receipt for s in sealed[:2])
    filled = {(DIS, first): {"状态": "已答复", "答复内容": answer}}
    answers = fill(exported, tmp_path / "answers.xlsx", filled)
    with pytest.raises(ImportRefused) as info:
        county_reply.read_answers(answers, db)
    assert info.value.problems == [
        f"answers.xlsx[{DIS}]:2:答复内容: 答复内容含有{what}：确需告知申请人的，请在“仅申请人可见”列选“是” / "
        f"the answer holds personal details ({what}); mark the row 仅申请人可见 = 是 if they are meant for"
        " the applicant"
    ]
    private = fill(exported, tmp_path / "private.xlsx",
                   {(DIS, first): {"状态": "已答复", "答复内容": answer, "仅申请人可见": "是"}})  # fmt: skip
    assert county_reply.apply_answers(db, private, TODAY).changed == 1
    conn = sqlite3.connect(db)
    assert conn.execute('SELECT private_answer FROM "case" WHERE receipt = ?', (first,)).fetchall() == [(1,)]
    conn.close()


def test_dates_and_plain_answers_are_not_mistaken_for_personal_details(tmp_path, county_db):
    db, sealed = county_db
    exported, _ = export_book(tmp_path, db)
    first = min(s.header.receipt for s in sealed[:2])
    text = "请于2026-12-01至2026-12-31带身份证到镇便民服务中心领取，金额1,234.50元，热线12345"
    answers = fill(exported, tmp_path / "answers.xlsx", {(DIS, first): {"状态": "已答复", "答复内容": text}})
    assert county_reply.read_answers(answers, db)[0].answer == text


def test_a_file_that_is_not_the_workbook_is_refused(tmp_path, county_db):
    db, _ = county_db
    csv_file = tmp_path / "answers.csv"
    csv_file.write_text("受理编号,状态\n", encoding="utf-8")
    with pytest.raises(KnownError, match="XLSX"):
        county_reply.read_answers(csv_file, db)
    book = openpyxl.Workbook()
    book.active.append(["编号", "状态"])
    book.save(tmp_path / "other.xlsx")
    with pytest.raises(KnownError, match="受理编号"):
        county_reply.read_answers(tmp_path / "other.xlsx", db)
    with pytest.raises(KnownError, match="找不到此文件"):
        county_reply.read_answers(tmp_path / "missing.xlsx", db)


def test_replies_name_no_request_and_seal_each_answer_to_its_receipt(tmp_path, county_db):
    """The feed's replies: no receipt number, envelope id, name or answer in clear; each row
    found by the lookup of its number, acknowledging its envelope's digest, and the answer
    opened only with the key from that receipt's QR code."""
    db, sealed = county_db
    exported, _ = export_book(tmp_path, db)
    first = next(s for s in sealed[:2] if s.header.receipt == min(x.header.receipt for x in sealed[:2]))
    answer = "已邮寄，请查收。\n如有疑问请致电 0635-7322000"
    county_reply.apply_answers(db, fill(exported, tmp_path / "answers.xlsx", {
        (DIS, first.header.receipt): {"状态": "已答复", "答复内容": answer, "仅申请人可见": "是"},
    }), TODAY)
    export_dir = tmp_path / "export"
    assert county_reply.write_replies(db, export_dir) == 4
    path = export_dir / "replies.csv"
    data = path.read_bytes()
    text = data.decode("utf-8-sig")
    for secret in (*SECRETS, "已邮寄", "0635", *(s.header.receipt for s in sealed), *(s.id for s in sealed)):
        assert secret not in text, secret
    header = next(csv.reader(io.StringIO(text, newline="")))
    assert header == list(county_reply.REPLIES_HEADERS)
    assert "待核实终端" not in text  # the internal flag is published as 县里已收到
    problems = Problems()
    rows = list(read_rows(datasets.REPLIES, path, problems, DuplicateFinder(), "replies.csv", mask=True))
    assert problems.lines == [] and not problems
    assert len(rows) == 4
    assert {r["envelope_digest"] for r in rows} == {envelope.digest(s.data) for s in sealed}
    by_lookup = {r["lookup"]: r for r in rows}
    row = by_lookup[replies.lookup(first.header.receipt)]
    assert (row["status"], row["answered_on"], row["kind"]) == ("已答复", "2026-12-03", DIS)
    assert replies.open_answer(row["answer_sealed"], first.reply_key, first.header.receipt) == answer
    other = next(s for s in sealed if s is not first)
    with pytest.raises(replies.AnswerUnreadable):
        replies.open_answer(row["answer_sealed"], other.reply_key, first.header.receipt)
    assert {r["status"] for r in rows if r is not row} == {"县里已收到"}
    assert [r["answer_sealed"] for r in rows if r is not row] == [None] * 3  # empty cells
    same = tmp_path / "same.csv"
    write_csv(same, header, [
        [r["lookup"], r["envelope_digest"], r["kind"], r["status"], r["received_on"], r["due_on"],
         r["answered_on"] or "", r["answer_sealed"]] for r in rows
    ])
    assert same.read_bytes() == data
    # Rewritten with nothing changed: byte-identical, and the file is left alone.
    stat = path.stat()
    assert county_reply.write_replies(db, export_dir) == 4
    assert path.read_bytes() == data and path.stat().st_mtime_ns == stat.st_mtime_ns
    assert [p.name for p in export_dir.iterdir()] == ["replies.csv"]  # no temporary file left


def test_replies_of_an_empty_database_are_just_the_header(tmp_path):
    db = tmp_path / "cases.sqlite3"
    assert county_reply.write_replies(db, tmp_path / "export") == 0
    problems = Problems()
    path = tmp_path / "export" / "replies.csv"
    assert list(read_rows(datasets.REPLIES, path, problems, DuplicateFinder(), mask=True)) == []
    assert not problems


def write_ods(path, rows):
    """A minimal OpenDocument spreadsheet (what LibreOffice or WPS saves), string cells only."""

    def cell(value):
        if not value:
            return "<table:table-cell/>"
        text = f"<text:p>{escape(value)}</text:p>"
        return f'<table:table-cell office:value-type="string">{text}</table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="答复">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
        ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        book.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def test_answers_saved_as_xls_or_ods_are_read_too(tmp_path, county_db):
    db, sealed = county_db
    first, second = sorted(s.header.receipt for s in sealed[:2])
    headers = ["受理编号", "状态", "答复日期", "答复内容"]
    xls = xlwt.Workbook()
    sheet = xls.add_sheet("答复")
    for column, header in enumerate(headers):
        sheet.write(0, column, header)
    for column, value in enumerate([first, "已答复", dt.date(2026, 12, 2), "已邮寄"]):
        sheet.write(1, column, value, xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    xls.save(str(tmp_path / "answers.xls"))
    assert county_reply.apply_answers(db, tmp_path / "answers.xls", TODAY).changed == 1
    ods = write_ods(tmp_path / "answers.ods", [headers, [second, "已延期", "2026/12/1", "需向市局调取"]])
    assert county_reply.apply_answers(db, ods, TODAY).changed == 1
    after = {row[0]: row[1:] for row in case_rows(db)}
    assert after[first] == ("已答复", "已邮寄", "2026-12-02")
    assert after[second] == ("已延期", "需向市局调取", "2026-12-01")
    bad = write_ods(tmp_path / "bad.ods", [headers, ["", "", "", ""], [second, "办完了", "", ""]])
    with pytest.raises(ImportRefused) as info:
        county_reply.read_answers(bad, db)
    assert info.value.problems == [
        "bad.ods[答复]:3:状态: “办完了”不是允许的取值（县里已收到、办理中、已答复、需补正、已延期）"
        " / '办完了' is not one of 县里已收到, 办理中, 已答复, 需补正, 已延期"
    ]
