"""Payout partitions checked in worker processes (kiosk.sync.payouts) and a first sync's
payouts copied whole (kiosk.store.staging) give a terminal exactly what one process copying
scope by scope gives: the same rows with the same ids, the same refusals in the same words,
nothing changed by a refusal or a cancel, and a worker that dies costs only time."""

import gzip
import sqlite3
from pathlib import Path

import pytest
from tuf.api.metadata import TargetFile

from kiosk.errors import ImportRefused
from kiosk.formats import feed_format
from kiosk.formats.datasets import PAYOUTS
from kiosk.store import staging
from kiosk.store.db import close_database, open_database
from kiosk.store.models import database
from kiosk.sync import payouts
from tests.helpers.feeds import TOWN, refused, run_sync
from tests.sync.test_feed_limits import TARGET, _partition_bytes, resign


@pytest.fixture
def workers(monkeypatch):
    """Worker processes even for the small demo county."""
    monkeypatch.setattr(payouts, "MIN_ROWS_FOR_WORKERS", 0)


@pytest.fixture
def fresh(tmp_path) -> Path:
    """A new terminal (no data yet: its sync is a first sync), open."""
    path = tmp_path / "fresh" / "kiosk.sqlite3"
    open_database(path)
    yield path
    close_database()


def all_payouts(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT * FROM payout ORDER BY id").fetchall()
    finally:
        conn.close()


def scratch_left(db: Path) -> list[Path]:
    return payouts.scratch_files(db.parent / "feed-cache")


def test_workers_and_the_whole_copy_give_the_rows_and_ids_of_a_copy_scope_by_scope(
        workers, fresh, feed, county_keys, tmp_path, monkeypatch):  # fmt: skip
    merged = []
    merge = payouts.Stager._merged
    monkeypatch.setattr(payouts.Stager, "_merged", lambda self, part: merged.append(1) or merge(self, part))
    result = run_sync(str(feed), fresh, county_keys)
    assert merged, "no partition was checked in a worker"
    with_workers = all_payouts(fresh)
    close_database()
    monkeypatch.setattr(payouts, "MIN_ROWS_FOR_WORKERS", 10**9)
    monkeypatch.setattr(staging, "_whole_payouts", lambda conn, scopes: False)
    plain = tmp_path / "plain" / "kiosk.sqlite3"
    open_database(plain)
    run_sync(str(feed), plain, county_keys)
    assert result.rows and with_workers == all_payouts(plain)
    assert len(with_workers) == with_workers[-1][0]  # ids 1..n, as the live table numbers them
    assert not scratch_left(fresh)


@pytest.mark.parametrize(("ranges", "live_rows", "whole"), [
    ([(1, 4), (5, 9)], 0, True),
    ([(1, 4), (6, 9)], 0, False),  # a gap: rowid 5 belongs to no scope
    ([(5, 9), (1, 4)], 0, False),  # not in the order of the scopes
    ([(1, 4), (5, 8)], 0, False),  # a staged row no scope names
    ([(1, 4), (5, 9)], 1, False),  # not a first sync
])  # fmt: skip
def test_the_whole_copy_is_taken_only_when_it_gives_the_same_rows(tmp_path, ranges, live_rows, whole):
    conn = sqlite3.connect(tmp_path / "live.sqlite3")
    conn.execute("CREATE TABLE payout (id INTEGER PRIMARY KEY, x)")
    conn.executemany("INSERT INTO payout (x) VALUES (?)", [(n,) for n in range(live_rows)])
    conn.execute("ATTACH DATABASE ? AS staged", (str(tmp_path / "staged.sqlite3"),))
    conn.execute("CREATE TABLE staged.payout (id INTEGER PRIMARY KEY, x)")
    conn.executemany("INSERT INTO staged.payout (x) VALUES (?)", [(n,) for n in range(9)])
    scopes = [staging.Scope.payouts(2025, TOWN).with_staged(*r) for r in ranges]
    assert staging._whole_payouts(conn, scopes) is whole


def test_a_worker_that_dies_changes_nothing_but_the_time(workers, fresh, feed, county_keys,
                                                         demo_db_file, monkeypatch):  # fmt: skip
    monkeypatch.setenv("KIOSK_FAULT_KILL_SYNC_WORKER", "1")
    failed = []
    monkeypatch.setattr(payouts._log, "warning", lambda *args: failed.append(args))
    run_sync(str(feed), fresh, county_keys)
    assert all_payouts(fresh) == all_payouts(demo_db_file)
    assert failed and "BrokenProcessPool" in failed[0]
    assert not scratch_left(fresh)


def _short_partition(feed: Path, keydir: Path) -> None:
    """Re-sign the feed with one payout partition a row shorter than declared."""
    lines = gzip.decompress(_partition_bytes(feed)).splitlines(keepends=True)

    def more(targets: dict[str, TargetFile]) -> None:
        targets[TARGET].unrecognized_fields["custom"]["rows"] += 1

    resign(feed, keydir, {TARGET: gzip.compress(b"".join(lines[:-1]), mtime=0)}, more)


def _full_id_in_a_row(feed: Path, keydir: Path) -> None:
    """Re-sign the feed with a full ID number in row 2 of one payout partition."""
    lines = gzip.decompress(_partition_bytes(feed)).decode().splitlines()
    cells = lines[1].split(",")
    cells[[c.header for c in PAYOUTS.columns].index("身份证号")] = "371522198001011234"
    text = "\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n"
    resign(feed, keydir, {TARGET: gzip.compress(text.encode(), mtime=0)})


@pytest.mark.parametrize("damage", [_short_partition, _full_id_in_a_row])
def test_refusals_are_the_same_with_workers(damage, fresh, feed, county_keys, tmp_path, monkeypatch):
    damage(feed, county_keys)
    words = []
    for floor in (10**9, 0):  # in this process, then in workers
        monkeypatch.setattr(payouts, "MIN_ROWS_FOR_WORKERS", floor)
        error = refused(str(feed), fresh, county_keys, "拒绝")
        words.append(str(error))
        assert not scratch_left(fresh)
    assert words[0] == words[1]
    assert TARGET in words[0] or isinstance(error, feed_format.PartitionRefused)


def test_a_row_refusal_names_file_row_and_column_with_workers(workers, fresh, feed, county_keys):
    _full_id_in_a_row(feed, county_keys)
    with pytest.raises(ImportRefused) as caught:
        run_sync(str(feed), fresh, county_keys)
    assert caught.value.problems[0].startswith(f"{TARGET}:2:身份证号: 出现完整身份证号")


def test_a_cancel_while_workers_check_changes_nothing(workers, fresh, feed, county_keys):
    checked = []

    def cancelled() -> bool:
        return len(checked) >= 2  # after two partitions were checked

    refused(str(feed), fresh, county_keys, "取消", cancelled=cancelled,
            progress=lambda phase, *_: checked.append(phase) if phase == "校验" else None)  # fmt: skip
    assert not scratch_left(fresh)


def test_a_village_removed_while_its_payouts_stay_is_refused_at_the_swap(terminal, feed, county_keys):
    """Villages changed, payouts not (so not checked again): the foreign keys, checked once
    at the end of the swap, refuse it, and leave their enforcement on."""
    text = gzip.decompress(_partition_bytes(feed, "villages.csv.gz")).decode()
    lines = text.splitlines(keepends=True)
    gone = next(line for line in lines[1:] if line.split(",")[1].startswith(TOWN))
    kept = "".join(line for line in lines if line != gone)
    resign(feed, county_keys, {"villages.csv.gz": gzip.compress(kept.encode(), mtime=0)})
    error = refused(str(feed), terminal, county_keys, "内部不一致")
    assert "FOREIGN KEY" in error.en
    assert database.connection().execute("PRAGMA foreign_keys").fetchone() == (1,)
