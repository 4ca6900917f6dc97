"""A USB QR scanner types what it reads, like a keyboard, and ends with Enter. The kiosk has
no text field a villager types into (our keypads are buttons), so keystrokes anywhere are
the scanner's: they are gathered here and handed over on Enter.

Every key press stops here, so none reaches a focused button (a space or Enter would press
it, Tab would walk the focus, Esc would close what is open). Only printable characters
count; a burst longer than ``LONGEST`` is dropped whole, so a stick-on "keyboard" that types
forever cannot fill memory or a page.
"""

from PySide6.QtCore import QObject, Signal

# A scanner types a whole code in well under a second; keys further apart start afresh.
GAP_S = 1.0
SHORTEST = 10  # a print number is 14 characters, a 校验码 16, a URL more
LONGEST = 512  # a verify URL with its ?d= is under 200; a receipt's QR under 60


class ScannerInput(QObject):
    """Emits ``scanned(text)`` for each Enter-terminated burst of typed characters."""

    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._typed: list[str] = []
        self._last = 0.0
        self._overflow = False

    def key(self, text: str, enter: bool, at: float) -> bool:
        """One key press (its text, whether it is Enter, when, in seconds). Always True: a
        key press goes no further than here."""
        if at - self._last > GAP_S:
            self._typed, self._overflow = [], False
        self._last = at
        if enter:
            code, overflow = "".join(self._typed), self._overflow
            self._typed, self._overflow = [], False
            if len(code) >= SHORTEST and not overflow:
                self.scanned.emit(code)
            return True
        if len(text) == 1 and text.isprintable() and not text.isspace() and not self._overflow:
            self._typed.append(text)
            if len(self._typed) > LONGEST:
                self._typed, self._overflow = [], True
        return True
