"""The county feed end to end: build, serve (folder and real HTTP on loopback), sync, and
every fault the terminal must refuse with its database unchanged."""

import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from tuf.api.metadata import Metadata, Timestamp

from kiosk.county.feed import keys, publisher
from kiosk.errors import ImportRefused
from kiosk.formats import feed_format
from kiosk.formats.datasets import PAYOUTS
from kiosk.services import payouts
from kiosk.store.db import close_database, open_database
from tests.helpers.cli import kiosk_command, run_kiosk
from tests.helpers.data import content_digest
from tests.helpers.feeds import TOWN, FeedServer, rebuild_with_change, refused, run_sync


@pytest.fixture
def server(feed):
    running = FeedServer(feed)
    yield running
    running.close()


def payout_digest(db: Path, where: str = "1") -> str:
    conn = sqlite3.connect(db)
    rows = conn.execute(
        f"SELECT village_id, year, item_id, name, id_masked, amount_fen FROM payout WHERE {where}"
        " ORDER BY 1, 2, 3, 4, 5, 6"
    ).fetchall()
    conn.close()
    return str(hash(tuple(rows)))


# --- happy paths ----------------------------------------------------------------------


def test_http_sync_gives_the_same_data_as_the_usb_folder(server, county_keys, demo_db_file,
                                                         tmp_path):
    db = tmp_path / "http-terminal" / "kiosk.sqlite3"
    open_database(db)
    try:
        result = run_sync(server.url, db, county_keys)
    finally:
        close_database()
    assert result.changed == result.targets - 1  # every partition but feed.json
    assert payout_digest(db) == payout_digest(demo_db_file)


def test_terminal_holds_masked_values_only(demo_db):
    conn = sqlite3.connect(demo_db)
    ids = [r[0] for r in conn.execute("SELECT DISTINCT id_masked FROM payout LIMIT 500")]
    accounts = {len(r[0]) for r in conn.execute("SELECT DISTINCT account_last4 FROM payout")}
    conn.close()
    assert ids and all(i[6:14] == "********" for i in ids)
    assert accounts == {4}


def test_second_sync_of_the_same_feed_changes_nothing(terminal, feed, county_keys):
    before = content_digest(terminal)
    result = run_sync(str(feed), terminal, county_keys)
    assert result.up_to_date and result.rows == 0
    assert content_digest(terminal) == before


def test_incremental_sync_fetches_and_applies_only_the_changed_town_year(
        terminal, feed, county_keys, county_input_xlsx):  # fmt: skip
    run_sync(str(feed), terminal, county_keys)  # fill the cache; nothing to apply
    untouched = payout_digest(terminal, f"NOT (year = 2025 AND village_id LIKE '{TOWN}%')")
    built = rebuild_with_change(county_input_xlsx, county_keys, feed)
    assert built.changed == ["feed.json", f"payouts/2025/{TOWN}.csv.gz"]
    result = run_sync(str(feed), terminal, county_keys)
    assert (result.downloaded, result.changed, result.version) == (2, 1, 2)
    assert payout_digest(terminal, f"NOT (year = 2025 AND village_id LIKE '{TOWN}%')") == untouched
    conn = sqlite3.connect(terminal)
    version, = conn.execute("SELECT version FROM feed_state WHERE source='county'").fetchone()
    audit = conn.execute("SELECT summary FROM audit_log WHERE kind='sync' ORDER BY id DESC").fetchone()
    conn.close()
    assert version == 2 and "1 个分区更新" in audit[0]


def test_sync_reports_progress_and_can_be_cancelled(terminal, feed, county_keys):
    seen = []
    run_sync(str(feed), terminal, county_keys, progress=lambda *p: seen.append(p))
    assert seen[-1][0] == "下载" and seen[-1][1] == seen[-1][2]
    refused(str(feed), terminal, county_keys, "取消", cancelled=lambda: True)


# --- faults and attacks: each refused, database unchanged ------------------------------


def _a_target(feed: Path) -> Path:
    return sorted((feed / "targets" / "payouts" / "2025").glob(f"*.{TOWN}.csv.gz"))[0]


def test_tampered_target_byte(terminal, feed, county_keys):
    path = _a_target(feed)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    refused(str(feed), terminal, county_keys, "篡改")


def test_tampered_metadata(terminal, feed, county_keys):
    (path,) = (feed / "metadata").glob("*.targets.json")
    meta = json.loads(path.read_text())
    target = next(iter(meta["signed"]["targets"].values()))
    target["length"] += 1
    path.write_text(json.dumps(meta))
    refused(str(feed), terminal, county_keys, "签名无效")


def test_signature_by_a_wrong_key(terminal, feed, county_keys, tmp_path):
    other = tmp_path / "other-keys"
    keys.init_keys(other)
    path = feed / "metadata" / "timestamp.json"
    timestamp = Metadata[Timestamp].from_file(str(path))
    timestamp.signed.version += 1
    timestamp.sign(keys.load_signer(other, "timestamp"))
    timestamp.to_file(str(path))
    refused(str(feed), terminal, county_keys, "签名无效")


