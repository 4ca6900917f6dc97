"""The terminal's status report: what a terminal says about itself with every push.

It travels as an envelope of kind ``status`` (kiosk.formats.envelope), sealed to the county
and signed by the terminal like a request, so nothing between the hall and the county can
write it, read it or make a dark terminal look alive: the county takes "last seen" from the
time the terminal signed (the envelope's ``created``), never from when a file arrived.

The report holds counts, versions and states, never anything about a villager:

    app_version, sent_via ("http" | "usb")
    started_at, uptime_s, starts_7d, unclean_7d       the program's runs
    feed_version, data_as_of, applied_at              the data it shows
    last_sync_at, last_sync_result, last_sync_message
    clock_vs_feed_s                                   local clock minus the data's time
    outbox {waiting, sent, acknowledged, damaged, missing}
    disk_free_mb, db_mb
    printer {last_job_at, last_outcome, last_error, pages_since, failed_in_row}
    screen ("1080x1920"), handwriting, speech
    usage {"YYYY-MM": {kind: count}}                  page views, prints, verifications
    faults [{code, since, cleared, detail}]           changes, not snapshots: open ones and
                                                      those cleared in the last CLEARED_KEPT_DAYS

Times are ISO 8601 with a zone (or "" when unknown). Every string is bounded and free of
control characters; ``validate`` refuses anything else, at the terminal before signing and
at the county after opening.
"""

import datetime as dt
import re
from typing import Any

from kiosk.formats.forms import FormError

KIND = "status"
VIA = ("http", "usb")
VIA_NAMES = {"http": "网络上传", "usb": "U盘"}
SYNC_RESULTS = ("", "ok", "refused", "failed")
PRINT_OUTCOMES = ("", "ok", "queued", "stuck", "failed")
PRINT_OUTCOME_NAMES = {"": "未打印过", "ok": "正常", "queued": "排队中", "stuck": "任务卡住",
                       "failed": "打印失败"}  # fmt: skip
OUTBOX_KEYS = ("waiting", "sent", "acknowledged", "damaged", "missing")
PRINTER_KEYS = ("last_job_at", "last_outcome", "last_error", "pages_since", "failed_in_row")
CLEARED_KEPT_DAYS = 30
MAX_FAULTS = 50
MAX_MONTHS = 13  # a year and the month now: enough for any annual report
MAX_TEXT = 200
MAX_COUNT = 10**9

# What a villager did, counted per month (nothing about who).
USAGE_KINDS = {
    "payouts": "补贴发放查询",
    "lookup": "个人查询",
    "catalogue": "公开目录",
    "qa": "政策问答",
    "documents": "政策文件",
    "requests": "依申请公开",
    "callbacks": "咨询·预约回电",
    "consultations": "意见征集",
    "screener": "政策找人",
    "prints": "打印",
    "verifications": "扫码验证",
}

