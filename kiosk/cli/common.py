"""What every ``kiosk`` command shares: output, exit codes, the ``--db`` option, a terminal's
settings, the progress bar. Imports nothing of either program."""

import argparse
import sys
from pathlib import Path

from kiosk import paths
from kiosk.config import Settings
from kiosk.errors import KnownError

EXIT_OK, EXIT_FAILED = 0, 1


def out(message: str) -> None:
    """One line for the person or script that ran the command (standard output)."""
    print(message, flush=True)


def err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="数据库文件（默认：用户数据目录，KIOSK_DB 可覆盖）")


def db_path(args: argparse.Namespace) -> Path:
    return Path(args.db) if getattr(args, "db", None) else paths.default_db_path()


def terminal_settings(db: Path) -> Settings:
    return Settings(paths.TerminalFiles(db).settings)


class NotInThisBuild(KnownError):
    """A county command run from the terminal bundle, which leaves the county program out."""

    def __init__(self, command: str):
        super().__init__(f"“kiosk {command}”属于县级程序，终端版本中没有此命令，请在县里的电脑上运行",
                         f"'kiosk {command}' belongs to the county program, which is not part of "
                         "the terminal build; run it on the county's computer")


class ProgressBar:
    """A one-line progress bar on the staff's terminal (stderr)."""

    def __init__(self, width: int = 30):
        self._width = width

    def update(self, phase: str, done: int, total: int) -> None:
        filled = self._width * done // max(total, 1)
        bar = "█" * filled + "·" * (self._width - filled)
        print(f"\r{phase} [{bar}] {done}/{total}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        print(file=sys.stderr, flush=True)


def progress_bar() -> ProgressBar | None:
    """A bar when a person watches (stderr is a terminal), else None."""
    return ProgressBar() if sys.stderr.isatty() else None
