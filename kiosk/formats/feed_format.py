"""The county feed's data files: one gzip CSV per dataset and scope.

A partition is what one TUF target holds: ``payouts/2025/371522102.csv.gz`` (one town's
results for a year) or ``qa.csv.gz`` (a whole small dataset). The CSV inside has the
dataset's canonical Chinese headers and canonical cell text, so the terminal reads it with
the same validator as a county spreadsheet. Files are written byte-for-byte
deterministically (gzip mtime 0, fixed row order), so an unchanged partition keeps its
hash and terminals skip it.

Every partition's signed target entry also declares what it unpacks to
(``custom: {"uncompressed_length": N, "rows": M}``). The terminal reads a partition as a
stream and stops at the first byte or row beyond the declaration, so a signed but
oversized file (a gzip bomb, millions of blank lines) is refused after reading at most
what was declared, in small pieces.
"""

import csv
import datetime as dt
import gzip
import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from operator import methodcaller
from pathlib import Path

from kiosk import fmt
from kiosk.errors import KnownError
from kiosk.formats import cells
from kiosk.formats.datasets import BY_NAME, PAYOUTS, Dataset
from kiosk.formats.spreadsheet import Sheet
from kiosk.formats.validate import Row

FEED_INFO = "feed.json"  # the feed's own info target (county, data-as-of, rows)

# Absolute caps a terminal accepts whatever a signed feed declares. The largest real
# partition is one town's payouts for a year (tens of thousands of rows, a few MB
# unpacked); these leave two orders of magnitude of room and still bound the time a
# sync can spend on one file.
MAX_PACKED = 64 * 1024 * 1024  # bytes of one target as downloaded
MAX_UNPACKED = 512 * 1024 * 1024  # bytes of one partition's CSV
MAX_ROWS = 2_000_000  # data rows of one partition
MAX_INFO = 64 * 1024  # bytes of feed.json
_READ = 64 * 1024  # bytes unpacked per read: memory stays this small per partition

_PAYOUT_TARGET = re.compile(r"^payouts/(\d{4})/(\d{9})\.csv\.gz$")
_TOWN_CODE = re.compile(r"^\d{9}$")
MAX_REASON = 200  # characters of a withdrawal's reason
_DATASET_TARGET = re.compile(r"^(\w+)\.csv\.gz$")


@dataclass(frozen=True)
class Partition:
    """Which rows a target replaces on the terminal."""

    dataset: Dataset
    year: int | None = None
    town_code: str | None = None

    @property
    def target(self) -> str:
        if self.dataset is PAYOUTS:
            return f"payouts/{self.year}/{self.town_code}.csv.gz"
        return f"{self.dataset.name}.csv.gz"


@dataclass(frozen=True)
class Withdrawal:
    """A town-year's payouts the county withdrew on purpose (``feed.json`` ``withdrawn``).

    The feed holds no partition for it; a terminal removes the rows it held and shows the
    reason instead of them.
    """

    year: int
    town: str
    reason: str
    at: str  # ISO time (UTC) of the build that first withdrew it

    @property
    def target(self) -> str:
        return Partition(PAYOUTS, self.year, self.town).target

    def as_json(self) -> dict:
        return {"year": self.year, "town": self.town, "reason": self.reason, "at": self.at}


_INBOX_KEY = re.compile(r"^[A-Za-z0-9+/]{43}=$")  # base64 of 32 bytes


@dataclass(frozen=True)
class InboxKey:
    """The county inbox's public key as ``feed.json`` carries it: terminals seal villagers'
    requests to ``key`` (base64 of the X25519 key) up to and including ``expires``."""

    key: str
    expires: dt.date

    def as_json(self) -> dict:
        return {"inbox_key": self.key, "inbox_key_expires": self.expires.isoformat()}


