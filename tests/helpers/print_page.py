"""The 打印公示 page, opened from a village and driven as staff do; what it recorded."""

import sqlite3
from pathlib import Path

from tests.helpers.kiosk import open_kiosk

TASK_MS = 120_000


def print_rows(db: Path) -> list[str]:
    """The audit log's print records, oldest first."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT summary FROM audit_log WHERE kind = 'print' ORDER BY id").fetchall()
    finally:
        conn.close()
    return [r[0] for r in rows]


def tap_ready(qtbot, button) -> None:
    """A tap on a button that must be shown and enabled already (no waiting for the event
    loop to show it, unlike ``tests.helpers.kiosk.tap``)."""
    from PySide6.QtCore import Qt

    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def kiosk_window(qtbot, tmp_path):
    """A kiosk window on the database open now."""
    return open_kiosk(qtbot, tmp_path / "settings.json")


def open_print_page(qtbot, tmp_path):
    """The print page of 朝城镇's first village, reached by taps: (window, page)."""
    from PySide6.QtCore import Qt

    window = kiosk_window(qtbot, tmp_path)
    qtbot.mouseClick(window.home.town_buttons["371522102"], Qt.MouseButton.LeftButton)
    first = next(iter(window.home.village_buttons.values()))
    qtbot.mouseClick(first, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.payouts.print_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window.print_page)  # the preview is made off the UI thread
    return window, window.print_page


def wait_idle(qtbot, page) -> None:
    """Until the page's background job (preview, print, save, printer lookup) has reported."""
    qtbot.waitUntil(lambda: page.task is None, timeout=TASK_MS)
