"""Program updates on a terminal: find a new release in the feed after a sync, fetch and
unpack it beside the running version, and switch to it at a quiet moment.

Only a kiosk started by the launcher (``KIOSK_APP_ROOT``, kiosk.update.launcher) updates
itself; one run from source or from a bare bundle reports its version and nothing else.
Staff settings: ``update_hold`` stops downloads and switches; ``update_pin`` caps the
version (a terminal never goes below the one it runs); ``update_hour`` limits the switch to
one hour of the day (-1: at any quiet moment).
"""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import config, log, paths, version
from kiosk.config import Settings
from kiosk.errors import KnownError
from kiosk.files import read_small, write_atomic
from kiosk.formats import releases as rel
from kiosk.update import install, launcher
from kiosk.update.state import AppRoot, State, env_root

if TYPE_CHECKING:
    from kiosk.sync.releases import Offer

_log = log.get("kiosk.update")

LAST_CHECK = "last-check.json"
RESTART = launcher.RESTART  # the exit code that makes the launcher start the version now named


@dataclass(frozen=True)
class UpdateStatus:
    running: str  # this process's version
    managed: bool  # started by the launcher: updates itself
    proven: str = ""
    pending: str = ""
    on_trial: bool = False
    held: bool = False
    pin: str = ""
    last_check: str = ""  # the last check's outcome, for staff
    failed: list[dict[str, str]] = field(default_factory=list)  # newest last


def status(settings: Settings, root: AppRoot | None = None) -> UpdateStatus:
    """What the staff page and the status report say about the program."""
    root = root or env_root()
    held, pin = bool(settings.get("update_hold")), str(settings.get("update_pin"))
    if root is None:
        return UpdateStatus(version(), False, held=held, pin=pin)
    try:
        state = root.load()
    except KnownError as exc:
        return UpdateStatus(version(), False, held=held, pin=pin, last_check=exc.zh)
    return UpdateStatus(version(), True, state.proven, state.pending, state.on_trial, held, pin,
                        _last_check(root), list(state.failed))  # fmt: skip


def lines(status: UpdateStatus) -> list[tuple[str, str]]:
    """The program's versions as (label, value) lines for staff (their page and `kiosk app status`)."""
    said = [("正在运行", status.running)]
    if not status.managed:
        return [*said, ("自动更新", "未由启动器管理，不自动更新")]
    said.append(("已验证版本", status.proven + ("（新版本试运行中）" if status.on_trial else "")))
    said.append(("待切换版本", status.pending or "无"))
    said.append(("自动更新", "已暂停" if status.held else "开启"))
    said.append(("版本上限", status.pin or "无（最新）"))
    if status.last_check:
        said.append(("最近检查", status.last_check))
    for failed in status.failed[-3:]:
        when = failed.get("at", "")[:10]
        said.append(("更新失败", f"{failed.get('version')}：{failed.get('reason')}（{when}）"))
    return said


def check(source: str, db_path: Path, trusted_root: Path, settings: Settings,
          cancelled: Callable[[], bool] = lambda: False, root: AppRoot | None = None,
          free: Callable[[Path], int] = install.free_bytes) -> str:
    """After a sync: fetch and unpack the newest release offered to this terminal, if any.

    Returns:
        one line for staff ("" when this kiosk does not update itself).

    Raises:
        KnownError: the release metadata was refused, the download failed, the disk is too
            full; the running version and any pending one are untouched.
    """
    root = root or env_root()
    if root is None:
        return ""
    try:
        line = _check(source, db_path, trusted_root, settings, cancelled, root, free)
    except KnownError as exc:
        _remember(root, f"程序更新未完成：{exc.zh}")
        raise
    _remember(root, line)
    return line


def _check(source: str, db_path: Path, trusted_root: Path, settings: Settings,
           cancelled: Callable[[], bool], root: AppRoot, free: Callable[[Path], int]) -> str:
    from kiosk.services import sync

    if settings.get("update_hold"):
        return "程序更新已暂停（工作人员设置）"
    busy = KnownError("另一次程序更新正在下载", "another update is being downloaded")
    with sync.single_sync(root.path / "update.lock", busy):  # an automatic and a staff sync at once
        return _fetch_newest(source, db_path, trusted_root, settings, cancelled, root, free)