# Faults a terminal can raise about itself; each opens at ``since`` and stays open until the
# condition is gone (``cleared``).
FAULTS = {
    "sync_failed": "同步失败",
    "data_stale": "数据过旧",
    "clock": "时钟不准",
    "disk_low": "磁盘空间不足",
    "printer_failed": "打印失败",
    "printer_stuck": "打印任务卡住",
    "outbox_stuck": "申请积压未送出",
    "outbox_damaged": "发件箱文件损坏",
    "crash": "程序异常退出",
    "update_failed": "程序更新失败",
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_SCREEN = re.compile(r"[1-9]\d{2,4}x[1-9]\d{2,4}")
_VERSION = re.compile(r"[0-9A-Za-z.+-]{1,32}")

_INTS = ("uptime_s", "starts_7d", "unclean_7d", "feed_version", "disk_free_mb", "db_mb")
_TIMES = ("started_at", "data_as_of", "applied_at", "last_sync_at")
_BOOLS = ("handwriting", "speech")
FIELDS = frozenset((
    "app_version", "sent_via", *_INTS, *_TIMES, "last_sync_result", "last_sync_message",
    "clock_vs_feed_s", "outbox", "printer", "screen", *_BOOLS, "usage", "faults",
))  # fmt: skip


def _bad(field: str, en: str) -> FormError:
    return FormError(field, f"状态报告字段不合规则（{en}）", en)


def _int(value: Any, field: str, low: int = 0, high: int = MAX_COUNT) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(field, f"{field} must be a whole number from {low} to {high}")
    return value


def _text(value: Any, field: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or len(value) > limit or _CONTROL.search(value):
        raise _bad(field, f"{field} must be text of at most {limit} characters without control characters")
    return value


def _time(value: Any, field: str) -> str:
    text = _text(value, field, 40)
    if text:
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            raise _bad(field, f"{field} must be an ISO time with a zone, or empty")
    return text


def _choice(value: Any, field: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise _bad(field, f"{field} must be one of {allowed}")
    return value


def _keys(value: Any, field: str, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != set(keys):
        raise _bad(field, f"{field} must hold exactly {keys}")
    return value


def validate(report: Any) -> dict[str, Any]:
    """The report checked field by field, as it may be signed or filed.

    Raises:
        FormError: the first field out of its shape (unknown and missing fields too).
    """
    if not isinstance(report, dict) or set(report) != FIELDS:
        missing = sorted(FIELDS - set(report)) if isinstance(report, dict) else []
        extra = sorted(set(report) - FIELDS) if isinstance(report, dict) else []
        raise _bad("report", f"wrong set of fields (missing {missing}, unknown {extra})")
    out: dict[str, Any] = {}
    if not _VERSION.fullmatch(str(report["app_version"])) or not isinstance(report["app_version"], str):
        raise _bad("app_version", "app_version must be a version string")
    out["app_version"] = report["app_version"]
    out["sent_via"] = _choice(report["sent_via"], "sent_via", VIA)
    for field in _INTS:
        out[field] = _int(report[field], field)
    for field in _TIMES:
        out[field] = _time(report[field], field)
    for field in _BOOLS:
        if not isinstance(report[field], bool):
            raise _bad(field, f"{field} must be true or false")
        out[field] = report[field]
    out["last_sync_result"] = _choice(report["last_sync_result"], "last_sync_result", SYNC_RESULTS)
    out["last_sync_message"] = _text(report["last_sync_message"], "last_sync_message")
    out["clock_vs_feed_s"] = _int(report["clock_vs_feed_s"], "clock_vs_feed_s", -MAX_COUNT)
    outbox = _keys(report["outbox"], "outbox", OUTBOX_KEYS)
    out["outbox"] = {key: _int(outbox[key], f"outbox.{key}") for key in OUTBOX_KEYS}
    printer = _keys(report["printer"], "printer", PRINTER_KEYS)
    out["printer"] = {
        "last_job_at": _time(printer["last_job_at"], "printer.last_job_at"),
        "last_outcome": _choice(printer["last_outcome"], "printer.last_outcome", PRINT_OUTCOMES),
        "last_error": _text(printer["last_error"], "printer.last_error"),
        "pages_since": _int(printer["pages_since"], "printer.pages_since"),
        "failed_in_row": _int(printer["failed_in_row"], "printer.failed_in_row"),
    }
    screen = _text(report["screen"], "screen", 11)
    if screen and not _SCREEN.fullmatch(screen):
        raise _bad("screen", "screen must be WIDTHxHEIGHT")
    out["screen"] = screen
    out["usage"] = _usage(report["usage"])
    out["faults"] = _faults(report["faults"])
    return out


def _usage(usage: Any) -> dict[str, dict[str, int]]:
    if not isinstance(usage, dict) or len(usage) > MAX_MONTHS:
        raise _bad("usage", f"usage must map at most {MAX_MONTHS} months to counts")
    out = {}
    for month, counts in usage.items():
        if not _MONTH.fullmatch(month) or not isinstance(counts, dict) or not set(counts) <= set(USAGE_KINDS):
            raise _bad("usage", f"usage[{str(month)[:8]!r}] must be a YYYY-MM month with known kinds")
        out[month] = {kind: _int(n, f"usage.{month}.{kind}") for kind, n in counts.items()}
    return out


def _faults(faults: Any) -> list[dict[str, str]]:
    if not isinstance(faults, list) or len(faults) > MAX_FAULTS:
        raise _bad("faults", f"faults must be a list of at most {MAX_FAULTS}")
    out = []
    for fault in faults:
        fault = _keys(fault, "faults", ("code", "since", "cleared", "detail"))
        code = _choice(fault["code"], "faults.code", tuple(FAULTS))
        since = _time(fault["since"], "faults.since")
        if not since:
            raise _bad("faults.since", "a fault must say since when")
        out.append({"code": code, "since": since, "cleared": _time(fault["cleared"], "faults.cleared"),
                    "detail": _text(fault["detail"], "faults.detail")})  # fmt: skip
    return out


def clean_text(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` as a report may carry it: control characters as spaces, cut to ``limit``."""
    return _CONTROL.sub(" ", text)[:limit]
