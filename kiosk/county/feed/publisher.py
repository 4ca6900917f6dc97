"""County side: build the signed feed from the county's spreadsheets.

    FEEDDIR/metadata/root.json, N.root.json   every version of the root (from the key folder),
                                              so a terminal can walk a key rotation's chain
    FEEDDIR/metadata/N.targets.json           which data files exist, their hashes, lengths
                                              and (custom) unpacked size and row count
    FEEDDIR/metadata/N.snapshot.json          which targets metadata is current
    FEEDDIR/metadata/timestamp.json           which snapshot is current; expires soon
    FEEDDIR/targets/<dir>/<sha256>.<name>     data files, named by content (consistent snapshot)

Every build validates every row (the same rules as the terminal), masks personal numbers,
re-signs all metadata with fresh expiry and bumps versions; a data file is rewritten only
when its content changed, so terminals download only what changed. Any static web server,
CDN or a USB stick can serve the folder.
"""

import csv
import datetime as dt
import hashlib
import io
import json
import re
import shutil
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tuf.api.metadata import Metadata, MetaFile, Root, Snapshot, TargetFile, Targets, Timestamp
from tuf.api.serialization.json import JSONSerializer

from kiosk import log
from kiosk.county.feed import changes as town_year_changes
from kiosk.county.feed import keys, verify_site
from kiosk.errors import KnownError
from kiosk.files import write_atomic
from kiosk.formats import consultation, consultation_book, feed_format, screening_book
from kiosk.formats import datasets as ds
from kiosk.formats.checks import CrossCheck
from kiosk.formats.feed_format import InboxKey
from kiosk.formats.spreadsheet import READ_SUFFIXES, workbook_in
from kiosk.formats.validate import DuplicateFinder, Problems, read_rows

_log = log.get("kiosk.sync")

FEED_INFO = feed_format.FEED_INFO
DEFAULT_EXPIRY_DAYS = 14
ROOT_WARN_DAYS = 90  # warn in the log when the root expires sooner than this
COUNTY_CODE = "371522"


_TOWN_YEAR = re.compile(r"^(\d{4})/(\d{9})$")


@dataclass
class BuildSummary:
    version: int
    targets: int
    changed: list[str] = field(default_factory=list)
    rows: int = 0
    seconds: float = 0.0
    withdrawn: list[feed_format.Withdrawal] = field(default_factory=list)  # all in the feed
    newly_withdrawn: list[str] = field(default_factory=list)  # targets withdrawn by this build
    restored: list[str] = field(default_factory=list)  # withdrawn before, data back now
    changes: list[town_year_changes.TownYearChange] = field(default_factory=list)
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)  # where a missing 年度/村代码 was taken from
    verify: verify_site.SiteSummary | None = None  # the verification site written beside it


def parse_town_year(text: str) -> tuple[int, str]:
    """``2025/371522102`` -> (2025, "371522102").

    Raises:
        KnownError: not a year and a 9-digit town code.
    """
    match = _TOWN_YEAR.match(text.strip())
    if not match:
        raise KnownError(f"--withdraw 的格式应为 年度/乡镇代码，例如 2025/371522102（收到“{text}”）",
                         f"--withdraw takes YEAR/TOWN, e.g. 2025/371522102 (got {text!r})")  # fmt: skip
    return int(match[1]), match[2]


