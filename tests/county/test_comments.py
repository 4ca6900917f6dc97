"""The county side of 意见征集: comments on drafts filed by the county's consultations, the
department's workbook, and the 采纳情况 published in the feed's own formats.

Real files throughout: a consultations.xlsx written with openpyxl, the county's inbox keys,
comments sealed by enrolled terminals, workbooks filled as a department would."""

import datetime as dt
import os
import sqlite3

import openpyxl
import pytest

from kiosk.county.inbox import comments, held
from kiosk.county.inbox import intake as county_import
from kiosk.errors import ImportRefused, KnownError
from kiosk.formats import consultation, consultation_book, datasets, envelope, replies
from kiosk.formats.checks import CrossCheck
from kiosk.formats.validate import DuplicateFinder, Problems, read_rows
from tests.county.test_reply import write_ods
from tests.helpers.cli import run_kiosk
from tests.helpers.envelopes import NOW, drop, forge, make_county, payload, seal, write_terminals_csv

TODAY = NOW.date()  # 2026-11-27, inside both drafts' periods (2026-11-01 .. 2026-11-30)
LAST_ARRIVAL = dt.date(2026, 12, 10)  # the period's end + the 10-day courier grace
CLOSED = dt.date(2026, 12, 11)  # the first day results may be published
FIRST, SECOND = "YJ2026-01", "YJ2026-02"
DECISIONS = [
    ["JC2026-01", "2026", "莘县农村公路养护管理办法", "县交通运输局", "征求意见中", "2026年第四季度", "", ""],
    ["JC2026-02", "2026", "莘县农村饮水工程管护办法", "县水务局", "征求意见中", "", "", ""],
]
ARTICLES = {
    FIRST: [("1", "", "第一章 总则", "为加强农村公路养护管理，制定本办法。"),
            ("2", "1", "", "县交通运输局负责全县农村公路养护的监督管理。"),
            ("2", "2", "", "乡镇人民政府负责乡道、村道的日常养护。"),
            ("3", "", "", "村民委员会组织村道日常保洁。")],
    SECOND: [(str(n), "", "", f"饮水工程管护第{n}条。") for n in range(1, 6)],
}  # fmt: skip
LABELS = ["草案整体", "第一条", "第二条第一款", "第二条第二款", "第三条"]


def write_consultations(folder, opens="2026-11-01", closes="2026-11-30"):
    """consultations.xlsx as a county clerk fills the template: two decisions, draft
    YJ2026-01 (3 articles, the second in two clauses; anonymous comments taken) and draft
    YJ2026-02 (5 articles; comments must be signed), both open from ``opens`` to ``closes``."""
    folder.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    book.remove(book.active)
    _sheet(book, consultation.CATALOGUE_SHEET, datasets.DECISIONS, DECISIONS)
    drafts = [
        [FIRST, "1", "JC2026-01", "莘县农村公路养护管理办法（征求意见稿）", "养护责任不清。",
         "三级养护责任。", "全县村民", opens, closes, "", "县交通运输局", "0635-7321234", "", "", "否"],
        [SECOND, "1", "JC2026-02", "莘县农村饮水工程管护办法（征求意见稿）", "管护缺位。", "明确管护主体。",
         "全县村民", opens, closes, "", "县水务局", "0635-7325678", "", "", "是"],
    ]
    _sheet(book, consultation.DRAFTS_SHEET, datasets.DRAFTS, drafts)
    for code, rows in ARTICLES.items():
        articles = [list(r) for r in rows]
        _sheet(book, consultation.sheet_name(code, 1), consultation_book.ARTICLE_SHEET, articles)
    book.save(folder / "consultations.xlsx")
    return folder


def _sheet(book, name, dataset, rows):
    sheet = book.create_sheet(name)
    sheet.append([c.header for c in dataset.columns])
    for row in rows:
        sheet.append(row)


@pytest.fixture
def county(tmp_path, terminals):
    """The county: inbox keys, its input folder (terminal list, consultations) and its
    consultations as the import reads them."""
    keydir = tmp_path / "county-keys"
    public, _ = make_county(keydir)
    folder = write_consultations(tmp_path / "input")
    enrolled = [f"{t.fingerprint()},终端{n},张鲁回族镇,在用" for n, t in enumerate(terminals)]
    write_terminals_csv(folder / "terminals.csv", enrolled)
    return {"keys": keydir, "public": public, "input": folder, "terminals": folder / "terminals.csv",
            "consultations": comments.read_consultations(folder), "db": tmp_path / "cases.sqlite3"}


def comment(terminal, public, now=NOW, **changes):
    """A comment sealed by ``terminal``: 赞成 on YJ2026-01 第一条 unless ``changes`` say otherwise."""
    form = {"draft": FIRST, "version": 1, "article": 1, "stance": "赞成", **changes}
    return envelope.seal(form, "comment", public, terminal, now=now)


def import_from(county, folder, now=NOW, consultations=True):
    return county_import.import_envelopes(
        folder, county["keys"], county["db"], county["terminals"], now=now,
        consultations=county["consultations"] if consultations else None)  # fmt: skip


def utc(*parts):
    return dt.datetime(*parts, tzinfo=dt.UTC)


def rows(db_path, sql):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def refused(report):
    return sorted((r.file.split("/")[-1], r.reason) for r in report.refused)


# -- import ----------------------------------------------------------------------------------------


