"""朗读 with the real speech-dispatcher and espeak-ng: a private daemon per test, its own
config and socket, audio to libao's null driver, and a `generic` module that makes espeak-ng
write WAV files so that what was spoken can be checked. The kiosk speaks SSIP to it itself
(kiosk.services.speech), on threads of its own."""

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import wave
from pathlib import Path

import pytest

from kiosk.services.speech import NO_CHINESE_VOICE, Speaker, chinese_voice

NEEDS = "apt-get install speech-dispatcher speech-dispatcher-espeak-ng espeak-ng"
MODULE_DIRS = [Path("/usr/lib/speech-dispatcher-modules"),
               Path("/usr/libexec/speech-dispatcher-modules")]  # fmt: skip
# The daemon's pipewire/pulse probing shows as Qt warnings in the kiosk test.
quiet_qt = pytest.mark.qt_log_ignore("pipewire")

# sd_generic runs this per piece of text, substituting $DATA once only. $VOICE is the voice
# the kiosk chose, $LANGUAGE the message language; each piece gets its own WAV ($$ is the
# shell's pid), renamed when complete.
SYNTH = (
    "printf '%s %s\\\\n' '$VOICE' '$LANGUAGE' >> {root}/out/voices.txt"
    " && printf %s '$DATA' > {root}/out/part-$$.txt"
    " && cat {root}/out/part-$$.txt >> {root}/out/text.txt"
    " && espeak-ng -v $VOICE -w {root}/out/part-$$.tmp -f {root}/out/part-$$.txt"
    " && mv {root}/out/part-$$.tmp {root}/out/part-$$.wav"
)


def _module_dir(name: str) -> Path | None:
    return next((d for d in MODULE_DIRS if (d / name).exists()), None)


class Daemon:
    """A private speech-dispatcher; SPEECHD_ADDRESS points the kiosk at it."""

    def __init__(self, root: Path, modules: str, files: dict[str, str]):
        self.root = root
        self.out = root / "out"
        self.out.mkdir()
        (root / "home").mkdir()
        # Audio goes nowhere: the daemon insists on opening a device even for sd_generic.
        (root / "home" / ".libao").write_text("default_driver=null\n")
        for name, text in files.items():
            (root / name).write_text(text.replace("{root}", str(root)))
        (root / "speechd.conf").write_text(
            f'LogLevel 4\nLogDir "{root}"\nTimeout 0\nAudioOutputMethod "libao"\n'
            + modules.replace("{root}", str(root))
        )
        self.socket = root / "sock"
        # The daemon exits when the locale (say zh_CN of the test run) is not generated here.
        env = {**os.environ, "HOME": str(root / "home"), "LC_ALL": "C.UTF-8"}
        self.proc = subprocess.Popen(
            ["speech-dispatcher", "--run-single", "--timeout", "0", "--config-dir", str(root),
             "--communication-method", "unix_socket", "--socket-path", str(self.socket),
             "--pid-file", str(root / "pid"), "--log-dir", str(root)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # its modules and their shells share its process group
        )  # fmt: skip
        deadline = time.monotonic() + 15
        while not self.socket.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"speech-dispatcher did not start:\n{self.log()}")
            time.sleep(0.05)

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.root.glob("*.log"))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        with contextlib.suppress(ProcessLookupError):  # its modules and their synth shells
            os.killpg(self.proc.pid, signal.SIGKILL)

    def left_behind(self) -> bool:
        """Whether a process of its group still runs a moment after stop(): killed ones
        linger until whoever inherited them reaps them."""
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                return False
            time.sleep(0.05)
        return True


@pytest.fixture
def speechd(monkeypatch):
    """Start(modules, files) a private daemon: `modules` are speechd.conf lines, `files` more
    config files; "{root}" in either is the daemon's folder."""
    if shutil.which("speech-dispatcher") is None or shutil.which("espeak-ng") is None:
        pytest.skip(f"speech-dispatcher or espeak-ng is not installed ({NEEDS})")
    roots, started = [], []

    def start(modules: str, files: dict[str, str] | None = None) -> Daemon:
        # A short path: unix socket paths are limited to 108 bytes.
        roots.append(Path(tempfile.mkdtemp(prefix="kiosk-spd-")))
        daemon = Daemon(roots[-1], modules, files or {})
        started.append(daemon)
        monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{daemon.socket}")
        return daemon

    yield start
    for daemon in started:
        daemon.stop()
    for root in roots:
        shutil.rmtree(root, ignore_errors=True)
    assert not any(d.left_behind() for d in started), "a speech-dispatcher process outlived its test"


