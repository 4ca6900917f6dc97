"""Fleet health at the county: filing the terminals' signed status reports and reading
them back as one row per terminal.

"Last seen" is the time a terminal signed into its report, never the time a file reached
the county: a network box that replays or holds back files cannot make a dark terminal look
alive (the mistake of xibo #283, where a server-side request refreshed "last seen"), and a
report that rides a USB stick for days still shows when it was written. A terminal whose
clock runs ahead cannot look alive either: a report signed later than the county received
it counts as seen when received, and is marked.

Reports are merged, not replaced: a late one (signed before one already filed) changes no
state but adds what it knows about faults (a fault is keyed by terminal, code and since,
and once cleared stays cleared) and counts (a month's count is the newest report's).
"""

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from peewee import fn

from kiosk.county.inbox.cases import (
    TERMINAL_REVOKED,
    StatusReport,
    Terminal,
    TerminalFault,
    TerminalUsage,
    cases_db,
)
from kiosk.formats import envelope
from kiosk.formats.status_report import FAULTS

SILENT_AFTER = dt.timedelta(days=2)  # a terminal syncs and reports several times a day
CLOCK_AHEAD_SLACK = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Filed:
    """A status report ready to file: opened, checked, from an enrolled terminal."""

    header: envelope.Header
    report: dict
    digest: str
    received: dt.datetime


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="seconds")


# Plain executemany on the cases database's own connection (as intake files cases): peewee
# builds a statement per row, which cost more than everything else filing does.
_INSERT_REPORT = ("INSERT INTO status_report (digest, ulid, terminal_fingerprint, signed, received, via, "
                  "body, late) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")  # fmt: skip
_UPSERT_USAGE = (
    "INSERT INTO terminal_usage (terminal_fingerprint, month, kind, count, signed) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (terminal_fingerprint, month, kind) DO UPDATE SET count = excluded.count, "
    "signed = excluded.signed WHERE excluded.signed > terminal_usage.signed"
)
_CHUNK = 500  # fingerprints in one IN (...): well under SQLite's limit on bound values


def file_reports(reports: Iterable[Filed]) -> int:
    """File the reports in signing order, within the caller's transaction; returns how many
    were late (signed before one already filed from the same terminal).

    The batch is merged in memory, in signing order, against what the database held before
    it (each terminal's newest signed time, the faults of the terminals it names), then
    written with one statement per table."""
    ordered = sorted(reports, key=lambda r: (r.header.created, r.digest))
    owners = [item.header.terminal_fingerprint for item in ordered]  # a hash each time it is asked
    fingerprints = sorted(set(owners))
    newest = dict.fromkeys(fingerprints, "")
    newest.update(_newest_signed(fingerprints))
    faults = _Faults(sorted({fp for fp, item in zip(owners, ordered, strict=True) if item.report["faults"]}))
    rows, usage, late_count = [], [], 0
    for fingerprint, item in zip(owners, ordered, strict=True):
        signed = _time(item.header.created).isoformat(timespec="milliseconds")  # reports a second apart
        late = signed <= newest[fingerprint]
        late_count += late
        newest[fingerprint] = max(newest[fingerprint], signed)
        rows.append((item.digest, item.header.id, fingerprint, signed, _iso(item.received),
                     item.report["sent_via"], json.dumps(item.report, ensure_ascii=False, sort_keys=True),
                     late))  # fmt: skip
        faults.merge(fingerprint, item.report["faults"], signed, late)
        usage += [(fingerprint, month, kind, n, signed)
                  for month, counts in item.report["usage"].items()
                  for kind, n in counts.items()]  # fmt: skip
    conn = cases_db.connection()
    conn.executemany(_INSERT_REPORT, rows)
    faults.write(conn)
    conn.executemany(_UPSERT_USAGE, usage)  # row by row in signing order: the newest count stays
    return late_count


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def _newest_signed(fingerprints: list[str]) -> dict[str, str]:
    """Each terminal's newest signed time among the reports already filed (late ones too)."""
    newest = {}
    for chunk in _chunks(fingerprints):
        newest.update(cases_db.execute_sql(
            "SELECT terminal_fingerprint, MAX(signed) FROM status_report "
            f"WHERE terminal_fingerprint IN ({', '.join('?' * len(chunk))}) GROUP BY terminal_fingerprint",
            chunk).fetchall())  # fmt: skip
    return newest