def test_feed_from_another_countys_root(terminal, demo_input, tmp_path):
    other = tmp_path / "other-county"
    keys.init_keys(other)
    alien = tmp_path / "alien-feed"
    publisher.build_feed(demo_input, other, alien)
    county_root = tmp_path / "ours"
    keys.init_keys(county_root)  # the terminal trusts a different county
    refused(str(alien), terminal, county_root, "签名无效")


def test_rolled_back_feed(terminal, feed, county_keys, county_input_xlsx, tmp_path):
    old = tmp_path / "old-feed"
    shutil.copytree(feed, old)
    rebuild_with_change(county_input_xlsx, county_keys, feed)
    run_sync(str(feed), terminal, county_keys)  # the terminal now trusts version 2
    refused(str(old), terminal, county_keys, "回滚")


def test_rollback_is_refused_even_with_a_fresh_cache(terminal, feed, county_keys,
                                                     county_input_xlsx, tmp_path):
    old = tmp_path / "old-feed"
    shutil.copytree(feed, old)
    rebuild_with_change(county_input_xlsx, county_keys, feed)
    run_sync(str(feed), terminal, county_keys)
    shutil.rmtree(terminal.parent / "feed-cache")  # a wiped cache must not reopen the door
    refused(str(old), terminal, county_keys, "旧")


def test_expired_timestamp(terminal, demo_input, county_keys, tmp_path):
    stale = tmp_path / "stale-feed"
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    publisher.build_feed(demo_input, county_keys, stale, expiry_days=14, now=long_ago)
    error = refused(str(stale), terminal, county_keys, "过期")
    assert "最新的数据源" in error.zh


def test_target_longer_than_declared(terminal, server, county_keys):
    server.fault = ("endless", f".{TOWN}.csv.gz")
    refused(server.url, terminal, county_keys, "超出声明的长度|篡改")


def test_truncated_download(terminal, server, county_keys):
    server.fault = ("truncated", f".{TOWN}.csv.gz")
    refused(server.url, terminal, county_keys, "篡改或不完整")


@pytest.mark.parametrize("status", ["404", "500"])
def test_http_errors(terminal, server, county_keys, status):
    server.fault = (status, "timestamp.json")
    refused(server.url, terminal, county_keys, "服务器返回错误")


@pytest.mark.slow
def test_stalled_server_times_out(terminal, server, county_keys):
    server.fault = ("stall", "timestamp.json")
    started = time.monotonic()
    refused(server.url, terminal, county_keys, "超时", timeout_s=1)
    assert time.monotonic() - started < 10


def test_nothing_listening(terminal, county_keys):
    refused("http://127.0.0.1:9/", terminal, county_keys, "无响应|无法下载")


def test_folder_that_is_not_a_feed(terminal, county_keys, tmp_path):
    refused(str(tmp_path), terminal, county_keys, "不是县级数据源目录")


def _publish_with_partition(feed_src: Path, keydir: Path, out: Path, target: str, csv_text: str):
    """Re-sign the feed with one partition replaced by hand-written (signed!) content."""
    partitions = {}
    for path in (feed_src / "targets").rglob("*.gz"):
        name = str(path.relative_to(feed_src / "targets"))
        folder, _, file = name.rpartition("/")
        partitions[f"{folder}/{file.split('.', 1)[1]}" if folder else file.split(".", 1)[1]] = (
            path.read_bytes()
        )
    (info,) = (feed_src / "targets").glob("*.feed.json")
    partitions["feed.json"] = info.read_bytes()
    import gzip

    partitions[target] = gzip.compress(csv_text.encode(), mtime=0)
    shutil.copytree(feed_src, out)
    publisher.publish(partitions, keydir, out)


def test_signed_partition_with_an_invalid_row_is_refused(terminal, feed, county_keys, tmp_path):
    """Even a correctly signed feed is validated row by row: a full ID number never lands."""
    target = f"payouts/2025/{TOWN}.csv.gz"
    (current,) = (feed / "targets" / "payouts" / "2025").glob(f"*.{TOWN}.csv.gz")
    lines = feed_format.decode(current.read_bytes()).splitlines()
    cells = lines[1].split(",")
    cells[[c.header for c in PAYOUTS.columns].index("身份证号")] = "371522198001011234"
    bad = "\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n"
    out = tmp_path / "bad-feed"
    _publish_with_partition(feed, county_keys, out, target, bad)
    before = content_digest(terminal)
    with pytest.raises(ImportRefused) as caught:
        run_sync(str(out), terminal, county_keys)
    assert content_digest(terminal) == before
    assert caught.value.problems[0].startswith(f"{target}:2:身份证号: 出现完整身份证号")


