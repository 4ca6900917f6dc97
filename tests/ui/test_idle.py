"""还在看吗？: the countdown before the idle reset, with the real kiosk window and real taps."""

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFontInfo, QInputEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kiosk.ui.idle import StillThere
from tests.helpers.kiosk import tap

TOWN = "371522102"
NEVER = 3_600_000


class Inputs(QObject):
    """Records the input events that reach one widget."""

    def __init__(self, widget):
        super().__init__()
        self.kinds: list[QEvent.Type] = []
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if isinstance(event, QInputEvent):
            self.kinds.append(event.type())
        return False


def _villager_types_a_search(qtbot, window) -> None:
    """Town → first village → 查询本人 → 1 2 on the keypad (the ID number's last characters)."""
    qtbot.waitUntil(lambda: bool(window.idle_watch.activity), timeout=3000)  # start-up finished
    tap(qtbot, window.home.town_buttons[TOWN])
    tap(qtbot, next(iter(window.home.village_buttons.values())))
    assert window.page_name() == "payouts"
    tap(qtbot, window.payouts.lookup_button)
    for char in "12":
        tap(qtbot, window.payouts.lookup.keypad.keys[char])
    assert _typed(window) == "12"


def _typed(window) -> str:
    return window.payouts.lookup.last4.text()


def _countdown(qtbot, window, seconds: int = 10):
    """Let the idle timeout run out (quickly) and return the countdown it shows."""
    window.idle_watch.countdown_s = seconds
    window.idle.setInterval(50)
    window.idle.start()
    watch = window.idle_watch
    qtbot.waitUntil(lambda: watch._still_there is not None and watch.still_there.isVisible(), timeout=3000)
    window.idle.setInterval(NEVER)  # a touch restarts it: no second countdown during the test
    still = window.idle_watch.still_there
    assert still.active and still.countdown.text() == f"{seconds} 秒后返回首页，并清除您输入的内容"
    return still


def test_a_touch_keeps_the_villager_and_taps_nothing_under_the_countdown(qtbot, window):
    _villager_types_a_search(qtbot, window)
    keypad = window.payouts.lookup.keypad
    home_presses = Inputs(window.home_button)
    went_home = []
    window.home_button.clicked.connect(lambda: went_home.append(True))

    # A click on 返回首页, under the cover: the countdown goes, the button never hears of it.
    still = _countdown(qtbot, window)
    tap(qtbot, window.home_button)
    assert not still.isVisible() and not still.active
    assert home_presses.kinds == [] and went_home == []
    assert window.page_name() == "payouts" and _typed(window) == "12"
    assert window.idle.isActive()
    tap(qtbot, keypad.keys["3"])  # the next tap is a tap again
    assert _typed(window) == "123"

    # A finger on the touch screen, on a key of the keypad: no synthesised click either.
    still = _countdown(qtbot, window)
    device = QTest.createTouchDevice()
    at = keypad.keys["4"].mapTo(window, keypad.keys["4"].rect().center())
    QTest.touchEvent(window, device).press(0, at, window).commit()
    QTest.touchEvent(window, device).release(0, at, window).commit()
    qtbot.wait(50)
    assert not still.isVisible() and _typed(window) == "123"

    # A key (space would press the focused keypad key).
    keypad.keys["5"].setFocus()
    still = _countdown(qtbot, window)
    qtbot.keyClick(keypad.keys["5"], Qt.Key.Key_Space)
    assert not still.isVisible() and _typed(window) == "123"

    # 继续查看 itself.
    still = _countdown(qtbot, window)
    tap(qtbot, still.keep)
    assert not still.isVisible() and window.page_name() == "payouts" and _typed(window) == "123"


def test_untouched_the_kiosk_resets(qtbot, window):
    _villager_types_a_search(qtbot, window)
    still = _countdown(qtbot, window, seconds=1)
    qtbot.waitUntil(lambda: window.page_name() == "home", timeout=3000)
    assert not still.isVisible() and not still.active
    assert _typed(window) == "" and window.village_code is None
    assert window.home.village_buttons == {} and window.home.town_code is None
    assert window.idle.isActive()


@pytest.mark.slow
def test_the_countdown_counts_down_in_large_type(qtbot, window):
    _villager_types_a_search(qtbot, window)
    still = _countdown(qtbot, window, seconds=3)
    assert QFontInfo(still.title.font()).pointSizeF() >= 30
    assert QFontInfo(still.countdown.font()).pointSizeF() >= 24
    assert QFontInfo(still.keep.font()).pointSizeF() >= 24
    assert still.keep.height() >= 96 and still.keep.width() >= 96
    shown = [still.countdown.text()]
    still.tick.timeout.connect(lambda: still.isVisible() and shown.append(still.countdown.text()))
    qtbot.waitUntil(lambda: window.page_name() == "home", timeout=5000)
    assert shown == [f"{n} 秒后返回首页，并清除您输入的内容" for n in (3, 2, 1)]
    assert not still.isVisible()