def test_comments_are_filed_as_comments_not_cases(tmp_path, county, terminals):
    public = county["public"]
    whole = comment(terminals[0], public, article=0, stance="不赞成")
    clause = comment(terminals[1], public, article=2, clause=1, stance="有修改建议",
                     text="=建议写明养护资金来源", name="李四", phone="13912345678")  # fmt: skip
    request = seal(terminals[0], public, "callback")
    drop(tmp_path / "in", [whole, clause, request])
    report = import_from(county, tmp_path / "in")
    assert (report.files, report.imported, report.comments, report.refused) == (3, 3, 2, [])
    assert rows(county["db"], 'SELECT kind FROM "case"') == [("callback",)]
    filed = rows(county["db"], "SELECT receipt, digest, lookup, received_on, draft_code, version, article, "
                               "clause, stance, text, name, phone FROM comment ORDER BY article")  # fmt: skip
    assert filed == [
        (whole.header.receipt, envelope.digest(whole.data), replies.lookup(whole.header.receipt),
         "2026-11-27", FIRST, 1, 0, None, "不赞成", None, None, None),
        (clause.header.receipt, envelope.digest(clause.data), replies.lookup(clause.header.receipt),
         "2026-11-27", FIRST, 1, 2, 1, "有修改建议", "=建议写明养护资金来源", "李四", "13912345678"),
    ]  # fmt: skip
    assert county_import.received_digests(county["db"]) == sorted(
        envelope.digest(s.data) for s in (whole, clause, request))
    assert list((tmp_path / "in").iterdir()) == []  # all three archived
    assert rows(county["db"], "SELECT imported FROM import_log") == [(3,)]


def test_each_bad_comment_is_one_named_refusal_and_the_rest_go_through(tmp_path, county, terminals):
    public, term = county["public"], terminals[0]
    folder = tmp_path / "in"
    good = [comment(term, public), comment(term, public, article=3, stance="有修改建议", text="同意"),
            comment(term, public, draft=SECOND, article=5, name="王五", phone="13812345678")]
    bad = {
        "a-other-drafts-article": comment(term, public, article=5),  # YJ2026-02 has a 第五条, this one not
        "b-no-such-version": comment(term, public, version=2),
        "c-article-without-its-clause": comment(term, public, article=2),
        "d-clause-of-the-whole": comment(term, public, article=0, clause=1),
        "e-sealed-after-the-period": comment(term, public, now=utc(2026, 11, 30, 16)),  # 1 Dec, local
        "f-sealed-before-it-opened": comment(term, public, now=utc(2026, 10, 31, 15)),
        "g-unsigned": comment(term, public, draft=SECOND, article=1, name="王五"),
    }  # fmt: skip
    drop(folder, good)
    for name, sealed in bad.items():
        (folder / f"{name}.env").write_bytes(sealed.data)
    long_text = {"draft": FIRST, "version": 1, "article": 1, "stance": "有修改建议", "text": "长" * 10_000}
    (folder / "h-long.env").write_bytes(forge(term, public, payload(long_text), kind="comment"))
    (folder / "i-truncated.env").write_bytes(good[0].data[:-40])
    in_time = comment(term, public, now=utc(2026, 11, 30, 15, 59, 59))  # 23:59:59 on the last day, local
    drop(folder, [in_time])
    report = import_from(county, folder, now=utc(2026, 12, 2, 2))
    assert (report.files, report.imported, report.comments) == (13, 4, 4)
    assert refused(report) == [
        ("a-other-drafts-article.env", "comment_unknown_article"),
        ("b-no-such-version.env", "comment_unknown_article"),
        ("c-article-without-its-clause.env", "comment_unknown_article"),
        ("d-clause-of-the-whole.env", "comment_unknown_article"),
        ("e-sealed-after-the-period.env", "comment_late"),
        ("f-sealed-before-it-opened.env", "comment_late"),
        ("g-unsigned.env", "comment_unsigned"),
        ("h-long.env", "form_invalid"),
        ("i-truncated.env", "malformed"),
    ]
    messages = {r.file.split("/")[-1]: r.message for r in report.refused}
    assert "草案 YJ2026-01 第1版没有第五条" in messages["a-other-drafts-article.env"]
    assert "意见征集表中没有草案 YJ2026-01 第2版" in messages["b-no-such-version.env"]
    assert "2026-12-01" in messages["e-sealed-after-the-period.env"]  # the local day it was sealed
    assert "2026-11-30 截止" in messages["e-sealed-after-the-period.env"]
    assert "要求署名" in messages["g-unsigned.env"]
    assert all(" / " in m for m in messages.values())
    assert sorted(r[0] for r in rows(county["db"], "SELECT receipt FROM comment")) == sorted(
        s.header.receipt for s in [*good, in_time])
    refused_folder = county["db"].parent / "inbox-refused" / "2026-12-02"
    assert len(list(refused_folder.iterdir())) == 9  # set aside, not deleted
    assert list(folder.iterdir()) == []


def test_a_comment_sealed_in_time_is_taken_within_the_courier_grace_only(tmp_path, county, terminals):
    on_time, too_late = comment(terminals[0], county["public"]), comment(terminals[1], county["public"])
    last_day = utc(2026, 12, 10, 15)  # 23:00 on 30 Nov + 10 days, local
    drop(tmp_path / "one", [on_time])
    assert import_from(county, tmp_path / "one", now=last_day).comments == 1
    drop(tmp_path / "two", [too_late])
    report = import_from(county, tmp_path / "two", now=last_day + dt.timedelta(hours=1))
    assert [(r.reason, "10 天" in r.message, "2026-12-11" in r.message) for r in report.refused] == [
        ("comment_late", True, True)]
    assert rows(county["db"], "SELECT count(*) FROM comment") == [(1,)]


