import multiprocessing

from kiosk.cli import main

if __name__ == "__main__":  # a sync's worker processes import this module too (kiosk.sync.payouts)
    multiprocessing.freeze_support()
    raise SystemExit(main())
