"""意见征集 end to end through the real commands, as a county and a hall run them: the demo
county's consultations workbook → ``kiosk feed build`` → a terminal syncs → a villager's
comment sealed at the terminal → USB → ``kiosk inbox import`` → ``kiosk inbox comments
export`` (the department's workbook) → 采纳情况 filled in → ``kiosk inbox comments publish``
→ the next feed → the villager's receipt shows the result; a published draft stays frozen."""

import datetime as dt
import shutil
import subprocess

import openpyxl

from kiosk import paths
from kiosk.config import Settings
from kiosk.county import keyfiles
from kiosk.county.feed import demo_county
from kiosk.county.inbox import keys as inbox_keys
from kiosk.services import consultations, push, requests
from kiosk.store.db import close_database, open_database
from tests.helpers.cli import run_kiosk
from tests.helpers.envelopes import write_terminals_csv

SECRET = {"KIOSK_KEY_PASSPHRASE": keyfiles.DEMO_PASSPHRASE.decode()}


def test_a_comment_travels_to_the_county_and_its_result_comes_back(tmp_path, demo_input_csv):
    county_input = tmp_path / "input"
    shutil.copytree(demo_input_csv, county_input)
    keydir, inbox_dir, feed = tmp_path / "keys", tmp_path / "inbox-keys", tmp_path / "feed"
    db = tmp_path / "terminal" / "kiosk.sqlite3"
    run_kiosk("feed", "init-keys", keydir, env=SECRET, ok=True)
    inbox_keys.create_inbox_keys(inbox_dir, passphrase=keyfiles.DEMO_PASSPHRASE)
    build = ("feed", "build", "--input", county_input, "--keys", keydir, "--out", feed,
             "--inbox-keys", inbox_dir)
    run_kiosk(*build, env=SECRET, ok=True)
    run_kiosk("sync", "--source", feed, "--db", db, "--trusted-root", keydir / "root.json", ok=True)

    # A villager comments on the open draft's second article (on the terminal).
    open_database(db)
    try:
        code, version = next((d.draft.code, d.draft.version) for d in consultations.decisions()
                             if d.draft and d.draft.state == consultations.OPEN)  # fmt: skip
        draft = consultations.draft(code, version)
        receipt = consultations.submit_comment(draft, 2, None, "有修改建议", "村道也要装路灯")
        write_terminals_csv(county_input / "terminals.csv",
                            [f"{requests.terminal_identity().fingerprint()},大厅终端,,在用"])  # fmt: skip
        (tmp_path / "usb").mkdir()  # the stick
        push.export_to_folder(tmp_path / "usb")
        requests.close_outboxes()
    finally:
        close_database()

    cases = tmp_path / "cases.sqlite3"
    imported = run_kiosk("inbox", "import", "--from", tmp_path / "usb", "--keys", inbox_dir, "--db", cases,
                         "--county-input", county_input, env=SECRET, ok=True)  # fmt: skip
    assert "导入" in imported.stdout
    book = tmp_path / "意见汇总.xlsx"
    run_kiosk("inbox", "comments", "export", "--db", cases, "--county-input", county_input, "--draft", code,
              "--out", book, ok=True)  # fmt: skip
    sheet = openpyxl.load_workbook(book)["采纳情况"]
    headers = [c.value for c in sheet[1]]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    commented = [r for r in rows
                 if str(r[headers.index("条")]) == "2" and r[headers.index("款")] in (None, "")]
    assert len(commented) == 1 and commented[0][headers.index("收到意见")] == 1

    # The period is still open: publishing now is refused, naming the day it may be.
    wb = openpyxl.load_workbook(book)
    results = wb["采纳情况"]
    for row in results.iter_rows(min_row=2):
        if str(row[headers.index("条")].value) == "2" and row[headers.index("款")].value in (None, ""):
            row[headers.index("采纳情况")].value = "部分采纳"
            row[headers.index("理由")].value = "路灯纳入乡村振兴项目统一安排"
    wb.save(book)
    early = run_kiosk("inbox", "comments", "publish", "--db", cases, "--county-input", county_input,
                      "--results", book, "--out", county_input, ok=False)  # fmt: skip
    said = early.stdout + early.stderr
    assert "途中的意见最晚" in said and "才能公布采纳情况" in said, said

    # The period ends and the courier's grace after it passes (the county moves the draft's
    # dates back, as time would: closed 11 days ago, past its 10 days of grace): publish.
    workbook = openpyxl.load_workbook(county_input / "consultations.xlsx")
    drafts = workbook["草案"]
    heads = [c.value for c in drafts[1]]
    for row in drafts.iter_rows(min_row=2):
        if row[heads.index("草案编号")].value == code:
            row[heads.index("征求意见开始")].value = (dt.date.today() - dt.timedelta(days=50)).isoformat()
            row[heads.index("征求意见截止")].value = (dt.date.today() - dt.timedelta(days=11)).isoformat()
    workbook.save(county_input / "consultations.xlsx")
    run_kiosk("inbox", "comments", "publish", "--db", cases, "--county-input", county_input,
              "--results", book, "--out", county_input, ok=True)  # fmt: skip
    run_kiosk(*build, env=SECRET, ok=True)
    run_kiosk("sync", "--source", feed, "--db", db, "--trusted-root", keydir / "root.json", ok=True)

    shown = run_kiosk("receipt", "show", receipt.number, "--db", db, ok=True).stdout
    assert "已公布采纳情况" in shown and "第二条" in shown and "部分采纳" in shown
    assert "路灯纳入乡村振兴项目统一安排" in shown
    # The village board's sheet: the 采纳情况 now, its QR leading to the draft's page.
    pdf = tmp_path / "results.pdf"
    Settings(paths.TerminalFiles(db).settings).set("verify_base_url", "https://gk.example.gov.cn/verify")
    printed = run_kiosk("print", "consultation", "--draft", code, "--out", pdf, "--db", db, ok=True).stdout
    assert "意见采纳情况已生成" in printed and f"consultations/{code}-v{version}.html" in printed
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert "意见采纳情况" in text and "部分采纳" in text and "路灯纳入乡村振兴" in text
    status = run_kiosk("outbox", "status", "--db", db, ok=True).stdout
    assert "县里已确认收到 1 件" in status  # acknowledged by the comment receipts: ciphertext gone

    # A published draft is frozen: changing an article's text refuses the next build.
    articles = workbook[f"{code}第{version}版"]
    articles.cell(row=3, column=4).value = "改过的条文"
    workbook.save(county_input / "consultations.xlsx")
    frozen = run_kiosk(*build, env=SECRET, ok=False)
    assert f"草案 {code} 第{version}版已发布，条文不能再改" in frozen.stdout + frozen.stderr


def test_the_demo_workbook_reads_back_as_three_datasets(tmp_path):
    from kiosk.formats import consultation_book
    from kiosk.formats.validate import Problems

    path = demo_county.write_consultations(tmp_path, dt.date(2026, 12, 6))
    problems = Problems()
    found = consultation_book.read_workbook(path, path.name, problems)
    assert not problems, problems.lines
    assert [len(found[name]) for name in ("decisions", "drafts", "draft_articles")] == [3, 2, 13]
    assert all(row["signed"] == "否" for row in found["drafts"])
