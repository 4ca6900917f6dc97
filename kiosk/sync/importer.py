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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kiosk import log
from kiosk.errors import KnownError
from kiosk.store import search, text, writer
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
from kiosk.sync.spreadsheet import SUFFIXES
from kiosk.sync.validate import DuplicateFinder, Problems, Row, read_rows

_log = log.get("kiosk.sync")

DEMO_MARK = "演示数据"

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
        loader = _Loader(problems)
        for dataset in ds.ALL:
            files = dataset_files(src, dataset)
            if not files:
                problems.add(str(src / f"{dataset.name}.csv"), f"缺少“{dataset.title}”文件",
                             f"the {dataset.name} file is missing")
            duplicates = DuplicateFinder()
            for path in files:
                rows = read_rows(dataset, path, problems, duplicates, display=_display(src, path))
                summary.counts[dataset.name] = summary.counts.get(dataset.name, 0) + loader.load(
                    dataset, rows
                )
                summary.files += 1
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


class _Loader:
    """Cross-checks rows against what was loaded before them, then writes them."""

    def __init__(self, problems: Problems):
        self.problems = problems
        self.towns: dict[str, str] = {}
        self.villages: dict[str, tuple[str, str]] = {}  # code -> (town code, name)
        self.items: dict[str, str] = {}  # name -> code
        self.domains: set[str] = set()

    def load(self, dataset: ds.Dataset, rows: Iterator[Row]) -> int:
        handler = getattr(self, f"_{dataset.name}")
        bulk = handler(rows)
        if self.problems:
            return 0
        bulk.flush()
        return bulk.count

    def _refuse(self, row: Row, column: str, zh: str, en: str) -> None:
        self.problems.add(f"{row['_where']}:{column}", zh, en)

    def _writing(self) -> bool:
        # Once anything failed, keep validating but stop spending time on writes.
        return not self.problems

    def _towns(self, rows):
        bulk = writer.BulkInsert(Town, ("code", "name", "kind", "pinyin", "initials"))
        for r in rows:
            self.towns[r["code"]] = r["name"]
            if self._writing():
                name = r["name"]
                bulk.add((r["code"], name, r["kind"], text.full_pinyin(name), text.initials(name)))
        return bulk

    def _villages(self, rows):
        bulk = writer.BulkInsert(
            Village, ("code", "town", "name", "pinyin", "initials", "is_demo")
        )
        for r in rows:
            code, town = r["code"], r["town_code"]
            if town not in self.towns:
                self._refuse(r, "乡镇代码", f"未知的乡镇代码 {town}", f"unknown town code {town}")
                continue
            if not code.startswith(town):
                self._refuse(r, "村代码", f"村代码 {code} 不属于乡镇 {town}",
                             f"village code {code} is not under town {town}")
                continue
            self.villages[code] = (town, r["name"])
            if self._writing():
                name = r["name"]
                bulk.add((code, town, name, text.full_pinyin(name), text.initials(name),
                          DEMO_MARK in r["remark"]))  # fmt: skip
        return bulk

    def _subsidy_items(self, rows):
        fields = ("code", "name", "category", "paid_per", "unit", "frequency", "department",
                  "basis", "standard_fen")  # fmt: skip
        bulk = writer.BulkInsert(SubsidyItem, fields)
        for r in rows:
            self.items[r["name"]] = r["code"]
            if self._writing():
                bulk.add(tuple(r[f] for f in fields))
        return bulk

    def _payouts(self, rows):
        bulk = writer.BulkInsert(
            Payout,
            ("village", "year", "item", "paid_on", "batch", "name", "name_initials", "id_masked",
             "id_last4", "quantity_centi", "unit", "standard_fen", "amount_fen",
             "account_last4", "remark"),
        )  # fmt: skip
        for r in rows:
            code = r["village_code"]
            village = self.villages.get(code)
            if village is None:
                self._refuse(r, "村代码", f"未知的村代码 {code}", f"unknown village code {code}")
                continue
            town_code, village_name = village
            if r["town_name"] != self.towns[town_code]:
                self._refuse(r, "乡镇", f"乡镇“{r['town_name']}”与村代码 {code} 不符",
                             f"town '{r['town_name']}' does not match village code {code}")
                continue
            if r["village_name"] != village_name:
                self._refuse(r, "村", f"村名“{r['village_name']}”与村代码 {code} 不符",
                             f"village '{r['village_name']}' does not match code {code}")
                continue
            item = self.items.get(r["item_name"])
            if item is None:
                self._refuse(r, "补贴项目", f"补贴项目“{r['item_name']}”不在补贴项目清单中",
                             f"subsidy item '{r['item_name']}' is not in the item list")
                continue
            if self._writing():
                name, masked = r["name"], r["id_masked"]
                bulk.add((code, r["year"], item, r["paid_on"], r["batch"], name,
                          text.name_initials(name), masked, masked[-4:], r["quantity_centi"],
                          r["unit"], r["standard_fen"], r["amount_fen"],
                          r["account_last4"] or "", r["remark"]))  # fmt: skip
        return bulk

    def _catalogue_domains(self, rows):
        fields = ("code", "seq", "name", "lead_department")
        bulk = writer.BulkInsert(CatalogueDomain, fields)
        for r in rows:
            self.domains.add(r["code"])
            if self._writing():
                bulk.add(tuple(r[f] for f in fields))
        return bulk

    def _catalogue_entries(self, rows):
        fields = ("seq", "item_code", "level1", "level2", "content", "basis", "time_limit",
                  "subject", "channels", "audience", "mode", "levels")  # fmt: skip
        bulk = writer.BulkInsert(CatalogueEntry, ("domain", *fields, "title_initials"))
        for r in rows:
            if r["domain_code"] not in self.domains:
                self._refuse(r, "领域代码", f"未知的领域代码 {r['domain_code']}",
                             f"unknown domain code {r['domain_code']}")
                continue
            if self._writing():
                title = f"{r['level1']}{r['level2']}"
                bulk.add((r["domain_code"], *(r[f] for f in fields), text.initials(title)))
        return bulk

    def _qa(self, rows):
        fields = ("code", "question", "similar", "answer", "category", "basis",
                  "basis_doc_number", "department", "phone", "updated_on", "status")  # fmt: skip
        bulk = writer.BulkInsert(QAEntry, (*fields, "question_initials"))
        for r in rows:
            if self._writing():
                bulk.add((*(r[f] for f in fields), text.initials(r["question"])))
        return bulk

    def _documents(self, rows):
        fields = ("index_no", "title", "doc_number", "issuer", "written_on", "published_on",
                  "effective_on", "expires_on", "validity", "topic", "body",
                  "interpretation")  # fmt: skip
        bulk = writer.BulkInsert(PolicyDocument, (*fields, "title_initials"))
        for r in rows:
            if self._writing():
                bulk.add((*(r[f] for f in fields), text.initials(r["title"])))
        return bulk

    def _guides(self, rows):
        fields = ("code", "name", "category", "conditions", "materials", "procedure",
                  "time_limit", "location", "hours", "phone", "fee", "basis")  # fmt: skip
        bulk = writer.BulkInsert(ServiceGuide, fields)
        for r in rows:
            if self._writing():
                bulk.add(tuple(r[f] for f in fields))
        return bulk

    def _contacts(self, rows):
        fields = ("kind", "name", "department", "phone", "address", "hours", "town", "remark")
        bulk = writer.BulkInsert(Contact, fields)
        for r in rows:
            town = r["town_code"]
            if town is not None and town not in self.towns:
                self._refuse(r, "乡镇代码", f"未知的乡镇代码 {town}", f"unknown town code {town}")
                continue
            if self._writing():
                bulk.add((r["kind"], r["name"], r["department"], r["phone"], r["address"],
                          r["hours"], town, r["remark"]))  # fmt: skip
        return bulk