def test_the_same_comment_twice_is_one_comment(tmp_path, county, terminals):
    sealed = comment(terminals[0], county["public"])
    drop(tmp_path / "in", [sealed])
    assert import_from(county, tmp_path / "in").comments == 1
    drop(tmp_path / "in", [sealed])  # delivered again
    again = import_from(county, tmp_path / "in")
    assert (again.files, again.imported, again.duplicates, again.refused) == (1, 0, 1, [])
    assert rows(county["db"], "SELECT count(*) FROM comment") == [(1,)]


def test_without_the_consultations_a_comment_stays_in_the_drop(tmp_path, county, terminals):
    sealed, request = comment(terminals[0], county["public"]), seal(terminals[0], county["public"])
    drop(tmp_path / "in", [sealed, request])
    report = import_from(county, tmp_path / "in", consultations=False)
    assert (report.imported, report.comments) == (1, 0)
    assert [(r.reason, "--county-input" in r.message) for r in report.refused] == [
        (county_import.NO_CONSULTATIONS, True)]
    assert [p.name for p in (tmp_path / "in").iterdir()] == [f"{sealed.id}.env"]  # nothing lost
    assert not (county["db"].parent / "inbox-refused").exists()
    later = import_from(county, tmp_path / "in")
    assert (later.comments, later.refused) == (1, [])


def test_a_receipt_is_unique_across_cases_and_comments(tmp_path, county, terminals):
    request, sealed = seal(terminals[0], county["public"]), comment(terminals[0], county["public"])
    drop(tmp_path / "one", [request])
    import_from(county, tmp_path / "one")
    conn = sqlite3.connect(county["db"])  # as if the request had drawn the comment's number
    conn.execute('UPDATE "case" SET receipt = ?', (sealed.header.receipt,))
    conn.commit()
    conn.close()
    drop(tmp_path / "two", [sealed])
    report = import_from(county, tmp_path / "two")
    assert [r.reason for r in report.refused] == ["receipt_clash"]
    assert rows(county["db"], "SELECT count(*) FROM comment") == [(0,)]
    # And the other way: a request drawing a filed comment's number.
    filed, later = comment(terminals[1], county["public"]), seal(terminals[1], county["public"])
    drop(tmp_path / "three", [filed])
    assert import_from(county, tmp_path / "three").comments == 1
    conn = sqlite3.connect(county["db"])
    conn.execute("UPDATE comment SET receipt = ?", (later.header.receipt,))
    conn.commit()
    conn.close()
    drop(tmp_path / "four", [later])
    report = import_from(county, tmp_path / "four")
    assert [r.reason for r in report.refused] == ["receipt_clash"]
    assert rows(county["db"], 'SELECT count(*) FROM "case"') == [(1,)]


# -- held comments -------------------------------------------------------------------------------


@pytest.fixture
def stranger(tmp_path):
    """A terminal the county has not enrolled: what it seals is held for the clerk."""
    from kiosk.outbox import identity

    return identity.load_or_create(tmp_path / "stranger")


def accept(county, today=TODAY, consultations=True, **which):
    return held.decide(county["db"], True, keydir=county["keys"], today=today,
                       consultations=county["consultations"] if consultations else None, **which)  # fmt: skip


def held_rows(db):
    return rows(db, "SELECT digest, kind, decided, length(data) > 0 FROM held ORDER BY kind, digest")


def test_a_held_comment_is_filed_as_a_comment_once_the_consultations_are_given(tmp_path, county, stranger):
    sealed = comment(stranger, county["public"], article=2, clause=2, stance="有修改建议",
                     text="村道也要扫雪")  # fmt: skip
    drop(tmp_path / "in", [sealed])
    assert import_from(county, tmp_path / "in").held == 1
    digest = envelope.digest(sealed.data)
    # Without the consultations it stays held, named, and the clerk is told what to pass.
    waiting = accept(county, consultations=False, digest=digest)
    assert (waiting.accepted, waiting.refused, waiting.decided) == (0, [], 0)
    assert [(w.digest, w.receipt, w.reason, "--county-input" in w.message) for w in waiting.left] == [
        (digest, sealed.header.receipt, county_import.NO_CONSULTATIONS, True)]
    assert [e.digest for e in held.list_held(county["db"])[0]] == [digest]
    # With them it is filed as a comment, received the day it reached the county: the clerk
    # accepts it after the courier's grace, which is no fault of the villager's.
    done = accept(county, today=CLOSED + dt.timedelta(days=5), digest=digest)
    assert (done.accepted, done.refused, done.left, done.republish) == (1, [], [], [])
    assert rows(county["db"], 'SELECT count(*) FROM "case"') == [(0,)]
    assert rows(county["db"], "SELECT receipt, digest, received_on, draft_code, article, clause, stance, "
                              "text, terminal_fingerprint FROM comment") == [
        (sealed.header.receipt, digest, "2026-11-27", FIRST, 2, 2, "有修改建议", "村道也要扫雪",
         stranger.fingerprint())]  # fmt: skip
    assert held_rows(county["db"]) == [(digest, "comment", "accepted", 1)]
    assert held.list_held(county["db"])[0] == []
    assert county_import.received_digests(county["db"]) == [digest]  # the next feed acknowledges it


