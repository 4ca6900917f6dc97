"""Driving the kiosk window as a villager or staff member does: open it, tap, scan, unlock.

Qt is imported inside the functions, so importing this module (conftest does) loads no
PySide6 for tests that never open a window.
"""

from pathlib import Path

PIN = "246810"  # the staff PIN the tests set


def open_kiosk(qtbot, settings_file: Path, db: Path | None = None, size=(1280, 900)):
    """A kiosk window on ``db``, shown at ``size`` and closed when the test ends."""
    from kiosk.app import create_app
    from kiosk.config import Settings
    from kiosk.ui.shell import KioskWindow

    create_app()
    kiosk = KioskWindow(Settings(settings_file), db)
    keep_for_the_test(qtbot, kiosk)
    kiosk.resize(*size)
    kiosk.show()
    return kiosk


def keep_for_the_test(qtbot, kiosk) -> None:
    """The kiosk ends with the test. A kiosk refuses to close, and a window only deleted
    later would go on with its timers against the next test's database."""
    qtbot.addWidget(kiosk, before_close_func=lambda window: window.end())


def tap(qtbot, button):
    """A finger on ``button``. New buttons are shown by the event loop, as they would be
    before a finger reaches them."""
    from PySide6.QtCore import Qt

    qtbot.waitUntil(button.isVisible, timeout=2000)
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def scan(window, text: str) -> None:
    """What a USB QR scanner does: type the text fast, then Enter, to whatever has focus
    (once the kiosk is up: it listens from its first frame on)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    for _ in range(500):
        if window.idle_watch.activity:
            break
        QTest.qWait(10)
    target = window.focusWidget() or window
    QTest.keyClicks(target, text)
    QTest.keyClick(target, Qt.Key.Key_Return)


def checked(qtbot, page) -> None:
    """Wait for 核验公示单 to answer (it checks off the UI thread)."""
    qtbot.waitUntil(lambda: not page.checking, timeout=10_000)


def unlock(qtbot, window, pin=PIN):
    """The staff button, the PIN on the keypad, 确定."""
    tap(qtbot, window.staff_button)
    for digit in pin:
        tap(qtbot, window.admin.pad.keys[digit])
    tap(qtbot, window.admin.enter)


class StandIn:
    """A recognizer that answers at once with fixed candidates (the flow, not Zinnia)."""

    def __init__(self, answers=("低", "氏", "纸"), error: Exception | None = None):
        self.answers, self.error, self.calls = list(answers), error, 0

    def load(self) -> None:
        if self.error:
            raise self.error

    def recognize(self, strokes, width, height, limit=10):
        self.load()
        self.calls += 1
        return self.answers[:limit]

    def hold(self) -> None:  # a pad shown (the real one maps its model meanwhile)
        pass

    def let_go(self) -> bool:
        return False
