"""核验公示单 at the terminal: a USB scanner's keystrokes (the QR's URL and Enter), wherever the
kiosk is, or a print number typed on the keypad, say 现行, 已更新 or 未找到."""

import sqlite3
import subprocess

import pytest

from kiosk.services import notices
from tests.helpers.kiosk import checked, open_kiosk, scan, tap

VILLAGE_TOWN = "371522102"


def _qr_url(pdf) -> str:
    """The URL in a printed sheet's QR, read as a phone would (zbarimg on the rendered page)."""
    png = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-l", "9", str(pdf), str(png)], check=True)
    pages = sorted(png.parent.glob(f"{png.name}*.png"))
    found = subprocess.run(["zbarimg", "--quiet", "--raw", *map(str, pages)], capture_output=True, text=True)
    return found.stdout.strip().splitlines()[0]


def _print_sheet(village: str, year: int, out) -> str:
    """A sheet printed through the services the print page uses (recorded in the print log)."""
    options = notices.NoticeOptions(verify_base_url="http://127.0.0.1:9/verify", actor="test")
    prepared = notices.prepare_notice(village, year, out, None, options)
    notices.record_print(prepared, "测试打印机", "test")
    return prepared.print_no


def test_scanned_sheet_is_current_then_updated_and_a_made_up_one_is_not_found(qtbot, terminal, tmp_path):
    with sqlite3.connect(terminal) as conn:
        query = "SELECT village_id, year FROM payout WHERE village_id LIKE ? ORDER BY year DESC LIMIT 1"
        village, year = conn.execute(query, (f"{VILLAGE_TOWN}%",)).fetchone()
    sheet = tmp_path / "sheet.pdf"
    print_no = _print_sheet(village, year, sheet)
    url = _qr_url(sheet)
    assert f"/{village}-{year}" in url and "?d=" in url
    window = open_kiosk(qtbot, tmp_path / "settings.json", terminal)
    window.home.choose_town(VILLAGE_TOWN)  # anywhere: the scanner needs no field in focus
    scan(window, url)
    page = window.verify
    assert window.page_name() == "verify" and page.checking and "请稍候" in page.message.text()
    checked(qtbot, page)
    assert page.verdict.status == "现行" and "一致" in page.message.text()
    assert page.model.rowCount() == len(page.verdict.rows) > 0 and page.reprint.isVisible()
    # The county corrects one row; the terminal syncs it (here: written as a sync would).
    with sqlite3.connect(terminal) as conn:
        first = "SELECT MIN(id) FROM payout WHERE village_id = ? AND year = ?"
        conn.execute(f"UPDATE payout SET amount_fen = amount_fen + 100 WHERE id = ({first})", (village, year))
    window.go_home()
    scan(window, url)
    checked(qtbot, page)
    assert page.verdict.status == "已更新" and "已更新" in page.message.text()
    # The print number typed on the keypad finds the same sheet.
    tap(qtbot, page.again)
    for char in print_no:
        tap(qtbot, page.keypad.keys[char])
    tap(qtbot, page.check_button)
    checked(qtbot, page)
    assert page.verdict.status == "已更新" and page.verdict.sheet.village_code == village
    # A made-up 校验码 in an otherwise right address.
    scan(window, url.split("?d=")[0] + "?d=0123456789abcdef")
    checked(qtbot, page)
    assert page.verdict.status == "未找到" and "未找到" in page.message.text()
    # 重新打印 prints the current data of that notice.
    tap(qtbot, page.reprint)
    assert window.page_name() == "print" and window.print_page._notice == (village, year, None)
    window.quit_kiosk()


def test_typing_on_the_keypad_is_not_taken_for_a_scan_and_junk_is_refused(qtbot, window):
    window.show_verify()
    page = window.verify
    for char in "12AB":
        tap(qtbot, page.keypad.keys[char])
    assert page.field.text() == "12AB"
    tap(qtbot, page.check_button)
    checked(qtbot, page)
    assert page.verdict is None and "打印编号" in page.message.text()
    scan(window, "http://example.com/not-a-notice")
    checked(qtbot, page)
    assert page.verdict is None and "不是本县公示单" in page.message.text()


def test_a_typed_digest_is_found_among_the_towns_current_notices(demo_db):
    from kiosk.errors import KnownError
    from kiosk.services import verify

    with sqlite3.connect(demo_db) as conn:
        query = "SELECT village_id, year, item_id FROM payout WHERE village_id LIKE ? LIMIT 1"
        village, year, item = conn.execute(query, (f"{VILLAGE_TOWN}%",)).fetchone()
    digest = verify.check(verify.Sheet(village, year, item, "")).current_digest
    sheet = verify.read(digest, VILLAGE_TOWN)  # never printed here: found by recomputing
    assert sheet == verify.Sheet(village, year, item, digest)
    assert verify.check(sheet).status == "现行"
    with pytest.raises(KnownError, match="请先在首页选择乡镇"):
        verify.read(digest, None)


def test_an_answer_for_a_page_since_left_is_dropped(qtbot, window):
    """The villager walked away while a typed 校验码 was being looked for: the idle reset
    cleared the page, and the late answer must not fill it again."""
    window.show_verify()
    page = window.verify
    page.check("0123456789abcdef")
    page.clear()
    from kiosk.ui import tasks

    tasks.wait_for_all()
    qtbot.wait(50)  # the answer's signal is delivered on the UI thread
    assert page.verdict is None and not page.checking and page.message.text().startswith("请用扫码枪")
