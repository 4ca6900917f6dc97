"""Terminal side: validate the fetched partitions fully, then apply them atomically.

Only partitions whose content hash differs from what the terminal holds are read. Every
row is validated with the same rules as the county side; rows that refer to towns,
villages or items are checked against the new partitions and, for what did not change,
against the database. Then all changed partitions replace their rows in ONE transaction
(kiosk.store.staging), together with the bookkeeping: a reader sees either all the old data
or all the new.
"""

import datetime as dt
import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kiosk import config, log
from kiosk.errors import KnownError
from kiosk.formats import datasets as ds
from kiosk.formats.checks import CrossCheck
from kiosk.formats.columns import plain_columns
from kiosk.formats.feed_format import (
    FEED_INFO,
    Declared,
    Partition,
    declaration,
    inbox_key,
    open_partition,
    partition_of,
    read_columns,
    withdrawals,
)
from kiosk.formats.validate import DuplicateFinder, Problems, read_rows
from kiosk.store import search, writer
from kiosk.store.models import (
    CatalogueDomain,
    FeedPartition,
    FeedState,
    SubsidyItem,
    Town,
    Village,
    database,
)
from kiosk.store.staging import Scope, Staging, swap_in
from kiosk.sync.client import Cancelled, FetchedFeed
from kiosk.sync.records import RECORDS, payout_rows

_log = log.get("kiosk.sync")

SOURCE = "county"
_SEARCHABLE = {"catalogue_entries", "qa", "documents", "guides"}


@dataclass
class ApplySummary:
    version: int
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rows: int = 0
    validate_s: float = 0.0
    apply_s: float = 0.0


def _scope(partition: Partition) -> Scope:
    if partition.dataset is ds.PAYOUTS:
        return Scope.payouts(partition.year, partition.town_code)
    return Scope(RECORDS[partition.dataset.name].model)


def apply_feed(feed: FetchedFeed, staging_path: Path, actor: str = "sync",
               progress: Callable[[int, int], None] | None = None,
               cancelled: Callable[[], bool] = lambda: False) -> ApplySummary:
    """Apply what changed in ``feed``; refuse the whole feed on any bad row.

    Raises:
        ImportRefused: a row failed validation (``target:row:column: reason``).
        KnownError: the feed is older than the data already applied.
        Cancelled: ``cancelled()`` turned true before the transaction began.
    """
    state = FeedState.get_or_none(FeedState.source == SOURCE)
    if state is not None and feed.version < state.version:
        raise KnownError(
            f"数据源版本 {feed.version} 比本机已应用的版本 {state.version} 旧，已拒绝",
            f"feed version {feed.version} is older than the applied version {state.version}; refused",
        )
    feed_info = _info(feed)
    withdrawn = withdrawals(feed_info, feed.targets)
    county_inbox_key = inbox_key(feed_info)
    held = {p.target: p.sha256 for p in FeedPartition.select()}
    wanted = {t: info for t, (info, _) in feed.targets.items() if t != FEED_INFO}
    changed = sorted(t for t, info in wanted.items() if held.get(t) != info.hashes["sha256"])
    removed = sorted(t for t in held if t not in wanted)
    summary = ApplySummary(feed.version, changed, removed)
    if not changed and not removed and state is not None and state.version == feed.version:
        return summary  # already up to date: nothing to write

    started = time.perf_counter()
    try:
        staging = Staging(staging_path)
    except BaseException:  # e.g. a full disk while creating it: leave no half-made file
        staging_path.unlink(missing_ok=True)
        raise
    try:
        summary.rows, staged = _stage(feed, changed, staging, progress, cancelled)
        staging.finish()
    except BaseException:
        staging.discard()
        raise
    summary.validate_s = time.perf_counter() - started

    scopes = [_scope(partition_of(t)) for t in removed]
    scopes += [_scope(partition_of(t)).with_staged(*staged[t]) if t in staged else _scope(partition_of(t))
               for t in changed]  # fmt: skip
    now = dt.datetime.now().replace(microsecond=0)
    # Stored as the terminal's local time, which is what "数据更新于" shows.
    data_as_of = dt.datetime.fromisoformat(feed.data_as_of).astimezone().replace(tzinfo=None)

    def bookkeeping() -> None:
        if removed:
            FeedPartition.delete().where(FeedPartition.target.in_(removed)).execute()
        for target in changed:
            FeedPartition.replace(target=target, sha256=wanted[target].hashes["sha256"],
                                  feed_version=feed.version, applied_at=now).execute()  # fmt: skip
        if any(partition_of(t).dataset.name in _SEARCHABLE for t in changed + removed):
            search.rebuild_raw(database.connection())
        # Withdrawn town-years land with the removal of their rows: never one without the other.
        writer.replace_withdrawals([(w.year, w.town, w.reason, w.at) for w in withdrawn],
                                   feed.version)  # fmt: skip
        message = f"{len(changed)} 个分区更新，{len(removed)} 个分区移除，{summary.rows} 行"
        if withdrawn:
            message += f"，{len(withdrawn)} 个乡镇年度已由县里撤回"
        writer.record_feed_state(SOURCE, feed.version, data_as_of, message,
                                 county_inbox_key.key if county_inbox_key else None,
                                 county_inbox_key.expires if county_inbox_key else None)
        writer.audit("sync", actor, f"feed v{feed.version}: {message}")
        _pause_for_fault_tests()

    started = time.perf_counter()
    try:
        swap_in(staging_path, scopes, bookkeeping)
    except sqlite3.IntegrityError as exc:
        # Only possible when partitions disagree (a village removed that payouts still
        # name); the transaction has been rolled back.
        raise KnownError("数据源内部不一致（引用了不存在的村或项目），已拒绝",
                         f"the feed is inconsistent ({exc}); refused") from exc
    finally:
        staging_path.unlink(missing_ok=True)
    summary.apply_s = time.perf_counter() - started
    _log.info("feed v%d applied: %d changed, %d removed, %d rows (validate %.1f s, apply %.1f s)",
              feed.version, len(changed), len(removed), summary.rows, summary.validate_s,
              summary.apply_s)  # fmt: skip
    return summary


