"""Staff access and terminal administration: the PIN (scrypt, lock-out), the event log.

The PIN's hash and its lock-out live in the database (kiosk.store.models.StaffAccess), so
``kiosk set-pin`` run beside a running kiosk takes effect at once and a settings file
cannot undo it. A lock-out lasts LOCK_SECONDS of the monotonic clock: a wall clock set
years ahead or back neither prolongs nor lifts it, and the staff are told the date and time
it ends.
"""

import datetime as dt
import hashlib
import hmac
import os
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk import log
from kiosk.errors import KnownError, is_database_error
from kiosk.store.models import AuditLog, StaffAccess, database

_log = log.get("kiosk.admin")

MAX_TRIES = 5
LOCK_SECONDS = 5 * 60
# scrypt at n=2**14, r=8: ~50 ms per try on a terminal PC, so guessing a 6-digit PIN from a
# stolen database takes hours, not seconds; the lock-out stops guessing at the screen.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


@dataclass(frozen=True)
class Clock:
    """The three readings a lock-out needs; tests pass their own."""

    wall: dt.datetime
    monotonic: float
    boot: str

    @classmethod
    def now(cls) -> "Clock":
        try:
            boot = _BOOT_ID.read_text().strip()
        except OSError:  # not Linux: a restarted monotonic clock is how a reboot shows
            boot = ""
        return cls(dt.datetime.now().replace(microsecond=0), time.monotonic(), boot)


def hash_pin(pin: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def _access() -> StaffAccess:
    return StaffAccess.get_or_none(StaffAccess.id == 1) or StaffAccess(id=1)


def set_pin(pin: str) -> None:
    """Set the staff PIN and lift any lock-out.

    Raises:
        KnownError: the PIN is not 6 to 12 digits.
    """
    if not (pin.isdigit() and 6 <= len(pin) <= 12):
        raise KnownError("PIN 应为 6 到 12 位数字", "the PIN must be 6 to 12 digits")
    StaffAccess.replace(id=1, pin_hash=hash_pin(pin), failures=0, locked_at=None,
                        locked_monotonic=None, boot_id="").execute()  # fmt: skip


def pin_is_set() -> bool:
    return bool(_access().pin_hash)


def adopt_legacy_pin(settings_file: Path) -> None:
    """Move a PIN hash that an older version kept in settings.json into the database."""
    import json

    try:
        stored = json.loads(settings_file.read_text(encoding="utf-8-sig"))
        legacy = stored.get("admin_pin_hash", "") if isinstance(stored, dict) else ""
    except (OSError, ValueError):
        return
    if legacy.startswith("scrypt$") and not pin_is_set():
        StaffAccess.replace(id=1, pin_hash=legacy, failures=0, boot_id="").execute()
        _log.info("staff PIN hash moved from %s into the database", settings_file)


@dataclass(frozen=True)
class PinCheck:
    ok: bool
    message: str


def check_pin(pin: str, clock: Clock | None = None) -> PinCheck:
    """Verify a PIN typed at the kiosk, counting failures and locking after MAX_TRIES.

    A database that cannot be written (read-only folder, full disk) still lets the right
    PIN in; only the failure count is then not kept.
    """
    clock = clock or Clock.now()
    access = _access()
    if not access.pin_hash:
        return PinCheck(False, "本终端尚未设置管理 PIN，请用 kiosk set-pin 设置")
    remaining = _lock_remaining(access, clock)
    if remaining > 0:
        until = clock.wall + dt.timedelta(seconds=remaining)
        return PinCheck(False, f"错误次数过多，已锁定至 {until:%Y年%m月%d日 %H:%M}，请稍后再试")
    _, salt, expected = access.pin_hash.split("$")
    digest = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), **_SCRYPT)
    if hmac.compare_digest(digest.hex(), expected):
        if access.failures or access.locked_monotonic is not None:
            _save(access, failures=0, locked_at=None, locked_monotonic=None, boot_id="")
        return PinCheck(True, "")
    failures = access.failures + 1
    if failures >= MAX_TRIES:
        _save(access, failures=0, locked_at=clock.wall, locked_monotonic=clock.monotonic,
              boot_id=clock.boot)  # fmt: skip
        return PinCheck(False, f"PIN 连续错误 {MAX_TRIES} 次，锁定 {LOCK_SECONDS // 60} 分钟")
    _save(access, failures=failures)
    return PinCheck(False, f"PIN 错误，还可尝试 {MAX_TRIES - failures} 次")


def _lock_remaining(access: StaffAccess, clock: Clock) -> float:
    """Seconds of lock-out left, measured on the monotonic clock of the boot that set it."""
    if access.locked_monotonic is None:
        return 0.0
    same_boot = access.boot_id == clock.boot and clock.monotonic >= access.locked_monotonic
    if not same_boot:
        # Rebooted since: the old monotonic reading means nothing now. The lock starts
        # again from this moment, so it never lasts longer than LOCK_SECONDS more.
        _save(access, locked_at=clock.wall, locked_monotonic=clock.monotonic, boot_id=clock.boot)
        return LOCK_SECONDS
    return max(0.0, LOCK_SECONDS - (clock.monotonic - access.locked_monotonic))


def _save(access: StaffAccess, **changes) -> None:
    for name, value in changes.items():
        setattr(access, name, value)
    try:
        with database.atomic():
            access.save(force_insert=not StaffAccess.select().where(StaffAccess.id == 1).exists())
    except Exception as exc:
        if not is_database_error(exc):
            raise
        _log.warning("staff access state not saved: %s", exc)


@dataclass(frozen=True)
class Event:
    at: str
    kind: str
    actor: str
    summary: str


def recent_events(kind: str | None = None, limit: int = 50) -> list[Event]:
    query = AuditLog.select().order_by(AuditLog.id.desc()).limit(limit)
    if kind:
        query = query.where(AuditLog.kind == kind)
    return [Event(str(e.at), e.kind, e.actor, e.summary) for e in query]