def test_accepting_a_terminal_files_its_requests_as_cases_and_its_comments_as_comments(
        tmp_path, county, stranger):  # fmt: skip
    public = county["public"]
    requests = [seal(stranger, public, "callback"), seal(stranger, public, "disclosure")]
    remarks = [comment(stranger, public, article=0, stance="不赞成"),
               comment(stranger, public, draft=SECOND, article=4, name="王五", phone="13812345678")]
    drop(tmp_path / "in", [*requests, *remarks])
    assert import_from(county, tmp_path / "in").held == 4
    done = accept(county, today=dt.date(2026, 11, 30), terminal=stranger.fingerprint())
    assert (done.accepted, done.rejected, done.refused, done.left) == (4, 0, [], [])
    assert sorted(rows(county["db"], 'SELECT receipt, kind, received_on FROM "case"')) == sorted(
        (s.header.receipt, s.header.kind, "2026-11-30") for s in requests)  # received on acceptance
    filed = rows(county["db"], "SELECT receipt, draft_code, article, received_on FROM comment")
    assert sorted(filed) == sorted([(remarks[0].header.receipt, FIRST, 0, "2026-11-27"),
                                    (remarks[1].header.receipt, SECOND, 4, "2026-11-27")])  # on arrival
    assert {r[2] for r in held_rows(county["db"])} == {"accepted"}
    drop(tmp_path / "again", [*requests, *remarks])  # the terminal sends them again
    again = import_from(county, tmp_path / "again")
    assert (again.duplicates, again.imported, again.held, again.refused) == (4, 0, 0, [])


def test_a_late_held_comment_is_rejected_by_name_and_the_request_beside_it_is_filed(
        tmp_path, county, stranger):  # fmt: skip
    public = county["public"]
    request = seal(stranger, public)
    late = comment(stranger, public)  # sealed in time, reached the county after the grace
    unsigned = comment(stranger, public, draft=SECOND, article=1)  # YJ2026-02 takes signed comments only
    drop(tmp_path / "in", [unsigned])
    assert import_from(county, tmp_path / "in").held == 1  # in time
    drop(tmp_path / "in", [request, late])
    assert import_from(county, tmp_path / "in", now=utc(2026, 12, 11, 2)).held == 2  # 11 Dec, local
    done = accept(county, today=dt.date(2026, 12, 11), terminal=stranger.fingerprint())
    assert (done.accepted, done.left, done.decided) == (1, [], 3)
    refusals = {r.digest: r for r in done.refused}
    assert {d: (r.receipt, r.reason) for d, r in refusals.items()} == {
        envelope.digest(late.data): (late.header.receipt, comments.REASON_LATE),
        envelope.digest(unsigned.data): (unsigned.header.receipt, comments.REASON_UNSIGNED),
    }
    message = refusals[envelope.digest(late.data)].message
    assert "2026-12-11 才送达" in message and "10 天" in message and " / " in message
    assert rows(county["db"], 'SELECT receipt FROM "case"') == [(request.header.receipt,)]
    assert rows(county["db"], "SELECT count(*) FROM comment") == [(0,)]
    assert held_rows(county["db"]) == sorted([
        (envelope.digest(request.data), "callback", "accepted", 1),
        (envelope.digest(late.data), "comment", "rejected", 1),  # the bytes kept, as import keeps them
        (envelope.digest(unsigned.data), "comment", "rejected", 1),
    ], key=lambda r: (r[1], r[0]))  # fmt: skip
    assert held.list_held(county["db"])[0] == []


def test_a_held_conflicting_comment_accepted_takes_the_filed_ones_place(tmp_path, county, terminals):
    """A stolen key files a comment under the villager's id first; the genuine one is held
    as a conflict, and the clerk puts it in place under the same receipt number."""
    public = county["public"]
    genuine = comment(terminals[0], public, article=3, stance="不赞成", text="保洁不该由村里出钱")
    other = {"draft": FIRST, "version": 1, "article": 1, "stance": "赞成"}
    forged = forge(terminals[1], public, payload(other), kind="comment", ulid=genuine.id)
    (tmp_path / "first").mkdir()
    (tmp_path / "first" / f"{genuine.id}.env").write_bytes(forged)
    assert import_from(county, tmp_path / "first").comments == 1
    drop(tmp_path / "second", [genuine])
    report = import_from(county, tmp_path / "second", now=utc(2026, 11, 28, 2))
    assert (report.held, report.conflicts) == (1, 1)
    done = accept(county, today=dt.date(2026, 11, 30), digest=envelope.digest(genuine.data))
    assert (done.accepted, done.refused) == (1, [])
    assert rows(county["db"], "SELECT receipt, digest, article, stance, text, terminal_fingerprint, "
                              "received_on FROM comment") == [
        (genuine.header.receipt, envelope.digest(genuine.data), 3, "不赞成", "保洁不该由村里出钱",
         terminals[0].fingerprint(), "2026-11-28")]  # fmt: skip


# -- the department's workbook -------------------------------------------------------------------


COMMENTS = [  # (terminal, the form's changes)
    (0, {"article": 0, "stance": "赞成"}),
    (1, {"article": 0, "stance": "不赞成", "text": '=HYPERLINK("http://x")'}),
    (0, {"article": 2, "clause": 1, "stance": "有修改建议", "text": "写明资金来源", "name": "李四",
         "phone": "13912345678"}),
    (1, {"article": 2, "clause": 1, "stance": "不赞成"}),
    (2, {"article": 2, "clause": 1, "stance": "赞成"}),
    (2, {"article": 3, "stance": "有修改建议", "text": "保洁费用谁出？"}),
    (0, {"draft": SECOND, "article": 4, "name": "王五", "phone": "13812345678"}),
]  # fmt: skip