def test_partition_row_outside_its_town_is_refused(terminal, feed, county_keys, tmp_path):
    other_town = sorted((feed / "targets" / "payouts" / "2025").glob("*.371522104.csv.gz"))[0]
    text = feed_format.decode(other_town.read_bytes())
    out = tmp_path / "mixed-feed"
    _publish_with_partition(feed, county_keys, out, f"payouts/2025/{TOWN}.csv.gz", text)
    with pytest.raises(ImportRefused, match="不属于分区"):
        run_sync(str(out), terminal, county_keys)


# --- crashes and concurrency, with real processes --------------------------------------


def _start_kiosk(*args: str, env: dict | None = None) -> subprocess.Popen:
    """``kiosk *args`` started, not waited for (the test acts while it runs)."""
    return subprocess.Popen(kiosk_command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})  # fmt: skip


def _wait_for(path: Path, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the sync never reached the apply step"
        time.sleep(0.05)


def test_kill_9_while_applying_leaves_the_old_data(terminal, feed, county_keys,
                                                   county_input_xlsx, tmp_path):
    rebuild_with_change(county_input_xlsx, county_keys, feed)
    close_database()
    before = content_digest(terminal)
    marker = tmp_path / "applying"
    process = _start_kiosk("sync", "--source", str(feed), "--db", str(terminal), "--trusted-root",
                           str(county_keys / "root.json"),
                           env={"KIOSK_FAULT_PAUSE_IN_APPLY": str(marker)})  # fmt: skip
    try:
        _wait_for(marker, process)
        # While the doomed transaction is open, a second sync is refused, not queued.
        second = run_kiosk("sync", "--source", feed, "--db", terminal, "--trusted-root",
                           county_keys / "root.json", timeout=60)  # fmt: skip
        assert second.returncode == 1 and "另一个同步正在进行" in second.stderr
        # And a reader (the UI) still sees the old data meanwhile.
        reader = sqlite3.connect(terminal, timeout=1)
        assert reader.execute("SELECT version FROM feed_state").fetchone()[0] == 1
        reader.close()
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate()
    conn = sqlite3.connect(terminal)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert content_digest(terminal) == before
    # The next sync completes normally.
    open_database(terminal)
    result = run_sync(str(feed), terminal, county_keys)
    assert result.version == 2 and result.changed == 1


def test_cli_sync_prints_one_summary_line(terminal, feed, county_keys):
    close_database()
    done = run_kiosk("sync", "--source", feed, "--db", terminal, "--trusted-root", county_keys / "root.json",
                     ok=True)  # fmt: skip
    assert done.stdout.startswith("已是最新：版本 1")


def test_cli_sync_refusal_is_one_clear_line(terminal, feed, county_keys):
    close_database()
    path = _a_target(feed)
    path.write_bytes(path.read_bytes()[:-10])
    done = run_kiosk("sync", "--source", feed, "--db", terminal, "--trusted-root", county_keys / "root.json")
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and "篡改" in done.stderr and "tampered" in done.stderr
    assert "Traceback" not in done.stderr


def test_village_page_after_sync_reflects_the_change(terminal, feed, county_keys,
                                                     county_input_xlsx):
    village = sqlite3.connect(terminal).execute(
        f"SELECT village_id FROM payout WHERE year = 2025 AND village_id LIKE '{TOWN}%'"
        " ORDER BY village_id LIMIT 1").fetchone()[0]  # fmt: skip
    before = payouts.village_payouts(village, 2025).totals.amount_fen
    rebuild_with_change(county_input_xlsx, county_keys, feed)
    run_sync(str(feed), terminal, county_keys)
    assert payouts.village_payouts(village, 2025).totals.amount_fen == before + 10_000


def test_interrupted_download_restarts_cleanly(terminal, feed, county_keys, county_input_xlsx):
    """A partial file left in the cache by a cut connection is detected and fetched again."""
    run_sync(str(feed), terminal, county_keys)
    rebuild_with_change(county_input_xlsx, county_keys, feed)
    new_target = _a_target_for_version(feed)
    cached = terminal.parent / "feed-cache" / "targets" / f"payouts%2F2025%2F{TOWN}.csv.gz"
    cached.write_bytes(new_target.read_bytes()[:100])  # what a cut-off download leaves
    result = run_sync(str(feed), terminal, county_keys)
    assert result.changed == 1 and result.downloaded == 2
    assert cached.read_bytes() == new_target.read_bytes()


def _a_target_for_version(feed: Path) -> Path:
    """The newest file of the 朝城镇 2025 partition (after a rebuild there are two)."""
    files = sorted((feed / "targets" / "payouts" / "2025").glob(f"*.{TOWN}.csv.gz"),
                   key=lambda p: p.stat().st_mtime)  # fmt: skip
    return files[-1]
