"""Program releases in the county feed: what the county signs and what a terminal accepts.

A release is the terminal's one-folder bundle packed as ``.tar.gz``, published as a TUF
target of the delegated role ``app``:

    targets.json   delegations: role "app", paths "app/*/*", the release key, terminating
    app.json       signed by the release key only; its targets are the releases:
                   app/<platform>/kiosk-<version>.tar.gz
                   custom {"release": {"version", "platform", "unpacked", "files"
                                       [, "pilot": [terminal fingerprints]]}}

The data clerks hold the targets key, so they could rewrite the delegation to a key of
their own. The offline root therefore names the release key too (``APP_PIN``, a field of
root.json signed with the root): a terminal accepts releases only through a delegation
whose key is exactly the one the root names. Changing the release key takes the root key.

No network, no database here: the county writes with these rules, the terminal checks with
them.
"""

import platform as _platform
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.errors import KnownError

ROLE = "app"
PATHS = ["app/*/*"]  # python-tuf matches "/"-separated parts one by one
APP_PIN = "x-shenqing-app"  # the root's field naming the release key
# The build's version, written by build_spec/kiosk.spec beside the kiosk package.
BUNDLE_VERSION = ("_internal", "kiosk", "VERSION")

# What a terminal accepts whatever a signed release declares. The real bundle is ~280 MB
# unpacked in ~1,000 files and ~110 MB packed.
MAX_ARCHIVE = 1024**3
MAX_UNPACKED = 3 * 1024**3
MAX_FILES = 20_000
MAX_PILOT = 1000  # terminals in one pilot group
MAX_PATH = 400  # characters of one path inside a release

_VERSION = re.compile(r"^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$")
_PLATFORM = re.compile(r"^(linux|windows)-(x86_64|arm64)$")
_TARGET = re.compile(r"^app/([a-z0-9_-]+)/kiosk-([0-9.]+)\.tar\.gz$")
_FINGERPRINT = re.compile(r"^[0-9a-f]{4}(-[0-9a-f]{4}){7}$")  # kiosk.formats.ids.key_fingerprint


class ReleaseRefused(KnownError):
    """A release (or its metadata) this terminal must not install."""


def parse_version(text: str) -> tuple[int, int, int]:
    """``"1.2.10"`` -> (1, 2, 10): releases compare as numbers, not as text.

    Raises:
        ValueError: not three dot-separated whole numbers.
    """
    match = _VERSION.match(text)
    if not match:
        raise ValueError(f"not a version X.Y.Z: {text!r}")
    return int(match[1]), int(match[2]), int(match[3])


def is_version(text: str) -> bool:
    try:
        parse_version(text)
    except ValueError:
        return False
    return True


def this_platform() -> str:
    """The platform tag of the machine running this: ``linux-x86_64``, ``windows-x86_64``."""
    system = "windows" if sys.platform == "win32" else sys.platform
    machine = _platform.machine().lower()
    machine = {"amd64": "x86_64", "aarch64": "arm64"}.get(machine, machine)
    return f"{system}-{machine}"


def check_platform(tag: str) -> str:
    if not _PLATFORM.match(tag):
        raise KnownError(f"未知的平台 {tag!r}（可选：linux-x86_64、linux-arm64、windows-x86_64）",
                         f"unknown platform {tag!r} (linux-x86_64, linux-arm64, windows-x86_64)")  # fmt: skip
    return tag


def bundle_version(bundle: Path) -> str:
    """The version a bundle's build wrote into it (``BUNDLE_VERSION``); "" when there is
    none or it cannot be read."""
    try:
        return bundle.joinpath(*BUNDLE_VERSION).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def target_path(platform: str, version: str) -> str:
    return f"app/{platform}/kiosk-{version}.tar.gz"


def executable(platform: str) -> str:
    """The program's file name inside a bundle."""
    return "kiosk.exe" if platform.startswith("windows") else "kiosk"


