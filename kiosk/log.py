"""Named loggers per subsystem, written to a bounded rotating file on the terminal."""

import logging
import os
from pathlib import Path

MAX_BYTES, BACKUPS = 2_000_000, 5


def get(name: str) -> logging.Logger:
    """A logger for one subsystem, e.g. ``log.get("kiosk.sync")``."""
    return logging.getLogger(name)


class BoundedFileHandler(logging.FileHandler):
    """A log file that moves to ``.1`` … ``.N`` when it reaches ``max_bytes``.

    What logging.handlers.RotatingFileHandler does; that module also imports socket,
    pickle and queue, ~6 ms of a kiosk's 100 ms start-up budget.
    """

    def __init__(self, path: Path, max_bytes: int = MAX_BYTES, backups: int = BACKUPS):
        super().__init__(path, encoding="utf-8")
        self.max_bytes, self.backups = max_bytes, backups

    def emit(self, record: logging.LogRecord) -> None:  # called under the handler's lock
        if self.stream is not None and self.stream.tell() >= self.max_bytes:
            self._roll_over()
        super().emit(record)

    def _roll_over(self) -> None:
        self.stream.close()
        self.stream = None
        for index in range(self.backups - 1, 0, -1):
            older = f"{self.baseFilename}.{index}"
            if os.path.exists(older):
                os.replace(older, f"{self.baseFilename}.{index + 1}")
        os.replace(self.baseFilename, f"{self.baseFilename}.1")
        self.stream = self._open()


def setup(log_dir: Path | None, level: int = logging.INFO) -> None:
    """Log to stderr and, when a folder is given, to a bounded file (5 x 2 MB).

    A terminal runs for years; the bound keeps the disk from filling.
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
        bounded = BoundedFileHandler(log_dir / "kiosk.log")
        bounded.setFormatter(fmt)
        root.addHandler(bounded)
