"""What a terminal refuses even in a correctly signed feed, and faults of the network, the
disk and the clock: each ends in a clear Chinese/English refusal with the database
unchanged, and the next good sync works. Real files, a real HTTP server on loopback,
real small and read-only filesystems, real processes."""

import datetime as dt
import gzip
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tuf.api.metadata import Metadata, MetaFile, Snapshot, TargetFile, Targets, Timestamp
from tuf.api.serialization.json import JSONSerializer

from kiosk.county.feed import keys, publisher
from kiosk.formats import feed_format
from kiosk.store.db import close_database, open_database
from tests.helpers.cli import run_kiosk
from tests.helpers.data import content_digest, copy_database
from tests.helpers.feeds import TOWN, FeedServer, rebuild_with_change, refused, run_sync

TARGET = f"payouts/2025/{TOWN}.csv.gz"


@pytest.fixture
def server(feed):
    running = FeedServer(feed)
    yield running
    running.close()


def resign(feed_dir: Path, keydir: Path, files: dict[str, bytes] | None = None,
           edit: Callable[[dict[str, TargetFile]], None] | None = None) -> None:
    """Sign the next feed version by hand, as a county (or a thief of its keys) could:
    ``files`` are added or replace targets (declared honestly), then ``edit`` may change
    the signed entries (e.g. declare less than a file holds)."""
    meta = feed_dir / "metadata"
    version = Metadata[Timestamp].from_file(str(meta / "timestamp.json")).signed.snapshot_meta.version
    targets = Metadata[Targets].from_file(str(meta / f"{version}.targets.json"))
    for path, data in (files or {}).items():
        info = TargetFile.from_data(path, data, ["sha256"])
        if path.endswith(".csv.gz") and len(data) < 1_000_000:
            info.unrecognized_fields["custom"] = feed_format.declare(data).custom()
        folder, _, name = path.rpartition("/")
        if ".." not in path:
            out = feed_dir / "targets" / folder / f"{info.hashes['sha256']}.{name}"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
        targets.signed.targets[path] = info
    if edit:
        edit(targets.signed.targets)
    new = version + 1
    expires = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=14)
    targets.signed.version, targets.signed.expires = new, expires
    snapshot = Metadata(Snapshot(version=new, expires=expires,
                                 meta={"targets.json": MetaFile(version=new)}))  # fmt: skip
    timestamp = Metadata(Timestamp(version=new, expires=expires, snapshot_meta=MetaFile(version=new)))
    for role, metadata in (("targets", targets), ("snapshot", snapshot), ("timestamp", timestamp)):
        metadata.signatures.clear()
        metadata.sign(keys.load_signer(keydir, role))
    serializer = JSONSerializer(compact=False)
    (meta / f"{new}.targets.json").write_bytes(targets.to_bytes(serializer))
    (meta / f"{new}.snapshot.json").write_bytes(snapshot.to_bytes(serializer))
    (meta / "timestamp.json").write_bytes(timestamp.to_bytes(serializer))


def _partition_bytes(feed_dir: Path, target: str = TARGET) -> bytes:
    folder, _, name = target.rpartition("/")
    (path,) = (feed_dir / "targets" / folder).glob(f"*.{name}")
    return path.read_bytes()


# --- 1. declared sizes: refused while streaming ---------------------------------------


def test_publisher_declares_size_and_rows(feed):
    (path,) = (feed / "metadata").glob("*.targets.json")
    meta = Metadata[Targets].from_file(str(path))
    info = meta.signed.targets[TARGET]
    text = gzip.decompress(_partition_bytes(feed))
    assert info.custom == {"uncompressed_length": len(text), "rows": text.count(b"\n") - 1}


BOMB_NEWLINES = 50_000_000


def _bomb_feed(feed_dir: Path, keydir: Path) -> int:
    """The town-year partition plus 50 MB of newlines, signed, declaring the old size."""
    honest = _partition_bytes(feed_dir)
    declared = feed_format.declare(honest)
    bomb = gzip.compress(gzip.decompress(honest) + b"\n" * BOMB_NEWLINES, compresslevel=1, mtime=0)

    def lie(targets: dict[str, TargetFile]) -> None:
        targets[TARGET].unrecognized_fields["custom"] = declared.custom()

    resign(feed_dir, keydir, {TARGET: bomb}, lie)
    return declared.uncompressed_length


