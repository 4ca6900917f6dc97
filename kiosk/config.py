"""Every setting a terminal can be told, and every environment variable the program reads,
each declared once.

Setting values come from, in order: an environment variable ``KIOSK_<KEY>``, the terminal's
``settings.json`` in its data folder, then the default below. The few environment variables
that are not settings (they are read before a terminal's folder is known, or only by tests
and packagers) are declared in ``ENVIRONMENT`` and read through ``env()``.

The file is edited by hand on terminals (Notepad writes a UTF-8 BOM) and may be damaged, so
it is read tolerantly: a value that is unreadable, of the wrong type or out of range falls
back to its default, with a warning in the log and a line in ``Settings.problems`` for the
staff page. Nothing in it can stop the kiosk from starting. Secrets are not kept here (the
staff PIN lives in the database).
"""

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk import files, log

_log = log.get("kiosk.config")


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    description: str
    minimum: int | None = None
    maximum: int | None = None


SPEC: tuple[Setting, ...] = (
    Setting("town_code", str, "", "本终端所在乡镇(街道)代码，9 位；空表示全县"),
    Setting("idle_timeout_s", int, 120, "无人操作多少秒后返回首页并清空输入", 15, 3600),
    Setting("freshness_days", int, 30, "数据超过多少天未更新时在页眉提示", 1, 365),
    Setting("feed_source", str, "", "县级数据源：HTTP(S) 地址或 U 盘目录"),
    Setting("trusted_root", str, "", "县级数据源的受信任 root.json 路径"),
    Setting("verify_base_url", str, "https://gk.shenxian.example/verify", "公示单二维码核验地址"),
    Setting("print_requires_pin", bool, False, "打印公示单是否需要工作人员 PIN"),
    Setting("printer", str, "", "打印公示单用的打印机名称；空表示系统默认打印机"),
    Setting("outbox_url", str, "", "群众申请上传地址（WebDAV 或对象存储的 HTTP 地址）；空则只用U盘导出"),
    Setting("sync_every_minutes", int, 60, "数据源为网址时每隔多少分钟自动同步（0 表示不自动同步）", 0, 1440),
    Setting("update_hold", bool, False, "暂停程序自动更新（不下载、不切换新版本）"),
    Setting("update_pin", str, "", "程序最多更新到此版本（如 1.2.0）；空表示最新"),
    Setting("update_hour", int, -1, "只在每天这个钟点（0–23）切换到新版本；-1 表示无人使用时随时切换",
            -1, 23),
)

_BY_KEY = {s.key: s for s in SPEC}


@dataclass(frozen=True)
class EnvVar:
    name: str
    description: str


ENVIRONMENT: tuple[EnvVar, ...] = (
    EnvVar("KIOSK_DB", "the terminal's database (default: the user data folder); the rest of the "
           "terminal's files sit beside it (kiosk.paths.TerminalFiles)"),
    EnvVar("KIOSK_USB_ROOTS", "folders to offer as USB sticks, separated by os.pathsep, instead of "
           "the mounted drives (tests, diagnosis)"),
    EnvVar("KIOSK_ZINNIA_LIB", "the Zinnia library to load instead of the bundled or system one "
           "(a Windows build's libzinnia.dll)"),
    EnvVar("KIOSK_ZINNIA_MODEL", "the handwriting model to load instead of the bundled or system one"),
    EnvVar("KIOSK_KEY_PASSPHRASE", "county side: the passphrase of the county's private keys, for "
           "automation (a person is asked at the terminal instead)"),
    EnvVar("KIOSK_APP_ROOT", "set by the launcher (kiosk.update.launcher): the program root whose "
           "versions this kiosk updates; unset, the kiosk does not update itself"),
    EnvVar("KIOSK_HOME_MARK", "set by the launcher: the file a version on trial writes once its home "
           "screen shows"),
    EnvVar("KIOSK_VERSION", "packagers: the version build_spec/kiosk.spec writes into the bundle "
           "(default: kiosk.__version__)"),
    EnvVar("KIOSK_FAULT_PAUSE_IN_APPLY", "test hook: a file whose presence pauses a sync inside its "
           "transaction, so a test can kill the process there"),
    EnvVar("KIOSK_FAULT_KILL_SYNC_WORKER", "test hook: a sync's payout worker processes exit at their "
           "first partition, so a test can see the sync finish without them"),
)
_ENV_NAMES = frozenset(v.name for v in ENVIRONMENT)


