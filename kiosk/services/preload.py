"""The modules the kiosk's background round needs (sync, then the outbox pushed with the
terminal's status report), imported after start-up one per turn of the event loop: together
they are ~45 ms of imports (the envelope crypto ~20, HTTP ~17), a frozen screen in one piece.
Imported on the sync's worker instead, the crypto's native module held the GIL long enough
to freeze the screen ~60 ms."""

import importlib

BACKGROUND_ROUND = ("kiosk.formats.envelope", "kiosk.outbox.delivery", "kiosk.services.requests",
                    "kiosk.services.sync", "kiosk.services.health", "kiosk.services.push")  # fmt: skip


def load(module: str) -> None:
    importlib.import_module(module)
