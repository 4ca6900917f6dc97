"""Background tasks leave no garbage cycle holding a QObject, and the kiosk collects cycles on
its UI thread only: a QObject destroyed by the collector on a worker thread deadlocked the
kiosk (~QObject waiting for the GIL while holding a Qt lock the UI thread waited for)."""

import gc
import threading
import weakref

from kiosk.ui import tasks
from kiosk.ui.collector import UiThreadCollector


def test_a_finished_task_frees_its_relay_and_thread_on_the_ui_thread(qtbot):
    results = []
    was_enabled = gc.isenabled()
    gc.disable()  # only reference counting: a cycle left behind would keep them
    try:
        task = tasks.run_task(lambda _task: threading.current_thread().name, name="cycle-free",
                              on_success=results.append)  # fmt: skip
        relay, thread = weakref.ref(task._relay), weakref.ref(task._thread)
        qtbot.waitUntil(lambda: not tasks.running(), timeout=10_000)
        del task
        assert results and results[0] != threading.main_thread().name
        assert relay() is None and thread() is None
    finally:
        if was_enabled:
            gc.enable()


def test_the_ui_thread_collector_collects_what_python_would(qtbot):
    class Cycle:
        pass

    was_enabled = gc.isenabled()
    collector = UiThreadCollector(interval_ms=10)
    try:
        collector.start()
        assert not gc.isenabled()
        cycle = Cycle()
        cycle.me = cycle
        probe = weakref.ref(cycle)
        del cycle
        kept = [[] for _ in range(2000)]  # past the youngest generation's threshold
        qtbot.waitUntil(lambda: probe() is None, timeout=5000)
        assert collector.collections >= 1 and kept
    finally:
        collector.deleteLater()
        if was_enabled:
            gc.enable()
