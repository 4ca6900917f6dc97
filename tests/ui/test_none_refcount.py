"""PySide6 6.12.0 on Python 3.11 drops one reference to ``None`` on every Qt call that returns
nothing; an idle kiosk aborted with "Fatal Python error: none_dealloc" after ~5 hours. This
fails on such a build (pyproject.toml pins PySide6 below 6.12 until a release passes it).

The calls run in a child process: a leaky build that reaches zero aborts the child, not
pytest. On Python 3.12+ ``None`` is immortal and the drift is 0 whatever PySide6 does.
"""

import subprocess
import sys
import textwrap

CALLS = 20_000
TOLERANCE = 100  # the interpreter's own bookkeeping moves the count by a few, never by 20,000

CHILD = textwrap.dedent(f"""
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication([])
    label = QLabel("")
    label.show()
    # Warm up first: the first call of each method builds PySide's signature caches.
    for i in range(10):
        label.setText(str(i)); label.setEnabled(i % 2 == 0); label.hide(); label.show()
    before = sys.getrefcount(None)
    for i in range({CALLS} // 4):
        label.setText("x")          # void Qt calls, each returning None to Python
        label.setEnabled(i % 2 == 0)
        label.hide()
        label.show()
    after = sys.getrefcount(None)
    print("drift", after - before, flush=True)
""")


def _versions() -> str:
    import PySide6

    return f"PySide6 {PySide6.__version__}, Python {sys.version.split()[0]}"


def test_void_qt_calls_do_not_drop_references_to_none():
    child = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                           timeout=120)  # fmt: skip
    where = f"{_versions()}; child stdout: {child.stdout.strip()}; stderr: {child.stderr.strip()[-2000:]}"
    assert child.returncode == 0, (
        f"the child died (exit {child.returncode}) making {CALLS} void Qt calls: {where}"
    )
    drift = int(child.stdout.split("drift")[-1])
    assert abs(drift) < TOLERANCE, (
        f"sys.getrefcount(None) moved by {drift} over {CALLS} void Qt calls with {_versions()}: "
        "this PySide6 build leaks a reference to None per call and a kiosk left running "
        "aborts with none_dealloc; keep PySide6 pinned below this version"
    )
