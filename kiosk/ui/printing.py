"""Where the kiosk's prints go, for every page that prints (the notice on 打印公示, the
受理回执): which printer, and how the PDF reaches it.

Where there is CUPS the PDF itself goes to ``lp`` (kiosk.services.printer); on Windows it
is rendered page by page through QPrinter. Which printer, and what to say when there is
none, is decided once, in kiosk.services.printer.choose. Qt's print modules are imported
only on the QPrinter path, so the CUPS path loads none of them; any thread may call these.

Every job handed over, or refused on the way, is recorded for the status report
(kiosk.services.health: the printer is judged by what became of its jobs), and a print that
went out is counted (kiosk.services.usage). Neither record may fail a print: a database
error there is logged.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import log
from kiosk.errors import KnownError
from kiosk.services import health, printer, usage

if TYPE_CHECKING:
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPrintSupport import QPrinter

_log = log.get("kiosk.print")


def find_printer(configured: str) -> str:
    """The printer a job goes to: the configured one (setting ``printer``), else the default.

    Raises:
        KnownError: no printer, an unknown one, or (CUPS) the print system missing or down.
    """
    return printer.resolve(configured) if printer.uses_cups() else qt_printer_name(configured)


def find_printer_for(what: str, configured: str, pages: int) -> str:
    """``find_printer`` for a job of ``what`` ("notice", "receipt", "checklist") with
    ``pages``: no printer to send it to is a failed job, recorded as one.

    Raises:
        KnownError: as find_printer.
    """
    try:
        return find_printer(configured)
    except KnownError as exc:
        _record(what, configured, "", pages, exc.zh)
        raise


def send_pdf(pdf: Path, name: str, title: str, *, what: str, pages: int | None = None) -> printer.PrintJob:
    """Hand ``pdf`` (a ``what``: "notice", "receipt", "checklist"; of ``pages`` pages,
    counted in the PDF when not given) to the printer ``name`` (from ``find_printer``); CUPS
    gives a job id, QPrinter none (""). The job, or its refusal, is recorded; a job handed
    over counts as a print.

    Raises:
        KnownError: the print system refused the job, or the printer could not be started.
    """
    pages = health.pdf_pages(pdf) if pages is None else pages
    try:
        job = _hand_over(pdf, name, title)
    except KnownError as exc:
        _record(what, name, "", pages, exc.zh)
        raise
    _record(what, job.printer or name, job.job_id, pages)
    try:
        usage.count("prints")
    except Exception:
        _log.exception("print not counted")
    return job


def _hand_over(pdf: Path, name: str, title: str) -> printer.PrintJob:
    if printer.uses_cups():
        return printer.submit(pdf, name, title)
    from PySide6.QtPrintSupport import QPrinter

    device = QPrinter(QPrinter.PrinterMode.HighResolution)
    device.setPrinterName(name)
    device.setDocName(title)
    print_with_qprinter(pdf, device)
    return printer.PrintJob(name, "")


def _record(what: str, name: str, job_id: str, pages: int, error: str = "") -> None:
    """One job for the status report; a database that cannot take it fails no print."""
    try:
        health.record_print(what, name, job_id, pages, error=error)
    except Exception:
        _log.exception("print job not recorded (%s to %s)", what, name or "(default)")


def print_rendered(render: Callable[[Path], object], configured: str, title: str, *, what: str) -> str:
    """Worker thread: ``render`` a PDF (a ``what``, as for ``send_pdf``) into a temporary file, hand
    it to the printer (the configured one, else the default) and remove it; returns the
    printer's name. The job, or its refusal, is recorded (``send_pdf``).

    Raises:
        KnownError: no printer, an unknown one, or the print system refused the job.
    """
    handle, name = tempfile.mkstemp(prefix="kiosk-print-", suffix=".pdf")
    os.close(handle)
    pdf = Path(name)
    try:
        render(pdf)
        pages = health.pdf_pages(pdf)
        target = find_printer_for(what, configured, pages)
        job = send_pdf(pdf, target, title, what=what, pages=pages)
        return job.printer or target
    finally:
        pdf.unlink(missing_ok=True)


def print_in_background(owner, render: Callable[[Path], object], configured: str, title: str, *,
                        what: str, name: str, button, message, sending: str, sent: Callable[[str], str],
                        failed: Callable[[KnownError], str]) -> None:  # fmt: skip
    """Print a ``what`` ("receipt", "checklist") from a page (``owner``, whose ``task`` holds
    its print job): ``button`` disabled and ``message`` saying ``sending`` while a task called
    ``name`` renders and prints off the UI thread, then ``sent(printer name)`` or
    ``failed(error)`` in ``message``. A reset meanwhile (the page's ``task`` cleared) makes the
    answer one for a sheet gone: not shown."""
    from kiosk.ui.tasks import run_held

    button.setEnabled(False)
    message.setText(sending)
    run_held(owner, "task", lambda _task: print_rendered(render, configured, title, what=what), name=name,
             on_success=lambda printer_name: message.setText(sent(printer_name)),
             on_failure=lambda error: message.setText(failed(error)),
             on_done=lambda: button.setEnabled(True))  # fmt: skip


def qt_printer_name(configured: str) -> str:
    """The configured printer, else the default, as Qt knows them (Windows)."""
    from PySide6.QtPrintSupport import QPrinterInfo

    return printer.choose(configured, QPrinterInfo.availablePrinterNames(), QPrinterInfo.defaultPrinterName)


def print_with_qprinter(pdf: Path, device: QPrinter) -> int:
    """The Windows way: open ``pdf`` afresh (on the calling thread) and render it."""
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument()
    try:
        if document.load(str(pdf)) != QPdfDocument.Error.None_:
            raise KnownError("公示单文件无法读取，请重试", f"QtPdf cannot read {pdf}")
        return render_to_printer(document, device)
    finally:
        document.close()


def render_to_printer(document: QPdfDocument, device: QPrinter) -> int:
    """Render every page of ``document`` at the printer's resolution; returns the pages sent.

    Any thread may call it with a document and printer of its own (QPainter on a QPrinter
    is allowed off the UI thread).
    """
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtPrintSupport import QPrinter

    painter = QPainter()
    if not painter.begin(device):
        raise KnownError("打印机不可用，请联系工作人员检查打印机", "the printer could not be started")
    try:
        for index in range(document.pageCount()):
            if index:
                device.newPage()
            target = device.pageRect(QPrinter.Unit.DevicePixel).toRect()
            image = document.render(index, QSize(target.width(), target.height()))
            painter.drawImage(target.topLeft(), image)
    finally:
        painter.end()
    return document.pageCount()
