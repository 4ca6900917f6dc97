"""Villagers' requests at the terminal: 政府信息公开申请 and 咨询·预约回电 (and the way a
comment on a draft travels, kiosk.services.consultations).

A submitted form is validated, sealed to the county's inbox key (which the signed feed
carries) and signed by this terminal, then queued in the outbox as ciphertext: the plain
form exists only in memory, never in the database, a log or a file. The villager gets a
receipt number, and in its QR code the key to the county's answer (kiosk.formats.replies),
which this terminal does not keep; where the request stands comes from the outbox (not yet
at the county) and from the county's replies in the feed (received, answered ...).

The terminal's folder (beside its database, kiosk.paths.TerminalFiles) holds its outbox and
signing key.
"""

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk import fmt, log, paths
from kiosk.errors import KnownError
from kiosk.formats import consultation, envelope, forms, ids, masking, replies, workdays
from kiosk.formats.request_terms import REQUEST_KINDS
from kiosk.outbox import credential, identity
from kiosk.outbox.queue import Outbox, OutboxStatus
from kiosk.store import writer
from kiosk.store.models import Adoption, CommentReceipt, Draft, FeedState, Reply, WorkDay, database

_log = log.get("kiosk.requests")

KINDS = REQUEST_KINDS
COMMENT_KIND = "comment"  # a comment on a draft (kiosk.services.consultations)
KIND_NAMES = {**REQUEST_KINDS, COMMENT_KIND: "意见建议"}  # every kind the outbox carries
DELIVERIES = forms.DELIVERIES
shown_id = masking.shown_id  # how a page shows the ID a villager typed
# The form's plan, for the page that asks it one field at a time (kiosk.formats.forms).
steps = forms.steps  # (kind, delivery) -> the fields asked, in order
needed_contact = forms.needed_contact  # delivery -> "address", "email" or None
CONTACT_FIELDS = forms.CONTACT_FIELDS  # address, email: asked only when the delivery needs one
field_problem = forms.problem  # (field, value) -> what is wrong with one answer, or None
LABELS = forms.LABELS  # field -> its Chinese name
OPTIONAL = forms.OPTIONAL  # fields that may be left empty
CALLBACK_TIMES = ("工作日上午", "工作日下午", "随时可以")
WAITING = "已提交待送达"  # sealed on this terminal, not yet received by the county
DUE_RULES = {
    "disclosure": f"自收到申请之日起{workdays.DISCLOSURE_DAYS}个工作日内答复"
                  "（《中华人民共和国政府信息公开条例》第三十三条）",
    "callback": f"{workdays.CALLBACK_DAYS}个工作日内由工作人员回电",
}  # fmt: skip


@dataclass(frozen=True)
class Receipt:
    """What the villager takes away: on screen and printed. Nothing personal beyond a
    masked name and the phone's last 4 digits."""

    number: str  # 受理编号, 12345-67890-1234
    kind: str  # disclosure / callback
    kind_zh: str
    received_on: dt.date
    due_on: dt.date
    due_rule: str
    name_masked: str  # 张*三 ("" for a call-back request)
    phone_last4: str
    topic: str  # the call-back's topic ("" for a disclosure request)
    terminal: str  # this terminal's fingerprint, as the county's terminals.csv lists it
    qr_text: str  # the number and the key to the answer; a scanner at any terminal types it back


@dataclass(frozen=True)
class RequestStatus:
    number: str
    kind_zh: str
    status: str  # 已提交待送达 / 县里已收到 / 办理中 / 已答复 / 需补正 / 已延期
    received_on: dt.date | None
    due_on: dt.date | None
    answered_on: dt.date | None
    answer: str  # "" unless the answer opened with the receipt's key
    note: str  # one line on what happens next
    answer_locked: bool = False  # an answer exists; scanning the receipt's QR code shows it


_NEXT = {
    "已答复": "县里已答复，答复内容见下",
    "需补正": "请按答复补充材料后重新申请，或到窗口办理",
    "已延期": "县里已延期答复，请留意新的期限",
}


class NoCountyKey(KnownError):
    """Requests cannot be sealed here now: no county inbox key, or only an expired one."""

    def __init__(self, expired: dt.date | None = None) -> None:
        if expired is None:
            super().__init__("本终端还没有收到县里的受理公钥，暂时不能提交，请工作人员先同步数据",
                             "this terminal holds no county inbox key yet; sync first")  # fmt: skip
        else:
            super().__init__(f"县里的受理公钥已于 {fmt.chinese_date(expired)} 到期，暂时不能提交，"
                             "请工作人员同步数据",
                             f"the county inbox key expired on {expired}; sync to get the new one")


# -- where things live ---------------------------------------------------------------------------

_outboxes: dict[Path, Outbox] = {}
_outboxes_lock = threading.Lock()