@pytest.fixture
def commented(tmp_path, county, terminals):
    """COMMENTS filed: on YJ2026-01 2 on the whole draft, 3 on 第二条第一款, 1 on 第三条; 1 on
    YJ2026-02. Each as (envelope, (draft, article, clause))."""
    filed = [(comment(terminals[n], county["public"], **changes),
              (changes.get("draft", FIRST), changes["article"], changes.get("clause")))
             for n, changes in COMMENTS]  # fmt: skip
    drop(tmp_path / "in", [sealed for sealed, _ in filed])
    assert import_from(county, tmp_path / "in").comments == 7
    return filed


def sheet_rows(sheet):
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_workbook_counts_and_groups_every_comment(tmp_path, county, commented):
    out = tmp_path / "comments.xlsx"
    done = comments.export_comments(county["db"], county["input"], out, FIRST, today=TODAY)
    assert (done.articles, done.comments, done.draft.version) == (5, 6, 1)
    assert (done.still_open, done.in_grace, done.waiting) == (True, False, True)
    assert os.stat(out).st_mode & 0o777 == 0o600
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["采纳情况", "意见明细"]
    results = sheet_rows(book["采纳情况"])
    assert results[0] == list(comments.RESULT_COLUMNS)
    assert [(r[0], r[1], r[2], r[4], r[5], r[6], r[7]) for r in results[1:]] == [
        ("草案整体", "0", None, 2, 1, 1, 0),  # an empty cell reads as None
        ("第一条", "1", None, 0, 0, 0, 0),
        ("第二条第一款", "2", "1", 3, 1, 1, 1),
        ("第二条第二款", "2", "2", 0, 0, 0, 0),
        ("第三条", "3", None, 1, 0, 0, 1),
    ]
    assert results[2][3] == "第一章 总则\n为加强农村公路养护管理，制定本办法。"
    assert {(r[10], r[11]) for r in results[1:]} == {(FIRST, "1")}
    [choice] = book["采纳情况"].data_validations.dataValidation
    assert choice.formula1 == '"采纳,部分采纳,未采纳"' and str(choice.sqref) == "I2:I6"
    detail = sheet_rows(book["意见明细"])
    assert detail[0] == list(comments.DETAIL_COLUMNS)
    assert [r[1] for r in detail[1:]] == ["草案整体"] * 2 + ["第二条第一款"] * 3 + ["第三条"]
    by_receipt = {r[0]: r for r in detail[1:]}
    signed = by_receipt[commented[2][0].header.receipt]
    assert signed[2:6] == ["有修改建议", "写明资金来源", "李四", "13912345678"]
    assert signed[6] == dt.datetime(2026, 11, 27) and signed[7] == "终端0"
    formula = book["意见明细"].cell(row=[r[0] for r in detail].index(commented[1][0].header.receipt) + 1,
                                    column=4)  # fmt: skip
    assert formula.data_type == "s" and formula.value.startswith("=HYPERLINK")  # text, never a formula
    assert commented[6][0].header.receipt not in by_receipt  # another draft's comment


def test_a_draft_the_workbook_does_not_have_is_refused(tmp_path, county):
    with pytest.raises(KnownError, match="意见征集表中没有草案 YJ2026-09"):
        comments.export_comments(county["db"], county["input"], tmp_path / "c.xlsx", "YJ2026-09", today=TODAY)
    with pytest.raises(KnownError, match="没有意见征集表"):
        comments.export_comments(county["db"], tmp_path, tmp_path / "c.xlsx", FIRST, today=TODAY)


def fill(exported, out, verdicts, counts=None):
    """The department's answers typed into the 采纳情况 sheet: {条款: (采纳情况, 理由)}."""
    book = openpyxl.load_workbook(exported)
    sheet = book["采纳情况"]
    for row in range(2, sheet.max_row + 1):
        label = sheet.cell(row=row, column=1).value
        if label in verdicts:
            outcome, reason = verdicts[label]
            sheet.cell(row=row, column=9).value = outcome
            sheet.cell(row=row, column=10).value = reason
        if counts is not None:
            sheet.cell(row=row, column=5).value = counts
    book.save(out)
    return out


GOOD = {"草案整体": ("采纳", ""), "第二条第一款": ("部分采纳", "资金来源写入第十条。"),
        "第三条": ("未采纳", "保洁费用已由县财政统筹，另行规定。")}  # fmt: skip


def adoption_count(db):
    return rows(db, "SELECT count(*) FROM adoption")[0][0]


def test_publishing_refuses_every_wrong_row_and_stores_nothing(tmp_path, county, commented):
    exported = comments.export_comments(county["db"], county["input"], tmp_path / "c.xlsx", FIRST).path
    bad = fill(exported, tmp_path / "bad.xlsx", {
        "草案整体": ("同意", ""), "第二条第一款": ("未采纳", ""), "第一条": ("采纳", "联系 13912345678"),
    })  # 第三条 received a comment and has no verdict
    book = openpyxl.load_workbook(bad)
    book["采纳情况"].append(["第九条", "9", "", "", 0, 0, 0, 0, "采纳", "", FIRST, "1"])
    book.save(bad)
    out = tmp_path / "out"
    with pytest.raises(ImportRefused) as info:
        comments.publish_results(county["db"], county["input"], bad, out, CLOSED)
    assert info.value.problems == [
        "bad.xlsx[采纳情况]:2:采纳情况: “同意”不是允许的取值（采纳、部分采纳、未采纳）"
        " / '同意' is not one of 采纳, 部分采纳, 未采纳",
        "bad.xlsx[采纳情况]:3:理由: 理由含有手机号：采纳情况向全县公开，不得写入个人信息"
        " / the reason holds personal details (手机号); it is published to the whole county",
        "bad.xlsx[采纳情况]:4:理由: 采纳情况为“未采纳”时须填写理由 / a reason is required for 未采纳",
        "bad.xlsx[采纳情况]:7:条: 草案 YJ2026-01 第1版没有第九条"
        " / draft YJ2026-01 version 1 has no article 9",
        "bad.xlsx[采纳情况]:6:采纳情况: YJ2026-01 第1版第三条收到 1 条意见，须填写采纳情况"
        "（一个草案的全部条款一并公布） / 第三条 received 1 comment(s): give its outcome (a draft's results"
        " are published for all its articles at once)",
    ]  # fmt: skip
    assert adoption_count(county["db"]) == 0 and not out.exists()


