"""The 打印公示 page, driven as staff and villagers would: open from a village, flip pages,
save to a USB stick (real folders standing in for mounted sticks through KIOSK_USB_ROOTS),
batch print a town onto a stick. Printing through a real CUPS is in tests/printing/test_printer_cups.py."""

import os
import re
import subprocess

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from kiosk.app import create_app
from kiosk.services import admin
from kiosk.ui.drives import ENV_ROOTS, NO_DRIVE, is_removable_root
from tests.helpers.print_page import TASK_MS, kiosk_window, open_print_page, print_rows, tap_ready, wait_idle


@pytest.fixture
def usb(tmp_path, monkeypatch):
    """Two folders standing in for two mounted USB sticks."""
    sticks = [tmp_path / "usb" / "KINGSTON", tmp_path / "usb" / "SANDISK"]
    for stick in sticks:
        stick.mkdir(parents=True)
    monkeypatch.setenv(ENV_ROOTS, os.pathsep.join(map(str, sticks)))
    return sticks


def test_preview_flips_pages_by_touch(qtbot, demo_db, tmp_path):
    window, page = open_print_page(qtbot, tmp_path)
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


def test_preview_takes_no_print_number_and_records_nothing(qtbot, print_db, tmp_path):
    before = print_rows(print_db)
    _, page = open_print_page(qtbot, tmp_path)
    assert page.pdf_path.exists()
    text = subprocess.run(["pdftotext", str(page.pdf_path), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert "打印编号 预览" in text and not re.search(r"P\d{8}-\d{4}", text)
    assert print_rows(print_db) == before


def test_preview_files_are_deleted_and_the_scratch_folder_goes_with_the_page(qtbot, demo_db, tmp_path):
    window, page = open_print_page(qtbot, tmp_path)
    first, scratch = page.pdf_path, page._scratch
    window.show_print(window.village_code, 2025)  # the next load replaces the preview
    assert not first.exists()
    wait_idle(qtbot, page)
    assert page.pdf_path.exists()
    page.clear()
    assert page.pdf_path is None and list(scratch.iterdir()) == []
    page._scratch_dir.cleanup()  # what destroying the page or quitting the app does
    assert not scratch.exists()


def test_a_preview_still_being_made_when_the_villager_leaves_leaves_nothing(qtbot, demo_db, tmp_path):
    from kiosk.ui import tasks

    window, page = open_print_page(qtbot, tmp_path)
    scratch = page._scratch
    window.show_print(window.village_code, 2025)
    assert page.task is not None and page.task.name == "preview"
    window.reset()  # the idle timeout
    tasks.wait_for_all()
    qtbot.wait(50)  # its queued result arrives and is ignored
    assert page.pdf_path is None and page.message.text() == "" and list(scratch.iterdir()) == []


def test_qprinter_path_renders_every_page_off_the_ui_thread(qtbot, demo_db, tmp_path):
    """The Windows path (no CUPS): QPrinter, here writing a PDF, from a worker thread."""
    from kiosk.ui.printing import print_with_qprinter
    from kiosk.ui.tasks import run_task

    _, page = open_print_page(qtbot, tmp_path)
    out = tmp_path / "printed.pdf"

    def work(_task):
        device = QPrinter(QPrinter.PrinterMode.HighResolution)
        device.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        device.setOutputFileName(str(out))
        device.setResolution(150)  # a real printer's 600-1200 dpi takes ~30 s here
        return print_with_qprinter(page.pdf_path, device)

    results = []
    task = run_task(work, name="test-qprinter", on_success=results.append, on_failure=results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=TASK_MS)
    task.wait()
    assert results == [page.document.pageCount()]
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info)[1]) == results[0]
    # The page's own entry point for a QPrinter renders the preview the same way.
    device = QPrinter(QPrinter.PrinterMode.HighResolution)
    device.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    device.setOutputFileName(str(tmp_path / "again.pdf"))
    device.setResolution(150)
    assert page.print_to(device) == results[0]