@pytest.mark.slow
def test_partition_bigger_than_declared_is_refused_while_streaming(terminal, feed, county_keys):
    declared = _bomb_feed(feed, county_keys)
    started = time.monotonic()
    error = refused(str(feed), terminal, county_keys, "解压后超过声明")
    assert TARGET in error.zh and f"{declared} 字节" in error.zh
    assert time.monotonic() - started < 10


_MEASURE = """
import sys
from pathlib import Path
from kiosk.errors import KnownError
from kiosk.services import sync
from kiosk.store.db import open_database
db = Path(sys.argv[1]); open_database(db)
try:
    sync.sync(sys.argv[2], db, Path(sys.argv[3]))
    outcome = "applied"
except KnownError as exc:
    outcome = exc.en
# VmHWM, not ru_maxrss: Linux carries the parent's (pytest's) peak into ru_maxrss across exec.
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM")).split()[1]
print(int(peak) // 1024, outcome)
"""


def _peak_rss_mb(terminal: Path, name: str, source: Path, root: Path) -> tuple[int, str]:
    """Sync a fresh copy of ``terminal`` from ``source`` in a process of its own."""
    db = terminal.parent.parent / name / terminal.name
    db.parent.mkdir()
    copy_database(terminal, db)
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(db), str(source), str(root)],
                          capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    mb, outcome = done.stdout.strip().split(" ", 1)
    return int(mb), outcome


@pytest.mark.slow
def test_bomb_is_refused_with_small_memory(terminal, feed, county_keys, tmp_path):
    """Refusing 50 MB of newlines costs no more memory than an ordinary sync that replaces
    the same partition (gunzipping it whole took 50 MB of bytes plus a copy as text)."""
    close_database()
    ordinary = tmp_path / "ordinary"
    shutil.copytree(feed, ordinary)
    lines = gzip.decompress(_partition_bytes(feed)).splitlines(keepends=True)
    resign(ordinary, county_keys, {TARGET: gzip.compress(b"".join(lines[:-1]), mtime=0)})
    root = county_keys / "root.json"
    baseline, outcome = _peak_rss_mb(terminal, "ordinary-terminal", ordinary, root)
    assert outcome == "applied"
    _bomb_feed(feed, county_keys)
    peak, outcome = _peak_rss_mb(terminal, "bomb-terminal", feed, root)
    assert "unpacks to more than its declared" in outcome
    assert peak < baseline + 10, f"peak RSS: ordinary sync {baseline} MB, bomb refused {peak} MB"
    open_database(terminal)


def test_blank_lines_do_not_empty_a_partition(terminal, feed, county_keys):
    """Honestly declared, signed blank lines are refused, not read as a town-year of 0 rows."""
    header = gzip.decompress(_partition_bytes(feed)).split(b"\n", 1)[0]
    resign(feed, county_keys, {TARGET: gzip.compress(header + b"\n" + b"\n" * 1000, mtime=0)})
    error = refused(str(feed), terminal, county_keys, "空行")
    assert TARGET in error.zh


@pytest.mark.parametrize("custom", [None, {"uncompressed_length": 600 * 2**20, "rows": 10},
                                    {"uncompressed_length": 1000, "rows": 3_000_000},
                                    {"uncompressed_length": "1000", "rows": 3}])  # fmt: skip
def test_missing_or_excessive_declarations_are_refused_before_download(terminal, server, feed,
                                                                       county_keys, custom):
    def declare(targets: dict[str, TargetFile]) -> None:
        targets[TARGET].unrecognized_fields.pop("custom")
        if custom is not None:
            targets[TARGET].unrecognized_fields["custom"] = custom

    resign(feed, county_keys, edit=declare)
    error = refused(server.url, terminal, county_keys, "没有声明|超出终端上限")
    assert TARGET in error.zh
    assert not [r for r in server.requests if "/targets/" in r], "downloaded before refusing"