def inbox_key(info: dict) -> InboxKey | None:
    """The county inbox's public key a ``feed.json`` carries (None when absent).

    Raises:
        PartitionRefused: present but not base64 of an X25519 key, or without a valid expiry.
    """
    key = info.get("inbox_key")
    if key is None:
        return None
    expires = info.get("inbox_key_expires")
    try:
        if not isinstance(key, str) or not _INBOX_KEY.match(key) or not isinstance(expires, str):
            raise ValueError("bad key or expiry")
        return InboxKey(key, dt.date.fromisoformat(expires))
    except ValueError as exc:
        raise PartitionRefused("数据源 feed.json 中的受理公钥或其有效期无效，已拒绝",
                               "the feed's feed.json holds an invalid inbox key or expiry; refused") from exc


def withdrawals(info: dict, targets: object = ()) -> list[Withdrawal]:
    """The checked ``withdrawn`` list of a ``feed.json`` (empty when absent).

    Args:
        targets: the feed's target paths; a withdrawn town-year must not be one of them.

    Raises:
        PartitionRefused: an entry is malformed or contradicts a partition of the feed.
    """
    entries = info.get("withdrawn", [])
    if not isinstance(entries, list):
        entries = [None]
    found = []
    for entry in entries:
        fields = entry if isinstance(entry, dict) else {}
        year, town = fields.get("year"), fields.get("town")
        reason, at = fields.get("reason"), fields.get("at")
        if not (type(year) is int and 2000 <= year <= 2100 and isinstance(town, str)
                and _TOWN_CODE.match(town) and isinstance(reason, str)
                and 0 < len(reason) <= MAX_REASON and isinstance(at, str)):  # fmt: skip
            raise PartitionRefused(f"数据源 feed.json 中的撤回记录无效：{entry!r}，已拒绝",
                                   f"the feed's feed.json holds an invalid withdrawal {entry!r};"
                                   " refused")  # fmt: skip
        withdrawal = Withdrawal(year, town, reason, at)
        if withdrawal.target in targets:
            raise PartitionRefused(
                f"数据源既撤回又发布了 {withdrawal.target}，已拒绝",
                f"the feed both withdraws and publishes {withdrawal.target}; refused",
            )
        found.append(withdrawal)
    return found


class PartitionRefused(KnownError):
    """A signed partition is not what its declaration says; nothing was applied."""


@dataclass(frozen=True)
class Declared:
    """What a partition's signed target entry says it unpacks to."""

    uncompressed_length: int
    rows: int

    def custom(self) -> dict:
        return {"uncompressed_length": self.uncompressed_length, "rows": self.rows}


def declaration(target: str, custom: object) -> Declared:
    """The checked declaration of ``target`` from its signed ``custom`` field.

    Raises:
        PartitionRefused: missing, malformed, or over the terminal's absolute caps.
    """
    fields = custom if isinstance(custom, dict) else {}
    length, rows = fields.get("uncompressed_length"), fields.get("rows")
    if not (type(length) is int and type(rows) is int):
        raise PartitionRefused(f"数据文件 {target} 没有声明解压后的大小和行数，已拒绝",
                               f"target {target} does not declare its unpacked size and rows;"
                               " refused")  # fmt: skip
    if not (0 < length <= MAX_UNPACKED and 0 < rows <= MAX_ROWS):
        raise PartitionRefused(
            f"数据文件 {target} 声明的大小（{length} 字节，{rows} 行）超出终端上限"
            f"（{MAX_UNPACKED} 字节，{MAX_ROWS} 行）或为空，已拒绝",
            f"target {target} declares {length} bytes and {rows} rows, beyond the terminal's"
            f" limits ({MAX_UNPACKED} bytes, {MAX_ROWS} rows) or empty; refused",
        )
    return Declared(length, rows)


def declare(data: bytes) -> Declared:
    """County side: measure a partition's gzip CSV bytes for its signed declaration."""
    text = gzip.decompress(data)
    records = sum(1 for _ in csv.reader(io.StringIO(text.decode("utf-8"), newline="")))
    return Declared(len(text), max(records - 1, 0))


