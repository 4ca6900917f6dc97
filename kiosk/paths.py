"""Where things live: bundled resources (from source or a PyInstaller bundle), and a
terminal's own files, all found from its database path."""

import os
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kiosk import config

APP_NAME = "shenqing-kiosk"
APP_AUTHOR = "shenxian"


@cache  # resolving this file's path asked the file system each time: ~0.15 ms an icon
def resources_dir() -> Path:
    """The ``resources/`` folder, found the same way from source and from a bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    """Path of one bundled resource, e.g. ``resource("county", "towns.csv")``.

    Raises:
        FileNotFoundError: the resource is not bundled (a packaging bug).
    """
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"bundled resource missing: {path}")
    return path


def cjk_font() -> Path:
    """The bundled CJK TrueType font (WenQuanYi Micro Hei), for the screen and for PDFs."""
    return resource("fonts", "wqy-microhei.ttc")


def data_dir() -> Path:
    """The per-user data folder: the default terminal's home."""
    # As platformdirs' user_data_dir, which with its imports cost ~9 ms of every start: the
    # XDG base directory on Linux (an absolute $XDG_DATA_HOME, else ~/.local/share).
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local"
        return Path(local) / APP_AUTHOR / APP_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_NAME
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    return (Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "share") / APP_NAME


def default_db_path() -> Path:
    """The database the kiosk uses unless told otherwise; ``KIOSK_DB`` overrides."""
    override = config.env("KIOSK_DB")
    return Path(override) if override else data_dir() / "kiosk.sqlite3"


@dataclass(frozen=True)
class TerminalFiles:
    """Everything a terminal keeps beside its database, named in one place.

    Everything but the database sits in the database's folder, so a terminal is one folder
    that can be backed up, moved or wiped whole.
    """

    db: Path

    @property
    def folder(self) -> Path:
        return self.db.resolve().parent

    @property
    def settings(self) -> Path:
        return self.folder / "settings.json"

    @property
    def feed_cache(self) -> Path:
        """The last verified feed (python-tuf's metadata and targets): what a damaged
        database is rebuilt from."""
        return self.folder / "feed-cache"

    @property
    def outbox(self) -> Path:
        """Sealed requests waiting for the county (ciphertext only) and their state."""
        return self.folder / "outbox"

    @property
    def terminal_key(self) -> Path:
        """The terminal's ed25519 signing key (mode 0600)."""
        return self.folder / "terminal-key"

    @property
    def upload_credential(self) -> Path:
        """The user name and password the county issued for this terminal's uploads (0600)."""
        return self.folder / "upload-credential.json"

    @property
    def sync_attempt(self) -> Path:
        """The last sync attempt, whatever its outcome (a refused sync leaves the database
        as it was, so this small file says what happened)."""
        return self.folder / "sync-attempt.json"

    @property
    def logs(self) -> Path:
        return self.folder / "logs"

    @property
    def demo_county(self) -> Path:
        """What ``kiosk demo`` keeps of the county it plays (keys, feed, cases)."""
        return self.folder / "demo-county"


def terminal_files(db: Path | None = None) -> TerminalFiles:
    """The files of the terminal whose database is ``db`` (default: ``default_db_path()``)."""
    return TerminalFiles(Path(db) if db is not None else default_db_path())
