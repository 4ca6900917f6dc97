"""Program releases through the signed feed: the county publishes with its offline release
key, a terminal finds and downloads what is offered to it, and refuses a release signed by
a data role, a swapped release key, another platform's release and a version below its own."""

import datetime as dt
import gzip
import hashlib
import shutil
import tarfile
from pathlib import Path

import pytest
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import Delegations, Metadata, MetaFile, TargetFile, Targets, Timestamp

from kiosk.county.feed import keys, publisher, releases
from kiosk.errors import KnownError
from kiosk.formats import releases as rel
from kiosk.sync import releases as terminal_releases
from kiosk.sync.client import FeedRefused
from tests.helpers.bundles import make_bundle
from tests.helpers.feeds import FeedServer, run_sync

PLATFORM = rel.this_platform()
FINGERPRINT = "0123-4567-89ab-cdef-0123-4567-89ab-cdef"
OTHER = "ffff-eeee-dddd-cccc-bbbb-aaaa-9999-8888"


@pytest.fixture
def county(release_county):
    return release_county


def _release(county, tmp_path, version, **kwargs):
    keydir, app_keys, feed = county
    bundle = make_bundle(tmp_path / f"bundle-{version}", version)
    return releases.release(bundle, version, app_keys, keydir, feed, **kwargs)


def _offers(feed, keydir, tmp_path, fingerprint=FINGERPRINT, platform=PLATFORM):
    cache = tmp_path / "terminal-cache"
    return terminal_releases.offers(str(feed), cache, (keydir / "root.json").read_bytes(), platform,
                                    fingerprint)  # fmt: skip


def test_a_release_is_signed_by_the_release_key_and_offered_to_terminals(county, tmp_path):
    keydir, app_keys, feed = county
    done = _release(county, tmp_path, "0.2.0")
    assert done.target == f"app/{PLATFORM}/kiosk-0.2.0.tar.gz"
    archive = feed / "targets" / "app" / PLATFORM / f"{done.sha256}.kiosk-0.2.0.tar.gz"
    assert hashlib.sha256(archive.read_bytes()).hexdigest() == done.sha256
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "kiosk" in names and "_internal/kiosk/VERSION" in names and "_internal/libdemo.so.1" in names
    (offer,) = _offers(feed, keydir, tmp_path)
    assert (offer.version, offer.info.length, offer.declared.files) == ("0.2.0", done.length, done.files)
    # app.json verifies with the release key alone; the root names that key
    root = publisher.load_root(keydir).signed
    pin = rel.pin_of(root.unrecognized_fields)
    assert pin["keyid"] == keys.load_signer(app_keys, "app").public_key.keyid


def test_the_same_bundle_packs_to_the_same_bytes(county, tmp_path):
    bundle = make_bundle(tmp_path / "b", "0.2.0")
    first = releases.pack(bundle, tmp_path / "one", "app/x/kiosk-0.2.0.tar.gz")
    (bundle / "kiosk").touch()  # a newer time on disk changes nothing in the archive
    second = releases.pack(bundle, tmp_path / "two", "app/x/kiosk-0.2.0.tar.gz")
    assert (second.sha256, second.length, second.files) == (first.sha256, first.length, first.files)