def check_target_path(target: str) -> None:
    """Refuse a target path the feed format does not define (``../x``, unknown names).

    Raises:
        PartitionRefused: naming the path.
    """
    if target == FEED_INFO:
        return
    try:
        partition_of(target)
    except ValueError:
        raise PartitionRefused(f"数据源含有未知的数据文件 {target!r}（可能需要升级终端程序），已拒绝",
                               f"the feed holds an unknown target {target!r} (the terminal may"
                               " need an update); refused") from None  # fmt: skip


def partition_of(target: str) -> Partition:
    """The partition a target path names.

    Raises:
        ValueError: the path is not one the feed format defines.
    """
    match = _PAYOUT_TARGET.match(target)
    if match:
        return Partition(PAYOUTS, int(match[1]), match[2])
    match = _DATASET_TARGET.match(target)
    if match and match[1] in BY_NAME and BY_NAME[match[1]] is not PAYOUTS:
        return Partition(BY_NAME[match[1]])
    raise ValueError(f"not a feed target: {target}")


def _cell(parse: cells.Parser, value: object) -> str:
    if value is None:
        return ""
    if parse is cells.hundredths:
        return fmt.hundredths_fixed(value)  # type: ignore[arg-type]
    return str(value)


def encode(dataset: Dataset, rows: list[Row]) -> bytes:
    """Rows (as read by kiosk.formats.validate) -> deterministic gzip CSV bytes."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([c.header for c in dataset.columns])
    for row in rows:
        writer.writerow([_cell(c.parse, row[c.key]) for c in dataset.columns])
    return gzip.compress(text.getvalue().encode("utf-8"), compresslevel=6, mtime=0)


def decode(data: bytes) -> str:
    """Gzip CSV bytes -> CSV text (raises on a corrupt or truncated stream). For tests and
    county tools; the terminal reads partitions with ``open_partition``."""
    return gzip.decompress(data).decode("utf-8")


class _Bounded(io.RawIOBase):
    """The unpacked bytes of a gzip file, refused as soon as they pass ``limit``."""

    def __init__(self, path: Path, limit: int, target: str):
        self._gzip = gzip.open(path, "rb")  # noqa: SIM115 - closed by close()
        self._limit = limit
        self._target = target
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        want = min(len(buffer), _READ)
        data = self._gzip.read(want)
        self.read_bytes += len(data)
        if self.read_bytes > self._limit:
            raise PartitionRefused(
                f"数据文件 {self._target} 解压后超过声明的 {self._limit} 字节，已拒绝",
                f"target {self._target} unpacks to more than its declared {self._limit} bytes;"
                " refused",
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._gzip.close()
        super().close()


def open_partition(path: Path, target: str, declared: Declared) -> Sheet:
    """A feed partition as a Sheet, read as a stream within its declaration.

    The rows iterator raises PartitionRefused at the first byte beyond the declared
    length, at the first row beyond the declared count, at a blank line (the county
    never writes one), and at the end if fewer rows came than declared; a corrupt or
    truncated stream is refused too.
    """
    raw = _Bounded(path, declared.uncompressed_length, target)
    text = io.TextIOWrapper(io.BufferedReader(raw, _READ), encoding="utf-8", newline="")

    def refused(zh: str, en: str) -> PartitionRefused:
        return PartitionRefused(f"数据文件 {target} {zh}，已拒绝", f"target {target} {en}; refused")

    def records() -> Iterator[list[str]]:
        try:
            yield from csv.reader(text)
        except (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error) as exc:
            raise refused("已损坏或不完整", f"is corrupt or truncated ({exc})") from exc

    reader = records()
    try:
        headers = [h.strip() for h in next(reader, [])]
    except BaseException:
        text.close()
        raise

    def rows() -> Iterator[tuple[int, list[str]]]:
        count = 0
        try:
            for number, cells_ in enumerate(reader, start=2):
                count += 1
                if count > declared.rows:
                    raise refused(f"的行数超过声明的 {declared.rows} 行",
                                  f"has more rows than its declared {declared.rows}")  # fmt: skip
                if not any(cells_):
                    raise refused(f"第 {number} 行是空行", f"has a blank line at row {number}")
                yield number, [c.strip() for c in cells_]
            if count != declared.rows:
                raise refused(f"只有 {count} 行，与声明的 {declared.rows} 行不符",
                              f"has {count} rows, not the declared {declared.rows}")  # fmt: skip
        finally:
            text.close()

    return Sheet(path, headers, rows())


def _whole_text(path: Path, limit: int) -> str | None:
    """The text of a gzip file of one member that unpacks to at most ``limit`` bytes of
    UTF-8, unpacked and decoded in one call each; None for anything else (several members,
    bytes after the member, a corrupt or oversized stream, bad UTF-8), which the stream
    reader then refuses in its own words (or reads, when it accepts more). zlib checks the
    member's CRC and length as the gzip module does."""
    unpack = zlib.decompressobj(wbits=31)  # 31: a gzip header and trailer
    try:
        data = unpack.decompress(path.read_bytes(), limit + 1)
        if not unpack.eof or unpack.unused_data or len(data) > limit:
            return None
        return data.decode("utf-8")
    except (OSError, zlib.error, UnicodeDecodeError):
        return None


