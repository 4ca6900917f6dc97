"""朗读: read text aloud in Mandarin with QTextToSpeech, when the terminal has an engine with a
Chinese voice (Debian: speech-dispatcher + speech-dispatcher-espeak-ng)."""

import re
import time

from kiosk import log

_log = log.get("kiosk.ui")
NO_ENGINE = "本机未安装语音朗读引擎，请联系工作人员安装（speech-dispatcher）"
NO_CHINESE_VOICE = "本机语音朗读引擎没有中文（普通话）语音，请联系工作人员安装 espeak-ng"

# Voice names (or name parts) that mean Mandarin. speechd's espeak-ng module reports the
# language "cmn", which QLocale does not know (it becomes the C locale), so for espeak-ng
# only the voice name tells: "Chinese (Mandarin, latin as English)".
_MANDARIN_WORDS = ("mandarin", "普通话", "国语")
_MANDARIN_TOKENS = {"cmn", "zh"}
# Whole tokens only: a Mandarin voice may well be called "Xiaoyue".
_OTHER_CHINESE_WORDS = ("cantonese", "hakka", "粤语", "min nan")
_OTHER_CHINESE_TOKENS = {"yue", "hak", "nan", "wuu", "hsn"}


def _rank(voice) -> int | None:
    """How good a Mandarin voice this is (0 best), or None when it is not one."""
    from PySide6.QtCore import QLocale

    name = voice.name().casefold()
    tokens = set(re.split(r"\W+", name))
    if (
        any(word in name for word in _OTHER_CHINESE_WORDS)
        or tokens & _OTHER_CHINESE_TOKENS
        or voice.language() == QLocale.Language.Cantonese
    ):
        return None
    locale = voice.locale()
    if locale.language() == QLocale.Language.Chinese:
        rank = 0 if locale.territory() in (QLocale.Country.China, QLocale.Country.AnyTerritory) else 2
    elif any(word in name for word in _MANDARIN_WORDS) or tokens & _MANDARIN_TOKENS:
        rank = 1
    else:
        return None
    # espeak-ng lists each voice again with every variant ("...+Adam"); the plain voice is
    # the reference one. "latin as Pinyin" would read Latin letters (ID, CT) as pinyin.
    if "+" in name:
        rank += 3
    if "pinyin" in name:
        rank += 1
    return rank


def chinese_voice(voices):
    """The best Mandarin voice among `voices`, or None."""
    ranked = [(rank, i, v) for i, v in enumerate(voices) if (rank := _rank(v)) is not None]
    return min(ranked, key=lambda t: t[:2])[2] if ranked else None


def _all_voices(engine) -> list:
    """Every voice of every locale the engine offers (its availableVoices() covers only the
    current locale)."""
    voices = []
    # Switching locales is only a way to list them; nobody needs to hear about it.
    engine.blockSignals(True)
    try:
        for locale in engine.availableLocales():
            engine.setLocale(locale)
            voices += engine.availableVoices()
    finally:
        engine.blockSignals(False)
    return voices


