"""The terminal's log file stays bounded however long the kiosk runs."""

import logging

from kiosk.log import BoundedFileHandler


def test_log_file_rolls_over_and_keeps_a_bounded_number_of_old_files(tmp_path):
    handler = BoundedFileHandler(tmp_path / "kiosk.log", max_bytes=1_000, backups=3)
    logger = logging.getLogger("kiosk-test-bounded")
    logger.propagate = False
    logger.addHandler(handler)
    for n in range(200):  # ~40 bytes a line: ~8 files' worth
        logger.warning("line %03d 数据同步完成 padding padding", n)
    logger.removeHandler(handler)
    handler.close()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["kiosk.log", "kiosk.log.1", "kiosk.log.2", "kiosk.log.3"]
    assert all(p.stat().st_size < 1_000 + 100 for p in tmp_path.iterdir())
    newest, previous = (tmp_path / "kiosk.log").read_text(), (tmp_path / "kiosk.log.1").read_text()
    assert "line 199" in newest and "数据同步完成" in newest
    last_before = int(previous.strip().splitlines()[-1].split()[1])
    first_now = int(newest.splitlines()[0].split()[1])
    assert first_now == last_before + 1  # nothing lost at the roll-over