def test_fewer_rows_than_declared_is_refused(terminal, feed, county_keys):
    """A partition cut short at a line boundary (still valid gzip and CSV) is refused."""
    lines = gzip.decompress(_partition_bytes(feed)).splitlines(keepends=True)
    short = gzip.compress(b"".join(lines[:-1]), mtime=0)

    def more(targets: dict[str, TargetFile]) -> None:
        targets[TARGET].unrecognized_fields["custom"]["rows"] += 1

    resign(feed, county_keys, {TARGET: short}, more)
    error = refused(str(feed), terminal, county_keys, "与声明的")
    assert f"只有 {len(lines) - 2} 行" in error.zh


# --- 3. target paths ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["extra/notes.csv.gz", "../escape.csv.gz",
                                  "payouts/2025/../../../../escape.csv.gz"])  # fmt: skip
def test_unknown_or_escaping_target_path_is_refused_before_download(terminal, server, feed,
                                                                    county_keys, path, tmp_path):
    resign(feed, county_keys, {path: _partition_bytes(feed)})
    error = refused(server.url, terminal, county_keys, "未知的数据文件")
    assert repr(path) in error.zh
    assert not [r for r in server.requests if "/targets/" in r], "downloaded before refusing"
    assert not list(tmp_path.rglob("*escape*")), "a file was written for the bad path"


def test_publisher_refuses_a_bad_target_path(feed, county_keys, tmp_path):
    with pytest.raises(publisher.KnownError, match="未知的数据文件"):
        publisher.publish({"../x.csv.gz": b"", "feed.json": b"{}"}, county_keys, tmp_path / "out")
    assert not (tmp_path / "x.csv.gz").exists()


# --- 2. deadlines and cancel ----------------------------------------------------------


def test_trickling_server_hits_the_file_deadline_and_frees_the_lock(terminal, server,
                                                                    county_keys):
    """One byte a second: refused after the file's deadline, not after hours."""
    server.fault = ("trickle", f".{TOWN}.csv.gz")
    started = time.monotonic()
    error = refused(server.url, terminal, county_keys, "下载超时", file_slack_s=2, min_rate=10**9)
    took = time.monotonic() - started
    assert took < 8 and f"{TOWN}.csv.gz" in error.zh, (took, error.en)
    server.fault = None
    assert run_sync(server.url, terminal, county_keys).version == 1  # the lock was released


def test_trickling_metadata_hits_the_sync_deadline(terminal, server, county_keys):
    server.fault = ("trickle", "timestamp.json")
    server.trickle_s = 0.05
    started = time.monotonic()
    refused(server.url, terminal, county_keys, "同步超时", deadline_s=1.5)
    assert time.monotonic() - started < 6


def test_cancel_stops_in_the_middle_of_a_file(terminal, server, county_keys):
    server.fault = ("trickle", f".{TOWN}.csv.gz")
    started = []

    def cancelled() -> bool:  # true only once the trickled file has begun
        if server.trickling.is_set() and not started:
            started.append(time.monotonic())
        return bool(started)

    refused(server.url, terminal, county_keys, "取消", cancelled=cancelled)
    assert time.monotonic() - started[0] < 3  # within a byte or two of the cancel


# --- 3. dropped connection, full disk, read-only --------------------------------------


def test_connection_dropped_mid_body(terminal, server, county_keys):
    server.fault = ("drop", f".{TOWN}.csv.gz")
    error = refused(server.url, terminal, county_keys, "连接中断")
    assert "Traceback" not in str(error)
    server.fault = None
    assert run_sync(server.url, terminal, county_keys).version == 1


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.fixture
def small_disk(demo_db_file, tmp_path):
    """A terminal whose data folder is a tmpfs just bigger than its database."""
    folder = tmp_path / "small"
    folder.mkdir()
    size = demo_db_file.stat().st_size + 400 * 1024
    _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
    db = folder / "kiosk.sqlite3"
    copy_database(demo_db_file, db)
    open_database(db)
    yield db
    close_database()
    _umount(folder)


def _grow(db: Path) -> None:
    _mount("-o", "remount,size=64m", str(db.parent))


def test_disk_full_while_downloading(small_disk, feed, county_keys):
    error = refused(str(feed), small_disk, county_keys, "存储空间已满")
    assert "数据未改动" in error.zh
    _grow(small_disk)
    assert run_sync(str(feed), small_disk, county_keys).version == 1


