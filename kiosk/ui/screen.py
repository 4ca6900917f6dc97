"""The kiosk window covers its whole screen, with or without a window manager.

``showFullScreen()`` only asks for full screen: on X11 it sets _NET_WM_STATE_FULLSCREEN,
which only a window manager acts on (Qt's QWidget docs: "X11 window managers that follow
modern post-ICCCM specifications support full-screen mode properly"). Under a bare
``xinit`` session nobody does, and the window keeps its size hint (1114x720 on a 1920x1080
screen). So on X11 the kiosk also sets its geometry to the screen's itself, and again
whenever the screen's geometry changes (RandR rotation or resolution) or the window moves
to another screen. With a window manager the extra geometry is the same rectangle the
manager gives a full-screen window, so it changes nothing.

Windows: the Qt docs say "Full-screen mode works fine under Windows" (Qt itself sizes the
frameless window to the screen); setting the same rectangle again is harmless.

Wayland (e.g. the cage kiosk compositor): a client cannot place its window (Qt pins a
toplevel to its screen's top left) and the size of a full-screen surface is the
compositor's: xdg-shell makes the configured full-screen size a maximum the client must
not exceed. ``showFullScreen()`` (xdg_toplevel.set_fullscreen) is all that is needed and
the compositor resizes the window when the output changes; the kiosk leaves the geometry
alone there.
"""

from contextlib import suppress

from PySide6.QtCore import QObject, QRect
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

from kiosk import log

_log = log.get("kiosk.ui")


def cover_screen(window: QWidget) -> None:
    """Show ``window`` full screen, covering its screen now and after the screen changes."""
    if _compositor_sizes_windows():
        window.showFullScreen()
        return
    # Before showing, so that the window is mapped at its final size (no small window first).
    _fit(window, window.screen())
    window.showFullScreen()
    _ScreenFollower(window)


def _compositor_sizes_windows() -> bool:
    return QGuiApplication.platformName().startswith("wayland")


def _fit(window: QWidget, screen: QScreen | None) -> None:
    if screen is None:
        return
    target = screen.geometry()
    window.setGeometry(target)
    if window.geometry() != target:
        # The layout cannot shrink that far: say so, rather than leave a mystery strip.
        _log.warning("window %s does not fit screen %s %s (minimum size %s)", _text(window.geometry()),
                     screen.name() or "?", _text(target), window.minimumSize().toTuple())  # fmt: skip


def _text(rect: QRect) -> str:
    return f"{rect.width()}x{rect.height()}+{rect.x()}+{rect.y()}"


class _ScreenFollower(QObject):
    """Refits the window when its screen's geometry changes or it moves to another screen."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._screen: QScreen | None = None
        window.windowHandle().screenChanged.connect(self._follow)
        self._follow(window.screen())

    def _follow(self, screen: QScreen | None) -> None:
        if self._screen is not None:
            with suppress(RuntimeError, TypeError):  # the old screen may be gone already
                self._screen.geometryChanged.disconnect(self._refit)
        self._screen = screen
        if screen is not None:
            screen.geometryChanged.connect(self._refit)
            _fit(self._window, screen)

    def _refit(self, *_) -> None:
        _log.info("screen %s is now %s: refitting the window", self._screen.name(),
                  _text(self._screen.geometry()))  # fmt: skip
        _fit(self._window, self._screen)
