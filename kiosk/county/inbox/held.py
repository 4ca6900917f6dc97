"""What the county holds without filing: envelopes from terminals it has not enrolled, and
envelopes that reuse a filed id with other bytes (a conflict). The clerk reviews them with
``kiosk inbox quarantine list|accept|reject``.

Held envelopes are ciphertext only. Accepting one opens it, checks its form as import does,
and files it as a case received on the day of acceptance (its statutory period starts when
the county takes it as genuine); accepting a conflict puts the held envelope in place of the
filed one under the same receipt number. Rejecting keeps the record and drops the bytes.

A held comment (意见征集) is filed as a comment, by the same rules as import against the
county's consultations (comments.comment_refusal): it counts as received on the day it
reached the county (its arrival, for the courier's grace too), not the day of acceptance,
since the clerk's review is no fault of the villager's. One that breaks the rules is
rejected with its reason named (its bytes kept, as import keeps a refused file) while the
rest of the batch goes through; without the consultations it stays held, named, nothing lost.
"""

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.county.inbox import comments as consultations_rules
from kiosk.county.inbox import keys as inbox_keys
from kiosk.county.inbox.cases import (
    DECIDED_ACCEPTED,
    DECIDED_REJECTED,
    FORM_COLUMNS,
    HELD_CONFLICT,
    Adoption,
    Case,
    Comment,
    Held,
    cases_db,
    close_cases,
    open_cases,
)
from kiosk.county.inbox.intake import (
    COMMENT,
    NO_CONSULTATIONS,
    case_row,
    comment_row,
    insert_case,
    insert_comment,
    local_day,
    replace_comment,
)
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


@dataclass(frozen=True)
class NotFiled:
    """A held comment accepting did not file: refused by the consultation rules (rejected),
    or left held for want of the consultations. ``message`` is "中文 / English"."""

    digest: str
    receipt: str
    reason: str  # comments.REASON_* / intake.NO_CONSULTATIONS
    message: str


@dataclass
class Decision:
    accepted: int = 0  # filed, as cases or comments
    rejected: int = 0  # rejected as the clerk asked
    refused: list[NotFiled] = field(default_factory=list)  # comments the rules refuse: rejected
    left: list[NotFiled] = field(default_factory=list)  # comments still held: no consultations
    republish: list[str] = field(default_factory=list)  # drafts whose published 采纳情况 is now short

    @property
    def decided(self) -> int:
        return self.accepted + self.rejected + len(self.refused)


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
           holidays: Collection[dt.date] = (), extra_workdays: Collection[dt.date] = (),
           consultations: consultations_rules.Consultations | None = None) -> Decision:
    """Accept or reject the held envelopes with ``digest`` (one) or from ``terminal`` (all).

    Accepting files requests as cases and comments as comments, the latter by the rules of
    ``consultations`` (comments.read_consultations): a comment they refuse is rejected and
    named in ``Decision.refused``; without them a comment stays held (``Decision.left``).

    Raises:
        KnownError: nothing matches, or (accepting) the keys cannot open one, its form
            breaks the rules, or its receipt number is taken by another case or comment;
            nothing is decided then.
    """
    if (digest is None) == (terminal is None):
        raise KnownError("请指定 --digest 或 --terminal 之一", "give exactly one of --digest and --terminal")
    today = today or dt.date.today()
    keyring = inbox_keys.load_keyring(keydir, passphrase, today) if accept else {}
    decision = Decision()
    open_cases(db_path)
    try:
        chosen = Held.select().where(Held.decided.is_null() & (
            (Held.digest == digest) if digest else (Held.terminal_fingerprint == terminal)))  # fmt: skip
        chosen = list(chosen)
        if not chosen:
            raise KnownError("没有符合条件的待核实信封", "no held envelope matches")
        with cases_db.atomic():
            for held in chosen:
                if not accept:
                    _mark(held, DECIDED_REJECTED, keep=False)
                    decision.rejected += 1
                elif held.kind != COMMENT:
                    _file(held, keyring, today, workdays.due_on(held.kind, today, holidays, extra_workdays))
                    _mark(held, DECIDED_ACCEPTED, keep=True)
                    decision.accepted += 1
                elif consultations is None:  # stays held: nothing lost
                    decision.left.append(_not_filed(held, NO_CONSULTATIONS, _NO_CONSULTATIONS))
                else:
                    _accept_comment(held, keyring, consultations, decision)
    finally:
        close_cases()
    return decision


