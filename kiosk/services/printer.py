"""The terminal's printer, through CUPS (Linux and other Unix systems).

A notice goes to the printer named by the setting ``printer`` ("" means the system's default
destination) with ``lp``, as the PDF itself, so the printer receives vectors and the
embedded font rather than a bitmap. Nothing here imports Qt: on Windows, where there is no
CUPS, the UI renders pages through QPrinter instead (kiosk.ui.printing). Which printer a job
goes to, and what to say when there is none, is decided here for both ways (``choose``).

Every failure is a KnownError whose Chinese tells a villager to fetch staff and whose
English says what went wrong (CUPS missing, scheduler down, no or unknown printer, what
``lp`` printed on its standard error).
"""

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk import log
from kiosk.errors import KnownError

_log = log.get("kiosk.print")

TIMEOUT_S = 30  # lp and lpstat answer in milliseconds; a hung scheduler must not hang a print
_NO_DEFAULT = "no system default destination"


@dataclass(frozen=True)
class PrintJob:
    """One document accepted by the print system."""

    printer: str
    job_id: str  # e.g. "KioskPDF-12"


def uses_cups() -> bool:
    """True where notices are printed with CUPS ``lp``; False on Windows (QPrinter)."""
    return sys.platform != "win32"


def _run(args: list[str]) -> subprocess.CompletedProcess:
    """Run a CUPS client with untranslated output (we parse it) and a time limit."""
    if shutil.which(args[0]) is None:
        raise KnownError(
            "本机未安装打印服务（CUPS），无法打印，请联系工作人员",
            f"CUPS is not installed ({args[0]} not found); install cups and cups-client",
        )
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    try:
        return subprocess.run(args, capture_output=True, text=True, env=env, timeout=TIMEOUT_S,
                              check=False)  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise KnownError(
            "打印服务没有响应，请稍后重试或联系工作人员",
            f"{args[0]} did not answer within {TIMEOUT_S} s",
        ) from exc


def _scheduler_down(stderr: str) -> KnownError:
    return KnownError(
        "打印服务未运行，无法打印，请联系工作人员",
        f"the CUPS scheduler is not running ({stderr.strip()})",
    )


def list_printers() -> list[str]:
    """The names of the print queues CUPS knows (``lpstat -e``)."""
    done = _run(["lpstat", "-e"])
    if done.returncode != 0:
        if "not running" in done.stderr.lower() or "connect" in done.stderr.lower():
            raise _scheduler_down(done.stderr)
        raise KnownError("无法读取打印机列表，请联系工作人员",
                         f"lpstat -e failed: {done.stderr.strip()}")  # fmt: skip
    printers = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    if not printers and not scheduler_running():  # lpstat -e lists nothing, silently
        raise _scheduler_down("lpstat -r: scheduler is not running")
    return printers


def scheduler_running() -> bool:
    """Whether the CUPS scheduler answers (``lpstat -r``)."""
    done = _run(["lpstat", "-r"])
    return done.returncode == 0 and "scheduler is running" in done.stdout


def default_printer() -> str | None:
    """The system's default destination (``lpstat -d``), or None if there is none."""
    done = _run(["lpstat", "-d"])
    text = done.stdout.strip()
    if done.returncode != 0 and not text:
        if "not running" in done.stderr.lower():
            raise _scheduler_down(done.stderr)
        return None
    if not text or _NO_DEFAULT in text:
        return None
    match = re.search(r"destination:\s*(\S+)", text)
    return match[1] if match else None


def no_printer_error() -> KnownError:
    return KnownError(
        "未设置打印机，本机也没有默认打印机，请联系工作人员设置打印机",
        "no printer configured (setting 'printer') and no system default printer",
    )


def unknown_printer_error(name: str, known: list[str]) -> KnownError:
    return KnownError(
        f"找不到打印机“{name}”，请联系工作人员检查打印机设置",
        f"printer {name!r} not found (known: {', '.join(known) or 'none'})",
    )


def choose(configured: str, known: list[str], default: Callable[[], str | None]) -> str:
    """The printer a job goes to: the configured one, else the system default (``default()``
    is asked only when none is configured), and it must be one of the ``known`` printers.
    Both ways of printing decide by this: CUPS (``resolve``) and QPrinter on Windows.

    Raises:
        KnownError: no printer is configured and there is no default, or the printer named
            is not known.
    """
    name = configured.strip() or default()
    if not name:
        raise no_printer_error()
    if name not in known:
        raise unknown_printer_error(name, known)
    return name


def resolve(configured: str) -> str:
    """The printer a notice goes to through CUPS: the configured one, else the system default.

    Raises:
        KnownError: CUPS is missing or down, no printer is configured and there is no
            default, or the configured printer does not exist.
    """
    return choose(configured, list_printers(), default_printer)


def submit(pdf: Path, printer: str, title: str) -> PrintJob:
    """Send ``pdf`` to ``printer`` with ``lp``; returns the job CUPS accepted.

    ``printer`` is a resolved name (see ``resolve``); "" leaves the choice to CUPS.

    Raises:
        KnownError: lp is missing, or refused the job (its standard error is quoted).
    """
    args = ["lp", *(["-d", printer] if printer else []), "-t", title, "--", str(pdf)]
    done = _run(args)
    if done.returncode != 0:
        reason = done.stderr.strip() or done.stdout.strip() or f"exit code {done.returncode}"
        if "not running" in reason.lower():
            raise _scheduler_down(reason)
        raise KnownError(f"打印失败（{reason}），请联系工作人员", f"lp failed: {reason}")
    match = re.search(r"request id is (\S+)", done.stdout)
    job = match[1] if match else ""
    _log.info("sent %s to %s as job %s", pdf.name, printer or "(default)", job or "?")
    return PrintJob(printer or (job.rsplit("-", 1)[0] if job else ""), job)


def queued_jobs() -> set[str]:
    """The ids of the jobs CUPS still holds (not yet printed, for every printer).

    Raises:
        KnownError: lpstat is missing or the scheduler is down.
    """
    done = _run(["lpstat", "-o"])
    if done.returncode != 0 and "not running" in done.stderr.lower():
        raise _scheduler_down(done.stderr.strip())
    return {line.split()[0] for line in done.stdout.splitlines() if line.strip()}