def env(name: str) -> str | None:
    """The value of a declared environment variable (None when unset).

    Raises:
        KeyError: ``name`` is not declared in ENVIRONMENT (a programming error).
    """
    if name not in _ENV_NAMES:
        raise KeyError(f"undeclared environment variable {name}")
    return os.environ.get(name)
# Written by older versions; now in the database (kiosk.services.admin moves the hash once).
LEGACY_KEYS = {"admin_pin_hash", "admin_failures", "admin_locked_until"}


class BadValue(ValueError):
    """A stored or typed value that does not fit its setting."""


def coerce(setting: Setting, raw: Any) -> Any:
    """``raw`` as the setting's type, within its range.

    Raises:
        BadValue: wrong type, not a number, or out of range (the message is Chinese).
    """
    if setting.type is bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in {"1", "true", "yes", "on", "0",
                                                            "false", "no", "off", ""}:  # fmt: skip
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        raise BadValue(f"“{raw}”不是“是/否”")
    if setting.type is int:
        value = _integer(raw)
        low, high = setting.minimum, setting.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            raise BadValue(f"{value} 超出允许范围 {setting.minimum}–{setting.maximum}")
        return value
    if not isinstance(raw, str):
        raise BadValue(f"“{raw}”应为文字")
    return raw.strip()


def _integer(raw: Any) -> int:
    if isinstance(raw, bool):
        raise BadValue(f"“{raw}”不是数字")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and raw.strip().lstrip("+-").isdigit() and len(raw.strip()) < 12:
        return int(raw.strip())
    raise BadValue(f"“{raw}”不是整数")


class Settings:
    """Typed access to the settings of one terminal.

    Args:
        path: the JSON file holding values staff changed; it need not exist.

    Attributes:
        problems: one Chinese line per value that was ignored, for the staff page.
    """

    def __init__(self, path: Path | None = None):
        self._path = path
        self.problems: list[str] = []
        self._values = self._read()

    def _read(self) -> dict[str, Any]:
        """The valid values in the file; what is wrong is logged and kept in ``problems``."""
        self.problems = []
        stored = self._load_file()
        values = {}
        for key, raw in stored.items():
            if key in LEGACY_KEYS:
                continue
            setting = _BY_KEY.get(key)
            if setting is None:
                self._problem(f"未知设置项“{key}”已忽略", f"unknown key {key!r} ignored")
                continue
            try:
                values[key] = coerce(setting, raw)
            except BadValue as exc:
                self._problem(f"设置项“{key}”的值{exc}，已改用默认值 {setting.default}",
                              f"{key}={raw!r} is invalid; using the default {setting.default!r}")  # fmt: skip
        return values

    def _load_file(self) -> dict[str, Any]:
        if self._path is None or not self._path.exists():
            return {}
        try:
            # utf-8-sig: Notepad saves UTF-8 with a byte-order mark.
            stored = json.loads(self._path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            self._problem(f"设置文件 {self._path.name} 无法读取，已全部使用默认值",
                          f"{self._path} is unreadable ({exc}); using defaults")  # fmt: skip
            return {}
        if not isinstance(stored, dict):
            self._problem(f"设置文件 {self._path.name} 格式不对，已全部使用默认值",
                          f"{self._path} does not hold an object; using defaults")  # fmt: skip
            return {}
        return stored

    def _problem(self, zh: str, en: str) -> None:
        self.problems.append(zh)
        _log.warning("settings: %s", en)

    def get(self, key: str) -> Any:
        setting = _BY_KEY[key]
        env = os.environ.get(f"KIOSK_{key.upper()}")
        if env is not None:
            try:
                return coerce(setting, env)
            except BadValue:
                _log.warning("settings: KIOSK_%s=%r is invalid; ignored", key.upper(), env)
        return self._values.get(key, setting.default)

    def set(self, key: str, value: Any) -> None:
        """Change one setting and write the file at once (a terminal may lose power).

        The file is read again first, so a change made meanwhile by another program (the
        command line) is kept; it is replaced atomically and readable by its owner only.

        Raises:
            BadValue: the value does not fit the setting.
            OSError: the file cannot be written (the value is not changed).
        """
        value = coerce(_BY_KEY[key], value)
        values = self._read() if self._path is not None else dict(self._values)
        values[key] = value
        if self._path is not None:
            _write_private(self._path, json.dumps(values, ensure_ascii=False, indent=2))
        self._values = values


def _write_private(path: Path, text: str) -> None:
    """Replace ``path`` atomically with ``text``, mode 0600 from the first byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    files.write_atomic(path, text.encode("utf-8"), 0o600)