def test_save_to_usb_lists_the_sticks_and_never_overwrites(qtbot, print_db, tmp_path, usb):
    before = print_rows(print_db)
    _, page = open_print_page(qtbot, tmp_path)
    tap_ready(qtbot, page.save_button)
    assert page.panels.currentWidget() is page.drives
    buttons = page.drives.buttons
    assert set(buttons) == set(usb) and all(b.isVisible() for b in buttons.values())
    assert buttons[usb[0]].text().startswith("KINGSTON（可用 ")
    assert all(b.height() >= 80 for b in buttons.values())
    tap_ready(qtbot, buttons[usb[0]])
    wait_idle(qtbot, page)
    assert page.message.text().startswith("已保存到U盘：")
    tap_ready(qtbot, page.save_button)
    tap_ready(qtbot, page.drives.buttons[usb[0]])
    wait_idle(qtbot, page)
    saved = sorted(usb[0].iterdir())
    first = min(saved, key=lambda p: len(p.name))
    assert first.name.startswith("公示单_") and list(usb[1].iterdir()) == []
    assert saved == sorted([first, first.with_name(f"{first.stem}(2).pdf")])
    for path in saved:
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        assert int(re.search(r"Pages:\s+(\d+)", info)[1]) == page.document.pageCount()
    new = print_rows(print_db)[len(before):]
    pages = page.document.pageCount()
    assert len(new) == 2
    assert {row.split(" → ")[1] for row in new} == {str(p) for p in saved}
    assert all(f" {pages}页 → " in row for row in new)
    numbers = [row.split()[0] for row in new]
    assert len(set(numbers)) == 2 and all(re.fullmatch(r"P\d{8}-\d{4}", n) for n in numbers)
    assert page.panels.currentWidget() is page.preview_panel and page.save_button.isEnabled()


@pytest.fixture
def read_only_stick(tmp_path):
    stick = tmp_path / "ro-stick"
    stick.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(stick)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a read-only tmpfs here: {done.stderr.strip()}")
    yield stick
    subprocess.run(["umount", str(stick)], check=True)


def test_a_read_only_stick_fails_in_chinese_and_the_page_recovers(qtbot, print_db, tmp_path,
                                                                 read_only_stick, monkeypatch):  # fmt: skip
    monkeypatch.setenv(ENV_ROOTS, str(read_only_stick))
    before = print_rows(print_db)
    _, page = open_print_page(qtbot, tmp_path)
    tap_ready(qtbot, page.save_button)
    tap_ready(qtbot, page.drives.buttons[read_only_stick])
    wait_idle(qtbot, page)
    assert "只读" in page.message.text() and "U盘" in page.message.text()
    assert page.panels.currentWidget() is page.preview_panel
    assert page.save_button.isEnabled() and page.print_button.isEnabled()
    assert print_rows(print_db) == before  # nothing written, nothing recorded
    assert list(page._scratch.glob("save*")) == []


def test_no_stick_says_so(qtbot, demo_db, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_ROOTS, str(tmp_path / "no-such-stick"))
    _, page = open_print_page(qtbot, tmp_path)
    tap_ready(qtbot, page.save_button)
    assert page.drives.buttons == {}
    assert page.drives.status.text() == NO_DRIVE == "未检测到U盘，请插入U盘后重试"
    assert page.drives.status.isVisible()
    (tmp_path / "no-such-stick").mkdir()  # plugged in now
    tap_ready(qtbot, page.drives.rescan)
    assert len(page.drives.buttons) == 1
    tap_ready(qtbot, page.drives.cancel)
    assert page.panels.currentWidget() is page.preview_panel and page.save_button.isEnabled()


def test_idle_reset_forgets_the_drive_list(qtbot, demo_db, tmp_path, usb):
    window, page = open_print_page(qtbot, tmp_path)
    tap_ready(qtbot, page.save_button)
    assert page.drives.buttons
    window.reset()
    assert window.page_name() == "home"
    assert page.drives.buttons == {} and page.panels.currentWidget() is page.preview_panel
    assert page.pdf_path is None and page.message.text() == ""