def _info(feed: FetchedFeed) -> dict:
    """The feed's own ``feed.json`` (withdrawals, the inbox key); its entries are checked
    by the reader of each."""
    info = json.loads(feed.targets[FEED_INFO][1].read_bytes())
    return info if isinstance(info, dict) else {}


def _pause_for_fault_tests() -> None:
    """With KIOSK_FAULT_PAUSE_IN_APPLY=<file>, write that file and wait inside the apply
    transaction, so the crash test can kill -9 the process exactly there."""
    marker = config.env("KIOSK_FAULT_PAUSE_IN_APPLY")
    if marker:
        Path(marker).write_text("applying", encoding="utf-8")
        time.sleep(120)


def _stage(feed: FetchedFeed, changed: list[str], staging: Staging,
           progress: Callable[[int, int], None] | None,
           cancelled: Callable[[], bool]) -> tuple[int, dict[str, tuple[int, int]]]:
    """Validate and stage every changed partition; returns the rows staged and, per payout
    partition, the rowid range its rows got in the staging table.

    Raises:
        ImportRefused: any row is wrong (every problem listed).
    """
    problems = Problems()
    staged: dict[str, tuple[int, int]] = {}
    check = _seeded_check(problems, {partition_of(t).dataset.name for t in changed})
    by_dataset = {d.name: [t for t in changed if partition_of(t).dataset is d] for d in ds.ALL}
    rows = done = 0
    for dataset in ds.ALL:
        record = RECORDS[dataset.name]
        for target in by_dataset[dataset.name]:
            if cancelled():
                raise Cancelled()
            partition = partition_of(target)
            info, path = feed.targets[target]
            declared = declaration(target, info.custom)
            first = staging.last_rowid(record.model) + 1
            if dataset is ds.PAYOUTS and not problems:
                count = _stage_payouts(partition, path, declared, check, staging)
                if count is not None:
                    rows += count
                    staged[target] = (first, first + count - 1)
                    done += 1
                    if progress:
                        progress(done, len(changed))
                    continue
            bulk = writer.BulkInsert(record.model, record.fields, conn=staging.conn)
            sheet = open_partition(path, target, declared)
            for row in read_rows(dataset, path, problems, DuplicateFinder(), target, sheet=sheet):
                if not check.accept(dataset.name, row) or not _inside(partition, row, problems):
                    continue
                if not problems:
                    bulk.add(record.values(row))
            if not problems:
                bulk.flush()
                rows += bulk.count
                if dataset is ds.PAYOUTS:
                    staged[target] = (first, first + bulk.count - 1)
            done += 1
            if progress:
                progress(done, len(changed))
    if problems:
        raise problems.refuse()
    return rows, staged


def _stage_payouts(partition: Partition, path: Path, declared: Declared, check: CrossCheck,
                   staging: Staging) -> int | None:
    """Stage a payout partition checked a column at a time: the rows staged, or None when
    any row might be refused (the caller then reads it row by row, for the messages)."""
    headers, raw = read_columns(path, partition.target, declared)
    columns = plain_columns(ds.PAYOUTS, headers, raw) if raw is not None else None
    if columns is None:
        return None
    item_codes = check.payout_items(columns)
    if item_codes is None or set(columns["year"]) - {partition.year}:
        return None
    if any(not code.startswith(partition.town_code) for code in set(columns["village_code"])):
        return None
    record = RECORDS[ds.PAYOUTS.name]
    bulk = writer.BulkInsert(record.model, record.fields, conn=staging.conn)
    bulk.add_many(payout_rows(columns, item_codes))
    bulk.flush()
    return bulk.count


def _inside(partition: Partition, row: dict, problems: Problems) -> bool:
    """A payout row must belong to its partition's year and town."""
    if partition.dataset is not ds.PAYOUTS:
        return True
    if row["year"] == partition.year and row["village_code"].startswith(partition.town_code):
        return True
    problems.add(row["_where"], f"该行不属于分区 {partition.target}",
                 f"the row does not belong to partition {partition.target}")
    return False


def _seeded_check(problems: Problems, replaced: set[str]) -> CrossCheck:
    """A CrossCheck that already knows the reference rows that this sync does not replace."""
    check = CrossCheck(problems)
    if "towns" not in replaced:
        check.towns.update(dict(Town.select(Town.code, Town.name).tuples()))
    if "villages" not in replaced:
        check.villages.update(
            {code: (town, name) for code, town, name in
             Village.select(Village.code, Village.town, Village.name).tuples()}
        )  # fmt: skip
    if "subsidy_items" not in replaced:
        check.items.update(dict(SubsidyItem.select(SubsidyItem.name, SubsidyItem.code).tuples()))
    if "catalogue_domains" not in replaced:
        check.domains.update(c for (c,) in CatalogueDomain.select(CatalogueDomain.code).tuples())
    return check