def test_disk_full_while_staging(small_disk, feed, county_keys, county_input_xlsx):
    _grow(small_disk)
    run_sync(str(feed), small_disk, county_keys)  # the cache holds everything
    rebuild_with_change(county_input_xlsx, county_keys, feed)
    filler = small_disk.parent / "filler"
    free = shutil.disk_usage(small_disk.parent).free
    with filler.open("wb") as f:  # leave 48 kB: enough for the 2 new small files, not more
        f.write(b"\0" * (free - 48 * 1024))
    error = refused(str(feed), small_disk, county_keys, "存储空间已满")
    assert "数据未改动" in error.zh
    assert not (small_disk.parent / "feed-cache" / "staging.sqlite3").exists()
    filler.unlink()
    result = run_sync(str(feed), small_disk, county_keys)
    assert (result.version, result.changed) == (2, 1)


def test_read_only_cache_folder(terminal, feed, county_keys):
    cache = terminal.parent / "feed-cache"
    cache.mkdir(exist_ok=True)
    _mount("--bind", str(cache), str(cache))
    try:
        _mount("-o", "remount,bind,ro", str(cache))
        error = refused(str(feed), terminal, county_keys, "没有写入权限")
        assert "数据未改动" in error.zh
    finally:
        _umount(cache)
    assert run_sync(str(feed), terminal, county_keys).version == 1


@pytest.mark.parametrize("what", ["database", "folder"])
def test_cli_sync_on_a_read_only_database_or_folder(terminal, feed, county_keys,
                                                    county_input_xlsx, what):
    rebuild_with_change(county_input_xlsx, county_keys, feed)  # so there is something to write
    close_database()
    before = content_digest(terminal)
    target = terminal if what == "database" else terminal.parent
    _mount("--bind", str(target), str(target))
    try:
        _mount("-o", "remount,bind,ro", str(target))
        done = run_kiosk("sync", "--source", feed, "--db", terminal, "--trusted-root",
                         county_keys / "root.json")  # fmt: skip
    finally:
        _umount(target)
    assert done.returncode == 1, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert content_digest(terminal) == before
    assert "写入权限" in done.stderr or "只读" in done.stderr, done.stderr
    open_database(terminal)
    assert run_sync(str(feed), terminal, county_keys).version == 2


# --- 5. the terminal's clock ------------------------------------------------------------


def test_clock_years_ahead_is_named_as_the_likely_cause(terminal, demo_input, county_keys,
                                                        tmp_path):
    """A feed signed five years ago looks, to this (correct) clock, like a terminal whose
    clock runs five years ahead of a fresh feed."""
    old = tmp_path / "old-feed"
    publisher.build_feed(demo_input, county_keys, old,
                         now=dt.datetime.now(dt.UTC) - dt.timedelta(days=5 * 365))  # fmt: skip
    error = refused(str(old), terminal, county_keys, "终端日期时间可能不正确")
    assert f"本机时间 {dt.date.today():%Y-%m-%d}" in error.zh and "请校准终端日期时间后重试" in error.zh


def test_clock_before_the_data_date_is_refused(terminal, feed, county_keys, tmp_path):
    """A feed whose data is dated a year from now: to this clock, the terminal is a year
    behind (like one whose clock reads 2001)."""
    future = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=365)
    info = json.loads(_partition_bytes(feed, "feed.json"))
    info["data_as_of"] = future.isoformat()
    partitions = {}
    for path in (feed / "targets").rglob("*.*"):
        rel = path.relative_to(feed / "targets")
        partitions[str(rel.parent / rel.name.split(".", 1)[1]).removeprefix("./")] = path.read_bytes()
    partitions["feed.json"] = json.dumps(info).encode()
    ahead = tmp_path / "future-feed"
    publisher.publish(partitions, county_keys, ahead, now=future)
    error = refused(str(ahead), terminal, county_keys, "终端日期时间早于数据日期")
    assert f"{future.astimezone():%Y-%m-%d}" in error.zh
    assert "请校准终端日期时间后重试" in error.zh
