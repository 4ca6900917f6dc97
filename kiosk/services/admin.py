"""Staff access and terminal administration: the PIN (scrypt, lock-out), the event log."""

import datetime as dt
import hashlib
import hmac
import os
from dataclasses import dataclass

from kiosk.config import Settings
from kiosk.errors import KnownError
from kiosk.store.models import AuditLog

MAX_TRIES = 5
LOCK_MINUTES = 5
# scrypt at n=2**14, r=8: ~50 ms per try on a terminal PC, so guessing a 6-digit PIN from a
# stolen settings file takes hours, not seconds; the lock-out stops guessing at the screen.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def hash_pin(pin: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def set_pin(settings: Settings, pin: str) -> None:
    """Raises KnownError unless the PIN is 6 to 12 digits."""
    if not (pin.isdigit() and 6 <= len(pin) <= 12):
        raise KnownError("PIN 应为 6 到 12 位数字", "the PIN must be 6 to 12 digits")
    settings.set("admin_pin_hash", hash_pin(pin))
    settings.set("admin_failures", 0)
    settings.set("admin_locked_until", "")


@dataclass(frozen=True)
class PinCheck:
    ok: bool
    message: str


def check_pin(settings: Settings, pin: str, now: dt.datetime | None = None) -> PinCheck:
    """Verify a PIN typed at the kiosk, counting failures and locking after MAX_TRIES."""
    now = now or dt.datetime.now()
    stored = settings.get("admin_pin_hash")
    if not stored:
        return PinCheck(False, "本终端尚未设置管理 PIN，请用 kiosk set-pin 设置")
    locked = settings.get("admin_locked_until")
    if locked and now < dt.datetime.fromisoformat(locked):
        return PinCheck(False, f"错误次数过多，已锁定至 {dt.datetime.fromisoformat(locked):%H:%M}")
    _, salt, expected = stored.split("$")
    digest = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), **_SCRYPT)
    if hmac.compare_digest(digest.hex(), expected):
        settings.set("admin_failures", 0)
        settings.set("admin_locked_until", "")
        return PinCheck(True, "")
    failures = int(settings.get("admin_failures")) + 1
    settings.set("admin_failures", failures)
    if failures >= MAX_TRIES:
        until = now + dt.timedelta(minutes=LOCK_MINUTES)
        settings.set("admin_locked_until", until.isoformat(timespec="seconds"))
        settings.set("admin_failures", 0)
        return PinCheck(False, f"PIN 连续错误 {MAX_TRIES} 次，锁定 {LOCK_MINUTES} 分钟")
    return PinCheck(False, f"PIN 错误，还可尝试 {MAX_TRIES - failures} 次")


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