def build_feed(src: Path, keydir: Path, out: Path, expiry_days: int = DEFAULT_EXPIRY_DAYS,
               now: dt.datetime | None = None, withdraw: tuple[tuple[int, str], ...] = (),
               reason: str = "", dry_run: bool = False,
               report: Callable[[list[town_year_changes.TownYearChange]], None] | None = None,
               verify: bool = True, inbox_key: InboxKey | None = None,
               passphrase: bytes | None = None) -> BuildSummary:
    """Validate and mask the spreadsheets in ``src``, write partitions and signed metadata.

    A town-year the current feed in ``out`` publishes and ``src`` no longer holds is
    refused unless ``withdraw`` names it (with a ``reason``); the withdrawal is then
    signed into ``feed.json`` and carried forward until data for it comes back.
    Before anything is signed, ``report`` gets the payout changes against the current
    feed, town-year by town-year. With ``dry_run`` nothing is written. With ``verify``
    the notice verification site is (re)written in ``out/verify`` (kiosk.county.feed.verify_site).
    ``inbox_key`` (the county inbox's public key and its expiry) is signed into
    ``feed.json``: terminals seal villagers' requests to it until it expires.

    Raises:
        ImportRefused: a row failed validation (nothing is written).
        KnownError: the keys are missing, the output folder belongs to another root, a
            town-year would vanish without ``withdraw``, or ``withdraw`` contradicts the input.
    """
    started = time.perf_counter()
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    if verify:  # a planted history file stops the build before anything is signed
        verify_site.check_history(out)
    partitions, rows, notes = read_partitions(src)
    previous = previous_partitions(keydir, out)
    _check_frozen_drafts(previous, partitions)
    kept, newly, restored = _withdrawals(previous, partitions, withdraw, reason, now)
    if kept or inbox_key:
        info = json.loads(partitions[FEED_INFO])
        if kept:
            info["withdrawn"] = [w.as_json() for w in kept]
        if inbox_key:
            info.update(inbox_key.as_json())
        partitions[FEED_INFO] = json.dumps(info, ensure_ascii=False, sort_keys=True).encode()
    found = town_year_changes.compare(previous, partitions, _town_names(partitions))
    if report:
        report(found)
    if dry_run:
        version = _current_version(keydir, out) + 1
        changed = sorted(t for t, data in partitions.items() if previous.get(t) != data)
        summary = BuildSummary(version, len(partitions), changed, dry_run=True)
    else:
        summary = publish(partitions, keydir, out, expiry_days, now, passphrase)
        if verify:
            summary.verify = verify_site.write_site(out, partitions, summary.version, previous,
                                                    summary.version - 1)  # fmt: skip
    summary.rows, summary.notes = rows, notes
    summary.withdrawn, summary.newly_withdrawn, summary.restored = kept, newly, restored
    summary.changes = found
    summary.seconds = time.perf_counter() - started
    return summary


def _check_frozen_drafts(previous: dict[str, bytes], partitions: dict[str, bytes]) -> None:
    """A draft version the current feed publishes keeps its articles: comments point at them.

    Raises:
        KnownError: one changed or vanished; nothing is written.
    """
    target = feed_format.Partition(ds.DRAFT_ARTICLES).target
    if target not in previous:
        return
    problems = consultation.frozen_problems(_article_texts(previous.get(target)),
                                            _article_texts(partitions.get(target)))  # fmt: skip
    if problems:
        raise KnownError("未生成数据源：" + "；".join(zh for zh, _ in problems),
                         "feed not built: " + "; ".join(en for _, en in problems))  # fmt: skip


def _article_texts(data: bytes | None) -> dict[tuple[str, int], tuple]:
    if data is None:
        return {}
    reader = csv.DictReader(io.StringIO(feed_format.decode(data), newline=""))
    keys = {c.header: c.key for c in ds.DRAFT_ARTICLES.columns}
    return consultation.texts_by_version({keys[h]: v for h, v in row.items()} for row in reader)


def previous_partitions(keydir: Path, out: Path) -> dict[str, bytes]:
    """The targets (path -> bytes) the feed in ``out`` publishes now; empty for a new feed.

    Read through the feed's own signed targets metadata; a file whose hash does not match
    it is refused.

    Raises:
        KnownError: the feed was signed with other keys, or a target file is missing or
            altered.
    """
    root = load_root(keydir)
    previous = current_targets(out / "metadata", keydir, root)
    if previous is None:
        return {}
    found = {}
    for target, info in previous.signed.targets.items():
        folder, _, name = target.rpartition("/")
        digest = info.hashes["sha256"]
        path = out / "targets" / folder / f"{digest}.{name}"
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise KnownError(f"现有数据源缺少文件 {path}，无法与上一版比较",
                             f"the current feed lacks {path}: cannot compare with it") from exc
        if hashlib.sha256(data).hexdigest() != digest:
            raise KnownError(f"现有数据源的文件 {path} 与签名不符（已被改动），无法与上一版比较",
                             f"the current feed's {path} does not match its signed hash")
        found[target] = data
    return found


