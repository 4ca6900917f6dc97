"""Upload credentials: one user of the county's drop per terminal, in an htpasswd file the
drop's web server reads (nginx ``auth_basic_user_file``; see docs/county.md).

``add`` makes (or replaces) a terminal's user with a fresh random password and returns the
credential file for staff to carry to that terminal (``kiosk terminal upload-credential``);
the password is kept nowhere else, only its salted hash ({SSHA}, which nginx reads). A
random 32-character password makes the hash useless to a thief. ``revoke`` removes the user:
that terminal's uploads are refused from then on (its requests still travel by stick).
"""

import base64
import hashlib
import json
import re
import secrets
from pathlib import Path

from kiosk.errors import KnownError
from kiosk.files import write_atomic

_FINGERPRINT = re.compile(r"[0-9a-f]{4}(-[0-9a-f]{4}){7}")
_LINE_USER = re.compile(r"^([^:#\s]+):")


def user_for(fingerprint: str) -> str:
    """The drop user of the terminal with this fingerprint (also its folder on the drop)."""
    if not _FINGERPRINT.fullmatch(fingerprint):
        raise KnownError(f"终端指纹格式不对：{fingerprint}（应为 8 组 4 位十六进制）",
                         f"not a terminal fingerprint: {fingerprint}")
    return "t-" + fingerprint.replace("-", "")[:16]


def ssha(password: str, salt: bytes | None = None) -> str:
    """RFC 2307 {SSHA}: SHA-1 of the password and a salt, with the salt, in base64."""
    salt = salt if salt is not None else secrets.token_bytes(8)
    return "{SSHA}" + base64.b64encode(hashlib.sha1(password.encode() + salt).digest() + salt).decode()


def add(htpasswd: Path, fingerprint: str) -> bytes:
    """Give the terminal a new password (replacing any it had); returns its credential file."""
    user = user_for(fingerprint)
    password = secrets.token_urlsafe(24)  # 32 characters, 192 bits
    lines = [line for line in _lines(htpasswd) if _user_of(line) != user]
    _write(htpasswd, [*lines, f"{user}:{ssha(password)}"])
    return json.dumps({"user": user, "password": password}).encode("ascii")


def revoke(htpasswd: Path, fingerprint: str) -> bool:
    """Remove the terminal's user; False if it had none."""
    user = user_for(fingerprint)
    lines = _lines(htpasswd)
    kept = [line for line in lines if _user_of(line) != user]
    if len(kept) == len(lines):
        return False
    _write(htpasswd, kept)
    return True


def users(htpasswd: Path) -> list[str]:
    return [u for u in map(_user_of, _lines(htpasswd)) if u]


def _user_of(line: str) -> str | None:
    match = _LINE_USER.match(line)
    return match[1] if match else None


def _lines(htpasswd: Path) -> list[str]:
    try:
        return htpasswd.read_text(encoding="ascii").splitlines()
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise KnownError(f"无法读取 {htpasswd}", f"cannot read {htpasswd}: {exc}") from exc


def _write(htpasswd: Path, lines: list[str]) -> None:
    # Readable by the web server's group (chgrp it to www-data once); no one else needs it.
    mode = htpasswd.stat().st_mode & 0o777 if htpasswd.exists() else 0o640
    write_atomic(htpasswd, ("\n".join(lines) + "\n").encode("ascii"), mode)
