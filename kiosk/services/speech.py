"""朗读: read text aloud in Mandarin through speech-dispatcher (Debian: speech-dispatcher +
speech-dispatcher-espeak-ng), spoken to over its own protocol, SSIP, on threads of ours.

Why not QTextToSpeech: its speechd engine lists every voice of every module when it is made
(13,000+ with espeak-ng, ~1.6 s), holding the GIL, so the kiosk froze that long even when it
was made on a worker thread; and a hung daemon froze it for good. Here the UI thread only
puts a line on a queue: connecting and listing voices happen on a worker (``connect``), and
one sender thread hands the daemon what to say and when to stop.
"""

import contextlib
import os
import queue
import re
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import log

if TYPE_CHECKING:
    import socket

_log = log.get("kiosk.speech")
NO_ENGINE = "本机未安装语音朗读引擎，请联系工作人员安装（speech-dispatcher）"
NO_CHINESE_VOICE = "本机语音朗读引擎没有中文（普通话）语音，请联系工作人员安装 espeak-ng"
TIMEOUT_S = 5.0  # a daemon that does not answer a command within this is given up on
MAX_ANSWER_BYTES = 8 * 1024 * 1024  # espeak-ng's 13,000+ voices are ~0.6 MB
# speech-dispatcher reads symbols (％ ￥ ：) in the message language.
MESSAGE_LANGUAGE = "zh-CN"

# Voice names (or name parts) that mean Mandarin; espeak-ng's Mandarin is language "cmn".
_MANDARIN_WORDS = ("mandarin", "普通话", "国语")
_MANDARIN_TOKENS = {"cmn", "zh"}
# Whole tokens only: a Mandarin voice may well be called "Xiaoyue".
_OTHER_CHINESE_WORDS = ("cantonese", "hakka", "粤语", "min nan")
_OTHER_CHINESE_TOKENS = {"yue", "hak", "nan", "wuu", "hsn"}
# What every voice rank() takes contains ("zh", "cmn" or a Mandarin word, in any case).
_MAYBE_MANDARIN = re.compile("|".join(("zh", "cmn", *_MANDARIN_WORDS)), re.IGNORECASE)


class SpeechError(Exception):
    """The daemon refused a command, or did not answer in time."""


def rank(name: str, language: str) -> int | None:
    """How good a Mandarin voice this is (0 best), or None when it is not one. ``language``
    is what speech-dispatcher lists: "zh", "zh-cn", "cmn", "yue" …"""
    name, language = name.casefold(), language.casefold().replace("_", "-")
    tokens = set(re.split(r"\W+", name))
    primary, _, region = language.partition("-")
    if (any(word in name for word in _OTHER_CHINESE_WORDS) or tokens & _OTHER_CHINESE_TOKENS
            or primary in _OTHER_CHINESE_TOKENS or region in ("hk", "mo")):  # fmt: skip
        return None
    if primary == "zh":
        value = 0 if region in ("", "cn", "hans", "hans-cn") else 2
    elif primary == "cmn" or any(word in name for word in _MANDARIN_WORDS) or tokens & _MANDARIN_TOKENS:
        value = 1
    else:
        return None
    # espeak-ng lists each voice again with every variant ("...+Adam"); the plain voice is
    # the reference one. "latin as Pinyin" would read Latin letters (ID, CT) as pinyin.
    if "+" in name:
        value += 3
    if "pinyin" in name:
        value += 1
    return value


