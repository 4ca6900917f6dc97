"""Root rotation: the county renews the root and replaces keys; terminals that trusted an
older root walk the chain published in the feed and keep syncing; the old keys stop
working."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from tuf.api.metadata import Metadata, Root

from kiosk.county.feed import keys, publisher
from kiosk.errors import KnownError
from tests.helpers.cli import run_kiosk
from tests.helpers.feeds import refused


@pytest.fixture
def county(county_keys, tmp_path) -> Path:
    """A private copy of the county's key folder that a test may rotate."""
    out = tmp_path / "keys"
    shutil.copytree(county_keys, out)
    return out


def _shipped_root(keydir: Path, terminal: Path) -> Path:
    """The root.json the terminal was installed with (a copy: the county's changes later)."""
    shipped = terminal.parent / "trusted-root.json"
    shutil.copyfile(keydir / "root.json", shipped)
    return shipped


def _sync(feed: Path, terminal: Path, root: Path, **kwargs):
    from kiosk.services import sync

    return sync.sync(str(feed), terminal, root, **kwargs)


def test_rotate_root_writes_the_next_version_signed_by_old_and_new_root_keys(county):
    old = Metadata[Root].from_file(str(county / "root.json"))
    old_pems = {r: (county / f"{r}.pem").read_bytes() for r in keys.ROLES}
    rotated = keys.rotate_root(county, ("root", "targets"), expiry_days=400)
    new = Metadata[Root].from_file(str(county / "root.json"))
    assert (rotated.version, new.signed.version) == (2, 2)
    assert new.signed.expires.date() == (dt.datetime.now(dt.UTC) + dt.timedelta(days=400)).date()
    # old root's threshold and the new root's threshold both sign version 2
    old.signed.verify_delegate("root", new.signed_bytes, new.signatures)
    new.signed.verify_delegate("root", new.signed_bytes, new.signatures)
    for role in ("root", "targets"):
        assert (county / f"{role}.pem.old-1").read_bytes() == old_pems[role]
        assert (county / f"{role}.pem").read_bytes() != old_pems[role]
        assert new.signed.roles[role].keyids != old.signed.roles[role].keyids
    for role in ("snapshot", "timestamp"):
        assert (county / f"{role}.pem").read_bytes() == old_pems[role]
        assert not (county / f"{role}.pem.old-1").exists()
    assert sorted(keys.root_history(county)) == [1, 2]


def test_rotation_never_overwrites_a_kept_key(county):
    (county / "targets.pem.old-1").write_bytes(b"kept by hand")
    with pytest.raises(KnownError, match="不会覆盖"):
        keys.rotate_root(county, ("targets",))
    assert (county / "targets.pem.old-1").read_bytes() == b"kept by hand"
    assert Metadata[Root].from_file(str(county / "root.json")).signed.version == 1


@pytest.mark.slow
def test_terminal_follows_rotated_root_and_targets_keys(county, demo_input, terminal, tmp_path):
    feed = tmp_path / "feed"
    publisher.build_feed(demo_input, county, feed)
    shipped = _shipped_root(county, terminal)
    assert _sync(feed, terminal, shipped).version == 1  # trusts root v1

    keys.rotate_root(county, ("root", "targets"))
    keys.rotate_root(county, ("snapshot", "timestamp"))  # two links in the chain
    built = publisher.build_feed(demo_input, county, feed)
    assert {p.name for p in (feed / "metadata").glob("*.root.json")} >= {
        "1.root.json", "2.root.json", "3.root.json"}  # fmt: skip
    result = _sync(feed, terminal, shipped)
    assert result.version == built.version == 2
    cached = Metadata[Root].from_file(str(terminal.parent / "feed-cache" / "metadata" / "root.json"))
    assert cached.signed.version == 3

    # A terminal installed with root v1 and a wiped cache walks the whole chain too.
    shutil.rmtree(terminal.parent / "feed-cache")
    assert _sync(feed, terminal, shipped).version == 2


@pytest.mark.slow
def test_feed_signed_with_the_old_targets_key_is_refused(county, demo_input, terminal, tmp_path):
    feed = tmp_path / "feed"
    publisher.build_feed(demo_input, county, feed)
    shipped = _shipped_root(county, terminal)
    keys.rotate_root(county, ("targets",))
    publisher.build_feed(demo_input, county, feed)
    _sync(feed, terminal, shipped)  # the terminal now trusts root v2

    thief = tmp_path / "stolen-keys"  # the old targets key and the current public root
    shutil.copytree(county, thief)
    shutil.copyfile(county / "targets.pem.old-1", thief / "targets.pem")
    publisher.build_feed(demo_input, thief, feed)
    refused(str(feed), terminal, county, "签名无效")  # county/root.json is not used: cache


@pytest.mark.slow
def test_expired_root_is_renewed_by_rotation(demo_input, terminal, tmp_path):
    """Keys made more than three years ago: feed build refuses and names rotate-root;
    after the rotation the terminal, still holding the expired root, accepts the feed."""
    county = tmp_path / "old-keys"
    keys.init_keys(county, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=keys.ROOT_EXPIRY_DAYS + 10))
    shipped = _shipped_root(county, terminal)
    feed = tmp_path / "feed"
    with pytest.raises(KnownError, match="rotate-root"):
        publisher.build_feed(demo_input, county, feed)
    # What the terminal says to a feed under the expired root (built while it was valid).
    publisher.build_feed(demo_input, county, feed, expiry_days=4000,
                         now=dt.datetime.now(dt.UTC) - dt.timedelta(days=30))  # fmt: skip
    before = terminal.read_bytes()
    with pytest.raises(KnownError, match="过期"):
        _sync(feed, terminal, shipped)
    assert terminal.read_bytes() == before

    done = run_kiosk("feed", "rotate-root", county, ok=True)
    assert "第 2 版" in done.stdout
    publisher.build_feed(demo_input, county, feed)
    result = _sync(feed, terminal, shipped)
    assert result.version == 2


@pytest.mark.slow
def test_publisher_refuses_keys_that_are_not_the_feeds(county, county_keys, demo_input, tmp_path):
    feed = tmp_path / "feed"
    publisher.build_feed(demo_input, county, feed)
    other = tmp_path / "other"
    keys.init_keys(other)
    with pytest.raises(KnownError, match="另一套密钥"):
        publisher.build_feed(demo_input, other, feed)