def _current_version(keydir: Path, out: Path) -> int:
    previous = current_targets(out / "metadata", keydir, load_root(keydir))
    return previous.signed.version if previous else 0


def load_root(keydir: Path) -> Metadata[Root]:
    try:
        return Metadata[Root].from_file(str(keydir / "root.json"))
    except OSError as exc:
        raise KnownError(f"无法读取根证书 {keydir / 'root.json'}",
                         f"cannot read the root {keydir / 'root.json'}: {exc}") from exc


def _town_names(partitions: dict[str, bytes]) -> dict[str, str]:
    """Town code -> name from the towns partition (for messages)."""
    data = partitions.get(feed_format.Partition(ds.TOWNS).target)
    if data is None:
        return {}
    reader = csv.DictReader(io.StringIO(feed_format.decode(data), newline=""))
    return {row["乡镇代码"]: row["乡镇名称"] for row in reader}


def town_year_label(year: int, town: str, names: dict[str, str]) -> str:
    """``2025年 朝城镇(371522102)``."""
    return f"{year}年 {names.get(town, '')}({town})"


def _withdrawals(previous: dict[str, bytes], partitions: dict[str, bytes],
                 withdraw: tuple[tuple[int, str], ...], reason: str,
                 now: dt.datetime) -> tuple[list[feed_format.Withdrawal], list[str], list[str]]:
    """The feed's withdrawals after this build: those carried forward from the previous
    ``feed.json`` (minus town-years whose data came back) and the newly requested ones.

    Returns:
        (all withdrawals, targets newly withdrawn, targets restored), sorted by target.

    Raises:
        KnownError: a previous town-year is missing without ``withdraw``; ``withdraw``
            names a town-year that has input or that the previous feed never published;
            ``reason`` is missing or too long.
    """
    names = _town_names(partitions)
    old_info = json.loads(previous[FEED_INFO]) if FEED_INFO in previous else {}
    carried = {w.target: w for w in feed_format.withdrawals(old_info)}
    requested = {feed_format.Partition(ds.PAYOUTS, y, t).target: (y, t) for y, t in withdraw}
    reason = reason.strip()
    if requested and not reason:
        raise KnownError("撤回数据必须用 --reason 说明原因（将显示在终端上）",
                         "a withdrawal needs --reason (terminals show it)")  # fmt: skip
    if reason and not requested:
        raise KnownError("--reason 只能与 --withdraw 一起使用", "--reason goes with --withdraw")
    if len(reason) > feed_format.MAX_REASON:
        raise KnownError(f"撤回原因不能超过 {feed_format.MAX_REASON} 个字",
                         f"the reason is longer than {feed_format.MAX_REASON} characters")  # fmt: skip
    problems_zh, problems_en = [], []
    for target, (year, town) in sorted(requested.items()):
        label = town_year_label(year, town, names)
        if target in partitions:
            problems_zh.append(f"{label} 本次输入中仍有发放记录，不能同时撤回（请先移除其数据文件）")
            problems_en.append(f"{year}/{town} still has rows in the input and cannot be"
                               " withdrawn at the same time (remove its files first)")  # fmt: skip
        elif target not in previous and target not in carried:
            problems_zh.append(f"{label} 在上一版数据源中没有发放记录，无需撤回")
            problems_en.append(f"{year}/{town} is not in the current feed: nothing to withdraw")
    vanished = sorted(t for t in previous if t.startswith("payouts/") and t not in partitions
                      and t not in requested)  # fmt: skip
    for target in vanished:
        part = feed_format.partition_of(target)
        label = town_year_label(part.year, part.town_code, names)
        problems_zh.append(f"{label} 上一版数据源有发放记录，本次输入中没有；如确需撤回，请使用 "
                           f"--withdraw {part.year}/{part.town_code} --reason …")  # fmt: skip
        problems_en.append(f"{part.year}/{part.town_code} is in the current feed but not in this"
                           f" input; to withdraw it on purpose use --withdraw"
                           f" {part.year}/{part.town_code} --reason …")  # fmt: skip
    if problems_zh:
        raise KnownError("未生成数据源：" + "；".join(problems_zh),
                         "feed not built: " + "; ".join(problems_en))  # fmt: skip
    at = now.astimezone(dt.UTC).isoformat()
    result = {t: w for t, w in carried.items() if t not in partitions}
    restored = sorted(t for t in carried if t in partitions)
    for target, (year, town) in requested.items():
        result[target] = feed_format.Withdrawal(year, town, reason, at)
    return [result[t] for t in sorted(result)], sorted(requested), restored