NOT_YET = (
    "good.xlsx[采纳情况]:2:采纳情况: 草案 YJ2026-01 第1版征求意见期至 2026-11-30 截止，途中的意见最晚"
    " 2026-12-10 到达（10 天传递宽限），2026-12-10 之后（2026-12-11 起）才能公布采纳情况 / the period of"
    " draft YJ2026-01 version 1 ends 2026-11-30 and comments on their way may reach the county until"
    " 2026-12-10 (the 10-day courier grace); results can be published from 2026-12-11"
)


def test_publishing_waits_for_the_end_of_the_period(tmp_path, county, commented):
    exported = comments.export_comments(county["db"], county["input"], tmp_path / "c.xlsx", FIRST).path
    good = fill(exported, tmp_path / "good.xlsx", GOOD)
    with pytest.raises(ImportRefused) as info:
        comments.publish_results(county["db"], county["input"], good, tmp_path / "out", dt.date(2026, 11, 30))
    assert info.value.problems == [NOT_YET]
    assert adoption_count(county["db"]) == 0


def test_publishing_waits_for_the_courier_grace_after_the_period(tmp_path, county, commented, terminals):
    """A comment sealed on the last day may reach the county up to 10 days later (a stick
    from a far hall): the counts are final, and results published, only after that."""
    exported = comments.export_comments(county["db"], county["input"], tmp_path / "c.xlsx", FIRST,
                                        today=LAST_ARRIVAL)  # fmt: skip
    assert (exported.still_open, exported.in_grace, exported.waiting) == (False, True, True)
    assert (exported.draft.last_arrival, exported.draft.publish_from) == (LAST_ARRIVAL, CLOSED)
    good = fill(exported.path, tmp_path / "good.xlsx", GOOD)
    for day in (dt.date(2026, 12, 1), LAST_ARRIVAL):
        with pytest.raises(ImportRefused) as info:
            comments.publish_results(county["db"], county["input"], good, tmp_path / "out", day)
        assert info.value.problems == [NOT_YET]
    assert adoption_count(county["db"]) == 0 and not (tmp_path / "out").exists()
    # A comment sealed on the last day arrives on the last day of the grace: it is counted.
    last_minute = comment(terminals[0], county["public"], article=3, stance="赞成",
                          now=utc(2026, 11, 30, 15))  # 23:00 on 30 Nov, local
    drop(tmp_path / "stick", [last_minute])
    assert import_from(county, tmp_path / "stick", now=utc(2026, 12, 10, 15)).comments == 1
    after = comments.export_comments(county["db"], county["input"], tmp_path / "c.xlsx", FIRST, today=CLOSED)
    assert (after.still_open, after.in_grace, after.waiting, after.comments) == (False, False, False, 7)
    done = comments.publish_results(county["db"], county["input"], good, tmp_path / "out", CLOSED)
    assert done.rows == 3
    adoptions = read_feed_file(datasets.ADOPTIONS, tmp_path / "out" / "adoptions.csv")
    third = [r for r in adoptions if r["article"] == 3]
    assert [(r["received"], r["agree"], r["suggest"]) for r in third] == [(2, 1, 1)]


def test_a_whole_draft_row_deleted_is_still_asked_for(tmp_path, county, commented):
    exported = comments.export_comments(county["db"], county["input"], tmp_path / "c.xlsx", FIRST).path
    book = openpyxl.load_workbook(fill(exported, tmp_path / "good.xlsx", GOOD))
    book["采纳情况"].delete_rows(2)  # the 草案整体 row, which received 2 comments
    book.save(tmp_path / "short.xlsx")
    with pytest.raises(ImportRefused) as info:
        comments.publish_results(county["db"], county["input"], tmp_path / "short.xlsx", tmp_path / "out",
                                 CLOSED)  # fmt: skip
    assert [line.split(" / ")[0] for line in info.value.problems] == [
        "short.xlsx[采纳情况]:1:条: YJ2026-01 第1版草案整体收到 2 条意见，须填写采纳情况"
        "（一个草案的全部条款一并公布）"]


def read_feed_file(dataset, path):
    problems = Problems()
    found = list(read_rows(dataset, path, problems, DuplicateFinder(), str(path), mask=True))
    assert problems.lines == [] and not problems
    return found


