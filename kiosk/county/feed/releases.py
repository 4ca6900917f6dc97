"""County side: publish a program release into the signed feed (kiosk.formats.releases).

    kiosk feed release-key --app-keys APPKEYDIR --keys KEYDIR   once: the release key, named
                                                                 in the next root version
    kiosk feed release --bundle dist/kiosk --version X.Y.Z --app-keys APPKEYDIR --keys KEYDIR
                       --out FEEDDIR [--pilot TERMINALS.txt]
    kiosk feed release --promote X.Y.Z …                         from the pilot to every terminal

The release key lives in a folder of its own and, like the root key, stays offline: the
data clerks' routine ``kiosk feed build`` never needs it, and their targets key cannot
replace it (the root names it). A release re-signs the top-level metadata too (its
delegation, and the snapshot that lists ``app.json``), so it needs the feed's online keys.

The archive is deterministic (sorted entries, fixed times and owners, gzip without a
time): the same bundle gives the same bytes and the same hash on any machine.
"""

import datetime as dt
import gzip
import hashlib
import os
import stat
import tarfile
from dataclasses import dataclass
from pathlib import Path

from tuf.api.metadata import DelegatedRole, Delegations, Metadata, MetaFile, TargetFile, Targets

from kiosk.county import keyfiles
from kiosk.county.feed import keys, publisher
from kiosk.errors import KnownError
from kiosk.files import fsync_dir
from kiosk.formats import releases as rel

APP_EXPIRY_DAYS = 365  # app.json: the release key is offline, so it is signed for long
KEEP_PER_PLATFORM = 2  # releases listed per platform: the newest and the one before
_MTIME = 1_700_000_000  # every archive entry's time: the same bundle gives the same bytes
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Published:
    version: str
    platform: str
    target: str
    length: int
    sha256: str
    unpacked: int
    files: int
    pilot: tuple[str, ...]
    feed_version: int
    listed: tuple[str, ...]  # every release app.json now lists


def create_release_key(app_keydir: Path, keydir: Path, passphrase: bytes | None = None,
                       now: dt.datetime | None = None) -> keys.Rotation:
    """Make the release key in ``app_keydir`` (or reuse the one there) and name it in the
    next root version, signed with the root key.

    Raises:
        KnownError: the folders are the same, or the root key is missing.
    """
    if app_keydir.resolve() == keydir.resolve():
        raise KnownError("发布密钥应单独存放，不能与数据源密钥放在同一目录",
                         "keep the release key in a folder of its own, not with the feed keys")  # fmt: skip
    secret = passphrase or keyfiles.passphrase()
    path = app_keydir / f"{rel.ROLE}.pem"
    if not path.exists():
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        keyfiles.write_private(path, Ed25519PrivateKey.generate(), secret)
    signer = keys.load_signer(app_keydir, rel.ROLE, secret)
    return keys.rotate_root(keydir, now=now, passphrase=secret, app_key=signer.public_key)


def release(bundle: Path, version: str, app_keydir: Path, keydir: Path, out: Path,
            platform: str | None = None, pilot: tuple[str, ...] = (),
            expiry_days: int = publisher.DEFAULT_EXPIRY_DAYS, now: dt.datetime | None = None,
            passphrase: bytes | None = None) -> Published:
    """Pack ``bundle`` as release ``version`` and sign it into the feed in ``out``.

    Args:
        pilot: terminal fingerprints; empty offers the release to every terminal.
        expiry_days: of the re-signed timestamp and snapshot (as ``kiosk feed build``).

    Raises:
        KnownError: not a bundle, its VERSION differs from ``version``, the version is not
            newer than the newest published for the platform, no feed or no release key yet.
    """
    platform = rel.check_platform(platform or rel.this_platform())
    if not rel.is_version(version):
        raise KnownError(f"版本号应为 X.Y.Z（如 1.2.0），收到“{version}”",
                         f"the version must be X.Y.Z (e.g. 1.2.0), got {version!r}")  # fmt: skip
    _check_bundle(bundle, version, platform)
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    state = _Feed.open(out, keydir, app_keydir, now, passphrase)
    listed = state.releases_for(platform)
    newest = max((rel.parse_version(d.version) for d in listed.values()), default=None)
    if newest is not None and rel.parse_version(version) <= newest:
        shown = ".".join(map(str, newest))
        raise KnownError(f"版本 {version} 不比已发布的 {shown} 新：终端只会升级，不会降级",
                         f"version {version} is not newer than the published {shown}:"
                         " terminals only move up")  # fmt: skip
    target = rel.target_path(platform, version)
    packed = pack(bundle, out / "targets", target)
    declared = rel.Declaration(version, platform, packed.unpacked, packed.files, pilot)
    info = TargetFile(packed.length, {"sha256": packed.sha256}, target, {"custom": declared.custom()})
    listed[target] = declared
    kept = sorted(listed, key=lambda t: rel.parse_version(listed[t].version))[-KEEP_PER_PLATFORM:]
    state.releases = {t: i for t, i in state.releases.items() if not t.startswith(f"app/{platform}/")}
    state.releases.update({t: state.infos.get(t, info) for t in kept})
    feed_version = state.sign(expiry_days)
    return Published(version, platform, target, packed.length, packed.sha256, packed.unpacked, packed.files,
                     pilot, feed_version, tuple(sorted(state.releases)))  # fmt: skip


