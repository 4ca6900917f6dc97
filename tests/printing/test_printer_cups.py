"""Printing through a real CUPS: a private ``cupsd`` (its own config, spool and socket under
a temporary folder, nothing in /etc/cups changed) with a cups-pdf queue, driven from the
print page's own confirm screen. Needs ``cups cups-client printer-driver-cups-pdf`` and root
(cups-pdf only runs as root); skipped with the reason otherwise."""

import os
import pwd
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QMenu

from kiosk.errors import KnownError
from kiosk.services import printer
from kiosk.ui.drives import ENV_ROOTS
from tests.helpers.print_page import TASK_MS, kiosk_window, open_print_page, print_rows, tap_ready, wait_idle

PRINTER = "KioskPDF"
CUPS_PDF = Path("/usr/lib/cups/backend/cups-pdf")
CUPS_PDF_PPD = "lsb/usr/cups-pdf/CUPS-PDF_opt.ppd"

CUPSD_CONF = """LogLevel info
Listen {root}/cups.sock
Browsing No
WebInterface No
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Policy default>
  JobPrivateAccess default
  JobPrivateValues default
  SubscriptionPrivateAccess default
  SubscriptionPrivateValues default
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""
CUPS_FILES_CONF = """ServerRoot {root}/conf
RequestRoot {root}/spool
CacheDir {root}/cache
StateDir {root}/state
TempDir {root}/tmp
AccessLog {root}/log/access_log
ErrorLog {root}/log/error_log
PageLog {root}/log/page_log
SystemGroup root
"""


def _cups_pdf_out(user: str) -> Path:
    """Where cups-pdf writes a job of ``user`` (the ``Out`` line of cups-pdf.conf)."""
    out = "/var/spool/cups-pdf/${USER}"
    conf = Path("/etc/cups/cups-pdf.conf")
    if conf.exists():
        for line in conf.read_text(errors="replace").splitlines():
            if line.startswith("Out "):
                out = line.split(None, 1)[1].strip()
    home = pwd.getpwnam(user).pw_dir
    return Path(out.replace("${HOME}", home).replace("${USER}", user))


@pytest.fixture(scope="module")
def cups():
    """A private cupsd with one cups-pdf printer; CUPS_SERVER points the clients at it."""
    missing = [t for t in ("cupsd", "lp", "lpstat", "lpadmin") if shutil.which(t) is None]
    if missing or not CUPS_PDF.exists():
        pytest.skip(f"CUPS with cups-pdf is not installed (missing {missing or [str(CUPS_PDF)]});"
                    " apt-get install cups cups-client printer-driver-cups-pdf")  # fmt: skip
    if os.geteuid() != 0:
        pytest.skip("cups-pdf writes files only under a cupsd running as root")
    # Not under pytest's tmp folder: that is private to root, and CUPS filters run as lp.
    root = Path(tempfile.mkdtemp(prefix="kiosk-cups-"))
    root.chmod(0o755)
    for sub in ("conf", "spool", "cache", "state", "log", "tmp"):
        (root / sub).mkdir()
    (root / "tmp").chmod(0o1777)  # filters run as lp and write their scratch files here
    (root / "conf" / "cupsd.conf").write_text(CUPSD_CONF.format(root=root))
    (root / "conf" / "cups-files.conf").write_text(CUPS_FILES_CONF.format(root=root))
    old = os.environ.get("CUPS_SERVER")
    os.environ["CUPS_SERVER"] = str(root / "cups.sock")
    daemon = subprocess.Popen(["cupsd", "-f", "-c", str(root / "conf" / "cupsd.conf"),
                               "-s", str(root / "conf" / "cups-files.conf")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        deadline = time.monotonic() + 15
        while not printer.scheduler_running():
            if daemon.poll() is not None or time.monotonic() > deadline:
                log = root / "log" / "error_log"
                said = daemon.stderr.read().decode() if daemon.poll() is not None else ""
                pytest.skip(f"cupsd did not start: {said} {log.read_text()[-500:] if log.exists() else ''}")
            time.sleep(0.1)
        # cups-pdf turns the job into PostScript and back; poppler's pdftocairo keeps the
        # text extractable on the way (the default renderer loses its Unicode map).
        subprocess.run(["lpadmin", "-p", PRINTER, "-v", "cups-pdf:/", "-m", CUPS_PDF_PPD, "-E",
                        "-o", "pdftops-renderer-default=pdftocairo"],
                       check=True, capture_output=True)  # fmt: skip
        user = pwd.getpwuid(os.getuid()).pw_name
        cups = SimpleNamespace(root=root, printer=PRINTER, out=_cups_pdf_out(user), printed=[])
        yield cups
        for path in cups.printed:  # what these tests printed, not what else is in the folder
            path.unlink(missing_ok=True)
    finally:
        daemon.terminate()
        try:
            daemon.wait(10)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
        if old is None:
            os.environ.pop("CUPS_SERVER", None)
        else:
            os.environ["CUPS_SERVER"] = old
        shutil.rmtree(root, ignore_errors=True)


def _wait_completed(job: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done = subprocess.run(["lpstat", "-W", "completed", "-o", PRINTER], capture_output=True,
                              text=True, check=True).stdout  # fmt: skip
        if any(line.split()[:1] == [job] for line in done.splitlines()):
            return
        time.sleep(0.3)
    state = subprocess.run(["lpstat", "-l", "-o", "-p"], capture_output=True, text=True).stdout
    raise AssertionError(f"job {job} did not complete:\n{state}")


def _printed_file(cups, job: str, since: float) -> Path:
    """cups-pdf's file for ``job`` (a private cupsd numbers jobs from 1 again each run, so
    only files written since the print count)."""
    number = job.rsplit("-", 1)[1]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = [p for p in cups.out.glob(f"*job_{number}.pdf") if p.stat().st_mtime >= since - 1]
        if found:
            cups.printed.extend(found)
            return found[0]
        time.sleep(0.3)
    raise AssertionError(f"cups-pdf wrote no file for job {job} in {cups.out}")


def test_the_printer_service_finds_printers_and_says_what_is_wrong(cups, tmp_path, monkeypatch):
    assert printer.resolve(PRINTER) == PRINTER
    with pytest.raises(KnownError, match="找不到打印机“没有这台”") as raised:
        printer.resolve("没有这台")
    assert PRINTER in raised.value.en
    with pytest.raises(KnownError, match="未设置打印机，本机也没有默认打印机"):
        printer.resolve("")  # the private cupsd has no default destination yet
    subprocess.run(["lpadmin", "-d", PRINTER], check=True, capture_output=True)
    assert printer.resolve("") == PRINTER  # "" in the settings: the system default
    # lp refusing a job: its words reach both messages.
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    subprocess.run(["cupsreject", PRINTER], check=True)
    try:
        with pytest.raises(KnownError, match="打印失败") as raised:
            printer.submit(pdf, PRINTER, "refused")
        assert raised.value.en.startswith("lp failed:") and "not accepting jobs" in raised.value.en
    finally:
        subprocess.run(["cupsaccept", PRINTER], check=True)
    # No scheduler at that address.
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "no-cupsd.sock"))
    with pytest.raises(KnownError, match="打印服务未运行"):
        printer.resolve(PRINTER)
    # No CUPS at all.
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(KnownError, match="未安装打印服务") as raised:
        printer.resolve(PRINTER)
    assert "CUPS is not installed" in raised.value.en


def test_a_villager_prints_through_our_confirm_screen_to_cups(qtbot, cups, print_db, tmp_path):
    window, page = open_print_page(qtbot, tmp_path)
    window.settings.set("printer", PRINTER)
    before = print_rows(print_db)
    pages, since = page.document.pageCount(), time.time()
    tap_ready(qtbot, page.print_button)
    qtbot.waitUntil(lambda: page.panels.currentWidget() is page.confirm_panel, timeout=TASK_MS)
    assert f"打印机：{PRINTER}" in page.confirm_text.text()
    assert f"共 {pages} 页" in page.confirm_text.text()
    assert page.confirm_button.height() >= 80 and page.cancel_button.height() >= 80
    tap_ready(qtbot, page.confirm_button)
    assert page.panels.currentWidget() is page.busy_panel and page.busy_panel.text() == "正在打印……"
    wait_idle(qtbot, page)
    assert page.message.text().startswith(f"已发送到打印机“{PRINTER}”，共 {pages} 页"), page.message.text()
    assert page.panels.currentWidget() is page.preview_panel and page.print_button.isEnabled()
    new = print_rows(print_db)[len(before):]
    assert len(new) == 1 and f" {pages}页 → 打印机 {PRINTER}（作业 {PRINTER}-" in new[0]
    job = re.search(r"作业 (\S+?)）", new[0])[1]
    _wait_completed(job)
    printed = _printed_file(cups, job, since)
    text = subprocess.run(["pdftotext", str(printed), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    # The title as printed; cups-pdf's PostScript round trip may put digits in a Type 3 font.
    assert re.sub(r"\d", "", page._title) in re.sub(r"[\s\d]", "", text)
    fonts = subprocess.run(["pdffonts", str(printed)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]  # fmt: skip
    embedded = [re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", f)[1] for f in fonts]
    assert embedded and set(embedded) == {"yes"}, fonts
    info = subprocess.run(["pdfinfo", str(printed)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info)[1]) == pages
    assert list(page._scratch.glob("print*")) == []  # the final PDF is not kept


def test_a_villager_prints_their_own_card_to_cups(qtbot, cups, print_db, tmp_path):
    """The lookup's card, 打印明细: the PDF CUPS printed holds the name and each year's total."""
    from PySide6.QtCore import Qt

    window = kiosk_window(qtbot, tmp_path)
    window.settings.set("printer", PRINTER)
    with sqlite3.connect(print_db) as conn:
        village, last4 = conn.execute("SELECT village_id, id_last4 FROM payout LIMIT 1").fetchone()
    window.show_village(village)
    lookup = window.payouts.lookup
    window.payouts.show_lookup()
    for char in last4:
        qtbot.mouseClick(lookup.keypad.keys[char], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(lookup.search, Qt.MouseButton.LeftButton)
    if lookup.step() == lookup.CHOOSE:
        qtbot.mouseClick(lookup.name_buttons[0], Qt.MouseButton.LeftButton)
    card, since = lookup.card, time.time()
    tap_ready(qtbot, card.print_button)
    qtbot.waitUntil(lambda: card.task is None, timeout=TASK_MS)
    assert card.print_message.text() == f"明细已发送到打印机“{PRINTER}”，请到打印机处取"
    with sqlite3.connect(print_db) as conn:
        (job,) = conn.execute("SELECT job_id FROM print_job WHERE what = 'card'").fetchone()
    _wait_completed(job)
    text = subprocess.run(["pdftotext", str(_printed_file(cups, job, since)), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    flat = re.sub(r"[\s\d]", "", text)  # cups-pdf's PostScript round trip may put digits in a Type 3 font
    assert card.card.name in flat and "年共领取补贴" in flat and "补贴发放明细" in flat


def test_an_unknown_printer_is_said_in_chinese_and_the_buttons_come_back(qtbot, cups, print_db, tmp_path):
    window, page = open_print_page(qtbot, tmp_path)
    window.settings.set("printer", "三楼打印机")
    before = print_rows(print_db)
    tap_ready(qtbot, page.print_button)
    wait_idle(qtbot, page)
    assert page.message.text() == "找不到打印机“三楼打印机”，请联系工作人员检查打印机设置"
    assert page.panels.currentWidget() is page.preview_panel
    assert page.print_button.isEnabled() and page.save_button.isEnabled()
    assert print_rows(print_db) == before


def test_cancel_and_idle_reset_leave_no_confirm_screen(qtbot, cups, print_db, tmp_path):
    window, page = open_print_page(qtbot, tmp_path)
    window.settings.set("printer", PRINTER)
    code, before = window.village_code, print_rows(print_db)
    tap_ready(qtbot, page.print_button)
    qtbot.waitUntil(lambda: page.panels.currentWidget() is page.confirm_panel, timeout=TASK_MS)
    tap_ready(qtbot, page.cancel_button)
    assert page.panels.currentWidget() is page.preview_panel and page.print_button.isEnabled()
    tap_ready(qtbot, page.print_button)
    qtbot.waitUntil(lambda: page.panels.currentWidget() is page.confirm_panel, timeout=TASK_MS)
    window.reset()  # the idle timeout, with the confirmation on screen
    assert window.page_name() == "home"
    assert page.panels.currentWidget() is page.preview_panel and page.pdf_path is None
    assert print_rows(print_db) == before
    # Reset while printing: the villager's result does not stay for the next one.
    window.show_village(code)
    window.show_print(code, 2025)
    wait_idle(qtbot, page)  # the preview
    tap_ready(qtbot, page.print_button)
    qtbot.waitUntil(lambda: page.panels.currentWidget() is page.confirm_panel, timeout=TASK_MS)
    since = time.time()
    tap_ready(qtbot, page.confirm_button)
    task = page.task
    window.reset()
    task.wait()
    qtbot.wait(100)  # its queued result arrives and is ignored
    assert page.task is None and page.message.text() == "" and page.pdf_path is None
    assert page.panels.currentWidget() is page.preview_panel
    for row in print_rows(print_db)[len(before):]:  # sent before the reset: it prints
        job = re.search(r"作业 (\S+?)）", row)[1]
        _wait_completed(job)
        _printed_file(cups, job, since)


class _DialogSpy(QObject):
    """Records every dialog or menu that is about to show, anywhere in the application."""

    def __init__(self):
        super().__init__()
        self.shown: list[str] = []

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QDialog | QMenu):
            self.shown.append(f"{type(watched).__name__} {watched.windowTitle()}")
        return False


def test_no_button_on_the_print_page_opens_a_dialog_or_menu(qtbot, cups, print_db, tmp_path, monkeypatch):
    stick = tmp_path / "stick"
    stick.mkdir()
    monkeypatch.setenv(ENV_ROOTS, str(stick))
    window, page = open_print_page(qtbot, tmp_path)
    window.settings.set("printer", PRINTER)
    spy = _DialogSpy()
    QApplication.instance().installEventFilter(spy)
    probe = QDialog(window)  # the spy sees a dialog when one shows
    probe.show()
    probe.close()
    assert spy.shown == ["QDialog "]
    spy.shown.clear()
    since = time.time()
    tapped: set[int] = set()

    def press(button) -> None:
        tap_ready(qtbot, button)
        tapped.add(shiboken6.getCppPointer(button)[0])
        wait_idle(qtbot, page)

    try:
        if page.next.isEnabled():
            press(page.next)
            press(page.previous)
        press(page.print_button)
        press(page.cancel_button)  # on our confirm screen
        press(page.print_button)
        press(page.confirm_button)
        press(page.save_button)
        press(page.drives.rescan)
        press(page.drives.cancel)
        press(page.save_button)
        press(page.drives.buttons[stick])
        said = page.message.text()
        for button in page.zoom_buttons.values():
            press(button)
        press(page.options_button)
        for button in page.options.buttons.values():  # each renders the preview again
            if button.isEnabled():
                press(button)
        press(page.options.buttons["7天"])
        press(page.options.working_days)  # 长期 disabled it; 7天 enabled it again
        press(page.back_button)
    finally:
        QApplication.instance().removeEventFilter(spy)
    assert spy.shown == []
    assert [w for w in QApplication.topLevelWidgets() if w.isVisible()] == [window]
    untapped = [b.text() for b in page.findChildren(QAbstractButton)
                if shiboken6.getCppPointer(b)[0] not in tapped]  # fmt: skip
    assert untapped == ([] if page.document.pageCount() > 1 else ["上一页", "下一页"])
    assert "已发送到打印机" not in said and "已保存到U盘" in said
    assert len(list(stick.iterdir())) == 1
    job = re.search(r"作业 (\S+?)）", print_rows(print_db)[-2])[1]
    _wait_completed(job)
    _printed_file(cups, job, since)
