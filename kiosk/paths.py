"""Where things live: bundled resources (from source or a PyInstaller bundle) and user data."""

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "shenqing-kiosk"
APP_AUTHOR = "shenxian"


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
    """The per-user data folder of this terminal (database, logs, feed cache)."""
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def default_db_path() -> Path:
    """The database the kiosk uses unless told otherwise; ``KIOSK_DB`` overrides."""
    override = os.environ.get("KIOSK_DB")
    if override:
        return Path(override)
    return data_dir() / "kiosk.sqlite3"


def log_dir() -> Path:
    return data_dir() / "logs"