def _mark(held: Held, decided: str, *, keep: bool) -> None:
    Held.update(decided=decided, decided_at=dt.datetime.now(dt.UTC).isoformat(),
                data=held.data if keep else b"").where(Held.id == held.id).execute()  # fmt: skip


def _not_filed(held: Held, reason: str, message: str) -> NotFiled:
    return NotFiled(held.digest, envelope.read_header(held.data).receipt, reason, message)


def _opened(held: Held, keyring: dict) -> tuple[envelope.Opened, dict]:
    opened = envelope.open_envelope(held.data, keyring)
    try:
        form = forms.validate(opened.header.kind, opened.form)
    except forms.FormError as exc:
        raise KnownError(f"信封 {held.digest} 的申请表不合规则：{exc.zh}",
                         f"the form in {held.digest} breaks its rules: {exc.en}") from exc
    return opened, form


def _receipt_taken(receipt: str) -> bool:
    """Whether a filed case or comment has this receipt number (unique across both)."""
    return (Case.select().where(Case.receipt == receipt).exists()
            or Comment.select().where(Comment.receipt == receipt).exists())  # fmt: skip


def _file(held: Held, keyring: dict, today: dt.date, due_on: dt.date) -> None:
    opened, form = _opened(held, keyring)
    row = case_row(opened.header, form, opened.reply_key, held.digest, today, due_on)
    if held.reason == HELD_CONFLICT:  # the held one takes the filed one's place
        filed = Case.get_or_none(Case.ulid == opened.header.id)
        if filed is None:
            raise _other_kind(held.digest, opened.header.receipt)
        values = dict(zip(("created", "terminal_fingerprint", "digest", "reply_key", *FORM_COLUMNS),
                          (row[3], row[7], row[9], row[11], *row[12:]), strict=True))  # fmt: skip
        Case.update(**values).where(Case.id == filed.id).execute()
        return
    if _receipt_taken(opened.header.receipt):
        raise KnownError(f"回执号 {opened.header.receipt} 已被其他案件使用，请人工处理",
                         f"receipt {opened.header.receipt} is used by another case")
    insert_case(row)


def _accept_comment(held: Held, keyring: dict, consultations: consultations_rules.Consultations,
                    decision: Decision) -> None:
    """File a held comment by the consultation rules, received on the day it arrived; or
    reject it, its reason named."""
    opened, form = _opened(held, keyring)
    header, arrived_on = opened.header, local_day(held.arrived)
    refusal = consultations_rules.comment_refusal(consultations, form, local_day(header.created), arrived_on)
    if refusal is not None:
        decision.refused.append(_not_filed(held, *refusal))
        _mark(held, DECIDED_REJECTED, keep=True)  # as import keeps a refused file
        return
    row = comment_row(header, form, held.digest, arrived_on)
    if held.reason == HELD_CONFLICT:  # the held one takes the filed one's place
        if not Comment.select().where(Comment.ulid == header.id).exists():
            raise _other_kind(held.digest, header.receipt)
        replace_comment(header.id, row)
    elif _receipt_taken(header.receipt):
        raise KnownError(f"回执号 {header.receipt} 已被其他案件或意见使用，请人工处理",
                         f"receipt {header.receipt} is used by another case or comment")
    else:
        insert_comment(row)
    _mark(held, DECIDED_ACCEPTED, keep=True)
    decision.accepted += 1
    draft = consultations.drafts[(form["draft"], form["version"])]
    published = Adoption.select().where((Adoption.draft_code == draft.code) & (Adoption.version ==
                                        draft.version)).exists()  # fmt: skip
    if published and draft.name not in decision.republish:
        decision.republish.append(draft.name)


def _other_kind(digest: str, receipt: str) -> KnownError:
    return KnownError(
        f"信封 {digest}（回执号 {receipt}）与已收的另一类信封（申请与意见）编号冲突，请人工处理",
        f"the envelope {digest} (receipt {receipt}) shares its id with a filed envelope of the other kind "
        "(request or comment)",
    )


_NO_CONSULTATIONS = (
    "意见信封：未读入意见征集表，仍暂存待核实；请加 --county-input 指定含 consultations.xlsx 的县数据目录后"
    "再受理 / a comment: no consultations were read, it stays held; accept it again with --county-input "
    "naming the folder with consultations.xlsx"
)