def test_only_removable_mounts_count_as_sticks():
    assert is_removable_root("/media/kiosk/KINGSTON", "linux")
    assert is_removable_root("/run/media/kiosk/U", "linux") and is_removable_root("/mnt/usb", "linux")
    assert not is_removable_root("/", "linux") and not is_removable_root("/home", "linux")
    assert is_removable_root("E:/", "win32", "C:") and is_removable_root("F:\\", "win32", "C:")
    assert not is_removable_root("C:/", "win32", "C:") and not is_removable_root("//server/share", "win32")


def test_back_home(qtbot, demo_db, tmp_path):
    window, _ = open_print_page(qtbot, tmp_path)
    window.go_home()
    assert window.page_name() == "home"


def _unlock_and_open_batch(qtbot, window) -> None:
    admin.set_pin("246810")
    qtbot.mouseClick(window.staff_button, Qt.MouseButton.LeftButton)
    for digit in "246810":
        qtbot.mouseClick(window.admin.pad.keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.admin.enter, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.admin.batch_button, Qt.MouseButton.LeftButton)


def test_batch_print_of_a_town_goes_to_a_new_folder_on_a_stick(qtbot, print_db, tmp_path, usb):
    window = kiosk_window(qtbot, tmp_path / "terminal")
    qtbot.mouseClick(window.home.town_buttons["371522101"], Qt.MouseButton.LeftButton)
    _unlock_and_open_batch(qtbot, window)
    page = window.batch_page
    assert window.page_name() == "batch" and "张鲁回族镇 2025年度" in page.title.text()
    for run in (1, 2):
        tap_ready(qtbot, page.start_button)
        assert set(page.drives.buttons) == set(usb)
        tap_ready(qtbot, page.drives.buttons[usb[1]])
        # Wait on what the page shows: the worker may finish before a signal spy could connect.
        qtbot.waitUntil(lambda: page.start_button.isEnabled(), timeout=TASK_MS)
        page.worker.wait()
        folder = usb[1] / ("公示单_张鲁回族镇_2025" + ("" if run == 1 else "(2)"))
        assert (folder / "index.csv").exists() and list(folder.glob("*.pdf"))
        assert "已生成" in page.status.text() and str(folder) in page.status.text()
    assert page.progress.value() == page.progress.maximum() > 0
    assert sorted(p.name for p in usb[1].iterdir()) == ["公示单_张鲁回族镇_2025", "公示单_张鲁回族镇_2025(2)"]


def test_batch_print_can_be_cancelled(qtbot, print_db, tmp_path):
    window = kiosk_window(qtbot, tmp_path / "terminal")
    qtbot.mouseClick(window.home.town_buttons["371522102"], Qt.MouseButton.LeftButton)
    window.show_batch()
    page = window.batch_page
    page.start(tmp_path)
    page.cancel()
    qtbot.waitUntil(lambda: page.start_button.isEnabled(), timeout=TASK_MS)
    page.worker.wait()
    assert page.status.text().startswith("已取消")
    villages = len((tmp_path / "index.csv").read_text(encoding="utf-8-sig").splitlines()) - 1
    assert villages < 13  # stopped before the town's last village


def test_printing_can_require_the_staff_pin(qtbot, demo_db, tmp_path):
    window = kiosk_window(qtbot, tmp_path)
    window.settings.set("print_requires_pin", True)
    admin.set_pin("246810")
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


def test_scratch_folders_left_by_a_crash_are_swept(tmp_path, monkeypatch):
    import tempfile
    import time

    from kiosk.ui.print_page import sweep_stale_scratch

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stale, fresh = tmp_path / "kiosk-print-old", tmp_path / "kiosk-print-new"
    for folder in (stale, fresh):
        folder.mkdir()
        (folder / "preview.pdf").write_bytes(b"%PDF")
    day_ago = time.time() - 24 * 3600
    os.utime(stale, (day_ago, day_ago))
    other = tmp_path / "someone-else"
    other.mkdir()
    os.utime(other, (day_ago, day_ago))
    assert sweep_stale_scratch() == 1
    assert not stale.exists() and fresh.exists() and other.exists()