def _files() -> paths.TerminalFiles:
    """The files of the terminal whose database is open."""
    return paths.TerminalFiles(Path(database.database))


def upload_credential() -> credential.UploadCredential | None:
    """The credential the county issued for this terminal's uploads, if installed."""
    return credential.load(_files().upload_credential)


def outbox_folder() -> Path:
    return _files().outbox


def outbox() -> Outbox:
    """This terminal's outbox, opened once per folder (it serialises its own use)."""
    folder = outbox_folder()
    with _outboxes_lock:
        if folder not in _outboxes:
            _outboxes[folder] = Outbox(folder)
        return _outboxes[folder]


def close_outboxes() -> None:
    with _outboxes_lock:
        for box in _outboxes.values():
            box.close()
        _outboxes.clear()


def terminal_identity() -> identity.TerminalIdentity:
    """This terminal's own signing key, made on first use."""
    return identity.load_or_create(_files().terminal_key)


def county_key(today: dt.date | None = None) -> str:
    """The county inbox key requests are sealed to.

    Raises:
        NoCountyKey: the terminal has not synced a feed carrying one, or its expiry has
            passed (a terminal offline too long: sync first).
    """
    state = FeedState.get_or_none()
    if state is None or not state.inbox_key or state.inbox_key_expires is None:
        raise NoCountyKey()
    if (today or dt.date.today()) > state.inbox_key_expires:
        raise NoCountyKey(state.inbox_key_expires)
    return state.inbox_key


def county_key_problem() -> str:
    """What stops this terminal from taking requests, in one line for staff ("" if nothing)."""
    try:
        county_key()
    except NoCountyKey as exc:
        return exc.zh
    return ""


# -- submitting -----------------------------------------------------------------------------------


def submit(kind: str, form: dict[str, Any], now: dt.datetime | None = None) -> Receipt:
    """Seal ``form`` and queue it for the county; returns the receipt.

    Raises:
        forms.FormError: a field is wrong (``.field`` names it); nothing is kept.
        NoCountyKey: the terminal has not synced a feed with the county's inbox key.
    """
    clean = forms.validate(kind, form)
    sealed, me = seal_and_queue(kind, clean, now)
    received = local_date(sealed.header.created)
    return Receipt(
        number=sealed.header.receipt, kind=kind, kind_zh=KINDS[kind], received_on=received,
        due_on=due_date(kind, received), due_rule=DUE_RULES[kind],
        name_masked=forms.masked_name(clean["name"]) if "name" in clean else "",
        phone_last4=forms.phone_last4(clean["phone"]), topic=clean.get("topic", ""),
        terminal=me.fingerprint(), qr_text=replies.qr_text(sealed.header.receipt, sealed.reply_key),
    )  # fmt: skip


def seal_and_queue(kind: str, clean: dict[str, Any],
                   now: dt.datetime | None = None) -> tuple[envelope.Envelope, identity.TerminalIdentity]:
    """Seal a checked form to the county, signed by this terminal, and queue it in the outbox.

    Raises:
        NoCountyKey: the terminal has not synced a feed with the county's inbox key.
    """
    key = county_key(now.date() if now else None)
    me = terminal_identity()
    sealed = envelope.seal(clean, kind, key, me, now=now)
    outbox().add(sealed.data)
    writer.audit("request", "kiosk", f"{KIND_NAMES[kind]} {sealed.header.receipt} 已封存待送达")
    _log.info("request %s sealed (%s)", sealed.header.receipt, kind)  # the number only
    return sealed, me


def due_date(kind: str, received: dt.date) -> dt.date:
    """The answer deadline by the county's calendar (holidays and 调休 workdays)."""
    holidays, extra = set(), set()
    for day, what in WorkDay.select(WorkDay.day, WorkDay.kind).tuples():
        (holidays if what == "休" else extra).add(day)
    return workdays.due_on(kind, received, holidays, extra)


def local_date(created: str) -> dt.date:
    """The terminal's local date of an envelope's UTC sealing time."""
    return dt.datetime.fromisoformat(created.replace("Z", "+00:00")).astimezone().date()


# -- following a request ----------------------------------------------------------------------------


def read_receipt(text: str) -> tuple[str, bytes | None] | None:
    """(number, key to the answer or None) from what was typed (digits, maybe dashes or
    spaces) or scanned (the receipt's QR); None when it cannot be a receipt."""
    scanned = replies.parse_qr(text)
    if scanned is not None:
        number = normalize_number(scanned[0])
        return (number, scanned[1]) if number else None
    number = normalize_number(text)
    return (number, None) if number else None


def normalize_number(text: str) -> str | None:
    """A receipt number as typed (digits, maybe dashes or spaces); None when it cannot be one."""
    text = text.strip()
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) != 14 or any(c not in "0123456789- " for c in text):
        return None
    number = f"{digits[:5]}-{digits[5:10]}-{digits[10:]}"
    return number if ids.is_receipt(number) else None


