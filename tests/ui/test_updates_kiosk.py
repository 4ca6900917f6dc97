"""Program updates seen at the kiosk: a version under the launcher tells it once home shows;
a pending version takes over only at a quiet moment (nobody there, the start showing), never
under a villager; staff see the versions and hold or cap updates with big buttons."""

import pytest
from PySide6.QtWidgets import QApplication

from kiosk import version
from kiosk.services import admin, updates
from kiosk.update import install
from kiosk.update.state import AppRoot
from tests.helpers.bundles import make_bundle, packed
from tests.helpers.kiosk import PIN, tap, unlock

TOWN = "371522102"


@pytest.fixture
def managed(tmp_path, monkeypatch):
    """A program root running this version, with 9.0.0 unpacked and pending; the kiosk is
    started as the launcher starts it."""
    root = AppRoot(tmp_path / "app")
    install.install(root, make_bundle(tmp_path / "running", version()), version())
    install.stage(root, *packed(make_bundle(tmp_path / "next", "9.0.0"), tmp_path / "packed"))
    monkeypatch.setenv("KIOSK_APP_ROOT", str(root.path))
    monkeypatch.setenv("KIOSK_HOME_MARK", str(root.home_mark(version())))
    return root


@pytest.fixture
def exits(monkeypatch):
    """The codes the kiosk asks its event loop to exit with (the loop itself is the test's)."""
    asked: list[int] = []
    monkeypatch.setattr(QApplication, "exit", staticmethod(lambda code=0: asked.append(code)))
    return asked


@pytest.fixture
def quick_idle(window):
    """The idle timeout made 50 ms for the test, and long again after it: a window that
    quit for a switch is closed but alive until the test ends."""
    yield lambda: (window.idle.setInterval(50), window.idle.start())
    window.idle.setInterval(3_600_000)


def test_the_kiosk_marks_home_shown_for_the_launcher(qtbot, managed, window):
    qtbot.waitUntil(lambda: managed.home_mark(version()).exists(), timeout=5000)
    assert managed.home_mark(version()).read_text() == version()


def test_a_quiet_moment_switches_to_the_pending_version(qtbot, managed, window, exits, quick_idle):
    qtbot.waitUntil(lambda: window.is_started, timeout=5000)
    quick_idle()
    qtbot.waitUntil(lambda: exits == [updates.RESTART], timeout=3000)
    state = managed.load()
    assert (state.current, state.previous, state.pending, state.on_trial) == ("9.0.0", version(), "", True)


def test_a_villager_at_the_screen_is_not_interrupted(qtbot, managed, window, exits, quick_idle):
    qtbot.waitUntil(lambda: window.is_started, timeout=5000)
    tap(qtbot, window.home.town_buttons[TOWN])
    tap(qtbot, next(iter(window.home.village_buttons.values())))
    quick_idle()
    watch = window.idle_watch
    qtbot.waitUntil(lambda: watch._still_there is not None and watch.still_there.isVisible(), timeout=3000)
    assert exits == [] and managed.load().pending == "9.0.0"


def test_held_updates_wait_even_at_a_quiet_moment(qtbot, managed, window, exits, quick_idle):
    window.settings.set("update_hold", True)
    qtbot.waitUntil(lambda: window.is_started, timeout=5000)
    quick_idle()
    qtbot.wait(300)
    assert exits == [] and managed.load().pending == "9.0.0"


def test_staff_see_the_versions_and_hold_or_cap_updates(qtbot, managed, window):
    admin.set_pin(PIN)  # the demo_db fixture removes it afterwards
    unlock(qtbot, window)
    tap(qtbot, window.admin.settings_button)
    panel = window.admin.settings_panel
    assert f"正在运行 {version()}" in panel.version_label.text()
    assert "待切换版本 9.0.0" in panel.version_label.text()
    assert panel.hold_button.text() == "暂停程序自动更新"
    tap(qtbot, panel.hold_button)
    assert window.settings.get("update_hold") is True
    assert panel.hold_button.text() == "恢复程序自动更新" and "自动更新 已暂停" in panel.version_label.text()
    tap(qtbot, panel.pin_button)
    assert window.settings.get("update_pin") == version()
    assert panel.pin_button.text() == f"取消版本上限 {version()}"
    tap(qtbot, panel.pin_button)
    assert window.settings.get("update_pin") == ""
