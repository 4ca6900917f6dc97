"""Delivering the outbox: HTTP PUT to any WebDAV/S3-style store, or a copy onto a USB stick.

Delivery is at-least-once; the county's import is idempotent by envelope id.
"""

import datetime as dt
import hashlib
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.files import fsync_dir
from kiosk.formats import envelope
from kiosk.outbox.queue import SUFFIX, Outbox

USB_FOLDER = "inbox"
PART_SUFFIX = ".part"


@dataclass
class PushReport:
    sent: int = 0
    failed: int = 0
    damaged: int = 0
    waiting: int = 0  # still pending after this round (failed or not yet due)
    errors: list[str] = field(default_factory=list)


def push_http(
    outbox: Outbox, base_url: str, *, timeout: float = 10.0, now: dt.datetime | None = None
) -> PushReport:
    """PUT each due envelope to ``<base_url>/<id>.env``; 2xx marks it sent.

    A 4xx/5xx answer backs off that envelope. A connection failure (refused, timeout, DNS)
    means the store is out of reach: every due envelope backs off and the round stops,
    rather than waiting out one timeout per envelope.
    """
    report = PushReport()
    due = outbox.due(now)
    base = base_url.rstrip("/")
    for index, envelope_id, data in _readable(outbox, due, report):
        request = urllib.request.Request(
            f"{base}/{envelope_id}{SUFFIX}",
            data=data,
            method="PUT",
            headers={"Content-Type": "application/octet-stream"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                ok = 200 <= response.status < 300
                error = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            ok, error = False, f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:  # refused, timeout, DNS, reset
            for rest in due[index:]:
                outbox.mark_failed(rest, f"unreachable: {exc}", now)
            report.failed += len(due) - index
            report.errors.append(f"{base}: {exc}")
            break
        if ok:
            outbox.mark_sent(envelope_id, now)
            report.sent += 1
        else:
            outbox.mark_failed(envelope_id, error, now)
            report.failed += 1
            report.errors.append(f"{envelope_id}: {error}")
    report.waiting = len(outbox.pending())
    return report


def push_dir(
    outbox: Outbox,
    usb_root: Path | str,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    now: dt.datetime | None = None,
) -> PushReport:
    """Copy every envelope the county has not confirmed to ``<usb_root>/inbox/<id>.env`` and
    verify the copy. Sent ones go again (a stick can be lost on the way; the county skips
    what it has), except where this stick already holds the same bytes.

    Staff carry the stick now, so back-off does not apply. Each copy is written as ``.part``,
    fsynced, renamed, and read back (size + SHA-256) before the envelope counts as sent.
    If the stick goes away mid-copy the round stops; the envelope stays pending and no
    ``.env`` without its full bytes is left behind.

    Args:
        progress: called as ``progress(id, bytes_written, size)`` after each envelope's bytes
            are written and before they are made durable (for a progress bar).
    """
    report = PushReport()
    target = Path(usb_root) / USB_FOLDER
    for _, envelope_id, data in _readable(outbox, outbox.unacknowledged(), report):
        if _already_on(target / f"{envelope_id}{SUFFIX}", data):
            outbox.mark_sent(envelope_id, now)
            continue
        try:
            _copy_verified(data, target, envelope_id, progress)
        except OSError as exc:
            report.failed += 1
            report.errors.append(f"{target}: {exc}")
            break
        outbox.mark_sent(envelope_id, now)
        report.sent += 1
    report.waiting = len(outbox.pending())
    return report


def _readable(outbox: Outbox, ids: list[str], report: PushReport) -> Iterator[tuple[int, str, bytes]]:
    """(position in ``ids``, id, bytes) of each envelope that reads back whole; a damaged one
    is counted, named in the report and set aside by the outbox (never sent)."""
    for index, envelope_id in enumerate(ids):
        try:
            data = outbox.read(envelope_id)
        except envelope.EnvelopeError as exc:
            report.damaged += 1
            report.errors.append(f"{envelope_id}: {exc}")
            continue
        yield index, envelope_id, data


def _already_on(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _copy_verified(
    data: bytes, target: Path, envelope_id: str, progress: Callable[[str, int, int], None] | None
) -> None:
    target.mkdir(parents=True, exist_ok=True)
    final = target / f"{envelope_id}{SUFFIX}"
    part = target / f"{envelope_id}{PART_SUFFIX}"
    try:
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if progress:
                progress(envelope_id, len(data), len(data))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(part, final)
        fsync_dir(target)
        copied = final.read_bytes()
        if len(copied) != len(data) or hashlib.sha256(copied).digest() != hashlib.sha256(data).digest():
            raise OSError(f"copy of {envelope_id} on the stick differs from the original")
    except OSError:
        for leftover in (part, final):
            try:
                if leftover == part or leftover.read_bytes() != data:
                    leftover.unlink()
            except OSError:
                pass  # the stick is gone; nothing more can be tidied
        raise
