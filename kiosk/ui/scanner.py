"""A USB QR scanner types what it reads, like a keyboard, and ends with Enter. The kiosk has
no text field a villager types into (our keypads are buttons), so keystrokes anywhere are
the scanner's: they are gathered here and handed over on Enter."""

from PySide6.QtCore import QObject, Signal

# A scanner types a whole code in well under a second; keys further apart start afresh.
GAP_S = 1.0
SHORTEST = 10  # a print number is 14 characters, a 校验码 16, a URL more


class ScannerInput(QObject):
    """Emits ``scanned(text)`` for each Enter-terminated burst of typed characters."""

    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._typed: list[str] = []
        self._last = 0.0

    def key(self, text: str, enter: bool, at: float) -> bool:
        """One key press (its text, whether it is Enter, when, in seconds); True when it was
        the scanner's and must go no further."""
        if at - self._last > GAP_S:
            self._typed = []
        self._last = at
        if enter:
            code, self._typed = "".join(self._typed), []
            if len(code) >= SHORTEST:
                self.scanned.emit(code)
                return True
            return False
        if text and text.isprintable() and not text.isspace():
            self._typed.append(text)
            return True
        return False