class _Faults:
    """The faults of some terminals, merged in memory and written once. A fault is keyed by
    terminal, code and since; once cleared it stays cleared; its detail is the newest
    (not late) report's."""

    def __init__(self, fingerprints: list[str]):
        self.known: dict[tuple[str, str, str], list] = {}  # key -> [id or None, cleared, detail, reported]
        self.changed: dict[tuple[str, str, str], None] = {}  # in the order first changed (ids as before)
        for chunk in _chunks(fingerprints):
            for row_id, fingerprint, code, since, cleared, detail, reported in cases_db.execute_sql(
                "SELECT id, terminal_fingerprint, code, since, cleared, detail, reported FROM terminal_fault "
                f"WHERE terminal_fingerprint IN ({', '.join('?' * len(chunk))})", chunk,
            ):  # fmt: skip
                self.known[(fingerprint, code, since)] = [row_id, cleared, detail, reported]

    def merge(self, fingerprint: str, faults: list[dict], signed: str, late: bool) -> None:
        for fault in faults:
            since = _iso(_time(fault["since"]))
            cleared = _iso(_time(fault["cleared"])) if fault["cleared"] else None
            key = (fingerprint, fault["code"], since)
            row = self.known.get(key)
            if row is None:
                self.known[key] = [None, cleared, fault["detail"], signed]
                self.changed[key] = None
                continue
            if row[1] is None and cleared is not None:
                row[1] = cleared  # once cleared, a late report saying "open" changes nothing
                self.changed[key] = None
            if not late and signed > row[3]:
                row[2], row[3] = fault["detail"], signed
                self.changed[key] = None

    def write(self, conn) -> None:
        new, updated = [], []
        for key in self.changed:
            row_id, cleared, detail, reported = self.known[key]
            if row_id is None:
                new.append((*key, cleared, detail, reported))
            else:
                updated.append((cleared, detail, reported, row_id))
        conn.executemany("INSERT INTO terminal_fault (terminal_fingerprint, code, since, cleared, detail, "
                         "reported) VALUES (?, ?, ?, ?, ?, ?)", new)  # fmt: skip
        conn.executemany("UPDATE terminal_fault SET cleared = ?, detail = ?, reported = ? WHERE id = ?",
                         updated)  # fmt: skip


# -- reading the fleet ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenFault:
    code: str
    name: str
    since: dt.datetime
    detail: str


@dataclass(frozen=True)
class FleetRow:
    """One enrolled (or revoked) terminal as the county's office sees it: plain data."""

    fingerprint: str
    name: str
    town: str
    revoked: bool
    seen: dt.datetime | None  # the signed time of its newest report (see ``clock_ahead``)
    via: str  # how that report travelled: "http" / "usb" / ""
    received: dt.datetime | None  # when the county filed it
    clock_ahead: bool  # signed after the county received it: seen counts from ``received``
    app_version: str
    feed_version: int
    data_as_of: dt.datetime | None
    disk_free_mb: int | None
    printer: str  # status_report.PRINT_OUTCOMES
    printer_pages: int
    outbox_waiting: int
    faults: tuple[OpenFault, ...] = field(default_factory=tuple)
    silent: bool = False  # no report signed within the threshold

    @property
    def data_lag_days(self) -> int | None:
        if self.seen is None or self.data_as_of is None:
            return None
        return max(0, (self.seen - self.data_as_of).days)


def fleet_rows(now: dt.datetime | None = None, silent_after: dt.timedelta = SILENT_AFTER) -> list[FleetRow]:
    """Every terminal the county lists, with its newest report, silent ones marked; in town
    and name order."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    newest = {}
    latest = (StatusReport.select(StatusReport.terminal_fingerprint,
                                  fn.MAX(StatusReport.signed).alias("signed"))
              .where(~StatusReport.late).group_by(StatusReport.terminal_fingerprint))  # fmt: skip
    for report in StatusReport.select().join(
        latest, on=((StatusReport.terminal_fingerprint == latest.c.terminal_fingerprint)
                    & (StatusReport.signed == latest.c.signed))):  # fmt: skip
        newest[report.terminal_fingerprint] = report
    faults: dict[str, list[OpenFault]] = {}
    for fault in TerminalFault.select().where(TerminalFault.cleared.is_null()).order_by(TerminalFault.since):
        faults.setdefault(fault.terminal_fingerprint, []).append(
            OpenFault(fault.code, FAULTS.get(fault.code, fault.code), _time(fault.since), fault.detail))
    rows = []
    for terminal in Terminal.select().order_by(Terminal.town, Terminal.name, Terminal.fingerprint):
        report = newest.get(terminal.fingerprint)
        rows.append(_row(terminal, report, faults.get(terminal.fingerprint, []), now, silent_after))
    return rows


def _row(terminal: Terminal, report: StatusReport | None, faults: list[OpenFault], now: dt.datetime,
         silent_after: dt.timedelta) -> FleetRow:  # fmt: skip
    revoked = terminal.status == TERMINAL_REVOKED
    if report is None:
        return FleetRow(terminal.fingerprint, terminal.name, terminal.town, revoked, None, "", None, False,
                        "", 0, None, None, "", 0, 0, tuple(faults), silent=not revoked)  # fmt: skip
    body = json.loads(report.body)
    signed, received = _time(report.signed), _time(report.received)
    ahead = signed > received + CLOCK_AHEAD_SLACK
    seen = received if ahead else signed
    return FleetRow(
        terminal.fingerprint, terminal.name, terminal.town, revoked, seen, report.via, received, ahead,
        body["app_version"], body["feed_version"], _time(body["data_as_of"]) if body["data_as_of"] else None,
        body["disk_free_mb"], body["printer"]["last_outcome"], body["printer"]["pages_since"],
        body["outbox"]["waiting"], tuple(faults), silent=not revoked and now - seen > silent_after,
    )  # fmt: skip


def usage_by_month(year: int) -> list[tuple[str, str, str, dict[str, int]]]:
    """(town, terminal name, month, {kind: count}) for every terminal month of ``year``."""
    names = {t.fingerprint: (t.town, t.name or t.fingerprint) for t in Terminal.select()}
    out: dict[tuple[str, str, str], dict[str, int]] = {}
    query = TerminalUsage.select().where(TerminalUsage.month.startswith(f"{year}-"))
    for row in query:
        town, name = names.get(row.terminal_fingerprint, ("", row.terminal_fingerprint))
        out.setdefault((town, name, row.month), {})[row.kind] = row.count
    return [(*key, counts) for key, counts in sorted(out.items())]
