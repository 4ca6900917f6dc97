"""The guard in tests/conftest.py (no_background_work_left) can fail: a task of
kiosk.ui.tasks or a non-daemon thread left running after a test is named."""

import threading

import pytest

from kiosk.ui import tasks
from tests.helpers import threads
from tests.helpers.paths import REPO


def test_a_task_left_running_is_named_until_it_ends(qapp):
    release = threading.Event()
    task = tasks.run_task(lambda _task: release.wait(30), name="left-running-on-purpose")
    try:
        assert threads.running_tasks(grace_s=0.2) == ["left-running-on-purpose"]
    finally:
        release.set()
        assert task.wait(10_000)
    assert threads.running_tasks(grace_s=0.2) == []


def test_a_thread_left_running_is_named_until_it_ends():
    before = set(threading.enumerate())
    release = threading.Event()
    thread = threading.Thread(target=release.wait, args=(30,), name="left-running-on-purpose")
    thread.start()
    try:
        assert threads.new_threads(before, grace_s=0.2) == ["left-running-on-purpose"]
    finally:
        release.set()
        thread.join(10)
    assert threads.new_threads(before, grace_s=0.2) == []


@pytest.mark.slow
def test_the_fixture_fails_a_test_that_leaves_a_task_running(pytester, monkeypatch):
    """In a pytest of its own: the test passes, its teardown is an error naming the task,
    and the task is stopped (the next test finds none)."""
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    pytester.makeconftest("from tests.conftest import no_background_work_left  # noqa: F401\n")
    pytester.makepyfile(test_leaves_work="""
        import threading

        from kiosk.ui import tasks

        def test_leaves_a_task_running(qapp):
            tasks.run_task(lambda task: threading.Event().wait(3), name="left-running-on-purpose")

        def test_after_it():
            assert not tasks.running() or all(t.wait(0) for t in list(tasks._ALIVE))
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*background work still running after the test:*“left-running-on-purpose”*"])
