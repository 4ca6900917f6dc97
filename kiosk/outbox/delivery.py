"""Delivering the outbox: HTTP PUT to the county's drop, or a copy onto a USB stick.

Delivery is at-least-once; the county files by the envelope's digest, so a second copy of the
same bytes adds nothing. Uploads authenticate with the terminal's own credential and go to
its own folder on the drop (``<url>/<user>/<id>.env``); the drop answers 409 to a file it
already holds, which for this terminal's folder means it arrived before.

A stick is a stranger's file system: nothing written to it follows a link, every file is
created new (never opened for truncation), and the folder written into must be a real
folder on the stick itself.
"""

import base64
import contextlib
import datetime as dt
import os
import re
import stat
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.formats import envelope
from kiosk.outbox.credential import UploadCredential
from kiosk.outbox.queue import SUFFIX, Outbox

USB_FOLDER = "inbox"
PART_SUFFIX = ".part"
_PART = re.compile(r"\.[0-7][0-9A-HJKMNP-TV-Z]{25}\.[0-9a-f]{8}\.part")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


@dataclass
class PushReport:
    sent: int = 0
    failed: int = 0
    damaged: int = 0
    waiting: int = 0  # still pending after this round (failed or not yet due)
    errors: list[str] = field(default_factory=list)
    status_sent: bool = False  # the terminal's status report went with this round


class StickRefused(OSError):
    """The stick's folder is not one this terminal writes into (a link, not a folder, or
    on another file system)."""


def push_http(
    outbox: Outbox, base_url: str, credential: UploadCredential | None = None, *,
    timeout: float = 10.0, now: dt.datetime | None = None, status: Callable[[], bytes | None] | None = None,
) -> PushReport:
    """PUT each due envelope to ``<base_url>/<user>/<id>.env`` (``<base_url>/<id>.env``
    without a credential); 2xx marks it sent, and so does 409 (already there).

    ``status`` makes the terminal's sealed status report (or None); it is asked after the
    envelopes went, so the report says what this push left, and its report goes last, once,
    whatever waits: it is never queued, the next round carries a newer one.

    A 4xx/5xx answer backs off that envelope; 401 and 403 (no or a revoked credential)
    stop the round, as does a connection failure (refused, timeout, DNS): every due
    envelope backs off rather than waiting out one timeout per envelope.
    """
    report = PushReport()
    due = outbox.due(now)
    base = base_url.rstrip("/") + (f"/{credential.user}" if credential else "")
    headers = {"Content-Type": "application/octet-stream"}
    if credential:
        token = base64.b64encode(f"{credential.user}:{credential.password}".encode("ascii")).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    for index, envelope_id, data in _readable(outbox, due, report):
        stop = None
        try:
            code = _put(f"{base}/{envelope_id}{SUFFIX}", data, headers, timeout)
        except (urllib.error.URLError, OSError) as exc:  # refused, timeout, DNS, reset
            stop = f"unreachable: {exc}"
        else:
            ok, error = _stored(code), f"HTTP {code}"
            if code in (401, 403):
                stop = (f"HTTP {code}: 上传凭据无效或已停用，请联系县里 / the upload credential is "
                        "missing, wrong or revoked")
        if stop:
            for rest in due[index:]:
                outbox.mark_failed(rest, stop, now)
            report.failed += len(due) - index
            report.errors.append(f"{base}: {stop}")
            break
        if ok:
            outbox.mark_sent(envelope_id, now)
            report.sent += 1
        else:
            outbox.mark_failed(envelope_id, error, now)
            report.failed += 1
            report.errors.append(f"{envelope_id}: {error}")
    else:
        sealed = status() if status is not None else None
        if sealed is not None:
            report.status_sent = _put_status(base, headers, sealed, timeout, report)
    report.waiting = len(outbox.pending())
    return report


