"""朗读 on the kiosk window: the header's button, shown only once a Mandarin voice is found,
and what it reads, asked of the page shown at the moment of reading. kiosk.services.speech
finds the voice and speaks.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMainWindow, QPushButton

from kiosk.services.speech import Speaker
from kiosk.ui.tasks import run_task


class ReadAloud(QObject):
    """The 朗读 ``button`` (checkable, hidden until ``prepare`` finds a voice) and the
    ``speaker`` of ``window``, the kiosk window (kiosk.ui.shell.KioskWindow, not imported:
    it imports this). Emits ``checked`` with whether it can read aloud once ``prepare`` knows,
    and ``unavailable`` with the reason, for staff, when it cannot."""

    checked = Signal(bool)
    unavailable = Signal(str)

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self._window = window
        self.speaker = Speaker()
        self.button = QPushButton("朗读")
        self.button.setCheckable(True)
        self.button.toggled.connect(self._toggled)
        # Shown once a Mandarin voice is found (prepare): a button that can only say it does
        # not work would follow the villager around.
        self.button.setVisible(False)

    def prepare(self) -> None:
        """Find the speech engine and its Mandarin voice off the UI thread, after start-up:
        the 朗读 button appears only if a voice was found."""
        run_task(lambda _task: self.speaker.connect(), name="speech-connect", on_success=self._checked)

    def _checked(self, found: bool) -> None:
        self.button.setVisible(found)
        if not found:
            self.unavailable.emit(self.speaker.unavailable_reason)
        self.checked.emit(found)

    def _toggled(self, on: bool) -> None:
        if not on:
            self.speaker.stop()
            return
        if not self.speaker.say(self.spoken_text()):
            self.button.setChecked(False)

    def stop(self) -> None:
        """Silence, and the button off (the kiosk resets)."""
        self.speaker.stop()
        self.button.setChecked(False)

    def spoken_text(self) -> str:
        """What 朗读 reads: what matters on the page shown now (its rows, the open answer or
        document, the print state), asked of the page at the moment of reading."""
        window = self._window
        name = window.page_name()
        page = window.page(name)
        if name == "home":
            return f"{window.freshness.text()}。{window.home.prompt.text()}"
        if hasattr(page, "spoken_text"):
            return page.spoken_text()
        if name in ("catalogue", "consult", "policies"):
            return f"{page.title.text()}。{page.view.text()}"
        return window.place.text()
