"""The stall meter catches a UI thread that does not answer: a deliberate 200 ms block is
seen as a stall of about that length, labelled with what was running."""

import time

from PySide6.QtCore import QTimer

from kiosk.ui.stall_meter import REPORT_MS, StallMeter


def test_a_deliberate_block_of_the_ui_thread_is_caught(qtbot):
    doing = {"now": "idle"}
    reported = []
    meter = StallMeter(interval_ms=10, label=lambda: doing["now"], on_stall=reported.append)
    meter.start()
    qtbot.wait(200)  # a calm start
    doing["now"] = "a deliberate block"

    def block() -> None:
        time.sleep(0.2)

    QTimer.singleShot(20, block)
    qtbot.wait(300)
    meter.stop()
    assert meter.samples > 10
    assert meter.longest >= 150 and meter.worst[0].label == "a deliberate block"
    # At least the block; a busy machine may add a hiccup of its own, labelled the same.
    assert meter.over(REPORT_MS) >= 1 and {s.label for s in reported} == {"a deliberate block"}
    assert meter.percentile(0.5) < meter.longest  # one stall, not a slow thread


def test_the_histogram_and_the_worst_stalls_agree(qtbot):
    """The histogram and the worst list agree (what the benchmarks print)."""
    meter = StallMeter(interval_ms=5)
    for late in (0.0, 3.2, 70.0, 1200.0, 2.0):
        meter.record(late)
    assert meter.samples == 5 and meter.over(50) == 2 and meter.longest == 1200.0
    assert [round(s.ms) for s in meter.worst] == [1200, 70, 3, 2]
    assert meter.percentile(0.6) == 3.0 and meter.percentile(1.0) == 1200.0


def test_the_kiosk_logs_a_frozen_screen_with_the_page_shown(qtbot, window, caplog):
    """What kiosk.app starts after the first frame: a stall over 50 ms goes to the staff log,
    with how long and on which page."""
    import logging

    from kiosk import app

    app._watch_stalls(window)
    window.show_page("policies")
    with caplog.at_level(logging.WARNING, logger="kiosk.ui"):
        qtbot.wait(100)
        QTimer.singleShot(10, lambda: time.sleep(0.2))
        qtbot.wait(300)
    window.stall_meter.stop()
    stalls = [r.getMessage() for r in caplog.records if "stalled" in r.getMessage()]
    assert any(int(m.split()[3]) >= 150 and m.endswith("on policies") for m in stalls), stalls


def test_a_paused_stretch_is_not_counted_but_work_after_it_is(qtbot):
    """A benchmark's own wait (paused) is no stall; the kiosk's work right after it is."""
    meter = StallMeter(interval_ms=10, label=lambda: "after the wait")
    meter.start()
    qtbot.wait(100)
    meter.pause()
    time.sleep(0.3)  # the harness waiting for background tasks
    meter.resume()
    time.sleep(0.12)  # the kiosk's own callback, delivered after the wait
    qtbot.wait(100)
    meter.stop()
    # Counted: the 120 ms callback. Not counted: the 300 ms wait (with it, about 420 ms).
    assert 100 <= meter.longest < 400 and meter.worst[0].label == "after the wait"
