"""Background work a test leaves running: the kiosk's task threads (kiosk.ui.tasks, the one
way the kiosk runs long work) and plain non-daemon threads.

Nothing here imports Qt: a test that never imported kiosk.ui.tasks has no task to check.
"""

import sys
import threading
import time

GRACE_S = 2.0  # how long background work may take to end after its test


def running_tasks(grace_s: float = GRACE_S) -> list[str]:
    """The names of kiosk.ui.tasks' tasks whose thread still runs after waiting up to
    ``grace_s`` in all for the ones about to finish; [] if the module was never imported."""
    tasks = sys.modules.get("kiosk.ui.tasks")
    if tasks is None:
        return []
    return tasks.still_running(round(grace_s * 1000))


def stop_tasks() -> None:
    """Cancel every running task and wait for its thread (so the next test starts clean)."""
    tasks = sys.modules.get("kiosk.ui.tasks")
    if tasks is not None:
        tasks.stop_all()


def new_threads(before: set[threading.Thread], grace_s: float = GRACE_S) -> list[str]:
    """The names of non-daemon threads not in ``before`` still alive after waiting up to
    ``grace_s`` in all for them to end."""
    deadline = time.monotonic() + grace_s
    left = []
    for thread in threading.enumerate():
        if thread in before or thread.daemon or thread is threading.current_thread():
            continue
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            left.append(thread.name)
    return left
