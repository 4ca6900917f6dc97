"""朗读: read text aloud with QTextToSpeech when the terminal has a working engine, and say
plainly when it has none (Debian needs speech-dispatcher + speech-dispatcher-espeak-ng)."""

from kiosk import log

_log = log.get("kiosk.ui")
NO_ENGINE = "本机未安装语音朗读引擎，请联系工作人员安装（speech-dispatcher）"


class Speaker:
    """Finds an engine on first use, so a terminal without one starts without delay."""

    def __init__(self):
        self._tts = None
        self._looked = False
        self.unavailable_reason = NO_ENGINE

    def _engine(self):
        if self._looked:
            return self._tts
        self._looked = True
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech
        except ImportError as exc:  # its shared libraries (e.g. libpulse) are missing
            _log.warning("QtTextToSpeech unavailable: %s", exc)
            return None
        for name in QTextToSpeech.availableEngines():
            if name == "mock":
                continue
            engine = QTextToSpeech(name)
            if engine.state() != QTextToSpeech.State.Error:
                self._tts = engine
                break
            _log.warning("text-to-speech engine %s does not work here", name)
        return self._tts

    @property
    def available(self) -> bool:
        return self._engine() is not None

    def say(self, text: str) -> bool:
        engine = self._engine()
        if engine is None:
            return False
        engine.say(text)
        return True

    def stop(self) -> None:
        if self._tts is not None:
            self._tts.stop()
