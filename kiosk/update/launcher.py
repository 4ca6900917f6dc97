"""The launcher: starts the kiosk, restarts it after a crash, and goes back to the proven
version when a new one fails its trial.

The boot script runs ``kiosk launch --root ROOT`` from the *proven* version's folder, so a
new version's launcher is used only once that version has proven itself. A new version is
on trial until its home screen has shown (it writes the mark the launcher names in
``KIOSK_HOME_MARK``) and it has kept running for ``trial_s``. A start on trial is counted
before it begins (a power cut during it counts too); when ``MAX_TRIAL_STARTS`` starts did
not prove it, the launcher switches back to the proven version, remembers the failure (the
status report carries it to the county; the release is never installed again) and deletes
the failed folder.

A proven version that crashes is started again after a pause that grows to a minute. Exit
code 0 (staff chose 退出程序) ends the launcher too; ``RESTART`` (the kiosk switched to a
pending version at a quiet moment) starts whatever the state now names.
"""

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk import log
from kiosk.errors import KnownError
from kiosk.update.state import AppRoot, State, failure, remember_failure

_log = log.get("kiosk.update")

RESTART = 75  # EX_TEMPFAIL: "start me again", after a switch
MAX_TRIAL_STARTS = 2


@dataclass(frozen=True)
class Timing:
    trial_s: float = 300.0  # a new version must keep running this long after it starts
    home_deadline_s: float = 120.0  # ... and show its home screen within this
    backoff_s: float = 5.0  # pause before restarting a crashed proven version, doubling
    backoff_max_s: float = 60.0
    poll_s: float = 0.5
    stop_grace_s: float = 15.0  # a kiosk told to end that has not, after this, is killed


def launch(root: AppRoot, run_args: list[str], timing: Timing = Timing()) -> int:
    """Run the kiosk until staff quit it (exit 0) or the launcher is told to stop."""
    stopping: list[int] = []
    child: subprocess.Popen | None = None

    def stop(signum, _frame) -> None:
        stopping.append(signum)
        if child is not None and child.poll() is None:
            child.terminate()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    backoff = timing.backoff_s
    while not stopping:
        try:
            state = root.load()
        except KnownError:
            state = root.recover()
            root.save(state)
        state = before_start(root, state)
        root.tidy(state)
        version = state.current
        mark = root.home_mark(version)
        mark.parent.mkdir(parents=True, exist_ok=True)
        mark.unlink(missing_ok=True)
        env = {**os.environ, "KIOSK_APP_ROOT": str(root.path), "KIOSK_HOME_MARK": str(mark)}
        _log.info("starting %s%s", version, " (on trial)" if state.on_trial else "")
        try:
            child = subprocess.Popen([str(root.program(version)), "run", *run_args], env=env)
        except OSError as exc:  # missing, not executable, not a program for this machine
            child, outcome = None, f"无法启动（{exc.strerror or exc}）"
        else:
            outcome = _watch(root, child, version, mark, state.on_trial, timing, lambda: bool(stopping))
        if stopping or outcome == "quit":
            return 0
        if outcome == "restart":
            backoff = timing.backoff_s
            continue
        _log.warning("version %s: %s", version, outcome)
        state = root.load()
        if state.on_trial and state.current == version:
            state.trial_fault = outcome
            root.save(state)
            continue
        time.sleep(backoff)
        backoff = min(backoff * 2, timing.backoff_max_s)
    return 0


def before_start(root: AppRoot, state: State) -> State:
    """Count a start on trial, or go back to the proven version when the trial is spent."""
    if not state.on_trial:
        return state
    if state.trial_starts >= MAX_TRIAL_STARTS:
        reason = state.trial_fault or "启动后未能正常运行"
        _log.warning("version %s failed its trial (%s): back to %s", state.current, reason, state.proven)
        remember_failure(state, failure(state.current, reason))
        state.current, state.previous = state.proven, ""
        state.trial_starts, state.trial_fault = 0, ""
    else:
        state.trial_starts += 1
    root.save(state)
    return state


def prove(root: AppRoot, version: str) -> None:
    """``version`` showed home and kept running: it is the proven one from now on."""
    state = root.load()
    if state.current != version or not state.on_trial:
        return
    state.proven, state.trial_starts, state.trial_fault = version, 0, ""
    root.save(state)
    _log.info("version %s proved itself", version)


def _watch(root: AppRoot, child: subprocess.Popen, version: str, mark: Path, on_trial: bool,
           timing: Timing, stopping: Callable[[], bool]) -> str:
    """How the child ended: "quit", "restart", "exited with N", or "no home screen". When
    the launcher is told to stop, the child is ended (a kiosk told too early in its start
    may not have heard it)."""
    started = time.monotonic()
    while True:
        if stopping():
            _wait(child, timing.stop_grace_s)
            return "quit"
        code = child.poll()
        if code is not None:
            return {0: "quit", RESTART: "restart"}.get(code, f"程序异常退出（代码 {code}）")
        if on_trial:
            elapsed = time.monotonic() - started
            shown = mark.exists()
            if not shown and elapsed > timing.home_deadline_s:
                _wait(child, timing.stop_grace_s)
                return f"{timing.home_deadline_s:.0f} 秒内未显示首页"
            if shown and elapsed >= timing.trial_s:
                prove(root, version)
                on_trial = False
        time.sleep(timing.poll_s)


def _wait(child: subprocess.Popen, grace_s: float) -> None:
    """End ``child``: politely, then for good."""
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(grace_s)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
