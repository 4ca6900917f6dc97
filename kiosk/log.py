"""Named loggers per subsystem, written to a bounded rotating file on the terminal."""

import logging
import logging.handlers
from pathlib import Path


def get(name: str) -> logging.Logger:
    """A logger for one subsystem, e.g. ``log.get("kiosk.sync")``."""
    return logging.getLogger(name)


def setup(log_dir: Path | None, level: int = logging.INFO) -> None:
    """Log to stderr and, when a folder is given, to a rotating file (5 x 2 MB).

    A terminal runs for years; the rotation bound keeps the disk from filling.
    """
    root = logging.getLogger("kiosk")
    root.setLevel(level)
    if root.handlers:
        return
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    stream = logging.StreamHandler()
    stream.setLevel(logging.WARNING)
    stream.setFormatter(fmt)
    root.addHandler(stream)
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        rotating = logging.handlers.RotatingFileHandler(
            log_dir / "kiosk.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
        rotating.setFormatter(fmt)
        root.addHandler(rotating)
