"""The county's list of terminals, as staff keep it in a spreadsheet saved as CSV.

Columns (header row, any order): ``fingerprint`` and/or ``public_key`` (at least one per
row; the fingerprint is what a terminal's staff page shows, the base64 public key is what
enrolment tools export; when both are given they must agree), ``name``, ``town`` and
``status``: 在用 (enrolled) or 停用 (revoked), and optionally ``revoked_on`` (停用日期,
YYYY-MM-DD): envelopes the terminal sealed before that day are still accepted (they may be on
a stick or in a drawer); without it, revocation counts from the day the county first reads
it. UTF-8 (with or without BOM) or GB18030, which is what Excel on a Chinese Windows saves.
"""

import base64
import binascii
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from kiosk.county.inbox.cases import TERMINAL_ENROLLED, TERMINAL_REVOKED
from kiosk.errors import ImportRefused
from kiosk.formats.ids import key_fingerprint

STATUSES = {"在用": TERMINAL_ENROLLED, "停用": TERMINAL_REVOKED}
_FINGERPRINT_RE = re.compile(r"[0-9a-f]{4}(-[0-9a-f]{4}){7}")


@dataclass(frozen=True)
class TerminalRow:
    fingerprint: str
    public_key: str | None
    name: str
    town: str
    status: str  # enrolled | revoked
    revoked_on: dt.date | None = None


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def load_terminals_csv(path: Path | str) -> list[TerminalRow]:
    """Every row of the terminals list, or a refusal naming each bad cell.

    Raises:
        ImportRefused: ``file:row:column: 中文 / English`` for each problem; nothing is returned.
    """
    path = Path(path)
    reader = csv.DictReader(io.StringIO(_read_text(path), newline=""))
    columns = {c.strip() for c in reader.fieldnames or []}
    problems: list[str] = []
    for needed in ("name", "town", "status"):
        if needed not in columns:
            problems.append(f"{path.name}:1:{needed}: 缺少此列 / column missing")
    if not columns & {"fingerprint", "public_key"}:
        problems.append(f"{path.name}:1:fingerprint: 需要 fingerprint 或 public_key 列 / "
                        "a fingerprint or public_key column is needed")
    if problems:
        raise ImportRefused(problems)
    rows, seen = [], {}
    for line, raw in enumerate(reader, start=2):
        cells = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        row = _row(path.name, line, cells, problems)
        if row is None:
            continue
        if row.fingerprint in seen:
            problems.append(f"{path.name}:{line}:fingerprint: 与第 {seen[row.fingerprint]} 行重复 / "
                            f"duplicate of row {seen[row.fingerprint]}")
            continue
        seen[row.fingerprint] = line
        rows.append(row)
    if problems:
        raise ImportRefused(problems)
    return rows


def _row(name: str, line: int, cells: dict[str, str], problems: list[str]) -> TerminalRow | None:
    def bad(column: str, zh: str, en: str) -> None:
        problems.append(f"{name}:{line}:{column}: {zh} / {en}")

    before = len(problems)
    fingerprint = cells.get("fingerprint", "").lower()
    public_key = cells.get("public_key", "") or None
    if public_key:
        try:
            raw = base64.b64decode(public_key, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            bad("public_key", "应为32字节公钥的base64", "must be base64 of a 32-byte public key")
        elif fingerprint and fingerprint != key_fingerprint(raw):
            bad("fingerprint", "与 public_key 不符", "does not match public_key")
        else:
            fingerprint = key_fingerprint(raw)
    elif not fingerprint:
        bad("fingerprint", "fingerprint 与 public_key 不能都为空", "fingerprint or public_key is required")
    elif not _FINGERPRINT_RE.fullmatch(fingerprint):
        bad("fingerprint", "格式应为 8 组 4 位十六进制（如 1a2b-3c4d-…）", "must be 8 groups of 4 hex digits")
    status = STATUSES.get(cells.get("status", ""))
    if status is None:
        bad("status", "应为 在用 或 停用", "must be 在用 (enrolled) or 停用 (revoked)")
    if not cells.get("name"):
        bad("name", "不能为空", "is required")
    revoked_on = None
    if cells.get("revoked_on"):
        try:
            revoked_on = dt.date.fromisoformat(cells["revoked_on"])
        except ValueError:
            bad("revoked_on", "日期应写成 2026-12-01", "must be a date like 2026-12-01")
        if status == TERMINAL_ENROLLED:
            bad("revoked_on", "在用的终端不应有停用日期", "an enrolled terminal has no revocation date")
    if len(problems) > before or status is None:
        return None
    return TerminalRow(fingerprint, public_key, cells["name"], cells.get("town", ""), status, revoked_on)