def _put(url: str, data: bytes, headers: dict[str, str], timeout: float) -> int:
    """PUT ``data`` at ``url``; the HTTP status the drop answered, error statuses included.

    Raises:
        urllib.error.URLError, OSError: no answer (refused, timeout, DNS, reset).
    """
    request = urllib.request.Request(url, data=data, method="PUT", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:  # before URLError: it is one, with an answer
        return exc.code


def _stored(code: int) -> bool:
    """Whether the drop holds the file after answering ``code``: 2xx, or 409 (already there)."""
    return 200 <= code < 300 or code == 409


def _put_status(base: str, headers: dict[str, str], data: bytes, timeout: float, report: PushReport) -> bool:
    name = f"{envelope.read_header(data).id}{SUFFIX}"
    try:
        code = _put(f"{base}/{name}", data, headers, timeout)
    except (urllib.error.URLError, OSError) as exc:
        report.errors.append(f"{name}: unreachable: {exc}")
        return False
    if not _stored(code):
        report.errors.append(f"{name}: HTTP {code}")
    return _stored(code)


def push_dir(
    outbox: Outbox,
    usb_root: Path | str,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    now: dt.datetime | None = None,
    status: Callable[[], bytes | None] | None = None,
) -> PushReport:
    """Copy every envelope the county has not confirmed to ``<usb_root>/inbox/<id>.env`` and
    verify the copy. Sent ones go again (a stick can be lost on the way; the county skips
    what it has), except where this stick already holds the same bytes.

    Staff carry the stick now, so back-off does not apply. Each copy is created new as a
    ``.part`` file (never through a link), fsynced, renamed, and read back (size + SHA-256)
    before the envelope counts as sent. If the stick goes away mid-copy, or its ``inbox``
    is a link or not a folder on the stick, the round stops; the envelope stays pending and
    no ``.env`` without its full bytes is left behind.

    Args:
        progress: called as ``progress(id, bytes_written, size)`` after each envelope's bytes
            are written and before they are made durable (for a progress bar).
        status: makes the terminal's sealed status report (or None), asked after the
            envelopes are copied; it is copied after them the same way.
    """
    report = PushReport()
    root = Path(usb_root)
    try:
        folder = _stick_folder(root)
    except OSError as exc:
        report.failed = len(outbox.unacknowledged())
        report.errors.append(f"{root / USB_FOLDER}: {exc}")
        report.waiting = len(outbox.pending())
        return report
    try:
        _sweep_parts(folder)
        for _, envelope_id, data in _readable(outbox, outbox.unacknowledged(), report):
            name = f"{envelope_id}{SUFFIX}"
            if _already_on(folder, name, data):
                outbox.mark_sent(envelope_id, now)
                continue
            try:
                _copy_verified(data, folder, name, envelope_id, progress)
            except OSError as exc:
                report.failed += 1
                report.errors.append(f"{root / USB_FOLDER}: {exc}")
                break
            outbox.mark_sent(envelope_id, now)
            report.sent += 1
        else:
            sealed = status() if status is not None else None
            if sealed is not None:
                status_id = envelope.read_header(sealed).id
                try:
                    _copy_verified(sealed, folder, f"{status_id}{SUFFIX}", status_id, None)
                    report.status_sent = True
                except OSError as exc:
                    report.errors.append(f"{root / USB_FOLDER}: {exc}")
    finally:
        os.close(folder)
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


def _stick_folder(root: Path) -> int:
    """A descriptor of ``<root>/inbox``, made if missing: a real folder (not a link) on the
    stick's own file system.

    Raises:
        StickRefused: it is a link, not a folder, or on another file system.
        OSError: the stick is gone or read-only.
    """
    root_fd = os.open(root, os.O_RDONLY | _DIRECTORY)
    try:
        with contextlib.suppress(FileExistsError):
            os.mkdir(USB_FOLDER, 0o755, dir_fd=root_fd)
        try:
            folder = os.open(USB_FOLDER, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=root_fd)
        except OSError as exc:
            raise StickRefused(f"U盘上的 {USB_FOLDER} 是链接或不是文件夹，拒绝写入 / "
                               f"{USB_FOLDER} on the stick is a link or not a folder") from exc
        if os.fstat(folder).st_dev != os.fstat(root_fd).st_dev:
            os.close(folder)
            raise StickRefused(f"U盘上的 {USB_FOLDER} 指向另一个磁盘，拒绝写入 / "
                               f"{USB_FOLDER} on the stick is on another file system")
        return folder
    finally:
        os.close(root_fd)


def _sweep_parts(folder: int) -> None:
    """Remove what an earlier copy left half-written on this stick (it was pulled out, or
    the copier died): only files of our own ``.<id>.<8 hex>.part`` shape, never through a link
    (unlink removes a link itself)."""
    for name in os.listdir(folder):
        if _PART.fullmatch(name):
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=folder)


def _already_on(folder: int, name: str, data: bytes) -> bool:
    """Whether the stick holds ``name`` as a regular file with exactly ``data``."""
    try:
        fd = os.open(name, os.O_RDONLY | _NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        return stat.S_ISREG(info.st_mode) and info.st_size == len(data) and os.read(fd, len(data) + 1) == data
    finally:
        os.close(fd)


def _copy_verified(data: bytes, folder: int, name: str, envelope_id: str,
                   progress: Callable[[str, int, int], None] | None) -> None:
    part = f".{envelope_id}.{os.urandom(4).hex()}{PART_SUFFIX}"
    try:
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644, dir_fd=folder)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if progress:
                progress(envelope_id, len(data), len(data))
            os.fsync(fd)
        finally:
            os.close(fd)
        # A link already named so is replaced, never followed.
        os.replace(part, name, src_dir_fd=folder, dst_dir_fd=folder)
        os.fsync(folder)
        if not _already_on(folder, name, data):
            raise OSError(f"copy of {envelope_id} on the stick differs from the original")
    except OSError:
        for leftover in (part, name):
            try:
                if leftover == part or not _already_on(folder, name, data):
                    os.unlink(leftover, dir_fd=folder)
            except OSError:
                pass  # the stick is gone; nothing more can be tidied
        raise
