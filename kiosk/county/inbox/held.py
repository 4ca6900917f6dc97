"""What the county holds without filing: envelopes from terminals it has not enrolled, and
envelopes that reuse a filed id with other bytes (a conflict). The clerk reviews them with
``kiosk inbox quarantine list|accept|reject``.

Held envelopes are ciphertext only. Accepting one opens it, checks its form as import does,
and files it as a case received on the day of acceptance (its statutory period starts when
the county takes it as genuine); accepting a conflict puts the held envelope in place of the
filed one under the same receipt number. Rejecting keeps the record and drops the bytes.
"""

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from kiosk.county.inbox import keys as inbox_keys
from kiosk.county.inbox.cases import (
    DECIDED_ACCEPTED,
    DECIDED_REJECTED,
    FORM_COLUMNS,
    HELD_CONFLICT,
    Case,
    Held,
    cases_db,
    close_cases,
    open_cases,
)
from kiosk.county.inbox.intake import case_row, insert_case
from kiosk.errors import KnownError
from kiosk.formats import envelope, forms, workdays


@dataclass(frozen=True)
class HeldEnvelope:
    digest: str
    receipt: str
    kind: str
    created: str
    terminal: str
    reason: str  # unknown_terminal / conflict
    arrived: str


@dataclass(frozen=True)
class KeyCount:
    terminal: str
    envelopes: int
    first: str
    last: str


def list_held(db_path: Path | str) -> tuple[list[HeldEnvelope], list[KeyCount]]:
    """Envelopes waiting for the clerk's decision, and how many came from each key."""
    open_cases(db_path)
    try:
        waiting = list(Held.select().where(Held.decided.is_null()).order_by(Held.arrived, Held.ulid))
    finally:
        close_cases()
    entries = [HeldEnvelope(h.digest, envelope.read_header(h.data).receipt, h.kind, h.created,
                            h.terminal_fingerprint, h.reason, h.arrived) for h in waiting]  # fmt: skip
    counts: dict[str, list[str]] = {}
    for entry in entries:
        counts.setdefault(entry.terminal, []).append(entry.created)
    per_key = [KeyCount(k, len(v), min(v), max(v)) for k, v in sorted(counts.items())]
    return entries, per_key


def decide(db_path: Path | str, accept: bool, *, digest: str | None = None, terminal: str | None = None,
           keydir: Path | str | None = None, passphrase: bytes | None = None, today: dt.date | None = None,
           holidays: Collection[dt.date] = (), extra_workdays: Collection[dt.date] = ()) -> int:
    """Accept or reject the held envelopes with ``digest`` (one) or from ``terminal`` (all);
    returns how many were decided.

    Raises:
        KnownError: nothing matches, or (accepting) the keys cannot open one, its form
            breaks the rules, or its receipt number is taken by another request.
    """
    if (digest is None) == (terminal is None):
        raise KnownError("请指定 --digest 或 --terminal 之一", "give exactly one of --digest and --terminal")
    today = today or dt.date.today()
    keyring = inbox_keys.load_keyring(keydir, passphrase, today) if accept else {}
    open_cases(db_path)
    try:
        chosen = Held.select().where(Held.decided.is_null() & (
            (Held.digest == digest) if digest else (Held.terminal_fingerprint == terminal)))  # fmt: skip
        chosen = list(chosen)
        if not chosen:
            raise KnownError("没有符合条件的待核实信封", "no held envelope matches")
        with cases_db.atomic():
            for held in chosen:
                if accept:
                    _file(held, keyring, today, workdays.due_on(held.kind, today, holidays, extra_workdays))
                decision = DECIDED_ACCEPTED if accept else DECIDED_REJECTED
                Held.update(decided=decision, decided_at=dt.datetime.now(dt.UTC).isoformat(),
                            data=held.data if accept else b"").where(Held.id == held.id).execute()
    finally:
        close_cases()
    return len(chosen)


def _file(held: Held, keyring: dict, today: dt.date, due_on: dt.date) -> None:
    opened = envelope.open_envelope(held.data, keyring)
    try:
        form = forms.validate(opened.header.kind, opened.form)
    except forms.FormError as exc:
        raise KnownError(f"信封 {held.digest} 的申请表不合规则：{exc.zh}",
                         f"the form in {held.digest} breaks its rules: {exc.en}") from exc
    row = case_row(opened.header, form, opened.reply_key, held.digest, today, due_on)
    if held.reason == HELD_CONFLICT:  # the held one takes the filed one's place
        filed = Case.get(Case.ulid == opened.header.id)
        values = dict(zip(("created", "terminal_fingerprint", "digest", "reply_key", *FORM_COLUMNS),
                          (row[3], row[7], row[9], row[11], *row[12:]), strict=True))  # fmt: skip
        Case.update(**values).where(Case.id == filed.id).execute()
        return
    if Case.select().where(Case.receipt == opened.header.receipt).exists():
        raise KnownError(f"回执号 {opened.header.receipt} 已被其他案件使用，请人工处理",
                         f"receipt {opened.header.receipt} is used by another case")
    insert_case(row)
