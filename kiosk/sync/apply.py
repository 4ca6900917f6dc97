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
from kiosk.formats.feed_format import (
    FEED_INFO,
    Partition,
    declaration,
    inbox_key,
    open_partition,
    partition_of,
    withdrawals,
)
from kiosk.formats.validate import DuplicateFinder, Problems, read_rows
from kiosk.store import search, writer
from kiosk.store.models import (
    CatalogueDomain,
    Decision,
    Draft,
    DraftArticle,
    FeedPartition,
    FeedState,
    Payout,
    ScreeningPolicy,
    SubsidyItem,
    Town,
    Village,
    database,
)
from kiosk.store.staging import Scope, Staging, swap_in
from kiosk.sync import payouts
from kiosk.sync.client import Cancelled, FetchedFeed
from kiosk.sync.records import RECORDS

_log = log.get("kiosk.sync")

SOURCE = "county"
_SEARCHABLE = {"catalogue_entries", "qa", "documents", "guides"}


@dataclass
class ApplySummary:
    version: int
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rows: int = 0
    validate_s: float = 0.0  # reading, checking and staging the changed partitions (wall clock)
    busy_s: float = 0.0  # of which payout partitions checked whole, summed over the processes
    write_s: float = 0.0  # of that, writing their records to scratch databases, summed likewise
    merge_s: float = 0.0  # moving the workers' records into the staging database
    index_s: float = 0.0  # building the staged payout indexes (a first sync)
    apply_s: float = 0.0  # the one transaction that swaps them in


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
    _remove_scratch(staging_path)  # a crashed sync's
    # A first sync stages the payouts with their indexes (swap_in then copies them whole).
    first_sync = any(partition_of(t).dataset is ds.PAYOUTS for t in changed) and not Payout.select().exists()
    try:
        staging = Staging(staging_path, (Payout,) if first_sync else ())
    except BaseException:  # e.g. a full disk while creating it: leave no half-made file
        staging_path.unlink(missing_ok=True)
        raise
    try:
        staged = _stage(feed, changed, staging, progress, cancelled, summary)
        finishing = time.perf_counter()
        staging.finish()
        summary.index_s = time.perf_counter() - finishing
    except BaseException:
        staging.discard()
        _remove_scratch(staging_path)
        raise
    summary.validate_s = time.perf_counter() - started

    scopes = [_scope(partition_of(t)) for t in removed]
    scopes += [_scope(partition_of(t)).with_staged(staged[t].first, staged[t].last) if t in staged
               else _scope(partition_of(t)) for t in changed]  # fmt: skip
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
        _remove_scratch(staging_path)
    summary.apply_s = time.perf_counter() - started
    _log.info("feed v%d applied: %d changed, %d removed, %d rows (validate %.1f s, apply %.1f s)",
              feed.version, len(changed), len(removed), summary.rows, summary.validate_s,
              summary.apply_s)  # fmt: skip
    return summary


def _remove_scratch(staging_path: Path) -> None:
    """Remove the payout workers' scratch databases beside ``staging_path``."""
    for path in payouts.scratch_files(staging_path.parent):
        path.unlink(missing_ok=True)


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
           progress: Callable[[int, int], None] | None, cancelled: Callable[[], bool],
           summary: ApplySummary) -> dict[str, payouts.Staged]:
    """Validate and stage every changed partition (counting the rows in ``summary``);
    returns, per payout partition, where its rows were staged.

    Raises:
        ImportRefused: any row is wrong (every problem listed).
    """
    problems = Problems()
    staged: dict[str, payouts.Staged] = {}
    check = _seeded_check(problems, {partition_of(t).dataset.name for t in changed})
    by_dataset = {d.name: [t for t in changed if partition_of(t).dataset is d] for d in ds.ALL}
    jobs = [_job(feed, t) for t in by_dataset[ds.PAYOUTS.name]]
    # Started first: its workers get ready while the reference datasets are read.
    stager = payouts.Stager(staging, sum(j.declared.rows for j in jobs), len(jobs))
    done = 0
    try:
        for dataset in ds.ALL:
            if dataset is ds.PAYOUTS and not problems:  # whole partitions, on every core
                refs = payouts.References(check.towns, check.villages, check.items)
                for job, where in stager.outcomes(jobs, refs, cancelled):
                    where = where or _stage_rows(feed, job.target, check, problems, staging)
                    if where is not None:
                        staged[job.target] = where
                        summary.rows += where.rows
                        summary.write_s += where.write_s
                    done += 1
                    if progress:
                        progress(done, len(changed))
                continue
            for target in by_dataset[dataset.name]:
                if cancelled():
                    raise Cancelled()
                where = _stage_rows(feed, target, check, problems, staging)
                if where is not None:
                    summary.rows += where.rows
                    if dataset is ds.PAYOUTS:
                        staged[target] = where
                done += 1
                if progress:
                    progress(done, len(changed))
    finally:
        stager.close()
        summary.busy_s, summary.merge_s = stager.busy_s, stager.merge_s
    if problems:
        raise problems.refuse()
    return staged


def _job(feed: FetchedFeed, target: str) -> payouts.Job:
    info, path = feed.targets[target]
    partition = partition_of(target)
    return payouts.Job(target, path, declaration(target, info.custom), partition.year, partition.town_code)


def _stage_rows(feed: FetchedFeed, target: str, check: CrossCheck, problems: Problems,
                staging: Staging) -> payouts.Staged | None:
    """Validate one partition row by row, reporting every problem, and stage its rows
    while there is none: where they went, or None once any problem is known."""
    partition = partition_of(target)
    dataset = partition.dataset
    record = RECORDS[dataset.name]
    info, path = feed.targets[target]
    first = staging.last_rowid(record.model) + 1
    bulk = writer.BulkInsert(record.model, record.fields, conn=staging.conn)
    sheet = open_partition(path, target, declaration(target, info.custom))
    for row in read_rows(dataset, path, problems, DuplicateFinder(), target, sheet=sheet):
        if not check.accept(dataset.name, row) or not _inside(partition, row, problems):
            continue
        if not problems:
            bulk.add(record.values(row))
    if problems:
        return None
    bulk.flush()
    return payouts.Staged(staging.path, first, first + bulk.count - 1)


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
    if "decisions" not in replaced:
        check.decisions.update(c for (c,) in Decision.select(Decision.code).tuples())
    if "drafts" not in replaced:
        check.drafts.update(Draft.select(Draft.code, Draft.version).tuples())
    if "draft_articles" not in replaced:
        check.articles.update(DraftArticle.select(DraftArticle.draft_code, DraftArticle.version,
                                                  DraftArticle.article, DraftArticle.clause).tuples())
    if "screening_policies" not in replaced:
        check.screened.update(c for (c,) in ScreeningPolicy.select(ScreeningPolicy.code).tuples())
    return check