def wav_daemon(start, voices: list[str]) -> Daemon:
    """A daemon whose only module is sd_generic writing espeak-ng WAV files; each voice is
    an espeak-ng voice name, listed to clients under the same language code."""
    if _module_dir("sd_generic") is None:
        pytest.skip(f"speech-dispatcher's sd_generic module is missing ({NEEDS})")
    lines = ["Debug 1", f'GenericExecuteSynth "{SYNTH}"', 'GenericCmdDependency "espeak-ng"']
    # Without a charset for the message language sd_generic recodes to Latin-1 ("??").
    for language in dict.fromkeys(("zh-hans-cn", "zh-cn", "zh", "en", "en-us", "c", *voices)):
        lines.append(f'GenericLanguage "{language}" "{language}" "utf-8"')
    lines += [f'AddVoice "{voice}" "MALE1" "{voice}"' for voice in voices]
    return start('AddModule "wav" "sd_generic" "{root}/wav.conf"\nDefaultModule wav\n',
                 {"wav.conf": "\n".join(lines) + "\n"})  # fmt: skip


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def wavs(daemon: Daemon) -> list[Path]:
    return list(daemon.out.glob("part-*.wav"))


def test_a_daemon_that_answers_without_end_is_refused_at_the_bound(tmp_path, monkeypatch, caplog):
    """The answer is read in blocks, not lines: a daemon that never sends its last line is
    given up on once the answer passes MAX_ANSWER_BYTES, not read into memory for good."""
    import socket
    import threading

    from kiosk.services import speech

    path = tmp_path / "endless.sock"
    sent = []

    def endless(server: socket.socket) -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(4096)  # SET SELF CLIENT_NAME …
            line = b"208-" + b"x" * 60 + b"\r\n"
            with contextlib.suppress(OSError):  # the kiosk hangs up once it has had enough
                for _ in range(2 * speech.MAX_ANSWER_BYTES // len(line)):
                    conn.sendall(line * 64)
                    sent.append(len(line) * 64)

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen(1)
        serving = threading.Thread(target=endless, args=(server,), daemon=True)
        serving.start()
        monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{path}")
        assert Speaker().connect(timeout_s=5) is False
        serving.join(10)
        assert not serving.is_alive()  # the kiosk hung up: the socket was closed, not left to the GC
    assert "over 8388608 bytes" in caplog.text
    assert sum(sent) < 2 * speech.MAX_ANSWER_BYTES  # it stopped reading, the daemon stopped sending


@quiet_qt
def test_reads_chinese_aloud_with_a_mandarin_voice(qtbot, speechd):
    # English and Cantonese are offered too: the kiosk must pick Mandarin by itself.
    daemon = wav_daemon(speechd, ["en", "yue", "cmn"])
    speaker = Speaker()
    assert speaker.connect() and speaker.available, daemon.log()
    assert speaker.voice_name == "cmn"
    text = "你好，欢迎查询本村低保发放情况"
    assert speaker.say(text)
    assert speaker.last_text == text

    # sd_generic hands the text over in pieces (split at the comma); wait for the last one.
    def all_spoken():
        calls = _read(daemon.out / "voices.txt").splitlines()
        return "情况" in _read(daemon.out / "text.txt") and len(calls) == len(wavs(daemon))

    qtbot.waitUntil(all_spoken, timeout=15000)
    calls = _read(daemon.out / "voices.txt").splitlines()
    # espeak-ng got the Mandarin voice, and speech-dispatcher a Chinese message language.
    assert {tuple(call.split()) for call in calls} == {("cmn", "zh-cn")}, calls
    assert "欢迎查询本村低保发放情况" in _read(daemon.out / "text.txt")
    seconds = 0.0
    for part in wavs(daemon):
        with wave.open(str(part)) as w:
            seconds += w.getnframes() / w.getframerate()
    assert seconds > 3.0, f"{seconds:.2f} s of speech"  # 15 syllables; "$DATA" alone is 0.6 s
    speaker.close()  # before the daemon goes


def test_one_connection_serves_every_say(qtbot, speechd):
    daemon = wav_daemon(speechd, ["cmn"])
    speaker = Speaker()
    assert speaker.connect()
    connection = speaker._conn
    for text in ("第一条", "第二条", "第三条"):
        assert speaker.say(text)
    assert speaker._conn is connection
    assert speaker.last_text == "第三条"
    qtbot.waitUntil(lambda: "第三条" in _read(daemon.out / "text.txt"), timeout=15000)
    speaker.stop()
    assert not speaker.say("   ")  # nothing to say is not handed over
    assert speaker.last_text == "第三条"
    speaker.close()
    assert not speaker.available and not speaker.say("你好")


def test_a_daemon_that_goes_away_turns_read_aloud_off(qtbot, speechd):
    daemon = wav_daemon(speechd, ["cmn"])
    speaker = Speaker()
    assert speaker.connect()
    daemon.stop()
    assert speaker.say("还在吗")  # queued: the UI thread never waits for the daemon
    qtbot.waitUntil(lambda: not speaker.available, timeout=10_000)
    assert not speaker.say("你好")


def test_no_chinese_voice_means_no_read_aloud(qtbot, speechd):
    wav_daemon(speechd, ["en", "yue"])
    speaker = Speaker()
    assert not speaker.connect() and not speaker.available
    assert speaker.unavailable_reason == NO_CHINESE_VOICE
    assert not speaker.say("你好")
    assert speaker.last_text is None


def test_picks_the_espeak_ng_mandarin_voice(qtbot, speechd):
    """What Debian's espeak-ng module really offers: 13,000+ voices, Mandarin as "cmn"."""
    if _module_dir("sd_espeak-ng") is None:
        pytest.skip(f"speech-dispatcher-espeak-ng is not installed ({NEEDS})")
    daemon = speechd('AddModule "espeak-ng" "sd_espeak-ng" "espeak-ng.conf"\nDefaultModule espeak-ng\n')
    speaker = Speaker()
    assert speaker.connect()
    assert speaker.voice_name == "Chinese (Mandarin, latin as English)"
    assert speaker.say("你好")
    # The daemon took the message for its espeak-ng module (its log names each one).
    qtbot.waitUntil(lambda: "你好" in daemon.log() or "Module speak" in daemon.log(), timeout=15000)
    speaker.close()


def test_without_a_daemon_read_aloud_is_unavailable(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{tmp_path / 'nobody-listens'}")
    monkeypatch.setenv("PATH", str(tmp_path))  # and no speech-dispatcher to start
    speaker = Speaker()
    assert not speaker.connect() and not speaker.available
    assert not speaker.say("你好")
    assert speaker.last_text is None
    speaker.stop()


def test_voice_choice():
    # As speech-dispatcher lists espeak-ng's voices: (name, language).
    espeak = [("English (America)", "en-us"), ("Chinese (Cantonese)", "yue"),
              ("Chinese (Mandarin, latin as English)+Adam", "cmn"), ("Hakka Chinese", "hak"),
              ("Chinese (Mandarin, latin as Pinyin)", "cmn-latn-pinyin"),
              ("Chinese (Mandarin, latin as English)", "cmn")]  # fmt: skip
    assert chinese_voice(espeak)[0] == "Chinese (Mandarin, latin as English)"
    assert chinese_voice(espeak[:3])[0] == "Chinese (Mandarin, latin as English)+Adam"
    assert chinese_voice([("Xiaoyue", "zh-cn"), ("cmn", "cmn")])[0] == "Xiaoyue"
    assert chinese_voice([("yue", "yue"), ("Xiaoyan", "zh-tw")])[0] == "Xiaoyan"
    assert chinese_voice([("Meijia", "zh-hk"), ("English (America)", "en-us"), ("yue", "yue")]) is None


def test_a_hung_daemon_is_given_up_on_within_the_deadline(tmp_path, monkeypatch):
    """A daemon that accepts the connection and never replies (seen on the dev machine) made
    QTextToSpeech block the UI thread forever; connecting gives up after its timeout."""
    import socket
    import time

    path = tmp_path / "hung.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as hung:
        hung.bind(str(path))
        hung.listen(1)  # accepts (the kernel queues it), never answers
        monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{path}")
        started = time.monotonic()
        assert Speaker().connect(timeout_s=0.5) is False
        assert time.monotonic() - started < 3


@quiet_qt
def test_the_kiosk_shows_read_aloud_and_reads_the_page_shown(qtbot, speechd, demo_db, tmp_path):
    """The real window with a working Mandarin voice: 朗读 appears, and a tap hands the
    engine what the page shown says (a lookup's rows), which then reaches espeak-ng."""
    from tests.helpers.kiosk import open_kiosk, tap

    daemon = wav_daemon(speechd, ["cmn"])
    window = open_kiosk(qtbot, tmp_path / "settings.json", demo_db)
    assert not window.read_aloud.isVisible()  # until the daemon has answered
    window.reader.prepare()
    qtbot.waitUntil(window.read_aloud.isVisible, timeout=15_000)
    village = next(iter(window.home.town_buttons))
    window.home.choose_town(village)
    window.show_village(next(iter(window.home.village_buttons)))
    tap(qtbot, window.read_aloud)
    said = window.speaker.last_text
    assert said.startswith(window.payouts.title.text()) and "合计" in said
    qtbot.waitUntil(lambda: "合计" in _read(daemon.out / "text.txt"), timeout=15_000)
    # Another page: reading stops, and the next tap reads the new page, not the old one.
    window.show_page("policies").view.open(0)
    assert not window.read_aloud.isChecked()
    tap(qtbot, window.read_aloud)
    assert "内容摘要" in window.speaker.last_text and "合计" not in window.speaker.last_text
    window.quit_kiosk()
