from kiosk.cli import main

# A sync's worker processes import this module too (kiosk.sync.payouts): the guard keeps them
# from starting the kiosk again. (The bundle's entry point, build_spec/entry.py, is the one
# that needs multiprocessing.freeze_support; from source it does nothing, and the import cost
# ~12 ms of every start.)
if __name__ == "__main__":
    raise SystemExit(main())