def _fetch_newest(source: str, db_path: Path, trusted_root: Path, settings: Settings,
                  cancelled: Callable[[], bool], root: AppRoot, free: Callable[[Path], int]) -> str:
    from kiosk.services import requests, sync
    from kiosk.sync import releases

    state = root.load()
    if state.on_trial:
        return f"{state.current} 版试运行中"
    files = paths.TerminalFiles(db_path)
    files.feed_cache.mkdir(parents=True, exist_ok=True)
    with sync.single_sync(files.feed_cache / "sync.lock"):
        offers = releases.offers(source, files.feed_cache, trusted_root.read_bytes(), rel.this_platform(),
                                 requests.terminal_identity().fingerprint(), cancelled=cancelled)  # fmt: skip
    best = choose(offers, state, str(settings.get("update_pin")))
    if best is None:
        return f"程序已是最新（{state.current} 版）"
    if state.pending == best.version:
        return f"{best.version} 版已下载，将在无人使用时更新"
    install.make_room(root)
    needed = install.room_needed(best.info.length, best.declared.unpacked)
    available = free(root.path)
    if available < needed:
        raise KnownError(f"磁盘空间不足，无法下载 {best.version} 版：需要 {needed >> 20} MB，"
                         f"只剩 {available >> 20} MB",
                         f"not enough disk for {best.version}: {needed >> 20} MB needed,"
                         f" {available >> 20} MB free")  # fmt: skip
    root.downloads.mkdir(parents=True, exist_ok=True)
    archive = root.downloads / f"kiosk-{best.version}.tar.gz"
    try:
        releases.download(best, source, archive, cancelled=cancelled)
        install.stage(root, archive, best.declared, free)
    finally:
        archive.unlink(missing_ok=True)
    _log.info("release %s staged", best.version)
    return f"已下载 {best.version} 版，将在无人使用时更新"


def choose(offers: list["Offer"], state: State, pin: str) -> "Offer | None":
    """The newest offer above the running version (and at most ``pin``) that has not
    failed here before, or None."""
    cap = rel.parse_version(pin) if rel.is_version(pin) else None
    fit = [o for o in offers if install.refusal(state, o.version) is None
           and (cap is None or rel.parse_version(o.version) <= cap)]  # fmt: skip
    return fit[-1] if fit else None


def switch_if_due(settings: Settings, now: dt.datetime | None = None,
                  root: AppRoot | None = None) -> str | None:  # fmt: skip
    """At a quiet moment: switch to the pending version if staff allow it now.

    Returns:
        the version the launcher starts next (the caller exits with ``RESTART``), or None.
    """
    root = root or env_root()
    if root is None or settings.get("update_hold"):
        return None
    hour = settings.get("update_hour")
    if hour >= 0 and (now or dt.datetime.now()).hour != hour:
        return None
    try:
        return install.switch(root)
    except (KnownError, OSError) as exc:
        _log.warning("cannot switch versions: %s", exc)
        return None


def open_failure(root: AppRoot | None = None) -> str:
    """A release newer than the running version that failed its trial here, in words for the
    status report's ``update_failed`` fault ("" when none: cleared once a later one runs)."""
    root = root or env_root()
    if root is None:
        return ""
    try:
        failed = root.load().failed
    except KnownError:
        return ""
    running = rel.parse_version(version())
    newer = [f for f in failed if rel.is_version(f.get("version", ""))
             and rel.parse_version(f["version"]) > running]  # fmt: skip
    if not newer:
        return ""
    last = newer[-1]
    return f"{last['version']} 版试运行失败，已退回 {version()} 版：{last.get('reason', '')}"


def mark_home_shown() -> None:
    """Tell the launcher this version showed its home screen (part of proving itself)."""
    mark = config.env("KIOSK_HOME_MARK")
    if not mark:
        return
    try:
        Path(mark).parent.mkdir(parents=True, exist_ok=True)
        write_atomic(Path(mark), version().encode(), 0o644)
    except OSError as exc:
        _log.warning("cannot write the home mark %s: %s", mark, exc)


def _remember(root: AppRoot, line: str) -> None:
    record = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "line": line[:300]}
    try:
        write_atomic(root.path / LAST_CHECK, json.dumps(record, ensure_ascii=False).encode(), 0o644)
    except OSError as exc:
        _log.warning("cannot record the update check: %s", exc)


def _last_check(root: AppRoot) -> str:
    try:
        record = json.loads(read_small(root.path / LAST_CHECK, 4096))
        at = dt.datetime.fromisoformat(record["at"]).astimezone()
        return f"{at:%m-%d %H:%M} {record['line']}"
    except (KnownError, ValueError, KeyError, TypeError):
        return ""
