"""The terminal's own health, as its signed status report tells the county and its staff
page shows: data, sync, outbox, disk, printer, runs, usage, and faults as changes.

A fault opens when its condition is first seen (``since``) and is cleared when the
condition is gone; the report carries the open ones and those cleared in the last
``CLEARED_KEPT_DAYS``, so a report lost on the way loses nothing the next one does not say.

The printer is judged by what became of its jobs, not by what CUPS says about paper (it
often says nothing): a job that is refused has failed, a job that has not left the queue
``STUCK_AFTER`` after it was sent is stuck (no paper, jammed, off), and ``pages_since``
counts the pages printed since the printer's last fault cleared (about the paper used since
someone last put it right).
"""

import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from peewee import fn

from kiosk import log, version
from kiosk.errors import KnownError
from kiosk.formats import envelope, status_report
from kiosk.formats.status_report import CLEARED_KEPT_DAYS, FAULTS, MAX_FAULTS, clean_text
from kiosk.outbox.queue import OutboxStatus
from kiosk.services import clock, requests, sync, updates, usage
from kiosk.store.models import Fault as FaultRow
from kiosk.store.models import FeedState, PrintJob, Run, database

_log = log.get("kiosk.health")

STUCK_AFTER = dt.timedelta(minutes=10)
DATA_STALE_AFTER = dt.timedelta(days=14)  # the feed's default expiry: a courier is overdue
OUTBOX_STUCK_AFTER = dt.timedelta(days=3)
DISK_LOW_MB = 500
RECENT_RUNS = dt.timedelta(days=7)
_PAGE = re.compile(rb"/Type\s*/Page(?![s\w])")
_current_run: int | None = None


def _now(now: dt.datetime | None) -> dt.datetime:
    return (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="seconds")