def read_columns(path: Path, target: str, declared: Declared) -> tuple[list[str], list[list[str]] | None]:
    """A feed partition whole, column by column: (header cells, one list of raw cells per
    header cell), or None for the columns when its rows are not all as wide as the header
    (read it row by row then). Refused exactly as ``open_partition`` refuses it: beyond the
    declared length, more or fewer rows than declared, a blank line, a corrupt or truncated
    stream. Cells are not stripped.

    A partition without a quote or a carriage return (what kiosk feed build writes unless a
    cell holds a comma, a quote or a line break) is cut with two string splits, not parsed:
    with no quoting, every comma separates cells and every line break rows. The declared
    length bounds what is held in memory.
    """

    def refused(zh: str, en: str) -> PartitionRefused:
        return PartitionRefused(f"数据文件 {target} {zh}，已拒绝", f"target {target} {en}; refused")

    text = _whole_text(path, declared.uncompressed_length)
    if text is None:
        raw = _Bounded(path, declared.uncompressed_length, target)
        with io.TextIOWrapper(io.BufferedReader(raw, _READ), encoding="utf-8", newline="") as stream:
            try:
                text = stream.read()
            except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
                raise refused("已损坏或不完整", f"is corrupt or truncated ({exc})") from exc
    plain = '"' not in text and "\r" not in text
    if plain:
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        records: list = lines
        blank = next((n for n, line in enumerate(lines[1:]) if not line), None) if "" in lines[1:] else None
    else:
        try:
            records = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            raise refused("已损坏或不完整", f"is corrupt or truncated ({exc})") from exc
        blank = None if all(map(any, records[1:])) else next(
            n for n, cells_ in enumerate(records[1:]) if not any(cells_))  # fmt: skip
    rows = len(records) - 1 if records else 0
    if rows > declared.rows and (blank is None or blank >= declared.rows):
        raise refused(f"的行数超过声明的 {declared.rows} 行",
                      f"has more rows than its declared {declared.rows}")
    if blank is not None:
        raise refused(f"第 {blank + 2} 行是空行", f"has a blank line at row {blank + 2}")
    if rows != declared.rows:
        raise refused(f"只有 {rows} 行，与声明的 {declared.rows} 行不符",
                      f"has {rows} rows, not the declared {declared.rows}")
    if not records:
        return [], []
    if plain:
        headers, body = records[0].split(","), records[1:]
        width = len(headers)
        if body and set(map(methodcaller("count", ","), body)) != {width - 1}:
            return headers, None
        flat = ",".join(body).split(",") if body else []
        return headers, [flat[i::width] for i in range(width)]
    headers, body = records[0], records[1:]
    if body and set(map(len, body)) != {len(headers)}:
        return headers, None
    return headers, [list(column) for column in zip(*body, strict=True)] if body else [[] for _ in headers]
