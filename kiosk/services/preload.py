"""Modules imported after the kiosk's first frame, one per turn of the event loop: the
store's models, and the modules the kiosk's background round needs (sync, then the outbox
pushed with the terminal's status report). The latter are ~45 ms of imports (the envelope
crypto ~20, HTTP ~17), a frozen screen in one piece. Imported on the sync's worker instead,
the crypto's native module held the GIL long enough to freeze the screen ~60 ms."""

import importlib

# Each import a turn of its own, the heaviest parts of a module first (each ~10-30 ms on this
# machine, quiet): the store's models, since the first frame was read with sqlite3 alone
# (kiosk.store.glance) and everything else a villager taps uses them...
STORE = ("peewee", "kiosk.store.models", "kiosk.services.admin")
# ... then the background round's: the envelope crypto (the native module ~10 ms, key
# serialisation ~9), HTTP (TLS, mail headers, ~20 in all).
BACKGROUND_ROUND = ("cryptography.hazmat.bindings._rust", "cryptography.hazmat.primitives.serialization",
                    "kiosk.formats.envelope", "email.parser", "ssl", "urllib.request",
                    "kiosk.outbox.delivery", "kiosk.services.requests", "kiosk.services.sync",
                    "kiosk.update.install", "kiosk.services.updates",  # program updates
                    "kiosk.services.health", "kiosk.services.push")  # fmt: skip


def load(module: str) -> None:
    importlib.import_module(module)