def publish(partitions: dict[str, bytes], keydir: Path, out: Path,
            expiry_days: int = DEFAULT_EXPIRY_DAYS, now: dt.datetime | None = None,
            passphrase: bytes | None = None) -> BuildSummary:
    """Write the partitions (target path -> bytes) and sign new metadata for them.

    Raises:
        KnownError: the keys are missing or the output folder belongs to another root.
    """
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    for target in partitions:
        try:
            feed_format.check_target_path(target)
        except KnownError as exc:
            raise KnownError(f"不能发布：{exc.zh}", f"cannot publish: {exc.en}") from exc
    # Root stays offline: a routine build signs with the three online roles only.
    signers = {role: keys.load_signer(keydir, role, passphrase) for role in keys.ONLINE_ROLES}
    root = Metadata[Root].from_file(str(keydir / "root.json"))
    check_root_expiry(keydir, root, now)
    meta_dir, target_dir = out / "metadata", out / "targets"
    previous = current_targets(meta_dir, keydir, root)

    files: dict[str, TargetFile] = {}
    changed = []
    for target, data in partitions.items():
        info = TargetFile.from_data(target, data, ["sha256"])
        if target != FEED_INFO:  # the terminal reads a partition no further than this
            info.unrecognized_fields["custom"] = feed_format.declare(data).custom()
        files[target] = info
        old = previous.signed.targets.get(target) if previous else None
        if old is None or old.hashes != info.hashes:
            changed.append(target)
        _write_target(target_dir, target, info, data)

    version = (previous.signed.version + 1) if previous else 1
    # Program releases (kiosk.county.feed.releases) ride along unchanged: their delegation
    # and the release role's metadata version.
    delegations = previous.signed.delegations if previous else None
    targets = Targets(version=version, expires=now + dt.timedelta(days=expiry_days), targets=files,
                      delegations=delegations)  # fmt: skip
    write_top_level(out, keydir, root, signers, targets, delegated_meta(meta_dir))
    summary = BuildSummary(version, len(files), sorted(changed))
    _log.info("feed %s built: version %d, %d targets, %d changed", out, version, len(files),
              len(changed))
    return summary


def dataset_files(src: Path, dataset: ds.Dataset) -> list[Path]:
    """The files in ``src`` holding ``dataset`` (``name.csv``/``name.xlsx``, or ``name/*``)."""
    found = [src / f"{dataset.name}{s}" for s in READ_SUFFIXES
             if (src / f"{dataset.name}{s}").is_file()]  # fmt: skip
    folder = src / dataset.name
    if dataset.many_files and folder.is_dir():
        # Every file, not only spreadsheets: one saved in a format we do not read (.et, a
        # PDF) is refused by name, never skipped without a word.
        found += sorted(p for p in folder.iterdir() if p.is_file())
    return found


