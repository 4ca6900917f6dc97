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


def _without_traceback(record: logging.LogRecord) -> bool:
    """Tracebacks go to the log file, never to the person at the terminal."""
    return record.exc_info is None


def setup(log_dir: Path | None, level: int = logging.INFO, fallback: Path | None = None) -> Path | None:
    """Log warnings to stderr and everything to a bounded file (5 x 2 MB) in ``log_dir``.

    A terminal runs for years; the bound keeps the disk from filling. A folder that cannot
    be written (read-only, full) is replaced by ``fallback``, and without one logging goes
    to stderr only rather than stopping the program.

    Returns:
        the folder the log file is in, or None when there is none.
    """
    root = logging.getLogger("kiosk")
    root.setLevel(level)
    if root.handlers:
        return next((Path(h.baseFilename).parent for h in root.handlers
                     if isinstance(h, BoundedFileHandler)), None)  # fmt: skip
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    stream = logging.StreamHandler()
    stream.setLevel(logging.WARNING)
    stream.setFormatter(fmt)
    stream.addFilter(_without_traceback)
    root.addHandler(stream)
    refused = []
    for folder in (log_dir, fallback):
        if folder is None:
            continue
        try:
            folder.mkdir(parents=True, exist_ok=True)
            bounded = BoundedFileHandler(folder / "kiosk.log")
        except OSError as exc:
            refused.append(f"{folder}: {exc}")
            continue
        bounded.setFormatter(fmt)
        root.addHandler(bounded)
        for why in refused:  # into the file that works, not onto the staff's screen
            root.info("cannot write the log file in %s", why)
        return folder
    for why in refused:
        root.warning("cannot write the log file in %s", why)
    return None


def install_exception_hooks() -> None:
    """Log every exception nobody caught, on any thread, with its traceback.

    In a Qt program an exception in a slot reaches ``sys.excepthook`` and the event loop
    goes on; the kiosk must go on too, with the fault on record.
    """
    import sys
    import threading

    crash = get("kiosk.crash")
    sys.excepthook = lambda kind, value, tb: crash.error(
        "uncaught %s", kind.__name__, exc_info=(kind, value, tb))
    threading.excepthook = lambda args: crash.error(
        "uncaught %s in thread %s", args.exc_type.__name__,
        args.thread.name if args.thread else "?",
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
    sys.unraisablehook = lambda u: crash.error(
        "unraisable %s: %s", type(u.exc_value).__name__, u.err_msg or "", exc_info=(
            type(u.exc_value), u.exc_value, u.exc_traceback) if u.exc_value else None)