def promote(version: str, app_keydir: Path, keydir: Path, out: Path, platform: str | None = None,
            expiry_days: int = publisher.DEFAULT_EXPIRY_DAYS, now: dt.datetime | None = None,
            passphrase: bytes | None = None) -> Published:
    """Offer a published pilot release to every terminal.

    Raises:
        KnownError: the feed does not list ``version`` for the platform.
    """
    platform = rel.check_platform(platform or rel.this_platform())
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    state = _Feed.open(out, keydir, app_keydir, now, passphrase)
    target = rel.target_path(platform, version)
    if target not in state.infos:
        raise KnownError(f"数据源中没有 {platform} 的 {version} 版，无法推广",
                         f"the feed lists no release {version} for {platform}")  # fmt: skip
    old = state.infos[target]
    declared = rel.declaration(target, old.custom)
    wide = rel.Declaration(declared.version, declared.platform, declared.unpacked, declared.files)
    state.releases[target] = TargetFile(old.length, old.hashes, target, {"custom": wide.custom()})
    feed_version = state.sign(expiry_days)
    return Published(version, platform, target, old.length, old.hashes["sha256"], wide.unpacked,
                     wide.files, (), feed_version, tuple(sorted(state.releases)))  # fmt: skip


class _Feed:
    """The feed's current top-level and release metadata, and the keys to sign new ones."""

    def __init__(self, out, keydir, root, now, app_signer, signers, top, app_version, infos):
        self.out, self.keydir, self.root, self.now = out, keydir, root, now
        self.app_signer, self.signers = app_signer, signers
        self.top, self.app_version = top, app_version
        self.infos: dict[str, TargetFile] = infos  # as published now
        self.releases: dict[str, TargetFile] = dict(infos)  # as the next app.json will list

    @classmethod
    def open(cls, out: Path, keydir: Path, app_keydir: Path, now: dt.datetime,
             passphrase: bytes | None) -> "_Feed":
        root = publisher.load_root(keydir)
        publisher.check_root_expiry(keydir, root, now)
        pin = rel.pin_of(root.signed.unrecognized_fields)
        if pin is None:
            raise KnownError("根证书尚未指定发布密钥：请先运行 kiosk feed release-key --app-keys … "
                             f"--keys {keydir}", "the root names no release key yet: run kiosk feed"
                             " release-key first")  # fmt: skip
        top = publisher.current_targets(out / "metadata", keydir, root)
        if top is None:
            raise KnownError(f"{out} 中还没有数据源：请先运行 kiosk feed build",
                             f"{out} holds no feed yet: run kiosk feed build first")  # fmt: skip
        secret = passphrase or keyfiles.passphrase()
        app_signer = keys.load_signer(app_keydir, rel.ROLE, secret)
        if app_signer.public_key.keyid != pin["keyid"]:
            raise KnownError(f"{app_keydir} 中的发布密钥不是根证书指定的那一把",
                             f"the release key in {app_keydir} is not the one the root names")  # fmt: skip
        signers = {role: keys.load_signer(keydir, role, secret) for role in keys.ONLINE_ROLES}
        meta = publisher.delegated_meta(out / "metadata").get(f"{rel.ROLE}.json")
        infos: dict[str, TargetFile] = {}
        if meta is not None:
            app = Metadata[Targets].from_file(str(out / "metadata" / f"{meta.version}.{rel.ROLE}.json"))
            infos = dict(app.signed.targets)
        return cls(out, keydir, root, now, app_signer, signers, top,
                   meta.version if meta else 0, infos)  # fmt: skip

    def releases_for(self, platform: str) -> dict[str, rel.Declaration]:
        return {t: rel.declaration(t, i.custom) for t, i in self.releases.items()
                if t.startswith(f"app/{platform}/")}  # fmt: skip

    def sign(self, expiry_days: int) -> int:
        """Write app.json and the top-level metadata; returns the feed's new version."""
        meta_dir = self.out / "metadata"
        app_version = self.app_version + 1
        app = Metadata(Targets(version=app_version, expires=self.now + dt.timedelta(days=APP_EXPIRY_DAYS),
                               targets=self.releases))  # fmt: skip
        app.sign(self.app_signer)
        key = self.app_signer.public_key
        delegation = Delegations(keys={key.keyid: key}, roles={
            rel.ROLE: DelegatedRole(rel.ROLE, [key.keyid], 1, True, list(rel.PATHS))})  # fmt: skip
        version = self.top.signed.version + 1
        top = Targets(version=version, expires=self.now + dt.timedelta(days=expiry_days),
                      targets=self.top.signed.targets, delegations=delegation)  # fmt: skip
        delegated = publisher.delegated_meta(meta_dir)
        delegated[f"{rel.ROLE}.json"] = MetaFile(version=app_version)
        publisher.write_metadata(meta_dir / f"{app_version}.{rel.ROLE}.json", app)
        publisher.write_top_level(self.out, self.keydir, self.root, self.signers, top, delegated)
        self._drop_unlisted()
        return version

    def _drop_unlisted(self) -> None:
        """Archives no release lists any more: a release is ~100 MB."""
        wanted = {f"{i.hashes['sha256']}.{t.rpartition('/')[2]}" for t, i in self.releases.items()}
        for path in (self.out / "targets" / "app").glob("*/*.tar.gz"):
            if path.name not in wanted:
                path.unlink()