def _use(engine, voice) -> None:
    """Make `voice` the engine's voice, with the message language Chinese."""
    from PySide6.QtCore import QLocale

    # speech-dispatcher reads symbols (％ ￥ ：) in the message language, and listing the voices
    # left it at whichever locale came last. speechd's setLocale() passes the language on and
    # only then fails to find a voice of that QLocale (espeak-ng's Mandarin is "cmn", which
    # QLocale turns into C): an expected failure, silenced. It leaves the engine in the Error
    # state, which say() does not mind; the next utterance moves it to Speaking.
    engine.blockSignals(True)
    try:
        engine.setLocale(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    finally:
        engine.blockSignals(False)
    engine.setVoice(voice)


def speechd_answers(timeout_s: float = 3.0) -> bool:
    """Whether speech-dispatcher answers on its socket, starting it if it is not running.

    For a worker thread (no Qt here). QTextToSpeech connects with a blocking call and no
    timeout: a hung daemon (seen: one that accepted connections and never replied) froze
    the whole kiosk on its UI thread. Only a daemon that answers this handshake is handed to
    QTextToSpeech.
    """
    import os
    import socket
    import subprocess
    from pathlib import Path

    address = os.environ.get("SPEECHD_ADDRESS", "")
    if address.startswith("inet_socket:"):
        host, _, port = address.removeprefix("inet_socket:").rpartition(":")
        target, family = (host or "127.0.0.1", int(port or 6560)), socket.AF_INET
    else:
        runtime = os.environ.get("XDG_RUNTIME_DIR")
        default = (Path(runtime) if runtime else Path.home() / ".cache") / "speech-dispatcher/speechd.sock"
        path = Path(address.removeprefix("unix_socket:")) if address else default
        target, family = str(path), socket.AF_UNIX
        if not path.exists():  # what libspeechd's autospawn would do, with a deadline
            try:
                subprocess.run(["speech-dispatcher", "--spawn", "--communication-method", "unix_socket",
                                "--socket-path", str(path)], timeout=10, capture_output=True)  # fmt: skip
            except (OSError, subprocess.SubprocessError) as exc:
                _log.info("speech-dispatcher could not be started: %s", exc)
                return False
    try:
        with socket.socket(family, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout_s)
            conn.connect(target)
            conn.sendall(b"SET SELF CLIENT_NAME kiosk:probe:main\r\n")
            answer = conn.recv(256)
            conn.sendall(b"QUIT\r\n")
    except OSError as exc:
        _log.warning("speech-dispatcher does not answer at %s: %s", target, exc)
        return False
    return answer.startswith(b"2")  # SSIP: 2xx is success


class Speaker:
    """One engine for the kiosk's lifetime, looked up on first use or by prepare().

    Creating the speechd engine lists every voice of every speech-dispatcher module
    (13,000+ with espeak-ng, ~1.6 s on the dev machine), so the window must not ask before
    its first frame; a dead or missing daemon costs ~0.3 s.
    """

    def __init__(self):
        self._tts = None
        self._looked = False
        self.voice_name: str | None = None
        self.last_text: str | None = None
        self.lookup_ms: float | None = None
        self.unavailable_reason = NO_ENGINE

    def prepare(self) -> bool:
        """Look the engine and its Chinese voice up now (blocks; see the class doc)."""
        return self._engine() is not None

    def _engine(self):
        if self._looked:
            return self._tts
        self._looked = True
        started = time.perf_counter()
        try:
            self._tts = self._find()
        finally:
            self.lookup_ms = (time.perf_counter() - started) * 1000
            _log.info("text-to-speech lookup took %.0f ms, voice %s", self.lookup_ms, self.voice_name)
        return self._tts

    def _find(self):
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech
        except ImportError as exc:  # its shared libraries (e.g. libpulse) are missing
            _log.warning("QtTextToSpeech unavailable: %s", exc)
            return None
        for name in QTextToSpeech.availableEngines():
            if name == "mock":
                continue
            engine = QTextToSpeech(name)
            # Under a zh_CN system locale speechd ends in Error ("Failed to initialize default
            # locale and voice") although it lists its voices; only a failed connection is fatal.
            if engine.errorReason() == QTextToSpeech.ErrorReason.Initialization:
                _log.warning("text-to-speech engine %s: %s", name, engine.errorString())
                continue
            voice = chinese_voice(_all_voices(engine))
            if voice is None:
                _log.warning("text-to-speech engine %s has no Mandarin voice", name)
                self.unavailable_reason = NO_CHINESE_VOICE
                continue
            _use(engine, voice)
            self.voice_name = voice.name()
            return engine
        return None

    @property
    def available(self) -> bool:
        """An engine with a Mandarin voice exists (looks it up on first call)."""
        return self._engine() is not None

    def say(self, text: str) -> bool:
        """Hand `text` to the engine; False when there is none or nothing to say."""
        engine = self._engine()
        if engine is None or not text.strip():
            return False
        self.last_text = text
        engine.say(text)
        return True

    def stop(self) -> None:
        if self._tts is not None:
            self._tts.stop()