def test_a_good_publish_writes_what_the_feed_accepts(tmp_path, county, commented):
    exported = comments.export_comments(county["db"], county["input"], tmp_path / "c.xlsx", FIRST).path
    good = fill(exported, tmp_path / "good.xlsx", GOOD, counts=99)  # counts typed over: recounted
    out = tmp_path / "out"
    done = comments.publish_results(county["db"], county["input"], good, out, CLOSED)
    assert (done.rows, done.changed, done.drafts, done.adoptions, done.receipts) == (
        3, 3, ("YJ2026-01 第1版",), 3, 7)
    adoptions = read_feed_file(datasets.ADOPTIONS, out / "adoptions.csv")
    assert [(r["article"], r["clause"], r["received"], r["agree"], r["disagree"], r["suggest"], r["outcome"],
             r["reason"], r["published_on"]) for r in adoptions] == [
        (0, None, 2, 1, 1, 0, "采纳", "", "2026-12-11"),
        (2, 1, 3, 1, 1, 1, "部分采纳", "资金来源写入第十条。", "2026-12-11"),
        (3, None, 1, 0, 0, 1, "未采纳", "保洁费用已由县财政统筹，另行规定。", "2026-12-11"),
    ]  # fmt: skip
    receipts = read_feed_file(datasets.COMMENT_RECEIPTS, out / "comment_receipts.csv")
    found = {r["lookup"]: (r["envelope_digest"], r["draft_code"], r["article"], r["clause"])
             for r in receipts}  # fmt: skip
    assert found == {replies.lookup(s.header.receipt): (envelope.digest(s.data), *target)
                     for s, target in commented}  # fmt: skip
    text = (out / "comment_receipts.csv").read_text(encoding="utf-8-sig")
    for secret in ("李四", "13912345678", "写明资金来源", "有修改建议",
                   *(s.header.receipt for s, _ in commented)):  # fmt: skip
        assert secret not in text
    _cross_check(county["input"], out)
    # The same workbook again, a day later: nothing changes, the files are left alone.
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    again = comments.publish_results(county["db"], county["input"], good, out, CLOSED + dt.timedelta(days=1))
    assert again.changed == 0
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()} == before
    revised = fill(exported, tmp_path / "revised.xlsx", {**GOOD, "第三条": ("采纳", "")})
    assert comments.publish_results(county["db"], county["input"], revised, out, CLOSED).changed == 1
    assert adoption_count(county["db"]) == 3


def _cross_check(folder, out):
    """The feed build's own cross-check: every adoption and receipt names an article of a
    draft in the consultations workbook."""
    problems = Problems()
    book = consultation_book.read_workbook(folder / "consultations.xlsx", "consultations.xlsx", problems)
    check = CrossCheck(problems)
    for dataset in (datasets.DECISIONS, datasets.DRAFTS, datasets.DRAFT_ARTICLES):
        assert all(check.accept(dataset.name, row) for row in book[dataset.name])
    for dataset in (datasets.ADOPTIONS, datasets.COMMENT_RECEIPTS):
        name = f"{dataset.name}.csv"
        for row in read_feed_file(dataset, out / name):
            assert check.accept(dataset.name, row), problems.lines


def test_results_saved_as_ods_are_read_too(tmp_path, county, commented):
    def row(article, clause, outcome, reason):
        return ["", article, clause, "", "", "", "", "", outcome, reason, FIRST, "1"]

    ods = write_ods(tmp_path / "results.ods", [list(comments.RESULT_COLUMNS), row("0", "", "采纳", ""),
                                               row("2", "1", "采纳", ""), row("3", "", "未采纳", "另行规定")])
    done = comments.publish_results(county["db"], county["input"], ods, tmp_path / "out", CLOSED)
    assert (done.rows, done.changed) == (3, 3)
    with pytest.raises(KnownError, match="只接受 XLSX、XLS 或 ODS"):
        comments.publish_results(county["db"], county["input"], tmp_path / "out" / "adoptions.csv",
                                 tmp_path / "out", CLOSED)  # fmt: skip


def test_a_held_comment_accepted_after_publishing_asks_for_the_results_again(
        tmp_path, county, commented, stranger):  # fmt: skip
    sealed = comment(stranger, county["public"], article=1, stance="不赞成")
    drop(tmp_path / "late", [sealed])
    assert import_from(county, tmp_path / "late", now=utc(2026, 12, 9, 2)).held == 1  # within the grace
    exported = comments.export_comments(county["db"], county["input"], tmp_path / "c.xlsx", FIRST).path
    comments.publish_results(county["db"], county["input"], fill(exported, tmp_path / "good.xlsx", GOOD),
                             tmp_path / "out", CLOSED)  # fmt: skip
    done = accept(county, today=CLOSED, digest=envelope.digest(sealed.data))
    assert (done.accepted, done.republish) == (1, ["YJ2026-01 第1版"])
    with pytest.raises(ImportRefused, match="第一条收到 1 条意见，须填写采纳情况"):
        comments.publish_results(county["db"], county["input"], tmp_path / "good.xlsx", tmp_path / "out",
                                 CLOSED)  # fmt: skip


# -- the command line ------------------------------------------------------------------------------


def command_county(tmp_path, terminals, closes):
    """A county on the real clock for the commands: its input folder (consultations open 40
    days to ``closes``, terminals 0..2 enrolled) and inbox keys; (folder, keydir, db, public)."""
    from kiosk.county.inbox import keys as inbox_keys

    folder = write_consultations(tmp_path / "input", str(closes - dt.timedelta(days=39)), str(closes))
    write_terminals_csv(folder / "terminals.csv",
                        [f"{t.fingerprint()},终端{n},,在用" for n, t in enumerate(terminals)])  # fmt: skip
    keydir = tmp_path / "inbox-keys"
    public = inbox_keys.create_inbox_keys(keydir).key
    return folder, keydir, tmp_path / "cases.sqlite3", public


