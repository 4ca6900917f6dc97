"""The ``kiosk`` command: the public interface for staff and for automation.

One command, two programs: ``terminal`` (run, sync, print, the outbox …), ``county`` (feed,
inbox) and ``demo``, which drives both; ``common`` holds what they share. The terminal
bundle leaves the county program out, and its commands then say so in one line.

Exit codes: 0 success, 1 refused or failed with a clear message, 2 usage error.
"""

import argparse
import gc
import sys
from pathlib import Path

# Start-up makes ~200k objects that all live as long as the kiosk: collecting among them
# is wasted (~10 ms of the first frame). main() turns collection back on, and the kiosk
# itself once its start-up is finished (kiosk.app), with the start-up's objects frozen.
gc.disable()

# ruff: noqa: E402 - the imports come after gc.disable(), on purpose
from kiosk import log, paths, version
from kiosk.cli import terminal
from kiosk.cli.common import EXIT_FAILED, err
from kiosk.errors import KnownError, as_known


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``kiosk`` parser; for ``command`` "run" only the kiosk's own, without the ~40 other
    commands (their parsers and modules cost ~20 ms before the kiosk's first frame)."""
    parser = argparse.ArgumentParser(
        prog="kiosk", description="莘情公开 村务公开查询终端 / Shen County disclosure kiosk"
    )
    parser.add_argument("--version", action="version", version=f"kiosk {version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    if command == "run":
        terminal.add_run(commands)
        return parser
    from kiosk.cli import versions

    if command == "launch":  # stays resident beside the kiosk: nothing else loaded
        versions.add_launch(commands)
        return parser
    from kiosk.cli import county, demo, screen

    terminal.add_commands(commands)
    versions.add_commands(commands)
    screen.add_commands(commands)
    demo.add_commands(commands)
    county.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    if args.handler.__name__ != "cmd_run":
        gc.enable()
    # A terminal command logs beside its database; a county command in the default place.
    logs = paths.terminal_files(args.db if getattr(args, "db", None) and _is_terminal(args) else None).logs
    if args.command == "launch" and args.root:  # its own file: the kiosk it starts writes kiosk.log
        logs = Path(args.root) / "logs"
    logs = log.setup(logs, fallback=paths.data_dir() / "logs")
    try:
        return args.handler(args)
    except KnownError as exc:  # ImportRefused adds one line per problem to its message
        err(str(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        err("已中断 / interrupted")
        return EXIT_FAILED
    except Exception as exc:
        # One line for the person at the terminal; the traceback goes to the log file only.
        known = as_known(exc)
        log.get("kiosk.cli").error("kiosk %s failed: %s", args.command, known.en, exc_info=exc)
        err(f"{known} （详情见日志 {logs / 'kiosk.log'}）" if logs else str(known))
        return EXIT_FAILED


def _is_terminal(args: argparse.Namespace) -> bool:
    """Whether ``--db`` names a terminal's database (the county's cases database has one too)."""
    return args.handler.__module__ != "kiosk.cli.county"
