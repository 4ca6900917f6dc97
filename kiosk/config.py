"""Every setting a terminal can be told, in one declarative spec.

Values come from, in order: an environment variable ``KIOSK_<KEY>``, the terminal's
``settings.json`` in its data folder, then the default below.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    description: str


SPEC: tuple[Setting, ...] = (
    Setting("town_code", str, "", "本终端所在乡镇(街道)代码，9 位；空表示全县"),
    Setting("idle_timeout_s", int, 120, "无人操作多少秒后返回首页并清空输入"),
    Setting("freshness_days", int, 30, "数据超过多少天未更新时在页眉提示"),
    Setting("feed_source", str, "", "县级数据源：HTTP(S) 地址或 U 盘目录"),
    Setting("trusted_root", str, "", "县级数据源的受信任 root.json 路径"),
    Setting("verify_base_url", str, "https://gk.shenxian.example/verify", "公示单二维码核验地址"),
    Setting("print_requires_pin", bool, False, "打印公示单是否需要工作人员 PIN"),
    Setting("printer", str, "", "打印公示单用的打印机名称；空表示系统默认打印机"),
    Setting("admin_pin_hash", str, "", "管理 PIN 的 scrypt 摘要（不存明文）"),
    Setting("admin_failures", int, 0, "连续输错 PIN 的次数"),
    Setting("admin_locked_until", str, "", "PIN 锁定截止时间"),
)

_BY_KEY = {s.key: s for s in SPEC}


def _coerce(setting: Setting, raw: Any) -> Any:
    if setting.type is bool and isinstance(raw, str):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return setting.type(raw)


class Settings:
    """Typed access to the settings of one terminal.

    Args:
        path: the JSON file holding values staff changed; it need not exist.
    """

    def __init__(self, path: Path | None = None):
        self._path = path
        self._values: dict[str, Any] = {}
        if path is not None and path.exists():
            stored = json.loads(path.read_text(encoding="utf-8"))
            self._values = {k: _coerce(_BY_KEY[k], v) for k, v in stored.items() if k in _BY_KEY}

    def get(self, key: str) -> Any:
        setting = _BY_KEY[key]
        env = os.environ.get(f"KIOSK_{key.upper()}")
        if env is not None:
            return _coerce(setting, env)
        return self._values.get(key, setting.default)

    def set(self, key: str, value: Any) -> None:
        """Change one setting and write the file at once (a terminal may lose power)."""
        self._values[key] = _coerce(_BY_KEY[key], value)
        if self._path is not None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self._values, ensure_ascii=False, indent=2), "utf-8")
            tmp.replace(self._path)