def _parse(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


# -- runs ------------------------------------------------------------------------------------------


def record_start(screen: str, handwriting: bool, now: dt.datetime | None = None) -> int:
    """The kiosk has started on a ``screen`` ("WIDTHxHEIGHT"); returns the run's id."""
    global _current_run
    run = Run.create(started_at=_iso(_now(now)), clean=0, screen=screen, handwriting=int(handwriting),
                     speech=0)  # fmt: skip
    _current_run = run.id
    return run.id


def record_speech(available: bool) -> None:
    """Whether speech turned out to work (known a few seconds after start)."""
    if _current_run is not None:
        Run.update(speech=int(available)).where(Run.id == _current_run).execute()


def record_clean_exit() -> None:
    """The kiosk is leaving through its own exit (staff quit, or the system asked it to)."""
    if _current_run is not None:
        Run.update(clean=1).where(Run.id == _current_run).execute()


# -- printing --------------------------------------------------------------------------------------


def pdf_pages(pdf: Path) -> int:
    """How many pages a PDF this program wrote has (reportlab writes page objects plainly)."""
    try:
        return max(1, len(_PAGE.findall(pdf.read_bytes())))
    except OSError:
        return 1


def record_print(what: str, printer: str, job_id: str, pages: int, error: str = "",
                 now: dt.datetime | None = None) -> None:  # fmt: skip
    """One job handed to the print system: refused (``error``), queued in CUPS (``job_id``)
    or rendered straight to the printer (no job id: done when it returns)."""
    outcome = "failed" if error else ("queued" if job_id else "ok")
    stamp = _iso(_now(now))
    settled = None if outcome == "queued" else stamp
    PrintJob.create(at=stamp, what=what, printer=clean_text(printer, 255), job_id=job_id, pages=pages,
                    outcome=outcome, error=clean_text(error), settled_at=settled)


def settle_print_jobs(queued: Callable[[], set[str]], now: dt.datetime | None = None) -> None:
    """Judge the jobs still waiting: gone from the queue is printed, waiting ``STUCK_AFTER``
    is stuck (and printed after all if it leaves the queue later).

    Args:
        queued: the job ids the print system still holds (kiosk.services.printer.queued_jobs).
    """
    waiting = list(PrintJob.select().where(PrintJob.outcome.in_(("queued", "stuck"))))
    if not waiting:
        return
    try:
        held = queued()
    except KnownError as exc:  # no CUPS now: judge later
        _log.info("print queue not readable: %s", exc.en)
        return
    now = _now(now)
    for job in waiting:
        if job.job_id not in held:
            PrintJob.update(outcome="ok", settled_at=_iso(now)).where(PrintJob.id == job.id).execute()
        elif job.outcome == "queued" and now - _parse(job.at) >= STUCK_AFTER:
            PrintJob.update(outcome="stuck", error="任务超过10分钟仍未打印（缺纸、卡纸或未开机）").where(
                PrintJob.id == job.id).execute()  # fmt: skip


def printer_state() -> dict:
    """The report's ``printer``: the last job, failures in a row, pages since the last
    printer fault was cleared."""
    jobs = list(PrintJob.select().order_by(PrintJob.id.desc()).limit(50))
    if not jobs:
        return {"last_job_at": "", "last_outcome": "", "last_error": "", "pages_since": 0, "failed_in_row": 0}
    failed = 0
    for job in jobs:
        if job.outcome not in ("failed", "stuck"):
            break
        failed += 1
    since = (FaultRow.select(fn.MAX(FaultRow.cleared))
             .where(FaultRow.code.in_(("printer_failed", "printer_stuck"))).scalar()) or ""  # fmt: skip
    pages = (PrintJob.select(fn.SUM(PrintJob.pages))
             .where((PrintJob.outcome == "ok") & (PrintJob.at >= since)).scalar()) or 0  # fmt: skip
    last = jobs[0]
    return {"last_job_at": last.at, "last_outcome": last.outcome, "last_error": last.error,
            "pages_since": int(pages), "failed_in_row": failed}  # fmt: skip


# -- faults ----------------------------------------------------------------------------------------


def _conditions(facts: dict, now: dt.datetime) -> dict[str, str]:
    """code -> detail for every fault whose condition holds now."""
    found = {}
    if facts["last_sync_result"] in ("refused", "failed"):
        found["sync_failed"] = facts["last_sync_message"] or "最近一次同步未完成"
    applied = _parse(facts["applied_at"])
    if applied is None or now - applied > DATA_STALE_AFTER:
        found["data_stale"] = "尚未同步过县级数据" if applied is None else f"上次同步于 {applied:%Y-%m-%d}"
    if facts["clock_problem"]:
        found["clock"] = facts["clock_problem"]
    if facts["disk_free_mb"] < DISK_LOW_MB:
        found["disk_low"] = f"剩余 {facts['disk_free_mb']} MB"
    printer = facts["printer"]
    if printer["last_outcome"] == "failed":
        found["printer_failed"] = printer["last_error"] or "打印失败"
    if printer["last_outcome"] == "stuck":
        found["printer_stuck"] = printer["last_error"]
    if facts["oldest_waiting"] is not None and now - facts["oldest_waiting"] > OUTBOX_STUCK_AFTER:
        found["outbox_stuck"] = f"最早一件封存于 {facts['oldest_waiting']:%Y-%m-%d}，仍未送出"
    outbox = facts["outbox"]
    if outbox["damaged"] or outbox["missing"]:
        found["outbox_damaged"] = f"损坏 {outbox['damaged']} 件，缺失 {outbox['missing']} 件"
    if facts["update_failed"]:
        found["update_failed"] = facts["update_failed"]
    if facts["unclean_7d"]:
        found["crash"] = f"近7天异常退出 {facts['unclean_7d']} 次"
    return {code: clean_text(detail) for code, detail in found.items()}


def update_faults(conditions: dict[str, str], now: dt.datetime | None = None) -> None:
    """Open a fault for each new condition, clear the open ones whose condition is gone."""
    stamp = _iso(_now(now))
    with database.atomic():
        open_rows = {row.code: row for row in FaultRow.select().where(FaultRow.cleared.is_null())}
        for code, detail in conditions.items():
            if code not in open_rows:
                FaultRow.create(code=code, since=stamp, cleared=None, detail=detail)
            elif open_rows[code].detail != detail:
                FaultRow.update(detail=detail).where(FaultRow.id == open_rows[code].id).execute()
        gone = [row.id for code, row in open_rows.items() if code not in conditions]
        if gone:
            FaultRow.update(cleared=stamp).where(FaultRow.id.in_(gone)).execute()


def recent_faults(now: dt.datetime | None = None) -> list[dict[str, str]]:
    """Open faults and those cleared in the last ``CLEARED_KEPT_DAYS``, newest first."""
    after = _iso(_now(now) - dt.timedelta(days=CLEARED_KEPT_DAYS))
    rows = (FaultRow.select().where(FaultRow.cleared.is_null() | (FaultRow.cleared >= after))
            .order_by(FaultRow.since.desc()).limit(MAX_FAULTS))  # fmt: skip
    return [{"code": r.code, "since": r.since, "cleared": r.cleared or "", "detail": r.detail} for r in rows]


# -- the report ------------------------------------------------------------------------------------


def _outbox() -> tuple[OutboxStatus, dt.datetime | None]:
    if not requests.outbox_folder().is_dir():  # nobody has asked anything here yet
        return OutboxStatus(0, 0, 0, 0, 0), None
    box = requests.outbox()
    waiting = [r.created for r in box.records() if r.acked_at is None and r.sent_at is None]
    oldest = min((dt.datetime.fromisoformat(c.replace("Z", "+00:00")) for c in waiting), default=None)
    return box.status(), oldest


def _runs(now: dt.datetime) -> dict:
    after = _iso(now - RECENT_RUNS)
    recent = list(Run.select().where(Run.started_at >= after).order_by(Run.id))
    latest = Run.select().order_by(Run.id.desc()).first()
    # The latest run may be the kiosk still running: a crash counts once the next one starts.
    unclean = sum(1 for r in recent if not r.clean and r.id != getattr(latest, "id", None))
    started = latest.started_at if latest else ""
    uptime = int((now - _parse(started)).total_seconds()) if latest and latest.id == _current_run else 0
    return {"started_at": started, "uptime_s": max(0, uptime), "starts_7d": len(recent),
            "unclean_7d": unclean, "screen": latest.screen if latest else "",
            "handwriting": bool(latest and latest.handwriting),
            "speech": bool(latest and latest.speech)}  # fmt: skip


def _disk(db: Path) -> tuple[int, int]:
    free = shutil.disk_usage(db.parent).free // 2**20
    size = sum(p.stat().st_size for p in (db, Path(f"{db}-wal")) if p.exists()) // 2**20
    return int(free), int(size)


def build_report(via: str, now: dt.datetime | None = None,
                 queued: Callable[[], set[str]] | None = None) -> dict:  # fmt: skip
    """The status report as it would be signed now, after updating the faults.

    Args:
        via: how it will travel ("http" or "usb").
        queued: the print system's waiting job ids (default: asked of CUPS).
    """
    from kiosk.services import printer  # its subprocess machinery only when a report is built

    now = _now(now)
    local_now = now.astimezone().replace(tzinfo=None)  # how the store and the clock check keep time
    usage.flush()
    settle_print_jobs(queued or printer.queued_jobs, now)
    db = Path(database.database)
    state = FeedState.select().order_by(FeedState.applied_at.desc(nulls="LAST")).first()
    attempt = sync.last_attempt(db)
    as_of = state.data_as_of if state and state.data_as_of else None
    as_of_utc = as_of.astimezone(dt.UTC) if as_of else None  # stored as local time
    status, oldest = _outbox()
    free, size = _disk(db)
    runs = _runs(now)
    report = {
        "app_version": version(), "sent_via": via,
        "started_at": runs["started_at"], "uptime_s": runs["uptime_s"], "starts_7d": runs["starts_7d"],
        "unclean_7d": runs["unclean_7d"],
        "feed_version": state.version if state else 0,
        "data_as_of": _iso(as_of_utc) if as_of_utc else "",
        "applied_at": _iso(state.applied_at.astimezone(dt.UTC)) if state and state.applied_at else "",
        "last_sync_at": attempt.get("at", ""), "last_sync_result": attempt.get("result", ""),
        "last_sync_message": clean_text(attempt.get("message", "")),
        "clock_vs_feed_s": int((now - as_of_utc).total_seconds()) if as_of_utc else 0,
        "outbox": {"waiting": status.waiting, "sent": status.sent, "acknowledged": status.acknowledged,
                   "damaged": status.damaged, "missing": status.missing},
        "disk_free_mb": free, "db_mb": size,
        "printer": printer_state(),
        "screen": runs["screen"], "handwriting": runs["handwriting"], "speech": runs["speech"],
        "usage": usage.months(local_now),
        "faults": [],
    }  # fmt: skip
    facts = {**report, "clock_problem": clock.clock_problem(local_now), "oldest_waiting": oldest,
             "update_failed": updates.open_failure()}
    update_faults(_conditions(facts, now), now)
    report["faults"] = recent_faults(now)
    return status_report.validate(report)


def sealed_report(via: str, now: dt.datetime | None = None) -> bytes | None:
    """The status report sealed to the county and signed by this terminal, or None when
    the terminal holds no county key yet (it has never synced: nothing to say it to)."""
    try:
        key = requests.county_key(now.date() if now else None)
    except requests.NoCountyKey:
        return None
    report = build_report(via, now)
    return envelope.seal(report, status_report.KIND, key, requests.terminal_identity(), now=now).data


# -- for the staff page ----------------------------------------------------------------------------


def report_lines(report: dict) -> list[tuple[str, str]]:
    """The report as (label, value) lines in Chinese, for the staff page."""
    outbox, printer = report["outbox"], report["printer"]
    open_faults = [f for f in report["faults"] if not f["cleared"]]
    cleared = [f for f in report["faults"] if f["cleared"]]
    this_month = max(report["usage"], default="")
    counts = report["usage"].get(this_month, {})
    lines = [
        ("程序版本", report["app_version"]),
        ("数据版本", f"第 {report['feed_version']} 版，数据截至 {_local(report['data_as_of'])}"),
        ("最近同步", f"{_local(report['last_sync_at'])} {_SYNC_NAMES.get(report['last_sync_result'], '')} "
                     f"{report['last_sync_message']}".strip()),
        ("待送出申请", f"排队 {outbox['waiting']} 件，已送出待确认 {outbox['sent']} 件，县里已收到 "
                       f"{outbox['acknowledged']} 件"),
        ("磁盘", f"剩余 {report['disk_free_mb']} MB，数据库 {report['db_mb']} MB"),
        ("打印机", f"{status_report.PRINT_OUTCOME_NAMES[printer['last_outcome']]}"
                   f"{'（' + _local(printer['last_job_at']) + '）' if printer['last_job_at'] else ''}，"
                   f"此后已打印 {printer['pages_since']} 页"),
        ("运行", f"本次启动于 {_local(report['started_at'])}，近7天启动 {report['starts_7d']} 次，"
                 f"异常退出 {report['unclean_7d']} 次"),
        ("屏幕与功能", f"{report['screen'] or '未知'}，手写{'可用' if report['handwriting'] else '不可用'}，"
                       f"朗读{'可用' if report['speech'] else '不可用'}"),
        ("本月使用", "，".join(f"{status_report.USAGE_KINDS[k]} {n}" for k, n in counts.items()) or "暂无"),
        ("当前故障", "；".join(f"{FAULTS[f['code']]}（自 {_local(f['since'])}）：{f['detail']}"
                              for f in open_faults) or "无"),
    ]
    if cleared:
        lines.append(("近期已恢复", "；".join(f"{FAULTS[f['code']]}（{_local(f['since'])} 至 "
                                             f"{_local(f['cleared'])}）" for f in cleared)))  # fmt: skip
    return lines


_SYNC_NAMES = {"ok": "成功", "refused": "被拒绝", "failed": "未完成"}


def _local(text: str) -> str:
    return f"{dt.datetime.fromisoformat(text).astimezone():%Y-%m-%d %H:%M}" if text else "—"