def read_partitions(src: Path) -> tuple[dict[str, bytes], int, list[str]]:
    """Every dataset of ``src`` validated, masked and cut into partitions (target -> bytes).

    Returns:
        the partitions, the number of rows, and one line per value the reader filled in
        and where it took it from (a 年度 from the title, a 村代码 from the village name).
    """
    if not src.is_dir():
        raise KnownError(f"找不到数据目录 {src}", f"input folder {src} does not exist")
    problems = Problems()
    check = CrossCheck(problems, links=True)
    grouped: dict[feed_format.Partition, list] = defaultdict(list)
    count = 0
    # The consultations workbook holds three datasets, the screening workbook two (and the
    # scenario tests, run as it is read); a county may have neither yet.
    from_book = {}
    book = workbook_in(src, consultation.WORKBOOK)
    if book:
        from_book.update(consultation_book.read_workbook(book, book.name, problems))
    book = workbook_in(src, screening_book.WORKBOOK)
    if book:
        from_book.update(screening_book.read_workbook(book, book.name, problems).rows)
    for dataset in ds.ALL:
        files = dataset_files(src, dataset) if not dataset.workbook else []
        if not files and not dataset.generated and not dataset.workbook:
            problems.add(str(src / f"{dataset.name}.csv"), f"缺少“{dataset.title}”文件",
                         f"the {dataset.name} file is missing")
        duplicates = DuplicateFinder()
        sources = [from_book.get(dataset.name, [])] if dataset.workbook else [
            read_rows(dataset, path, problems, duplicates, str(path.relative_to(src)), mask=True)
            for path in files]  # fmt: skip
        for rows in sources:
            for row in rows:
                if not check.accept(dataset.name, row) or problems:
                    continue
                if dataset is ds.PAYOUTS:
                    key = feed_format.Partition(ds.PAYOUTS, row["year"], row["village_code"][:9])
                else:
                    key = feed_format.Partition(dataset)
                grouped[key].append(row)
                count += 1
        for partition in [p for p in grouped if p.dataset is dataset]:
            if dataset is ds.PAYOUTS:  # a stable order keeps unchanged partitions byte-identical
                grouped[partition].sort(key=lambda r: (r["village_code"], r["item_code"],
                                                       r["name"], r["id_masked"], r["paid_on"]))
    if problems:
        raise problems.refuse()
    partitions = {p.target: feed_format.encode(p.dataset, rows) for p, rows in grouped.items()}
    as_of = max((_newest(src, d) for d in ds.ALL), default=0.0)
    info = {"county": COUNTY_CODE, "data_as_of": dt.datetime.fromtimestamp(as_of, dt.UTC)
            .replace(microsecond=0).isoformat(), "rows": count}  # fmt: skip
    partitions[FEED_INFO] = json.dumps(info, ensure_ascii=False, sort_keys=True).encode()
    return partitions, count, problems.notes


def _newest(src: Path, dataset: ds.Dataset) -> float:
    return max((p.stat().st_mtime for p in dataset_files(src, dataset)), default=0.0)


def check_root_expiry(keydir: Path, root: Metadata[Root], now: dt.datetime) -> None:
    """Refuse to publish under an expired root (no terminal would accept the feed)."""
    expires = root.signed.expires
    if expires <= now:
        raise KnownError(
            f"根证书（root.json 第 {root.signed.version} 版）已于 {expires:%Y-%m-%d} 过期，终端将拒绝"
            f"数据源；请先运行 kiosk feed rotate-root {keydir}",
            f"the root (version {root.signed.version}) expired on {expires:%Y-%m-%d}; terminals"
            f" would refuse the feed: run kiosk feed rotate-root {keydir} first",
        )
    if expires - now < dt.timedelta(days=ROOT_WARN_DAYS):
        _log.warning("the root expires on %s: run kiosk feed rotate-root %s soon",
                     f"{expires:%Y-%m-%d}", keydir)  # fmt: skip


