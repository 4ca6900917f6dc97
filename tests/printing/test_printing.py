"""Notice sheets read back with real tools: pdffonts, pdftotext, pdfinfo, zbarimg."""

import datetime as dt
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

from kiosk import fmt
from kiosk.errors import KnownError
from kiosk.services import notice_period, notices
from kiosk.store.db import close_database, open_database
from printing.fonts import fonts
from printing.model import NoticeData, NoticeRow, NoticeSection, PageSetup, Phone
from printing.notice import NoticeError, render_notice
from tests.helpers.cli import run_kiosk
from tests.helpers.data import copy_database

LONG_REMARK = "龘" * 30  # one distinctive character, far longer than the 备注 column


def _data(rows: list[NoticeRow], **changes) -> NoticeData:
    base = dict(
        notice_id="371522102201-2025", title="莘县朝城镇北赵楼村2025年度惠民惠农财政补贴资金发放结果公示",
        town="朝城镇", village="北赵楼村", year=2025, sections=[NoticeSection("", rows)],
        basis=["《关于进一步加强惠民惠农财政补贴资金“一卡通”管理的指导意见》(财办〔2020〕37号)"],
        period_start=dt.date(2025, 12, 20), period_end=dt.date(2025, 12, 26), period_text="7天",
        objection="请向镇政府或县财政局反映。",
        phones=[Phone("镇纪委", "0635-7301022"), Phone("政务服务便民热线", "12345")],
        issuers=("朝城镇人民政府", "北赵楼村民委员会"), issue_date=dt.date(2025, 12, 20),
        print_date=dt.date(2026, 11, 28), data_as_of="2026-11-28 09:00", feed_version=3,
        verify_base_url="https://gk.shenxian.example/verify", print_no="P20261128-0001",
        households=1000, persons=0, items_count=1,
    )  # fmt: skip
    base.update(changes)
    return NoticeData(**base)


def _rows(count: int) -> list[NoticeRow]:
    return [
        NoticeRow(f"张{'明华建国'[i % 4]}{'强伟'[i % 2]}", f"371522********{i:04d}", "耕地地力保护补贴",
                  f"{fmt.hundredths(200 + i)}亩", "125.00/亩", 25_000 + i * 7,
                  LONG_REMARK if i == 3 else "")
        for i in range(count)
    ]  # fmt: skip


def pdftext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip


def pages_of(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout)[1])


@pytest.fixture(scope="module")
def thousand(tmp_path_factory) -> tuple[Path, object, NoticeData]:
    data = _data(_rows(1000))
    out = tmp_path_factory.mktemp("notice") / "notice.pdf"
    return out, render_notice(data, out), data


def test_cjk_font_is_embedded_as_a_subset_and_nothing_else_is_needed(thousand):
    out, _, _ = thousand
    listing = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]  # fmt: skip
    assert listing
    for line in listing:
        name, *_ = line.split()
        emb, sub = line.split()[-5:-3]
        assert re.match(r"[A-Z]{6}\+WenQuanYiMicroHei", name), line
        assert (emb, sub) == ("yes", "yes"), line


def test_every_page_repeats_the_header_and_has_a_subtotal(thousand):
    out, result, data = thousand
    assert result.pages == pages_of(out) > 20
    subtotals = []
    for page in range(1, result.pages + 1):
        text = pdftext(out, "-layout", "-f", str(page), "-l", str(page))
        if "371522********" not in text:
            continue  # the closing page with the seals
        assert "序号" in text and "身份证号" in text and "金额(元)" in text
        assert f"第 {page} 页 共 {result.pages} 页" in text
        subtotals.append(int(re.search(r"本页小计\s+([\d,.]+)", text)[1].replace(",", "")
                             .replace(".", "")))  # fmt: skip
    assert sum(subtotals) == data.total_fen
    everything = pdftext(out)
    assert sorted(re.findall(r"371522\*{8}(\d{4})", everything)) == [f"{i:04d}" for i in range(1000)]


