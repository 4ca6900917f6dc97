"""The text-entry panel a villager writes or spells in: real widget, synthesized strokes and taps."""

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.services import handwriting
from kiosk.ui import tasks, theme
from kiosk.ui.handwriting_panel import TextEntryPanel
from tests.helpers.kiosk import StandIn, tap
from tests.helpers.layout import SCREENS, layout_problems

LEFT = Qt.MouseButton.LeftButton


def _host(qtbot, size=(1080, 1920), elderly=False, **options) -> tuple[QWidget, TextEntryPanel]:
    """The panel embedded in a plain window of ``size`` with the kiosk's style sheet."""
    from kiosk.app import create_app

    create_app()
    host = QWidget()
    host.setStyleSheet(theme.stylesheet(theme.ELDERLY if elderly else theme.NORMAL))
    panel = TextEntryPanel(**options)
    QVBoxLayout(host).addWidget(panel)
    qtbot.addWidget(host)
    host.resize(*size)
    host.show()
    qtbot.waitExposed(host)
    return host, panel


@pytest.fixture(autouse=True)
def _no_leftover_tasks():
    yield
    tasks.wait_for_all()


def _stroke(qtbot, pad, start: tuple[float, float], end: tuple[float, float], steps: int = 12) -> None:
    """A finger stroke from ``start`` to ``end`` given as fractions of the pad."""
    (x0, y0), (x1, y1), w, h = start, end, pad.width(), pad.height()
    points = [QPoint(round(w * (x0 + (x1 - x0) * i / steps)), round(h * (y0 + (y1 - y0) * i / steps)))
              for i in range(steps + 1)]  # fmt: skip
    qtbot.mousePress(pad, LEFT, pos=points[0])
    for point in points[1:]:
        qtbot.mouseMove(pad, point)
    qtbot.mouseRelease(pad, LEFT, pos=points[-1])


def _write_ten(qtbot, pad) -> None:
    _stroke(qtbot, pad, (0.15, 0.45), (0.85, 0.45))  # 一
    _stroke(qtbot, pad, (0.5, 0.12), (0.5, 0.9))  # 丨


def _real_recognizer_missing() -> str | None:
    try:
        handwriting.find()
    except handwriting.Unavailable as exc:
        return exc.en
    return None


def test_writing_ten_with_the_real_recognizer(qtbot):
    missing = _real_recognizer_missing()
    if missing:
        pytest.skip(f"Zinnia or its model is not installed: {missing}")
    _host_window, panel = _host(qtbot)
    _write_ten(qtbot, panel.pad)
    assert len(panel.pad.strokes) == 2
    qtbot.waitUntil(lambda: "十" in panel.choices(), timeout=10_000)
    assert sum(b.isVisible() for b in panel.candidate_buttons) >= 8
    tap(qtbot, panel.candidate_buttons[panel.choices().index("十")])
    assert panel.text() == "十" and panel.pad.strokes == []


def test_handwriting_then_lianxiang_composes_dibao(qtbot, monkeypatch):
    monkeypatch.setattr(handwriting, "recognizer", lambda: StandIn())
    _host_window, panel = _host(qtbot)
    _stroke(qtbot, panel.pad, (0.2, 0.2), (0.8, 0.8))
    qtbot.waitUntil(lambda: panel.choices() == ["低", "氏", "纸"])
    tap(qtbot, panel.candidate_buttons[0])
    assert panel.text() == "低" and panel.pad.strokes == []
    assert "低保" in panel.choices()  # 联想 from the shipped word list
    tap(qtbot, panel.candidate_buttons[panel.choices().index("低保")])
    with qtbot.waitSignal(panel.accepted) as accepted:
        tap(qtbot, panel.buttons["确定"])
    assert accepted.args == ["低保"]


@pytest.mark.parametrize("letters", ["DB", "DIBAO"])
def test_pinyin_initials_or_full_compose_dibao(qtbot, monkeypatch, letters):
    monkeypatch.setattr(handwriting, "recognizer", lambda: StandIn())
    _host_window, panel = _host(qtbot)
    tap(qtbot, panel.tabs["拼音"])
    for letter in letters:
        tap(qtbot, panel.keypad.keys[letter])
    assert panel.letters.text() == letters.lower()
    assert "低保" in panel.choices()
    tap(qtbot, panel.candidate_buttons[panel.choices().index("低保")])
    assert panel.letters.text() == ""
    with qtbot.waitSignal(panel.accepted) as accepted:
        tap(qtbot, panel.buttons["确定"])
    assert accepted.args == ["低保"]


def test_pinyin_keypad_delete_and_single_characters(qtbot, monkeypatch):
    monkeypatch.setattr(handwriting, "recognizer", lambda: StandIn())
    _host_window, panel = _host(qtbot)
    tap(qtbot, panel.tabs["拼音"])
    for letter in "SHIX":
        tap(qtbot, panel.keypad.keys[letter])
    tap(qtbot, panel.keypad.keys["删除"])
    assert panel.letters.text() == "shi" and "十" in panel.choices()
    tap(qtbot, panel.candidate_buttons[panel.choices().index("十")])
    assert panel.text() == "十"
    tap(qtbot, panel.keypad.keys["删除"])  # no letters left: erases the character
    assert panel.text() == ""


