"""`kiosk run` on a real X server with no window manager (a bare `xinit` kiosk session):
its window covers the whole screen, measured from outside the process with xwininfo.

Needs the Debian packages xvfb and x11-utils (xwininfo); the RandR test also needs
xserver-xephyr and x11-xserver-utils (xrandr). Missing ones skip their tests.
"""

import os
import re
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers.cli import kiosk_command
from tests.helpers.data import copy_database

APP_CLASS = '"莘情公开")'  # the window's WM_CLASS ends with the application name (app.create_app)

needs_xvfb = pytest.mark.skipif(
    not (shutil.which("Xvfb") and shutil.which("xwininfo")),
    reason="needs Xvfb and xwininfo: apt-get install xvfb x11-utils",
)


def _start_x(command: list[str], env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """An X server on the first free display (it writes the number to -displayfd)."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen([*command, "-displayfd", str(write_end), "-nolisten", "tcp"],
                              pass_fds=(write_end,), env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    os.close(write_end)
    try:
        number = b""
        deadline = time.monotonic() + 20
        while not number.endswith(b"\n"):
            ready, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(read_end, 16) if ready else b""
            if not chunk:
                _stop(server)
                pytest.fail(f"{command[0]} did not start (exit code {server.returncode})")
            number += chunk
    finally:
        os.close(read_end)
    return server, f":{int(number)}"


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _kiosk_geometry(display: str) -> tuple[int, int, int, int] | None:
    """x, y, width, height of the kiosk's mapped top-level window, or None while there is none."""
    env = {**os.environ, "DISPLAY": display}
    tree = subprocess.run(["xwininfo", "-root", "-children"], capture_output=True, env=env, timeout=10)
    for line in tree.stdout.decode("utf-8", "replace").splitlines():
        if APP_CLASS not in line:
            continue
        window = line.split()[0]
        info = subprocess.run(["xwininfo", "-id", window], capture_output=True, env=env, timeout=10)
        text = info.stdout.decode("utf-8", "replace")
        if "IsViewable" not in text:
            continue  # Qt's unmapped helper windows
        fields = dict(re.findall(r"^\s*(Absolute upper-left [XY]|Width|Height):\s*(-?\d+)", text, re.M))
        return (int(fields["Absolute upper-left X"]), int(fields["Absolute upper-left Y"]),
                int(fields["Width"]), int(fields["Height"]))  # fmt: skip
    return None


def _wait_for_geometry(display: str, kiosk: subprocess.Popen, expected, timeout_s: float = 20):
    """The kiosk's window geometry once it equals ``expected``, else the last one seen."""
    seen = None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert kiosk.poll() is None, f"the kiosk exited with {kiosk.returncode}"
        seen = _kiosk_geometry(display)
        if seen == expected:
            return seen
        time.sleep(0.2)
    return seen


def _run_kiosk(db: Path, display: str, tmp_path: Path) -> subprocess.Popen:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
           "XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path / "home")}  # fmt: skip
    env.pop("WAYLAND_DISPLAY", None)
    (tmp_path / "home").mkdir(exist_ok=True)
    with (tmp_path / "kiosk.out").open("wb") as output:
        return subprocess.Popen(kiosk_command("run", "--db", db), env=env, stdout=output,
                                stderr=subprocess.STDOUT)  # fmt: skip


def _wait_until_up(kiosk: subprocess.Popen, tmp_path: Path) -> None:
    """Until the kiosk has built its pages (a SIGTERM while it is still building them
    aborts it: "QThread: Destroyed while thread is still running")."""
    log = tmp_path / "terminal" / "logs" / "kiosk.log"  # beside the database
    deadline = time.monotonic() + 60
    while not (log.exists() and "villager pages built" in log.read_text(encoding="utf-8")):
        assert kiosk.poll() is None, f"the kiosk exited with {kiosk.returncode}"
        assert time.monotonic() < deadline, "the kiosk did not come up"
        time.sleep(0.2)


def _end_kiosk(kiosk: subprocess.Popen, tmp_path: Path) -> None:
    """SIGTERM, as a service manager stops it: the kiosk quits cleanly."""
    if kiosk.poll() is None:
        _wait_until_up(kiosk, tmp_path)
    _stop(kiosk)
    said = (tmp_path / "kiosk.out").read_text(encoding="utf-8", errors="replace")
    assert kiosk.returncode == 0, said
    assert "Traceback" not in said


@pytest.fixture
def terminal_db(demo_db_file, tmp_path) -> Path:
    return copy_database(demo_db_file, tmp_path / "terminal" / "kiosk.sqlite3")


@needs_xvfb
@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768), (1280, 800), (1080, 1920)],
                         ids=lambda s: f"{s[0]}x{s[1]}")  # fmt: skip
def test_the_kiosk_covers_the_whole_screen_without_a_window_manager(size, terminal_db, tmp_path,
                                                                    no_real_devices):  # fmt: skip
    width, height = size
    xvfb, display = _start_x(["Xvfb", "-screen", "0", f"{width}x{height}x24"])
    try:
        kiosk = _run_kiosk(terminal_db, display, tmp_path)
        try:
            _wait_until_up(kiosk, tmp_path)  # its pages built, the layout settled
            assert _wait_for_geometry(display, kiosk, (0, 0, width, height)) == (0, 0, width, height)
        finally:
            _end_kiosk(kiosk, tmp_path)
    finally:
        _stop(xvfb)


@needs_xvfb
@pytest.mark.skipif(
    not (shutil.which("Xephyr") and shutil.which("xrandr")),
    reason="needs Xephyr and xrandr: apt-get install xserver-xephyr x11-xserver-utils",
)
def test_the_kiosk_follows_a_resolution_change(terminal_db, tmp_path, no_real_devices):
    """A RandR size change (Xvfb offers only its start-up size, so a nested Xephyr, whose
    RandR has a list of sizes, stands in for the monitor)."""
    xvfb, host = _start_x(["Xvfb", "-screen", "0", "1920x1200x24"])
    try:
        xephyr, display = _start_x(["Xephyr", "-screen", "1920x1080", "-resizeable"],
                                   env={**os.environ, "DISPLAY": host})  # fmt: skip
        try:
            kiosk = _run_kiosk(terminal_db, display, tmp_path)
            try:
                _wait_until_up(kiosk, tmp_path)
                assert _wait_for_geometry(display, kiosk, (0, 0, 1920, 1080)) == (0, 0, 1920, 1080)
                for width, height in ((1280, 1024), (1600, 1200)):
                    subprocess.run(["xrandr", "-s", f"{width}x{height}"], check=True, capture_output=True,
                                   env={**os.environ, "DISPLAY": display}, timeout=10)  # fmt: skip
                    assert _wait_for_geometry(display, kiosk, (0, 0, width, height)) == (
                        0, 0, width, height)  # fmt: skip
            finally:
                _end_kiosk(kiosk, tmp_path)
        finally:
            _stop(xephyr)
    finally:
        _stop(xvfb)


def test_a_window_that_cannot_shrink_to_the_screen_is_reported(qtbot, caplog):
    """In process, on the offscreen platform: the window covers what it can, and the log
    says why it does not fit."""
    from PySide6.QtWidgets import QWidget

    from kiosk.ui.screen import cover_screen

    wide = QWidget()
    qtbot.addWidget(wide)
    screen = wide.screen().geometry()
    wide.setMinimumSize(screen.width() + 100, 100)
    cover_screen(wide)
    assert wide.isFullScreen()
    assert wide.geometry().getRect() == (0, 0, screen.width() + 100, screen.height())
    assert "does not fit screen" in caplog.text