def _check_bundle(bundle: Path, version: str, platform: str) -> None:
    program = bundle / rel.executable(platform)
    if not program.is_file():
        raise KnownError(f"{bundle} 不是终端程序目录（缺少 {program.name}）",
                         f"{bundle} is not a terminal bundle (no {program.name})")  # fmt: skip
    built = rel.bundle_version(bundle)
    if not built:
        stamp = "/".join(rel.BUNDLE_VERSION)
        raise KnownError(f"{bundle} 中没有版本文件 {stamp}（请用 make dist 构建）",
                         f"{bundle} has no version file {stamp}")  # fmt: skip
    if built != version:
        raise KnownError(f"程序目录 {bundle} 是 {built} 版，与 --version {version} 不符",
                         f"the bundle in {bundle} is version {built}, not {version}")  # fmt: skip


@dataclass(frozen=True)
class Packed:
    path: Path  # <target_dir>/<folder>/<sha256>.kiosk-X.Y.Z.tar.gz
    length: int
    sha256: str
    unpacked: int  # bytes of the files packed
    files: int  # entries: files, folders and links


def pack(bundle: Path, target_dir: Path, target: str) -> Packed:
    """Write ``bundle`` as the archive of ``target`` under its content name, as the feed
    serves it (consistent snapshot).

    Raises:
        KnownError: the bundle holds a link pointing outside it, or a special file.
    """
    folder, _, name = target.rpartition("/")
    dest_dir = target_dir / folder
    dest_dir.mkdir(parents=True, exist_ok=True)
    temp = dest_dir / f".{name}.{os.getpid()}.partial"
    unpacked = count = 0
    try:
        with temp.open("wb") as raw:
            hashing = _Hashing(raw)
            with (gzip.GzipFile(fileobj=hashing, mode="wb", mtime=0, compresslevel=6) as packed,
                  tarfile.open(fileobj=packed, mode="w|", format=tarfile.PAX_FORMAT) as tar):
                for path in _walk(bundle):
                    entry = _entry(tar, bundle, path)
                    count += 1
                    if entry.isfile():
                        unpacked += entry.size
                        with path.open("rb") as data:
                            tar.addfile(entry, data)
                    else:
                        tar.addfile(entry)
            raw.flush()
            os.fsync(raw.fileno())
        digest = hashing.digest.hexdigest()
        final = dest_dir / f"{digest}.{name}"
        os.replace(temp, final)
        fsync_dir(dest_dir)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return Packed(final, hashing.length, digest, unpacked, count)


class _Hashing:
    """A write-only file that hashes and counts what passes through it."""

    def __init__(self, raw):
        self.raw, self.digest, self.length = raw, hashlib.sha256(), 0

    def write(self, data) -> int:
        self.digest.update(data)
        self.length += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


def _walk(bundle: Path):
    """Every entry under ``bundle`` in a fixed order (directories before their contents)."""
    for top, dirs, names in os.walk(bundle):
        dirs.sort()
        here = Path(top)
        if here != bundle:
            yield here
        for name in sorted(names):
            yield here / name


def _entry(tar: tarfile.TarFile, bundle: Path, path: Path) -> tarfile.TarInfo:
    relative = path.relative_to(bundle).as_posix()
    info = tar.gettarinfo(str(path), arcname=relative)
    if info.issym():
        pointed = (path.parent / os.readlink(path)).resolve()
        if os.path.isabs(os.readlink(path)) or not pointed.is_relative_to(bundle.resolve()):
            raise KnownError(f"程序目录中的链接 {relative} 指向目录之外，不能发布",
                             f"the bundle's link {relative} points outside it; not publishing")  # fmt: skip
    elif not (info.isfile() or info.isdir()):
        raise KnownError(f"程序目录中的 {relative} 不是普通文件，不能发布",
                         f"the bundle's {relative} is not a regular file; not publishing")  # fmt: skip
    executable = info.isdir() or info.mode & stat.S_IXUSR
    info.mode = 0o755 if executable else 0o644
    info.mtime, info.uid, info.gid, info.uname, info.gname = _MTIME, 0, 0, "", ""
    return info

