"""Where a terminal's files live by default: the per-user data folder, as the XDG base
directory rules say on Linux (kiosk.paths.data_dir)."""

from pathlib import Path

import pytest

from kiosk import paths


@pytest.mark.parametrize(("xdg", "expected"), [
    (None, "home/.local/share/shenqing-kiosk"),
    ("", "home/.local/share/shenqing-kiosk"),
    ("  ", "home/.local/share/shenqing-kiosk"),
    ("relative/data", "home/.local/share/shenqing-kiosk"),  # the spec: absolute paths only
    ("/abs/data", "/abs/data/shenqing-kiosk"),
])  # fmt: skip
def test_the_default_data_folder_follows_xdg_data_home(xdg, expected, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KIOSK_DB", raising=False)
    if xdg is None:
        monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_DATA_HOME", xdg)
    want = Path(expected) if expected.startswith("/") else tmp_path / expected
    assert paths.data_dir() == want
    assert paths.default_db_path() == want / "kiosk.sqlite3"