def current_targets(meta_dir: Path, keydir: Path,
                     root: Metadata[Root]) -> Metadata[Targets] | None:
    """The targets metadata the feed publishes now, or None for a new feed.

    Raises:
        KnownError: the feed was published under a root that is not in this key
            folder's history (another county's keys, or a key folder restored from an
            older backup).
    """
    timestamp_path = meta_dir / "timestamp.json"
    if not timestamp_path.exists():
        return None
    published_root = Metadata[Root].from_file(str(meta_dir / "root.json"))
    ours = keys.root_history(keydir).get(published_root.signed.version)
    if ours is None or Metadata[Root].from_file(str(ours)).signed != published_root.signed:
        raise KnownError(f"{meta_dir.parent} 是用另一套密钥（或本密钥目录中没有的根证书版本）签发的数据源",
                         f"{meta_dir.parent} was signed with other keys (or a root version"
                         " this key folder does not hold)")  # fmt: skip
    version = Metadata[Timestamp].from_file(str(timestamp_path)).signed.snapshot_meta.version
    snapshot = Metadata[Snapshot].from_file(str(meta_dir / f"{version}.snapshot.json"))
    targets_version = snapshot.signed.meta["targets.json"].version
    return Metadata[Targets].from_file(str(meta_dir / f"{targets_version}.targets.json"))


def delegated_meta(meta_dir: Path) -> dict[str, MetaFile]:
    """What the current snapshot says of delegated roles' metadata (``app.json``)."""
    timestamp_path = meta_dir / "timestamp.json"
    if not timestamp_path.exists():
        return {}
    version = Metadata[Timestamp].from_file(str(timestamp_path)).signed.snapshot_meta.version
    snapshot = Metadata[Snapshot].from_file(str(meta_dir / f"{version}.snapshot.json"))
    return {name: meta for name, meta in snapshot.signed.meta.items() if name != "targets.json"}


def write_top_level(out: Path, keydir: Path, root: Metadata[Root], signers: dict,
                    targets: Targets, delegated: dict[str, MetaFile]) -> None:
    """Sign ``targets`` and a snapshot and timestamp of the same version (with
    ``delegated``'s metadata listed in the snapshot) and write them, root first and
    timestamp last: a terminal reading mid-build still sees a consistent feed."""
    version, expires = targets.version, targets.expires
    signed_targets = Metadata(targets)
    snapshot = Metadata(Snapshot(version=version, expires=expires,
                                 meta={"targets.json": MetaFile(version=version), **delegated}))
    timestamp = Metadata(Timestamp(version=version, expires=expires,
                                   snapshot_meta=MetaFile(version=version)))
    for role, metadata in (("targets", signed_targets), ("snapshot", snapshot), ("timestamp", timestamp)):
        metadata.sign(signers[role])
    meta_dir = out / "metadata"
    meta_dir.mkdir(parents=True, exist_ok=True)
    _write_roots(meta_dir, keydir, root)
    write_metadata(meta_dir / f"{version}.targets.json", signed_targets)
    write_metadata(meta_dir / f"{version}.snapshot.json", snapshot)
    write_metadata(meta_dir / "timestamp.json", timestamp)


def _write_target(target_dir: Path, target: str, info: TargetFile, data: bytes) -> None:
    folder, _, name = target.rpartition("/")
    path = target_dir / folder / f"{info.hashes['sha256']}.{name}"
    if path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == info.hashes["sha256"]:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(path, data)


def _write_roots(meta_dir: Path, keydir: Path, root: Metadata[Root]) -> None:
    """Every root version of the key folder as N.root.json (a terminal that trusts an old
    one walks the chain), then the current one as root.json."""
    for version, source in sorted(keys.root_history(keydir).items()):
        path = meta_dir / f"{version}.root.json"
        data = source.read_bytes()
        if not (path.exists() and path.read_bytes() == data):
            _atomic_write(path, data)
    _atomic_write(meta_dir / "root.json", root.to_bytes(JSONSerializer(compact=False)))


def write_metadata(path: Path, metadata: Metadata) -> None:
    _atomic_write(path, metadata.to_bytes(JSONSerializer(compact=False)))


def _atomic_write(path: Path, data: bytes) -> None:
    write_atomic(path, data, 0o644)  # published files: anyone may read them


def copy_trusted_root(keydir: Path, dest: Path) -> None:
    """Put the county's public root where a terminal expects its trusted root."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(keydir / "root.json", dest)
