"""One way to run work off the UI thread (in the style of Anki's ``QueryOp``).

``run_task(work, on_success=..., on_failure=..., on_progress=...)`` runs ``work(task)`` on a
worker thread. Whatever it raises (a KnownError, an OSError, a bug) reaches ``on_failure``
on the UI thread as a KnownError whose ``zh`` a villager or staff member can read; the
traceback of anything unexpected goes to the log. Progress and results arrive on the UI
thread too, so callbacks may touch widgets and the work may not. A page that disabled a
button for the work enables it again in ``on_done``, which runs after success and failure
alike: no page stays disabled because a worker died.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThread, Signal, Slot

from kiosk import log
from kiosk.errors import KnownError, as_known

_log = log.get("kiosk.ui")
# Tasks whose thread has not finished, so no QThread is collected while it runs.
_ALIVE: set[Task] = set()


def _owner_alive(callback: Callable) -> bool:
    """False when the callback is a method of a widget Qt has deleted meanwhile (a window
    closed while its task ran): calling it would touch freed C++ objects."""
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)


class _Relay(QObject):
    """Lives on the UI thread. The worker emits its signals; Qt queues them to these slots,
    so every callback runs on the UI thread."""

    progressed = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, task: Task, on_success, on_failure, on_progress, on_done):
        super().__init__()
        self._task = task
        self._on_success, self._on_failure = on_success, on_failure
        self._on_progress, self._on_done = on_progress, on_done
        self.progressed.connect(self._progressed)
        self.succeeded.connect(self._succeeded)
        self.failed.connect(self._failed)

    @Slot(object)
    def _progressed(self, values: tuple) -> None:
        if self._on_progress is not None and self._task is not None and self._task.is_running():
            self._on_progress(*values)

    @Slot(object)
    def _succeeded(self, result: Any) -> None:
        self._finish(self._on_success, result)

    @Slot(object)
    def _failed(self, error: KnownError) -> None:
        self._finish(self._on_failure, error)

    def _finish(self, callback: Callable[[Any], None] | None, value: Any) -> None:
        self._task._running = False
        try:
            if callback is not None and _owner_alive(callback):
                callback(value)
        finally:
            if self._on_done is not None and _owner_alive(self._on_done):
                self._on_done()

    @Slot()
    def thread_finished(self) -> None:
        """The worker is done (its result delivered before this, in queue order). The cycles
        a task makes (task -> relay -> task, task -> thread -> work -> task, a page -> its
        task -> the page's callbacks) are broken here, on the UI thread, so the relay and the
        thread are freed here by reference counting. Left to the garbage collector they were
        collected on whichever thread allocated next, a worker, where ~QObject released the
        GIL and waited for it back while holding a Qt signal lock the UI thread, holding the
        GIL, was waiting for: the kiosk froze (seen once in CI, in test_verify_kiosk)."""
        task = self._task
        _ALIVE.discard(task)
        thread, task._thread = task._thread, None
        if thread is not None:
            thread.wait()  # finished is emitted just before the thread ends: let it end
        self._task = None
        self._on_success = self._on_failure = self._on_progress = self._on_done = None


class _Thread(QThread):
    def __init__(self, body: Callable[[], None]):
        super().__init__()
        self._body = body

    def run(self) -> None:  # worker thread
        self._body()


class Task:
    """A handle on one background job: ``cancel()``, ``cancelled()``, ``progress(...)``."""

    def __init__(self, name: str):
        self.name = name
        self._cancel = threading.Event()
        self._running = True
        self._relay: _Relay | None = None
        self._thread: _Thread | None = None

    # -- for the work, on its thread --------------------------------------------------------

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def progress(self, *values: Any) -> None:
        self._relay.progressed.emit(values)

    # -- for the page, on the UI thread -----------------------------------------------------

    def cancel(self) -> None:
        self._cancel.set()

    def is_running(self) -> bool:
        """True until its result (or failure) has been delivered."""
        return self._running

    def wait(self, ms: int = 30_000) -> bool:
        """Block until the thread ends (tests, shutdown); callbacks still arrive queued."""
        return self._thread is None or self._thread.wait(ms)


def run_task(work: Callable[[Task], Any], *, name: str,
             on_success: Callable[[Any], None] | None = None,
             on_failure: Callable[[KnownError], None] | None = None,
             on_progress: Callable[..., None] | None = None,
             on_done: Callable[[], None] | None = None) -> Task:  # fmt: skip
    """Start ``work(task)`` on a worker thread; the callbacks run on the UI thread.

    Args:
        name: what the work is, for the log (e.g. "sync", "print").
        on_failure: gets every exception as a KnownError (see kiosk.errors.as_known).
        on_done: runs last, after success or failure alike.
    """
    task = Task(name)
    relay = task._relay = _Relay(task, on_success, on_failure, on_progress, on_done)

    def body() -> None:  # worker thread: no widgets here
        try:
            result = work(task)
        except BaseException as exc:  # every failure must reach the page
            if isinstance(exc, KnownError):
                _log.warning("background task %s refused: %s", name, exc)
            else:
                _log.error("background task %s failed", name, exc_info=exc)
            relay.failed.emit(as_known(exc))
            return
        relay.succeeded.emit(result)

    task._thread = _Thread(body)
    task._thread.finished.connect(relay.thread_finished)
    _ALIVE.add(task)
    task._thread.start()
    return task


def run_held(owner: object, slot: str, work: Callable[[Task], Any], *, name: str,
             on_success: Callable[[Any], None] | None = None,
             on_failure: Callable[[KnownError], None] | None = None,
             on_done: Callable[[], None] | None = None) -> Task:  # fmt: skip
    """``run_task`` for work a page holds in ``owner.<slot>`` (a print, a sealing, a report):
    its callbacks run only while that task is still the one held there, and ``on_done``
    empties the slot first. A reset that empties the slot meanwhile makes the answer one for
    something gone: not shown, not acted on."""
    task: Task | None = None

    def current() -> bool:
        return task is not None and getattr(owner, slot) is task

    def succeeded(result: Any) -> None:
        if current() and on_success is not None:
            on_success(result)

    def failed(error: KnownError) -> None:
        if current() and on_failure is not None:
            on_failure(error)

    def done() -> None:
        if current():
            setattr(owner, slot, None)
            if on_done is not None:
                on_done()

    # The callbacks arrive through the event loop, after the slot below is set.
    task = run_task(work, name=name, on_success=succeeded, on_failure=failed, on_done=done)
    setattr(owner, slot, task)
    return task


def wait_for_all(ms: int = 30_000) -> None:
    """Block until every running task's thread has ended (tests, benchmarks, shutdown);
    their callbacks still arrive queued, with the next turn of the event loop."""
    for task in list(_ALIVE):
        task.wait(ms)


def stop_all(ms: int = 10_000) -> None:
    """At shutdown: ask every task to stop and wait for their threads. A thread still running
    when Python tears its QThread down aborts the process ("QThread: Destroyed while thread
    is still running"), as a SIGTERM during start-up's database check did."""
    for task in list(_ALIVE):
        task.cancel()
    wait_for_all(ms)


def running() -> bool:
    """Whether any task's thread is still running."""
    return bool(_ALIVE)


def still_running(ms: int = 0) -> list[str]:
    """The names of the tasks whose thread still runs after waiting up to ``ms`` in all for
    the ones about to finish (tests: what a test left running). A thread that has finished
    counts as ended even before the UI thread has heard of it."""
    deadline = time.monotonic() + ms / 1000
    return [task.name for task in list(_ALIVE)
            if not task.wait(max(0, round((deadline - time.monotonic()) * 1000)))]  # fmt: skip