def status(number: str, reply_key: bytes | None = None) -> RequestStatus | None:
    """Where request ``number`` stands: the county's reply if the feed carries one, else
    this terminal's outbox; None if neither knows it. The answer text opens only with
    ``reply_key`` (from the receipt's QR code)."""
    lookup = replies.lookup(number)
    comment = comment_status(lookup)
    if comment is not None:
        return RequestStatus(number, *comment)
    reply = Reply.get_or_none(Reply.lookup == lookup)
    if reply is not None:
        note = _NEXT.get(reply.status, "县里正在办理，请在期限前再来查询")
        answer, locked = "", False
        if reply.answer_sealed:
            try:
                answer = replies.open_answer(reply.answer_sealed, reply_key, number) if reply_key else ""
            except replies.AnswerUnreadable:
                answer = ""
            locked = not answer
            if locked:
                note = "答复内容只能凭回执上的二维码查看：请把回执二维码对准扫码口"
        return RequestStatus(number, reply.kind, reply.status, reply.received_on, reply.due_on,
                             reply.answered_on, answer, note, locked)  # fmt: skip
    if not outbox_folder().is_dir():  # no request was ever made here
        return None
    record = next((r for r in outbox().records() if r.receipt == number), None)
    if record is None:
        return None
    received = local_date(record.created)
    sent = "已发往县里，等待县里确认收到" if record.sent_at else "将在下次联网或工作人员导出时送往县里"
    if record.kind == COMMENT_KIND:  # its date is the consultation's, not a legal deadline
        return RequestStatus(number, KIND_NAMES[COMMENT_KIND], WAITING, received, None, None, "",
                             f"{sent}；征求意见结束后，县里统一公布采纳情况")  # fmt: skip
    return RequestStatus(number, KIND_NAMES.get(record.kind, record.kind), WAITING, received,
                         due_date(record.kind, received), None, "", sent)  # fmt: skip


def comment_status(lookup: str) -> tuple | None:
    """Where a comment stands, as RequestStatus's fields after the number, if the county's
    comment receipts list it: received, and once published, its article's 采纳情况."""
    receipt = CommentReceipt.get_or_none(CommentReceipt.lookup == lookup)
    if receipt is None:
        return None
    where = ((Draft.code == receipt.draft_code) & (Draft.version == receipt.version))
    draft = Draft.get_or_none(where)
    title = f"《{draft.title}》" if draft else f"草案 {receipt.draft_code}"
    label = consultation.article_label(receipt.article, receipt.clause)
    result = Adoption.get_or_none((Adoption.draft_code == receipt.draft_code)
                                  & (Adoption.version == receipt.version)
                                  & (Adoption.article == receipt.article)
                                  & (Adoption.clause.is_null() if receipt.clause is None
                                     else Adoption.clause == receipt.clause))  # fmt: skip
    if result is not None:
        why = f"理由：{result.reason}" if result.reason else ""
        note = (f"您对{title}{label}的意见，县里已公布采纳情况：{result.outcome}。{why}"
                f"（该条共收到 {result.received} 条意见）")  # fmt: skip
        return (KIND_NAMES[COMMENT_KIND], "已公布采纳情况", receipt.received_on, None, result.published_on,
                "", note)  # fmt: skip
    closes = f"，征求意见于 {fmt.chinese_date(draft.closes_on)} 截止" if draft else ""
    note = f"您对{title}{label}的意见县里已收到{closes}；截止后县里逐条公布采纳情况，届时凭回执查询"
    return (KIND_NAMES[COMMENT_KIND], "县里已收到", receipt.received_on, None, None, "", note)


# -- delivery and acknowledgement -------------------------------------------------------------------


def acknowledge_received() -> int:
    """Drop the ciphertext of every envelope whose exact bytes the county's replies
    acknowledge (by digest). A terminal where nobody ever asked anything has no outbox,
    and gets none from a sync."""
    if not outbox_folder().is_dir():
        return 0
    box = outbox()
    waiting = {r.digest for r in box.records() if r.acked_at is None and r.digest}
    if not waiting:
        return 0
    received = {d for (d,) in Reply.select(Reply.envelope_digest)
                .where(Reply.envelope_digest.in_(waiting)).tuples()}  # fmt: skip
    received |= {d for (d,) in CommentReceipt.select(CommentReceipt.envelope_digest)
                 .where(CommentReceipt.envelope_digest.in_(waiting)).tuples()}  # fmt: skip
    return box.acknowledge(received) if received else 0


def install_upload_credential(data: bytes) -> str:
    """Keep the upload credential the county issued for this terminal; returns its user.

    Raises:
        credential.BadCredential: not a credential file.
    """
    return credential.install(_files().upload_credential, data).user


def outbox_status() -> OutboxStatus:
    return outbox().status()
