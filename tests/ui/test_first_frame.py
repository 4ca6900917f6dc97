"""What the kiosk's first frame waits for: the home page is read with sqlite3 alone, and the
store's models (peewee) load after it, taking over the connection the home page read with.
In a fresh interpreter (this test process has loaded everything long ago)."""

import json
import shutil
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    from kiosk import app
    from kiosk.store import db
    from kiosk.ui import tasks

    seen = {}

    def first_frame():
        seen["first_frame"] = sorted(m for m in ("peewee", "kiosk.store.models") if m in sys.modules)
        seen["towns"] = len(window.home.town_buttons)
        seen["freshness"] = window.freshness.text()
        seen["early"] = id(db.connection())

    def started():
        from kiosk.store.models import database
        seen["started"] = sorted(m for m in ("peewee", "kiosk.store.models") if m in sys.modules)
        seen["taken_over"] = id(database.connection()) == seen["early"]
        print(json.dumps(seen), flush=True)
        QApplication.instance().exit(0)  # quit() asks the window, which refuses to close

    window = app.start(Path(sys.argv[1]), windowed=True)
    window.first_frame.connect(first_frame)
    window.started.connect(started)
    QApplication.instance().exec()
    tasks.stop_all()  # as kiosk.app.run ends: threads still running would hold the exit
""")


def test_the_first_frame_waits_for_no_orm_and_the_models_keep_its_connection(demo_db_file, tmp_path):
    db = tmp_path / "kiosk.sqlite3"
    shutil.copy(demo_db_file, db)
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "XDG_RUNTIME_DIR": str(tmp_path)}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", CHILD, str(db)], capture_output=True, text=True,
                          timeout=120, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["first_frame"] == []  # neither peewee nor the models before the first frame
    assert seen["towns"] == 24 and seen["freshness"].startswith("数据更新于")
    assert seen["started"] == ["kiosk.store.models", "peewee"]
    assert seen["taken_over"]  # one connection on the UI thread, not a second one