def test_the_terminal_downloads_a_release_over_http_and_checks_it(county, tmp_path):
    keydir, _, feed = county
    done = _release(county, tmp_path, "0.2.0")
    server = FeedServer(feed)
    try:
        (offer,) = _offers(server.url, keydir, tmp_path)
        dest = tmp_path / "downloads" / "kiosk-0.2.0.tar.gz"
        dest.parent.mkdir()
        terminal_releases.download(offer, server.url, dest)
        assert hashlib.sha256(dest.read_bytes()).hexdigest() == done.sha256
        server.fault = ("drop", ".tar.gz")  # half the archive, then the connection closes
        dest.unlink()
        with pytest.raises(FeedRefused, match="连接中断"):
            terminal_releases.download(offer, server.url, dest)
        assert not dest.exists() and list(dest.parent.iterdir()) == []  # nothing half-written kept
        server.fault = ("endless", ".tar.gz")  # more bytes than signed
        with pytest.raises(FeedRefused, match="超出声明的长度"):
            terminal_releases.download(offer, server.url, dest)
        server.fault = None
        archive = next((feed / "targets" / "app" / PLATFORM).glob("*.tar.gz"))
        data = bytearray(archive.read_bytes())
        data[len(data) // 2] ^= 0xFF  # the same length, one byte changed on the mirror
        archive.write_bytes(bytes(data))
        with pytest.raises(FeedRefused, match="与签名记录不符"):
            terminal_releases.download(offer, server.url, dest)
        assert list(dest.parent.iterdir()) == []
        server.fault, server.trickle_s = ("trickle", ".tar.gz"), 0.05  # a byte now and then
        with pytest.raises(FeedRefused, match="下载超时"):
            terminal_releases.download(offer, server.url, dest, min_rate=10**9, file_slack_s=0.5)
        assert list(dest.parent.iterdir()) == []
    finally:
        server.close()


def test_a_data_build_after_a_release_keeps_it(county, demo_input, tmp_path):
    keydir, _, feed = county
    _release(county, tmp_path, "0.2.0")
    publisher.build_feed(demo_input, keydir, feed)
    assert [o.version for o in _offers(feed, keydir, tmp_path)] == ["0.2.0"]


def test_data_terminals_sync_a_feed_that_carries_a_release(county, tmp_path, empty_db):
    keydir, _, feed = county
    _release(county, tmp_path, "0.2.0")
    result = run_sync(str(feed), empty_db, keydir)
    assert result.rows > 0


def test_only_the_newest_two_releases_per_platform_are_listed_and_kept(county, tmp_path):
    keydir, _, feed = county
    for version in ("0.2.0", "0.3.0", "0.10.0"):
        done = _release(county, tmp_path, version)
    assert [o.version for o in _offers(feed, keydir, tmp_path)] == ["0.3.0", "0.10.0"]
    assert len(list((feed / "targets" / "app" / PLATFORM).glob("*.tar.gz"))) == 2
    assert done.listed == (f"app/{PLATFORM}/kiosk-0.10.0.tar.gz", f"app/{PLATFORM}/kiosk-0.3.0.tar.gz")


def test_the_county_cannot_publish_an_older_version_or_a_mislabelled_bundle(county, tmp_path):
    keydir, app_keys, feed = county
    _release(county, tmp_path, "0.3.0")
    with pytest.raises(KnownError, match=r"不比已发布的 0\.3\.0 新"):
        _release(county, tmp_path, "0.2.9")
    bundle = make_bundle(tmp_path / "mislabelled", "0.4.0")
    with pytest.raises(KnownError, match=r"是 0\.4\.0 版，与 --version 0\.5\.0 不符"):
        releases.release(bundle, "0.5.0", app_keys, keydir, feed)
    (bundle / "_internal" / "kiosk" / "VERSION").write_bytes(b"\xff\xfe0.5.0")  # not UTF-8 text
    with pytest.raises(KnownError, match="中没有版本文件 _internal/kiosk/VERSION"):
        releases.release(bundle, "0.5.0", app_keys, keydir, feed)


def test_a_release_needs_the_release_key_the_root_names(county, tmp_path):
    keydir, _, feed = county
    other = tmp_path / "other-app-keys"
    shutil.copytree(keydir, tmp_path / "keys2")
    releases.create_release_key(other, tmp_path / "keys2")  # pinned in another root, not ours
    bundle = make_bundle(tmp_path / "b", "0.2.0")
    with pytest.raises(KnownError, match="不是根证书指定的那一把"):
        releases.release(bundle, "0.2.0", other, keydir, feed)
    with pytest.raises(KnownError, match="单独存放"):
        releases.create_release_key(keydir, keydir)


def _unsigned_release(bundle: Path, feed: Path) -> TargetFile:
    """A 9.0.0 archive in the feed and its target entry, for someone to sign."""
    target = f"app/{PLATFORM}/kiosk-9.0.0.tar.gz"
    done = releases.pack(bundle, feed / "targets", target)
    declared = rel.Declaration("9.0.0", PLATFORM, done.unpacked, done.files)
    return TargetFile(done.length, {"sha256": done.sha256}, target, {"custom": declared.custom()})


def _sign_app_json(meta: Path, delegated: dict, info: TargetFile, signer) -> None:
    """The next app.json, listing ``info`` only, signed by ``signer``."""
    app = Metadata(Targets(version=delegated["app.json"].version + 1,
                           expires=dt.datetime.now(dt.UTC) + dt.timedelta(days=30),
                           targets={info.path: info}))  # fmt: skip
    app.sign(signer)
    publisher.write_metadata(meta / f"{app.signed.version}.app.json", app)
    delegated["app.json"] = MetaFile(version=app.signed.version)


def _resign_top(keydir: Path, feed: Path, change) -> None:
    """What a data clerk with the online keys (targets, snapshot, timestamp) can do: change
    the top-level targets and app.json's listing and sign them anew."""
    meta = feed / "metadata"
    version = Metadata[Timestamp].from_file(str(meta / "timestamp.json")).signed.snapshot_meta.version
    top = Metadata[Targets].from_file(str(meta / f"{version}.targets.json"))
    delegated = publisher.delegated_meta(meta)
    change(top.signed, delegated, meta)
    top.signed.version = version + 1
    signers = {role: keys.load_signer(keydir, role) for role in keys.ONLINE_ROLES}
    root = publisher.load_root(keydir)
    publisher.write_top_level(feed, keydir, root, signers, top.signed, delegated)


def test_a_release_signed_by_a_data_role_is_refused(county, tmp_path):
    keydir, _, feed = county
    _release(county, tmp_path, "0.2.0")
    targets_signer = keys.load_signer(keydir, "targets")
    bundle = make_bundle(tmp_path / "evil", "9.0.0")
    info = _unsigned_release(bundle, feed)

    def app_json_signed_by_targets(top, delegated, meta):
        _sign_app_json(meta, delegated, info, targets_signer)

    _resign_top(keydir, feed, app_json_signed_by_targets)
    with pytest.raises(KnownError, match="不是用发布密钥签发的"):
        _offers(feed, keydir, tmp_path)


def test_a_release_key_swapped_by_the_targets_key_is_refused(county, tmp_path):
    keydir, _, feed = county
    _release(county, tmp_path, "0.2.0")
    clerk = CryptoSigner.generate_ed25519()

    bundle = make_bundle(tmp_path / "evil", "9.0.0")
    info = _unsigned_release(bundle, feed)

    def swap_key(top, delegated, meta):  # and sign a release of their own with it
        role = top.delegations.roles["app"]
        top.delegations = Delegations(keys={clerk.public_key.keyid: clerk.public_key}, roles={"app": role})
        role.keyids = [clerk.public_key.keyid]
        _sign_app_json(meta, delegated, info, clerk)

    _resign_top(keydir, feed, swap_key)
    with pytest.raises(KnownError, match="不是用县里根证书指定的发布密钥签发的"):
        _offers(feed, keydir, tmp_path)


def test_the_pinned_key_id_paired_with_another_key_is_refused(county, tmp_path):
    """python-tuf does not recompute key ids: the key's material is what must match."""
    keydir, _, feed = county
    _release(county, tmp_path, "0.2.0")
    clerk = CryptoSigner.generate_ed25519()
    info = _unsigned_release(make_bundle(tmp_path / "evil", "9.0.0"), feed)

    def same_id_other_key(top, delegated, meta):  # and a release signed with that other key
        (keyid,) = top.delegations.keys
        forged = clerk.public_key.__class__(keyid, clerk.public_key.keytype, clerk.public_key.scheme,
                                             clerk.public_key.keyval)  # fmt: skip
        top.delegations.keys = {keyid: forged}
        _sign_app_json(meta, delegated, info, clerk)

    _resign_top(keydir, feed, same_id_other_key)
    with pytest.raises(KnownError, match="不是用县里根证书指定的发布密钥签发的"):
        _offers(feed, keydir, tmp_path)


def test_a_release_among_the_data_targets_is_refused(county, tmp_path, empty_db):
    keydir, _, feed = county
    data = gzip.compress(b"not a program")

    def add_to_top(top, delegated, meta):
        path = f"app/{PLATFORM}/kiosk-9.0.0.tar.gz"
        info = TargetFile.from_data(path, data, ["sha256"])
        info.unrecognized_fields["custom"] = rel.Declaration("9.0.0", PLATFORM, 10, 1).custom()
        top.targets[path] = info

    _resign_top(keydir, feed, add_to_top)
    with pytest.raises(KnownError, match="放在数据文件中"):
        _offers(feed, keydir, tmp_path)
    with pytest.raises(KnownError, match="未知的数据文件"):  # and the data sync refuses it too
        run_sync(str(feed), empty_db, keydir)


def test_another_platforms_release_is_never_offered(county, tmp_path):
    keydir, _, feed = county
    other = "windows-x86_64" if PLATFORM.startswith("linux") else "linux-x86_64"
    bundle = make_bundle(tmp_path / "win", "0.2.0")
    (bundle / "kiosk").rename(bundle / rel.executable(other))
    releases.release(bundle, "0.2.0", county[1], keydir, feed, platform=other)
    assert _offers(feed, keydir, tmp_path) == []
    assert [o.version for o in _offers(feed, keydir, tmp_path, platform=other)] == ["0.2.0"]


def test_a_pilot_release_reaches_the_pilot_terminals_first_then_everyone(county, tmp_path):
    keydir, app_keys, feed = county
    done = _release(county, tmp_path, "0.2.0", pilot=(FINGERPRINT,))
    assert done.pilot == (FINGERPRINT,)
    assert [o.version for o in _offers(feed, keydir, tmp_path)] == ["0.2.0"]
    assert _offers(feed, keydir, tmp_path / "other", fingerprint=OTHER) == []
    releases.promote("0.2.0", app_keys, keydir, feed)
    assert [o.version for o in _offers(feed, keydir, tmp_path / "other", fingerprint=OTHER)] == ["0.2.0"]


def test_a_pilot_list_must_hold_fingerprints():
    assert rel.check_pilot(["# 试点", FINGERPRINT.upper(), "", FINGERPRINT]) == (FINGERPRINT,)
    with pytest.raises(KnownError, match="无效的终端指纹：abc"):
        rel.check_pilot(["abc"])


def test_a_feed_without_releases_offers_none(county, tmp_path):
    keydir, _, feed = county
    assert _offers(feed, keydir, tmp_path) == []


def test_declarations_are_checked_field_by_field():
    target = f"app/{PLATFORM}/kiosk-1.2.3.tar.gz"
    good = rel.Declaration("1.2.3", PLATFORM, 100, 3).custom()
    assert rel.declaration(target, good).version == "1.2.3"
    for bad in ({"release": {**good["release"], "version": "1.2.4"}},
                {"release": {**good["release"], "files": 0}},
                {"release": {**good["release"], "unpacked": rel.MAX_UNPACKED + 1}},
                {"release": {**good["release"], "pilot": ["x"]}},
                {"release": {**good["release"], "files": True}}, None, []):  # fmt: skip
        with pytest.raises(rel.ReleaseRefused):
            rel.declaration(target, bad)
    with pytest.raises(rel.ReleaseRefused):
        rel.declaration("app/linux-x86_64/../kiosk-1.2.3.tar.gz", good)
    assert rel.parse_version("1.10.0") > rel.parse_version("1.9.0")
    assert not rel.is_version("01.2.3") and not rel.is_version("1.2") and not rel.is_version("1.2.3-rc1")

