"""The terminal's own upload credential: a user name and password the county issued for this
terminal alone (``kiosk inbox drop-user add``), kept in the terminal's folder with mode 0600.

The county's drop accepts a PUT only with a valid credential, only into the folder named
after that user, and only of a file that is not there yet (see docs/county.md for the nginx
configuration): the URL on every terminal is no longer enough to file requests, and the
county revokes one terminal by removing its user.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import KnownError
from kiosk.files import write_atomic
from kiosk.formats import safe_json

USER = re.compile(r"[a-z0-9][a-z0-9-]{2,62}")
MIN_PASSWORD, MAX_PASSWORD = 20, 128


@dataclass(frozen=True)
class UploadCredential:
    user: str
    password: str

    def __repr__(self) -> str:  # never in a log or a traceback
        return f"UploadCredential(user={self.user!r}, password=***)"


class BadCredential(KnownError):
    def __init__(self, what: str):
        super().__init__(f"上传凭据文件无效（{what}），请向县里重新领取",
                         f"the upload credential file is not valid ({what}); ask the county for a new one")


def parse(data: bytes) -> UploadCredential:
    """A credential file's content (``{"user": …, "password": …}``, what the county issued).

    Raises:
        BadCredential: not such a file.
    """
    try:
        doc = safe_json.loads(data, max_bytes=4096, max_depth=1)
    except safe_json.JSONRefused as exc:
        raise BadCredential("不是凭据文件") from exc
    if not isinstance(doc, dict):
        raise BadCredential("不是凭据文件")
    user, password = doc.get("user"), doc.get("password")
    if not isinstance(user, str) or not USER.fullmatch(user):
        raise BadCredential("用户名格式不对")
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD \
            or not password.isascii() or not password.isprintable() or ":" in password:
        raise BadCredential("口令格式不对")
    return UploadCredential(user, password)


def install(path: Path, data: bytes) -> UploadCredential:
    """Check a credential the county issued and keep it at ``path`` (mode 0600)."""
    credential = parse(data)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    payload = {"user": credential.user, "password": credential.password}
    write_atomic(path, json.dumps(payload).encode("ascii"), 0o600)
    return credential


def load(path: Path) -> UploadCredential | None:
    """The terminal's credential, or None if it has none (or it is unreadable: the upload
    then fails with the store's 401, which the staff page shows)."""
    try:
        return parse(path.read_bytes())
    except (OSError, KnownError):
        return None
