"""Modules imported after the kiosk's first frame, one per turn of the event loop: the
store's models, and the modules the kiosk's background round needs (sync, then the outbox
pushed with the terminal's status report). The latter are ~45 ms of imports (the envelope
crypto ~20, HTTP ~17), a frozen screen in one piece. Imported on the sync's worker instead,
the crypto's native module held the GIL long enough to freeze the screen ~60 ms."""

import importlib

# The store's models: the first frame was read with sqlite3 alone (kiosk.store.glance);
# everything else a villager can tap uses them (peewee ~20 ms, the models ~8).
STORE = ("peewee", "kiosk.store.models", "kiosk.services.admin")

BACKGROUND_ROUND = ("kiosk.formats.envelope", "kiosk.outbox.delivery", "kiosk.services.requests",
                    "kiosk.services.sync", "kiosk.services.health", "kiosk.services.push")  # fmt: skip


def load(module: str) -> None:
    importlib.import_module(module)