def test_text_is_extractable_with_totals_period_and_phones(thousand):
    out, _, data = thousand
    text = pdftext(out)
    for expected in ("北赵楼村", "朝城镇", fmt.money(data.total_fen), fmt.money_in_words(data.total_fen),
                     "2025年12月20日至2025年12月26日", "0635-7301022", "12345",
                     "公示期满后，相关材料留存村委会，供村民查询。", "朝城镇人民政府（章）",
                     "P20261128-0001", "数据版本 3"):  # fmt: skip
        assert expected in text.replace("\n", ""), expected


def test_long_cells_wrap_and_lose_nothing(thousand):
    out, _, _ = thousand
    assert pdftext(out).count("龘") == len(LONG_REMARK)


def test_qr_code_decodes_to_the_verification_url(thousand, tmp_path):
    out, result, _ = thousand
    subprocess.run(["pdftoppm", "-png", "-r", "200", "-f", str(result.pages), "-l",
                    str(result.pages), str(out), str(tmp_path / "last")], check=True)  # fmt: skip
    (png,) = tmp_path.glob("last*.png")
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True,
                             text=True).stdout.strip()  # fmt: skip
    assert decoded == result.verify_url
    assert result.verify_url.endswith(f"/371522102201-2025?d={result.digest}")


def test_no_full_id_or_card_number_in_the_text(thousand):
    text = pdftext(thousand[0])
    assert not re.search(r"(?<!\d)\d{17}[\dX](?!\d)", text)
    assert not re.search(r"(?<!\d)\d{16,19}(?!\d)", text)


def test_digest_follows_content_not_print_details():
    from printing.notice import content_digest

    rows = _rows(5)
    assert content_digest(_data(rows)) == content_digest(_data(rows, print_no="P2", feed_version=9))
    changed = [*rows[:-1], NoticeRow("李四", "371522********9999", "耕地地力保护补贴", "1亩",
                                     "125.00/亩", 12_500)]  # fmt: skip
    assert content_digest(_data(changed)) != content_digest(_data(rows))


def test_empty_notice_is_refused_not_printed_blank(tmp_path):
    out = tmp_path / "empty.pdf"
    with pytest.raises(NoticeError, match="不生成空白公示单"):
        render_notice(_data([]), out)
    assert not out.exists()


def test_characters_no_font_has_are_reported_by_row(tmp_path):
    rows = _rows(3)
    rows[1] = NoticeRow("张\U0010fffd", "371522********0001", "耕地地力保护补贴", "1亩", "125.00/亩", 100)
    out = tmp_path / "x.pdf"
    with pytest.raises(NoticeError, match="第2行"):
        render_notice(_data(rows), out)
    assert not out.exists()


def test_rare_characters_use_the_fallback_font_when_one_is_installed(tmp_path):
    rows = _rows(3)
    rows[2] = NoticeRow("王𠀀", "371522********0002", "耕地地力保护补贴", "1亩", "125.00/亩", 100)
    out = tmp_path / "rare.pdf"
    if not fonts().fallbacks:
        with pytest.raises(NoticeError, match="第3行"):
            render_notice(_data(rows), out)
        return
    result = render_notice(_data(rows), out)
    assert result.fallback_rows == [3]
    listing = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    assert re.search(r"[A-Z]{6}\+HanaMin[AB]\s+TrueType\s+\S+\s+yes\s+yes", listing), listing
    # reportlab writes no ToUnicode entry for characters beyond U+FFFF, so 𠀀 is drawn (see
    # the fallback font above) but pdftotext cannot extract it; the rest of the row is text.
    assert "王" in pdftext(out)


def test_a3_landscape_per_item_sections(tmp_path):
    rows = _rows(40)
    data = _data(rows, sections=[NoticeSection("一、耕地地力保护补贴", rows[:20]),
                                 NoticeSection("二、实际种粮农民一次性补贴", rows[20:])])  # fmt: skip
    out = tmp_path / "a3.pdf"
    result = render_notice(data, out, PageSetup(size="A3", landscape=True))
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "1190.55 x 841.89" in info  # A3 landscape, in points
    text = pdftext(out)
    assert "一、耕地地力保护补贴" in text and "二、实际种粮农民一次性补贴" in text
    assert result.pages >= 2