def test_backspace_rewrite_and_space(qtbot, monkeypatch):
    monkeypatch.setattr(handwriting, "recognizer", lambda: StandIn())
    _host_window, panel = _host(qtbot)
    _stroke(qtbot, panel.pad, (0.2, 0.5), (0.8, 0.5))
    qtbot.waitUntil(lambda: bool(panel.choices()))
    tap(qtbot, panel.buttons["重写"])
    assert panel.pad.strokes == [] and panel.text() == "" and panel.choices() == []
    _stroke(qtbot, panel.pad, (0.2, 0.5), (0.8, 0.5))
    qtbot.waitUntil(lambda: bool(panel.choices()))
    tap(qtbot, panel.candidate_buttons[1])
    tap(qtbot, panel.buttons["空格"])
    assert panel.text() == "氏 "
    tap(qtbot, panel.buttons["退格"])
    tap(qtbot, panel.buttons["退格"])
    assert panel.text() == ""
    tap(qtbot, panel.buttons["退格"])  # nothing left: no error
    assert panel.text() == ""


def test_a_new_character_after_a_pause_takes_the_best_candidate(qtbot, monkeypatch):
    monkeypatch.setattr(handwriting, "recognizer", lambda: StandIn())
    _host_window, panel = _host(qtbot, auto_commit_s=0.05)
    _stroke(qtbot, panel.pad, (0.2, 0.5), (0.8, 0.5))
    _stroke(qtbot, panel.pad, (0.5, 0.2), (0.5, 0.8))  # quick: same character
    assert len(panel.pad.strokes) == 2 or panel.text() == ""
    qtbot.waitUntil(lambda: bool(panel.choices()))
    assert panel.text() == ""
    qtbot.wait(120)  # the villager pauses, then writes on
    _stroke(qtbot, panel.pad, (0.2, 0.5), (0.8, 0.5))
    assert panel.text() == "低" and len(panel.pad.strokes) == 1
    qtbot.waitUntil(lambda: bool(panel.choices()))
    with qtbot.waitSignal(panel.accepted) as accepted:  # 确定 takes the one still on the pad
        tap(qtbot, panel.buttons["确定"])
    assert accepted.args == ["低低"]


def test_no_auto_commit_while_writing_one_character(qtbot, monkeypatch):
    monkeypatch.setattr(handwriting, "recognizer", lambda: StandIn())
    _host_window, panel = _host(qtbot, auto_commit_s=30)
    for _ in range(3):
        _stroke(qtbot, panel.pad, (0.2, 0.5), (0.8, 0.5))
    qtbot.waitUntil(lambda: bool(panel.choices()))
    assert panel.text() == "" and len(panel.pad.strokes) == 3


def test_clear_forgets_everything(qtbot, monkeypatch):
    monkeypatch.setattr(handwriting, "recognizer", lambda: StandIn())
    _host_window, panel = _host(qtbot)
    _stroke(qtbot, panel.pad, (0.2, 0.5), (0.8, 0.5))
    qtbot.waitUntil(lambda: bool(panel.choices()))
    tap(qtbot, panel.candidate_buttons[0])
    _stroke(qtbot, panel.pad, (0.2, 0.5), (0.8, 0.5))
    panel.clear()
    tasks.wait_for_all()
    qtbot.wait(50)  # a late answer for the forgotten ink must not bring candidates back
    assert panel.text() == "" and panel.pad.strokes == [] and panel.choices() == []
    assert panel.mode() == panel.HANDWRITING and panel.letters.text() == ""
    assert not any(b.isVisible() for b in panel.candidate_buttons)


def test_without_the_recognizer_the_pad_says_so_and_pinyin_works(qtbot, monkeypatch):
    missing = handwriting.Unavailable("本机未安装手写识别库，手写输入暂不可用", "no libzinnia")
    monkeypatch.setattr(handwriting, "recognizer", lambda: StandIn(error=missing))
    _host_window, panel = _host(qtbot)
    qtbot.waitUntil(lambda: "手写输入暂不可用" in panel.pad.message())
    _stroke(qtbot, panel.pad, (0.2, 0.5), (0.8, 0.5))  # nothing drawn, nothing asked
    assert panel.pad.strokes == []
    tap(qtbot, panel.tabs["拼音"])
    for letter in "DB":
        tap(qtbot, panel.keypad.keys[letter])
    tap(qtbot, panel.candidate_buttons[panel.choices().index("低保")])
    assert panel.text() == "低保"


@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
@pytest.mark.parametrize("size", SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_fits_every_screen(qtbot, monkeypatch, size, elderly):
    monkeypatch.setattr(handwriting, "recognizer", lambda: StandIn(answers="低氏纸底抵邸砥坻诋祗"))
    host, panel = _host(qtbot, size=size, elderly=elderly)
    problems = []
    _stroke(qtbot, panel.pad, (0.2, 0.5), (0.8, 0.5))
    qtbot.waitUntil(lambda: len(panel.choices()) == 10)
    qtbot.wait(20)  # the layout settles on the next turn of the event loop, as on screen
    problems += layout_problems(host, "手写")
    # Square, or a little taller where the panel is tall: never wider than high, nor a strip.
    pad = panel.pad
    assert pad.width() >= 300 and pad.width() <= pad.height() <= pad.width() * 1.2 + 1, pad.size()
    tap(qtbot, panel.candidate_buttons[0])  # 联想: words, wider than characters
    assert len(panel.choices()) == 10
    qtbot.wait(20)
    problems += layout_problems(host, "联想")
    tap(qtbot, panel.tabs["拼音"])
    for letter in "CZ":
        tap(qtbot, panel.keypad.keys[letter])
    qtbot.wait(20)
    problems += layout_problems(host, "拼音")
    assert problems == [], "\n".join(problems)