def chinese_voice(voices: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The best Mandarin voice among ``(name, language)`` pairs, or None."""
    ranked = [(r, i, v) for i, v in enumerate(voices) if (r := rank(*v)) is not None]
    return min(ranked)[2] if ranked else None


def daemon_address() -> tuple[str | tuple[str, int], "socket.AddressFamily"]:
    """Where speech-dispatcher listens: $SPEECHD_ADDRESS, or its per-user socket."""
    import socket  # on the worker that connects: ~5 ms before the kiosk's first frame else
    address = os.environ.get("SPEECHD_ADDRESS", "")
    if address.startswith("inet_socket:"):
        host, _, port = address.removeprefix("inet_socket:").rpartition(":")
        return (host or "127.0.0.1", int(port or 6560)), socket.AF_INET
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    default = (Path(runtime) if runtime else Path.home() / ".cache") / "speech-dispatcher/speechd.sock"
    return str(Path(address.removeprefix("unix_socket:")) if address else default), socket.AF_UNIX


class Connection:
    """One SSIP connection: a command is a line; its answer, lines "NNN-…" then "NNN …"."""

    def __init__(self, timeout_s: float = TIMEOUT_S):
        import socket

        target, family = daemon_address()
        if family == socket.AF_UNIX and not Path(target).exists():
            _spawn(Path(target))  # what libspeechd's autospawn would do, with a deadline
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.settimeout(timeout_s)
        try:
            self._socket.connect(target)
        except OSError:
            self._socket.close()
            raise
        self._lines = self._socket.makefile("rb")
        try:
            self.command("SET SELF CLIENT_NAME kiosk:kiosk:main")
        except (OSError, SpeechError):  # no Connection to close later: close it now
            self._lines.close()
            self._socket.close()
            raise

    def command(self, line: str) -> list[str]:
        """Send one command; its answer's lines without their codes. A 4xx/5xx answer raises."""
        self._socket.sendall(line.encode("utf-8") + b"\r\n")
        return self._answer(line)

    def speak(self, text: str) -> None:
        self.command("SPEAK")
        # The text ends at a line holding only "."; a line of the text starting with one
        # gets another (SSIP's escaping).
        body = "\r\n".join("." + part if part.startswith(".") else part for part in text.splitlines())
        self._socket.sendall(body.encode("utf-8") + b"\r\n.\r\n")
        self._answer("SPEAK (text)")

    def close(self) -> None:
        with contextlib.suppress(OSError):  # a daemon gone already
            self._socket.sendall(b"QUIT\r\n")
        self._lines.close()
        self._socket.close()

    def _answer(self, asked: str) -> list[str]:
        # Read in blocks and split at once: a voice list runs to 13,000+ lines, and a readline
        # and decode each held the GIL long enough (on a worker) to slow the screen.
        parts, size = [], 0
        while True:
            block = self._lines.read1(65536)
            if not block:
                raise SpeechError(f"speech-dispatcher hung up answering {asked}")
            parts.append(block)
            size += len(block)
            if size > MAX_ANSWER_BYTES:
                raise SpeechError(f"speech-dispatcher's answer to {asked} is over {MAX_ANSWER_BYTES} bytes")
            if block.endswith(b"\n"):
                data = b"".join(parts)
                last = data[data.rfind(b"\n", 0, len(data) - 1) + 1 :]
                if last[3:4] == b" ":  # "NNN text": the last line ("NNN-text" lines go before)
                    break
        lines = data.decode("utf-8", "replace").replace("\r\n", "\n").split("\n")[:-1]
        if not lines[-1].startswith("2"):
            raise SpeechError(f"speech-dispatcher refused {asked}: {lines[-1]}")
        return [line[4:] for line in lines[:-1]]


def _spawn(path: Path) -> None:
    import subprocess  # not at import: ~2 ms before the kiosk's first frame, for a rare start

    try:
        subprocess.run(["speech-dispatcher", "--spawn", "--communication-method", "unix_socket",
                        "--socket-path", str(path)], timeout=10, capture_output=True)  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        _log.info("speech-dispatcher could not be started: %s", exc)


def chinese_voices(conn: Connection) -> list[tuple[str, str, str]]:
    """(module, voice name, language) of each voice of any output module that may be
    Mandarin (what ``rank`` may take: a test in C on each of espeak-ng's 13,000+ voices)."""
    voices = []
    for module in conn.command("LIST OUTPUT_MODULES"):
        conn.command(f"SET SELF OUTPUT_MODULE {module}")
        for line in filter(_MAYBE_MANDARIN.search, conn.command("LIST SYNTHESIS_VOICES")):
            name, language, *_ = (*line.split("\t"), "")
            voices.append((module, name, language))
    return voices


class Speaker:
    """Mandarin speech for the kiosk: ``connect()`` on a worker thread once, then ``say()``
    and ``stop()`` from the UI thread, which never wait on the daemon."""

    def __init__(self):
        self._conn: Connection | None = None
        self._orders: queue.SimpleQueue = queue.SimpleQueue()
        self._sender: threading.Thread | None = None
        self.voice_name: str | None = None
        self.last_text: str | None = None
        self.lookup_ms: float | None = None
        self.unavailable_reason = NO_ENGINE

    def connect(self, timeout_s: float = TIMEOUT_S) -> bool:
        """Connect, find the best Mandarin voice of any module and choose it (blocks up to
        a few seconds: for a worker thread). True when the kiosk can read aloud."""
        started = time.perf_counter()
        try:
            conn = Connection(timeout_s)
        except OSError as exc:
            _log.warning("speech-dispatcher does not answer at %s: %s", daemon_address()[0], exc)
            return False
        except SpeechError as exc:
            _log.warning("%s", exc)
            return False
        try:
            voices = chinese_voices(conn)
            best = chinese_voice([(name, language) for _module, name, language in voices])
            if best is None:
                _log.warning("speech-dispatcher has no Mandarin voice (%d Chinese candidates)", len(voices))
                self.unavailable_reason = NO_CHINESE_VOICE
                conn.close()
                return False
            module = next(m for m, name, language in voices if (name, language) == best)
            conn.command(f"SET SELF OUTPUT_MODULE {module}")
            conn.command(f"SET SELF LANGUAGE {MESSAGE_LANGUAGE}")  # before the voice: it resets it
            conn.command(f"SET SELF SYNTHESIS_VOICE {best[0]}")
        except (OSError, SpeechError) as exc:
            _log.warning("speech-dispatcher: %s", exc)
            conn.close()
            return False
        self.lookup_ms = (time.perf_counter() - started) * 1000
        _log.info("text-to-speech: voice %s of %s (of %d candidates, %.0f ms)", best[0], module, len(voices),
                  self.lookup_ms)  # fmt: skip
        self.voice_name, self._conn = best[0], conn
        self._sender = threading.Thread(target=self._send, name="speech-sender", daemon=True)
        self._sender.start()
        return True

    @property
    def available(self) -> bool:
        return self._conn is not None

    def say(self, text: str) -> bool:
        """Queue ``text`` to be read; False when there is no voice or nothing to say."""
        if self._conn is None or not text.strip():
            return False
        self.last_text = text
        self._orders.put(("say", text))
        return True

    def stop(self) -> None:
        """Silence now: what was queued is dropped, what is being read is cancelled."""
        if self._conn is None:
            return
        self._drain()
        self._orders.put(("cancel", None))

    def close(self) -> None:
        """End the connection (the kiosk quits)."""
        if self._conn is not None:
            self._drain()
            self._orders.put(("quit", None))
            if self._sender is not None:
                self._sender.join(TIMEOUT_S)

    def _drain(self) -> None:
        try:
            while True:
                self._orders.get_nowait()
        except queue.Empty:
            pass

    def _send(self) -> None:
        conn = self._conn
        while True:
            order, text = self._orders.get()
            try:
                if order == "say":
                    conn.speak(text)
                elif order == "cancel":
                    conn.command("CANCEL SELF")
                else:
                    break
            except (OSError, SpeechError) as exc:
                _log.warning("speech-dispatcher: %s; read-aloud off", exc)
                break
        self._conn = None
        conn.close()
