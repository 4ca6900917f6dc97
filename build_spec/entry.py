"""PyInstaller entry point: the same `kiosk` command as the installed console script."""

import multiprocessing

from kiosk.cli import main

if __name__ == "__main__":
    # A sync checks payout partitions in worker processes (kiosk.sync.payouts): in the
    # bundle each worker is this program started again, and this call runs it as one.
    multiprocessing.freeze_support()
    raise SystemExit(main())