# --- services: periods, assembly from the store, audit log, batch ---------------------


def test_natural_and_working_day_periods(demo_db):
    natural = notice_period.period(dt.date(2025, 9, 30), 7)
    assert (natural.end, natural.text) == (dt.date(2025, 10, 6), "7天")
    # 国庆/中秋 2025: 10/1-10/8 off, Saturday 10/11 is a 调休 workday.
    working = notice_period.period(dt.date(2025, 9, 30), 7, "工作日")
    assert (working.end, working.text) == (dt.date(2025, 10, 15), "7个工作日")
    assert notice_period.period(dt.date(2025, 9, 30), 7, "长期").end is None


def _busiest_village(db: Path) -> str:
    conn = sqlite3.connect(db)
    code = conn.execute("SELECT village_id FROM payout WHERE year = 2025 GROUP BY village_id"
                        " ORDER BY count(*) DESC LIMIT 1").fetchone()[0]  # fmt: skip
    conn.close()
    return code


def test_print_notice_from_the_store_is_audited(demo_db_file, tmp_path):
    # A copy whose county data is dated before the notice period chosen here.
    demo_db = tmp_path / "kiosk.sqlite3"
    copy_database(demo_db_file, demo_db)
    conn = sqlite3.connect(demo_db)
    conn.execute("UPDATE feed_state SET data_as_of = '2025-12-01 08:00:00'")
    conn.commit()
    conn.close()
    open_database(demo_db)
    village = _busiest_village(demo_db)
    out = tmp_path / "v.pdf"
    options = notices.NoticeOptions(start=dt.date(2025, 12, 22), period_unit="工作日")
    result = notices.print_notice(village, 2025, out, options=options)
    text = pdftext(out).replace("\n", "")
    assert "2025年12月22日至2025年12月30日" in text  # 7 working days
    assert "12345" in text and "人民政府（章）" in text
    conn = sqlite3.connect(demo_db)
    summary, digest = conn.execute(
        "SELECT summary, digest FROM audit_log WHERE kind = 'print' ORDER BY id DESC").fetchone()
    conn.close()
    assert digest == result.digest and village in summary
    close_database()


def test_a_notice_period_before_the_data_date_is_refused(demo_db, tmp_path):
    """A terminal whose clock reads 2001 must not print a 2001 公示期 for 2025 payouts."""
    village = _busiest_village(demo_db)
    options = notices.NoticeOptions(start=dt.date(2001, 1, 1))
    with pytest.raises(KnownError, match="请校准终端日期时间"):
        notices.print_notice(village, 2025, tmp_path / "v.pdf", options=options)
    assert not (tmp_path / "v.pdf").exists()


def test_village_without_payouts_that_year_is_a_clear_message(demo_db, tmp_path):
    with pytest.raises(KnownError, match="没有补贴发放记录"):
        notices.print_notice(_busiest_village(demo_db), 2019, tmp_path / "none.pdf")
    assert not (tmp_path / "none.pdf").exists()


def test_cli_prints_a_township_batch_with_an_index(demo_db, tmp_path):
    out = tmp_path / "town"
    result = run_kiosk("print", "township", "--township", "371522101", "--year", "2025", "--out", out,
                       "--db", demo_db, ok=True)  # fmt: skip
    pdfs = sorted(out.glob("*.pdf"))
    index = (out / "index.csv").read_text(encoding="utf-8-sig").splitlines()
    conn = sqlite3.connect(demo_db)
    villages = conn.execute("SELECT count(*) FROM village WHERE town_id = '371522101'").fetchone()[0]
    conn.close()
    assert pdfs and len(index) == 1 + villages  # every village listed, printed or skipped
    assert all(pages_of(p) >= 1 for p in pdfs)
    assert f"已生成 {len(pdfs)} 个村的公示单" in result.stdout
