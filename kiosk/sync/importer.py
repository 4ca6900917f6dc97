"""Load a folder of county spreadsheets into the store: all or nothing.

Layout of the folder (what the county exports, what ``kiosk demo`` writes)::

    towns.csv  villages.csv|xlsx  subsidy_items.csv  catalogue_domains.csv
    catalogue_entries.csv  qa.csv  documents.csv  guides.csv  contacts.csv
    payouts/*.csv|xlsx        (any number of files, e.g. one per town and year)

Every row of every file is checked; any problem refuses the whole import with one
``file:row:column: reason`` line per problem, and the transaction is rolled back, so the
database is exactly as it was.
"""

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

from kiosk import log
from kiosk.errors import KnownError
from kiosk.store import search, writer
from kiosk.store.models import (
    CatalogueDomain,
    CatalogueEntry,
    Contact,
    Payout,
    PolicyDocument,
    QAEntry,
    ServiceGuide,
    SubsidyItem,
    Town,
    Village,
    database,
)
from kiosk.sync import datasets as ds
from kiosk.sync.checks import CrossCheck
from kiosk.sync.records import RECORDS
from kiosk.sync.spreadsheet import SUFFIXES
from kiosk.sync.validate import DuplicateFinder, Problems, read_rows

_log = log.get("kiosk.sync")

# Children first, so deleting never trips a foreign key.
_TABLES = (Payout, Village, Contact, Town, SubsidyItem, CatalogueEntry, CatalogueDomain,
           QAEntry, PolicyDocument, ServiceGuide)  # fmt: skip


@dataclass
class ImportSummary:
    counts: dict[str, int] = field(default_factory=dict)
    files: int = 0
    seconds: float = 0.0


def dataset_files(src: Path, dataset: ds.Dataset) -> list[Path]:
    """The files in ``src`` holding ``dataset`` (``name.csv``/``name.xlsx``, or ``name/*``)."""
    found = [src / f"{dataset.name}{s}" for s in SUFFIXES if (src / f"{dataset.name}{s}").is_file()]
    folder = src / dataset.name
    if dataset.many_files and folder.is_dir():
        found += sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES)
    return found


def import_directory(src: Path, actor: str = "import") -> ImportSummary:
    """Validate and load every dataset under ``src`` in one transaction.

    Raises:
        ImportRefused: one or more rows failed; nothing was changed.
        KnownError: ``src`` is not a folder.
    """
    if not src.is_dir():
        raise KnownError(f"找不到数据目录 {src}", f"input folder {src} does not exist")
    started = time.perf_counter()
    problems = Problems()
    summary = ImportSummary()
    with database.atomic(lock_type="IMMEDIATE"):
        writer.delete_all(_TABLES)
        check = CrossCheck(problems)
        for dataset in ds.ALL:
            files = dataset_files(src, dataset)
            if not files:
                problems.add(str(src / f"{dataset.name}.csv"), f"缺少“{dataset.title}”文件",
                             f"the {dataset.name} file is missing")
            record = RECORDS[dataset.name]
            bulk = writer.BulkInsert(record.model, record.fields)
            duplicates = DuplicateFinder()
            for path in files:
                for row in read_rows(dataset, path, problems, duplicates, _display(src, path)):
                    # Once anything failed, keep checking but stop spending time on writes.
                    if check.accept(dataset.name, row) and not problems:
                        bulk.add(record.values(row))
                summary.files += 1
            if not problems:
                bulk.flush()
            summary.counts[dataset.name] = bulk.count
        if problems:
            raise problems.refuse()  # leaving the `with` rolls everything back
        search.rebuild_raw(database.connection())
        summary.seconds = time.perf_counter() - started
        writer.record_feed_state(
            "import", 0, dt.datetime.now().replace(microsecond=0), f"imported from {src}"
        )
        writer.audit("import", actor, f"{src}: {summary.counts}")
    _log.info("imported %s in %.1f s: %s", src, summary.seconds, summary.counts)
    return summary


def _display(src: Path, path: Path) -> str:
    try:
        return str(path.relative_to(src))
    except ValueError:
        return str(path)


def _display(src: Path, path: Path) -> str:
    try:
        return str(path.relative_to(src))
    except ValueError:
        return str(path)