def test_the_countdown_is_a_cover_in_the_window_not_a_dialog(qtbot, window):
    # The villager pages built after start-up (a page made is a top-level widget until it is
    # put in the window a turn later): what is counted below is the countdown's doing alone.
    qtbot.waitUntil(lambda: window.is_started, timeout=10000)
    _villager_types_a_search(qtbot, window)
    built = QApplication.topLevelWidgets()
    still = _countdown(qtbot, window)
    assert [w for w in QApplication.topLevelWidgets() if w.isVisible()] == [window]
    assert QApplication.activeModalWidget() is None and QApplication.activePopupWidget() is None
    assert not still.isWindow() and still.window() is window
    assert still.geometry() == window.centralWidget().rect()
    window.resize(900, 1280)  # turned to portrait: the cover follows
    qtbot.waitUntil(lambda: still.geometry() == window.centralWidget().rect(), timeout=2000)
    panel = still.panel.geometry()
    assert still.rect().contains(panel) and still.keep.isVisible()
    tap(qtbot, window.home_button)
    # Shown again and again, it is the same widget: nothing is built per countdown.
    assert _countdown(qtbot, window) is still
    tap(qtbot, still.keep)

    def countdowns(times: int) -> int:
        """Countdowns cancelled and run out; the QObjects under the window after them."""
        for _ in range(times):
            still.start(10)
            still.cancel()
            still.start(1)
            still._tick()  # the last second: the reset
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        return len(window.findChildren(QObject))

    objects = countdowns(1)  # the first reset after a journey deletes the journey's widgets
    assert countdowns(200) == objects  # weeks of countdowns
    assert window.findChildren(StillThere) == [still]
    assert len(QApplication.topLevelWidgets()) == len(built)


def test_on_the_untouched_home_page_the_reset_is_silent(qtbot, window):
    qtbot.waitUntil(lambda: bool(window.idle_watch.activity), timeout=3000)
    window.notice.setText("请在下方选择您所在的乡镇(街道)和村")  # a reset clears it
    window.idle.setInterval(50)
    window.idle.start()
    qtbot.waitUntil(lambda: window.notice.text() == "", timeout=3000)
    assert window.idle_watch._still_there is None  # never even built
    assert window.page_name() == "home"
    window.idle.setInterval(NEVER)
    window.idle.start()
    # A town chosen is something to keep: that home page asks first.
    tap(qtbot, window.home.town_buttons[TOWN])
    still = _countdown(qtbot, window)
    tap(qtbot, still.keep)
    assert window.home.town_code == TOWN and window.home.village_buttons


def test_after_a_reset_freed_memory_goes_back_unless_a_villager_came(qtbot, window, monkeypatch):
    from kiosk import heap

    released = []
    monkeypatch.setattr(heap, "release_free_memory", lambda: released.append(1) or 0.0)
    window.reset()
    qtbot.waitUntil(lambda: released == [1], timeout=3000)
    window.reset()
    town = next(iter(window.home.town_buttons))
    tap(qtbot, window.home.town_buttons[town])
    village = next(iter(window.home.village_buttons.values()))
    window.home.village_area.ensureWidgetVisible(village)
    tap(qtbot, village)  # before the release was due
    qtbot.wait(1000)
    assert released == [1]


def test_freed_memory_is_handed_back_to_the_system():
    from kiosk import heap

    blocks = [bytearray(64 * 1024) for _ in range(2000)]  # ~128 MB in malloc'd blocks, then freed
    del blocks
    assert heap.release_free_memory() > 0  # glibc's malloc_trim ran (the CI is Debian)


def test_a_freed_big_block_goes_back_to_the_system_at_once():
    """With the mmap threshold kept at 128 KB, freed 1 MB blocks leave the process even after
    a bigger one was freed (which, left to glibc, raises the threshold above 1 MB: the next
    such blocks come from the heap, and small blocks after them keep their pages there; 64 MB
    kept in this test without the fix)."""
    from kiosk import heap

    def rss_mb() -> float:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * 4096 / 2**20

    assert heap.keep_large_blocks_mapped()
    big = bytearray(8 * 2**20)
    del big
    before = rss_mb()
    blocks, pins = [], []
    for _ in range(64):
        block = bytearray(2**20)
        block[::4096] = b"x" * len(block[::4096])  # its pages touched
        blocks.append(block)
        pins.append(bytearray(600))  # a small malloc'd block after each big one
    del blocks, block
    assert rss_mb() - before < 16
