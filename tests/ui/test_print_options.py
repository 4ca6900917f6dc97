"""The print page prints what the list shows and lets the clerk choose 公示期, tables and
paper, zoom the preview and go back to the list; the sheets are read back with poppler."""

import re
import subprocess

from PySide6.QtPdfWidgets import QPdfView

from tests.helpers.kiosk import tap
from tests.helpers.print_page import wait_idle


def _text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip


def _page_size(path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    width, height = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups()
    return float(width), float(height)


def _open_item(qtbot, window):
    window.home.choose_town("371522102")
    tap(qtbot, next(iter(window.home.village_buttons.values())))
    payouts = window.payouts
    items = payouts.items.buttons()
    tap(qtbot, items[1])  # the first item, not 全部项目
    return payouts.result.items[0], payouts


def test_the_sheet_prints_the_item_the_list_shows(qtbot, window):
    item, payouts = _open_item(qtbot, window)
    others = [i.name for i in payouts.result.items if i.code != item.code]
    tap(qtbot, payouts.print_button)
    page = window.print_page
    wait_idle(qtbot, page)
    assert page._notice[2] == item.code
    text = _text(page.pdf_path)
    assert item.name in text
    assert others and not any(name in text for name in others), others


def test_period_and_paper_chosen_on_the_page_reach_the_sheet(qtbot, window):
    _item, payouts = _open_item(qtbot, window)
    tap(qtbot, payouts.print_button)
    page = window.print_page
    wait_idle(qtbot, page)
    assert "7天" in _text(page.pdf_path) or "7 天" in _text(page.pdf_path)
    tap(qtbot, page.options_button)
    tap(qtbot, page.options.buttons["15天"])
    wait_idle(qtbot, page)
    tap(qtbot, page.options.buttons["按工作日"])
    wait_idle(qtbot, page)
    assert "15个工作日" in _text(page.pdf_path).replace(" ", "")
    assert page.options.summary.text().startswith("公示期 15个工作日")
    tap(qtbot, page.options.buttons["长期"])
    wait_idle(qtbot, page)
    assert not page.options.working_days.isEnabled()
    assert "长期" in _text(page.pdf_path)
    tap(qtbot, page.options.buttons["A3"])
    wait_idle(qtbot, page)
    tap(qtbot, page.options.buttons["横向"])
    wait_idle(qtbot, page)
    width, height = _page_size(page.pdf_path)
    assert (round(width), round(height)) == (1191, 842)  # A3 landscape, in points
    # The idle reset puts the usual choices back for the next person.
    window.reset()
    assert page.options.buttons["7天"].isChecked() and not page.options.landscape.isChecked()
    assert not page.options.isVisible()


def test_preview_zooms_and_goes_back_to_the_list(qtbot, window):
    _item, payouts = _open_item(qtbot, window)
    tap(qtbot, payouts.print_button)
    page = window.print_page
    wait_idle(qtbot, page)
    tap(qtbot, page.zoom_buttons["适合宽度"])
    assert page.view.zoomMode() == QPdfView.ZoomMode.FitToWidth
    tap(qtbot, page.zoom_buttons["100%"])
    assert page.view.zoomMode() == QPdfView.ZoomMode.Custom and page.view.zoomFactor() == 1.0
    tap(qtbot, page.zoom_buttons["适合页面"])
    assert page.view.zoomMode() == QPdfView.ZoomMode.FitInView
    tap(qtbot, page.back_button)
    assert window.page_name() == "payouts" and window.payouts.result is not None