@dataclass(frozen=True)
class Declaration:
    """What a release says about itself, signed with the release key."""

    version: str
    platform: str
    unpacked: int  # bytes of all files
    files: int
    pilot: tuple[str, ...] = ()  # empty: every terminal

    def custom(self) -> dict[str, Any]:
        body: dict[str, Any] = {"version": self.version, "platform": self.platform,
                                "unpacked": self.unpacked, "files": self.files}  # fmt: skip
        if self.pilot:
            body["pilot"] = list(self.pilot)
        return {"release": body}

    def offered_to(self, fingerprint: str) -> bool:
        return not self.pilot or fingerprint in self.pilot


def declaration(target: str, custom: Any) -> Declaration:
    """The declaration of a release target, every field checked against ``target``.

    Raises:
        ReleaseRefused: the path or a field is malformed or out of bounds.
    """
    refused = ReleaseRefused(f"程序更新 {target!r} 的说明无效，已拒绝",
                             f"release {target!r} carries an invalid declaration; refused")  # fmt: skip
    match = _TARGET.match(target)
    body = custom.get("release") if isinstance(custom, dict) else None
    if not match or not isinstance(body, dict):
        raise refused
    version, platform_tag = body.get("version"), body.get("platform")
    unpacked, files, pilot = body.get("unpacked"), body.get("files"), body.get("pilot", [])
    if (version != match[2] or not isinstance(version, str) or not is_version(version)
            or platform_tag != match[1] or not _PLATFORM.match(platform_tag)
            or not _count(unpacked, MAX_UNPACKED) or not _count(files, MAX_FILES)
            or not isinstance(pilot, list) or len(pilot) > MAX_PILOT
            or not all(isinstance(f, str) and _FINGERPRINT.match(f) for f in pilot)):  # fmt: skip
        raise refused
    return Declaration(version, platform_tag, unpacked, files, tuple(pilot))


def _count(value: Any, cap: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= cap


def check_pilot(fingerprints: list[str]) -> tuple[str, ...]:
    """A pilot list as the county typed it (one fingerprint per line), normalised.

    Raises:
        KnownError: a line is not a terminal fingerprint, or the list is too long.
    """
    cleaned = [f.strip().lower() for f in fingerprints if f.strip() and not f.startswith("#")]
    bad = [f for f in cleaned if not _FINGERPRINT.match(f)]
    if bad:
        raise KnownError(f"试点终端名单中有无效的终端指纹：{bad[0]}（用 kiosk terminal id 查看）",
                         f"the pilot list holds an invalid fingerprint: {bad[0]}")  # fmt: skip
    if not cleaned or len(cleaned) > MAX_PILOT:
        raise KnownError(f"试点终端名单应有 1 到 {MAX_PILOT} 台终端",
                         f"the pilot list must name 1 to {MAX_PILOT} terminals")  # fmt: skip
    return tuple(sorted(set(cleaned)))


def pin_of(root_fields: dict[str, Any]) -> dict[str, Any] | None:
    """The release key the root names (``{"keyid": …, "key": {…}}``), or None."""
    pin = root_fields.get(APP_PIN)
    if isinstance(pin, dict) and isinstance(pin.get("keyid"), str) and isinstance(pin.get("key"), dict):
        return pin
    return None


def check_delegation(pin: dict[str, Any], keyids: list[str], threshold: int,
                     keys: dict[str, dict[str, Any]], terminating: bool, paths: list[str] | None) -> None:
    """The delegation to ``app`` uses exactly the key the root names, and nothing else.

    The key's material is compared, not only its id: python-tuf does not recompute a key
    id from the key, so a delegation could pair the pinned id with another key.

    Raises:
        ReleaseRefused: any difference.
    """
    if (keyids != [pin["keyid"]] or threshold != 1 or keys.get(pin["keyid"]) != pin["key"]
            or not terminating or paths != PATHS):  # fmt: skip
        raise ReleaseRefused("程序更新不是用县里根证书指定的发布密钥签发的，已拒绝",
                             "releases are not delegated to the release key the root names;"
                             " refused")  # fmt: skip
