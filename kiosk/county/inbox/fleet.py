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


def file_reports(reports: Iterable[Filed]) -> int:
    """File the reports in signing order, within the caller's transaction; returns how many
    were late (signed before one already filed from the same terminal)."""
    late_count = 0
    newest: dict[str, str] = {}
    for item in sorted(reports, key=lambda r: (r.header.created, r.digest)):
        fingerprint = item.header.terminal_fingerprint
        signed = _time(item.header.created).isoformat(timespec="milliseconds")  # reports a second apart
        if fingerprint not in newest:
            newest[fingerprint] = (StatusReport.select(fn.MAX(StatusReport.signed))
                                   .where(StatusReport.terminal_fingerprint == fingerprint).scalar() or "")
        late = signed <= newest[fingerprint]
        late_count += late
        newest[fingerprint] = max(newest[fingerprint], signed)
        StatusReport.create(digest=item.digest, ulid=item.header.id, terminal_fingerprint=fingerprint,
                            signed=signed, received=_iso(item.received), via=item.report["sent_via"],
                            body=json.dumps(item.report, ensure_ascii=False, sort_keys=True), late=late)
        _merge_faults(fingerprint, item.report["faults"], signed, late)
        _merge_usage(fingerprint, item.report["usage"], signed)
    return late_count


def _merge_faults(fingerprint: str, faults: list[dict], signed: str, late: bool) -> None:
    for fault in faults:
        since = _iso(_time(fault["since"]))
        cleared = _iso(_time(fault["cleared"])) if fault["cleared"] else None
        row = TerminalFault.get_or_none((TerminalFault.terminal_fingerprint == fingerprint)
                                        & (TerminalFault.code == fault["code"])
                                        & (TerminalFault.since == since))  # fmt: skip
        if row is None:
            TerminalFault.create(terminal_fingerprint=fingerprint, code=fault["code"], since=since,
                                 cleared=cleared, detail=fault["detail"], reported=signed)
            continue
        changes = {}
        if row.cleared is None and cleared is not None:
            changes["cleared"] = cleared  # once cleared, a late report saying "open" changes nothing
        if not late and signed > row.reported:
            changes.update(detail=fault["detail"], reported=signed)
        if changes:
            TerminalFault.update(**changes).where(TerminalFault.id == row.id).execute()


def _merge_usage(fingerprint: str, usage: dict[str, dict[str, int]], signed: str) -> None:
    rows = [(fingerprint, month, kind, n, signed)
            for month, counts in usage.items() for kind, n in counts.items()]  # fmt: skip
    if rows:
        cases_db.execute_sql(
            "INSERT INTO terminal_usage (terminal_fingerprint, month, kind, count, signed) "
            f"VALUES {', '.join(['(?, ?, ?, ?, ?)'] * len(rows))} "
            "ON CONFLICT (terminal_fingerprint, month, kind) DO UPDATE SET count = excluded.count, "
            "signed = excluded.signed WHERE excluded.signed > terminal_usage.signed",
            [value for row in rows for value in row],
        )


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
