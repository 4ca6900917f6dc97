"""The 打印公示 page, driven as staff would: open from a village, flip pages, print, save."""

import re
import subprocess

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from kiosk.app import create_app
from kiosk.config import Settings
from kiosk.ui.shell import KioskWindow


def _kiosk(qtbot, tmp_path) -> KioskWindow:
    create_app()
    window = KioskWindow(Settings(tmp_path / "settings.json"))
    qtbot.addWidget(window)
    window.resize(1280, 900)
    window.show()
    return window


def _open_print_page(qtbot, tmp_path):
    window = _kiosk(qtbot, tmp_path)
    qtbot.mouseClick(window.home.town_buttons["371522102"], Qt.MouseButton.LeftButton)
    first = next(iter(window.home.village_buttons.values()))
    qtbot.mouseClick(first, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.payouts.print_button, Qt.MouseButton.LeftButton)
    return window, window.print_page


def test_preview_flips_pages_by_touch(qtbot, demo_db, tmp_path):
    window, page = _open_print_page(qtbot, tmp_path)
    assert window.page_name() == "print"
    count = page.document.pageCount()
    assert count >= 1 and page.message.text().startswith(f"共 {count} 页")
    assert page.page_label.text() == f"第 1 / {count} 页"
    assert not page.previous.isEnabled()
    if count > 1:
        qtbot.mouseClick(page.next, Qt.MouseButton.LeftButton)
        assert page.page_label.text() == f"第 2 / {count} 页"
        qtbot.mouseClick(page.previous, Qt.MouseButton.LeftButton)
        assert page.page_label.text() == f"第 1 / {count} 页"
    for button in (page.previous, page.next, page.print_button, page.save_button):
        assert button.width() >= 60 and button.height() >= 60
        assert button.accessibleName()


def test_printing_renders_every_page(qtbot, demo_db, tmp_path):
    _, page = _open_print_page(qtbot, tmp_path)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    sent = page.print_to(printer)
    assert sent == page.document.pageCount()
    info = subprocess.run(["pdfinfo", str(tmp_path / "printed.pdf")], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert int(re.search(r"Pages:\s+(\d+)", info)[1]) == sent


def test_save_to_a_usb_folder(qtbot, demo_db, tmp_path):
    _, page = _open_print_page(qtbot, tmp_path)
    saved = page.save_to(tmp_path)
    assert saved.read_bytes() == page.pdf_path.read_bytes()
    assert "已保存" in page.message.text()


def test_back_home(qtbot, demo_db, tmp_path):
    window, _ = _open_print_page(qtbot, tmp_path)
    window.go_home()
    assert window.page_name() == "home"


def test_batch_print_of_a_town_runs_off_the_ui_thread(qtbot, demo_db, tmp_path):
    from kiosk.services import admin

    window = _kiosk(qtbot, tmp_path / "terminal")
    qtbot.mouseClick(window.home.town_buttons["371522101"], Qt.MouseButton.LeftButton)
    admin.set_pin(window.settings, "246810")
    qtbot.mouseClick(window.staff_button, Qt.MouseButton.LeftButton)
    for digit in "246810":
        qtbot.mouseClick(window.admin.pad.keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.admin.enter, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.admin.batch_button, Qt.MouseButton.LeftButton)
    page = window.batch_page
    assert window.page_name() == "batch" and "张鲁回族镇 2025年度" in page.title.text()
    page.start(tmp_path)
    # Wait on what the page shows: the worker may finish before a signal spy could connect.
    qtbot.waitUntil(lambda: page.start_button.isEnabled(), timeout=120_000)
    assert (tmp_path / "index.csv").exists()
    assert list(tmp_path.glob("*.pdf"))
    assert page.progress.value() == page.progress.maximum() > 0
    assert "已生成" in page.status.text()
    page.worker.wait()


def test_batch_print_can_be_cancelled(qtbot, demo_db, tmp_path):
    window = _kiosk(qtbot, tmp_path / "terminal")
    qtbot.mouseClick(window.home.town_buttons["371522102"], Qt.MouseButton.LeftButton)
    window.show_batch()
    page = window.batch_page
    page.start(tmp_path)
    page.cancel()
    qtbot.waitUntil(lambda: page.start_button.isEnabled(), timeout=120_000)
    page.worker.wait()
    assert page.status.text().startswith("已取消")
    villages = len((tmp_path / "index.csv").read_text(encoding="utf-8-sig").splitlines()) - 1
    assert villages < 13  # stopped before the town's last village


def test_printing_can_require_the_staff_pin(qtbot, demo_db, tmp_path):
    from kiosk.services import admin

    window = _kiosk(qtbot, tmp_path)
    window.settings.set("print_requires_pin", True)
    admin.set_pin(window.settings, "246810")
    qtbot.mouseClick(window.home.town_buttons["371522102"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(next(iter(window.home.village_buttons.values())), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.payouts.print_button, Qt.MouseButton.LeftButton)
    assert window.page_name() == "admin" and "PIN" in window.notice.text()
    for digit in "246810":
        qtbot.mouseClick(window.admin.pad.keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.admin.enter, Qt.MouseButton.LeftButton)
    window.show_print(window.village_code, 2025)
    assert window.page_name() == "print"


def test_qt_stock_texts_are_chinese(qtbot):
    """Stock Qt words left on staff screens (a context menu, a button box) read Chinese."""
    from PySide6.QtCore import QCoreApplication

    create_app()
    create_app()  # idempotent: one translator, however often the app is set up
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    assert QCoreApplication.translate("QLineEdit", "&Copy").startswith("复制")
