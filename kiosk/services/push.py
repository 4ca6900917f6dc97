"""Sending what this terminal has for the county: the villagers' sealed envelopes waiting
in the outbox (kiosk.services.requests) and, with every push, the terminal's own signed
status report (kiosk.services.health), over HTTP to the county's drop or onto a USB stick."""

from pathlib import Path

from kiosk import log
from kiosk.outbox import delivery
from kiosk.services import health, requests

_log = log.get("kiosk.requests")


def push_to_url(url: str, timeout: float = 10.0) -> delivery.PushReport:
    """PUT what is due to the county's drop, as this terminal's own user, and this
    terminal's status report with it."""
    return delivery.push_http(requests.outbox(), url, requests.upload_credential(), timeout=timeout,
                              status=lambda: _status_report("http"))  # fmt: skip


def export_to_folder(usb_root: Path) -> delivery.PushReport:
    """Copy every envelope not yet acknowledged onto a stick (``<usb>/inbox/``), and this
    terminal's status report with them."""
    return delivery.push_dir(requests.outbox(), usb_root, status=lambda: _status_report("usb"))


def _status_report(via: str) -> bytes | None:
    """The sealed status report for this push, or None (no county key yet, or it could not
    be made: the villagers' envelopes go all the same, and the log says why)."""
    try:
        return health.sealed_report(via)
    except Exception:  # a report is never worth a request left behind
        _log.exception("status report not made")
        return None