def test_the_commands_import_accept_export_and_wait_for_the_grace(tmp_path, terminals, stranger):
    """The real commands, on the real clock: a period that ended yesterday, comments sealed
    the day before, imported today within the courier's grace (one from a terminal not yet
    enrolled, accepted by the clerk); results cannot be published until the grace is over."""
    today = dt.date.today()
    closes = today - dt.timedelta(days=1)
    folder, keydir, db, public = command_county(tmp_path, terminals, closes)
    sealed_at = dt.datetime.combine(today - dt.timedelta(days=2), dt.time(2, 0), tzinfo=dt.UTC)
    held_one = comment(stranger, public, now=sealed_at, article=3, stance="有修改建议",
                       text="保洁费用谁出")  # fmt: skip
    drop(tmp_path / "stick" / "inbox", [
        comment(terminals[0], public, now=sealed_at, article=0),
        comment(terminals[1], public, now=sealed_at, article=2, clause=2, stance="不赞成"),
        seal(terminals[2], public), held_one])  # fmt: skip
    done = run_kiosk("inbox", "import", "--from", tmp_path / "stick", "--keys", keydir, "--db", db,
                     "--county-input", folder, ok=True)  # fmt: skip
    assert "导入 3 件（其中意见征集 2 条）" in done.stdout and "暂存待核实 1 件" in done.stdout, done.stdout
    quarantine = ("inbox", "quarantine", "accept", "--db", db, "--keys", keydir, "--terminal",
                  stranger.fingerprint())  # fmt: skip
    done = run_kiosk(*quarantine, ok=False)  # without the consultations: stays held
    assert "1 个意见信封仍暂存" in done.stdout and "请加 --county-input" in done.stdout, done.stdout
    assert envelope.digest(held_one.data) in done.stdout and "Traceback" not in done.stderr + done.stdout
    done = run_kiosk(*quarantine, "--county-input", folder, ok=True)
    assert "已受理 1 个暂存信封" in done.stdout, done.stdout
    run_kiosk("inbox", "export", "--db", db, "--out", tmp_path / "cases.xlsx", ok=True)
    done = run_kiosk("inbox", "reply", "--db", db, "--answers", tmp_path / "cases.xlsx", "--out", folder,
                     ok=True)  # fmt: skip
    assert "意见回执 3 条" in done.stdout, done.stdout
    assert len(read_feed_file(datasets.COMMENT_RECEIPTS, folder / "comment_receipts.csv")) == 3
    exported = tmp_path / "comments.xlsx"
    done = run_kiosk("inbox", "comments", "export", "--db", db, "--county-input", folder, "--draft", FIRST,
                     "--version", "1", "--out", exported, ok=True)  # fmt: skip
    last, first_day = closes + dt.timedelta(days=10), closes + dt.timedelta(days=11)
    assert f"已导出草案 {FIRST} 第1版：5 个条款，意见 3 条" in done.stdout, done.stdout
    waiting = f"征求意见期已于 {closes} 截止，途中的意见最晚 {last} 到达，{last} 之后（{first_day} 起）"
    assert waiting in done.stdout, done.stdout
    publish = ("inbox", "comments", "publish", "--db", db, "--county-input", folder, "--out", folder)
    filled = fill(exported, tmp_path / "results.xlsx", {
        "草案整体": ("采纳", ""), "第二条第二款": ("未采纳", ""), "第三条": ("采纳", "")})  # fmt: skip
    done = run_kiosk(*publish, "--results", filled, ok=False)
    assert "results.xlsx[采纳情况]:5:理由: 采纳情况为“未采纳”时须填写理由" in done.stderr + done.stdout
    not_yet = f"途中的意见最晚 {last} 到达（10 天传递宽限），{last} 之后（{first_day} 起）才能公布采纳情况"
    assert not_yet in done.stderr + done.stdout
    assert "Traceback" not in done.stderr + done.stdout
    assert not (folder / "adoptions.csv").exists()


def test_the_commands_publish_once_the_grace_has_passed(tmp_path, terminals):
    """The period ended 20 days ago; the comments sealed in it reached the county 5 days after
    it (within the grace); today the department's results are published."""
    today = dt.date.today()
    closes = today - dt.timedelta(days=20)
    folder, keydir, db, public = command_county(tmp_path, terminals, closes)
    sealed_at = dt.datetime.combine(closes - dt.timedelta(days=1), dt.time(2, 0), tzinfo=dt.UTC)
    drop(tmp_path / "stick", [comment(terminals[0], public, now=sealed_at, article=0),
                              comment(terminals[1], public, now=sealed_at, article=2, clause=2,
                                      stance="不赞成")])  # fmt: skip
    arrived = dt.datetime.combine(closes + dt.timedelta(days=5), dt.time(2, 0), tzinfo=dt.UTC)
    report = county_import.import_envelopes(tmp_path / "stick", keydir, db, folder / "terminals.csv",
                                            now=arrived, consultations=comments.read_consultations(folder))
    assert (report.comments, report.refused) == (2, [])
    exported = tmp_path / "comments.xlsx"
    done = run_kiosk("inbox", "comments", "export", "--db", db, "--county-input", folder, "--draft", FIRST,
                     "--out", exported, ok=True)  # fmt: skip
    assert f"已导出草案 {FIRST} 第1版：5 个条款，意见 2 条" in done.stdout and "途中" not in done.stdout
    publish = ("inbox", "comments", "publish", "--db", db, "--county-input", folder, "--out", folder)
    filled = fill(exported, tmp_path / "results.xlsx", {"草案整体": ("采纳", ""),
                                                       "第二条第二款": ("未采纳", "另行规定")})  # fmt: skip
    done = run_kiosk(*publish, "--results", filled, ok=True)
    assert "采纳情况 2 条" in done.stdout and "意见回执 2 条" in done.stdout, done.stdout
    assert len(read_feed_file(datasets.ADOPTIONS, folder / "adoptions.csv")) == 2
