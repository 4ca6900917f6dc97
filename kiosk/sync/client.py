"""Terminal side: fetch and verify the county feed with python-tuf's ngclient.

The source is an HTTP(S) URL or a folder (a USB stick). Every file is checked against
signed metadata (signatures, versions, expiry, lengths, hashes) before it is used; only
targets whose hash is not already in the local cache are downloaded.

Every download runs through ``GuardedFetcher``: it reads small chunks and between them
checks a per-file deadline (the file's length at a minimum rate, plus slack), the whole
sync's deadline and ``cancelled()``, so a server that trickles one byte a second cannot
hold the sync (and its lock) for hours, and a cancel stops in the middle of a file. A
connection that drops mid-file becomes a refusal, not a traceback. Target paths and each
partition's declared size are checked before anything is downloaded.
"""

import datetime as dt
import hashlib
import http.client
import json
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import urllib3
from tuf.api import exceptions
from tuf.api.metadata import Metadata, TargetFile, Targets
from tuf.ngclient import FetcherInterface, Updater, UpdaterConfig
from tuf.ngclient.urllib3_fetcher import Urllib3Fetcher

from kiosk.errors import KnownError
from kiosk.files import replacing
from kiosk.formats import feed_format
from kiosk.formats.feed_format import FEED_INFO

CHUNK = 64 * 1024  # at most this much per read: deadlines and cancel are checked between reads

# Deadlines (defaults of ``fetch`` and ``kiosk.services.sync.sync``). A file may take
# FILE_SLACK_S plus its length at MIN_RATE: a 2 MB town-year at 16 kB/s (a poor mobile
# link) gets 3 minutes; the whole sync gets SYNC_DEADLINE_S, enough for a first full sync
# of a county over such a link.
MIN_RATE = 16_000  # bytes per second
FILE_SLACK_S = 60.0
SYNC_DEADLINE_S = 3600.0

# A terminal whose clock is years ahead sees every feed as expired. Feeds are signed for
# DEFAULT_EXPIRY_DAYS (14) and a USB courier may bring one a little late, so a feed that
# expired up to EXPIRED_PLAUSIBLE ago is believed to be stale ("fetch a new one"); when
# the expiry lies further back than that (more than 30 days beyond the normal 14-day
# window), the terminal's clock is the likelier culprit and staff are told to check it.
# The same threshold serves an expired root: a county that forgot to renew it is noticed
# within days (every terminal stops), long before 44 days.
EXPIRED_PLAUSIBLE = dt.timedelta(days=14 + 30)
# The local clock may lag the county's data-as-of by this much (time zones, a slow RTC);
# further behind (a terminal that thinks it is 2001) and the sync is refused, because
# expiry means nothing to such a clock.
CLOCK_BEHIND_SLACK = dt.timedelta(days=1)


class FeedRefused(KnownError):
    """The feed failed verification or could not be fetched; nothing was applied."""


class Cancelled(KnownError):
    def __init__(self):
        super().__init__("同步已取消，数据未改动", "sync cancelled; nothing was changed")


class FolderFetcher(FetcherInterface):
    """Reads ``file://`` URLs, so a feed copied to a USB stick works like a web server."""

    def _fetch(self, url: str) -> Iterator[bytes]:
        path = Path(urllib.request.url2pathname(urllib.parse.urlparse(url).path))
        if not path.is_file():
            raise exceptions.DownloadHTTPError(f"not found: {path}", 404)
        return self._chunks(path)

    @staticmethod
    def _chunks(path: Path) -> Iterator[bytes]:
        with path.open("rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk


class HttpFetcher(Urllib3Fetcher):
    """python-tuf's urllib3 fetcher, but returning whatever arrived (``read1``) instead of
    waiting for a full chunk, and with a socket timeout that never outlasts the deadline."""

    def __init__(self, timeout_s: float, remaining: Callable[[], float]):
        super().__init__(socket_timeout=timeout_s, chunk_size=CHUNK,  # type: ignore[arg-type]
                         app_user_agent="shenqing-kiosk")  # fmt: skip
        self._gap = timeout_s
        self._remaining = remaining

    def _fetch(self, url: str) -> Iterator[bytes]:
        self.socket_timeout = max(0.2, min(self._gap, self._remaining()))  # type: ignore[assignment]
        return super()._fetch(url)

    def _chunks(self, response) -> Iterator[bytes]:
        try:
            while chunk := response.read1(self.chunk_size):
                yield chunk
        except urllib3.exceptions.TimeoutError as exc:
            raise exceptions.SlowRetrievalError from exc
        finally:
            response.release_conn()


class _Dropped(exceptions.DownloadError):
    """The connection (or the USB stick) went away in the middle of a file."""


class GuardedFetcher(FetcherInterface):
    """Wraps a fetcher: deadlines per file and per sync, cancel between chunks, a dropped
    connection as a DownloadError, and temporary files in the terminal's own cache."""

    def __init__(self, inner: FetcherInterface, scratch: Path, deadline_s: float,
                 min_rate: float, file_slack_s: float, cancelled: Callable[[], bool]):  # fmt: skip
        self._inner = inner
        self._scratch = scratch
        self._sync_deadline = time.monotonic() + deadline_s
        self._deadline_s = deadline_s
        self._min_rate = min_rate
        self._file_slack_s = file_slack_s
        self._cancelled = cancelled
        self._file_deadline = self._sync_deadline
        self._file_budget = deadline_s
        self.metadata: dict[str, bytes] = {}  # file name -> the bytes last downloaded

    def remaining(self) -> float:
        return min(self._file_deadline, self._sync_deadline) - time.monotonic()

    def fetch(self, url: str) -> Iterator[bytes]:
        self._check(url, 0)  # here: FetcherInterface.fetch would wrap Cancelled as a DownloadError
        return super().fetch(url)

    def _fetch(self, url: str) -> Iterator[bytes]:
        return self._guarded(url, self._inner.fetch(url))

    def _guarded(self, url: str, chunks: Iterator[bytes]) -> Iterator[bytes]:
        received = 0
        while True:
            try:
                chunk = next(chunks, None)
            except exceptions.DownloadError:
                raise
            except (urllib3.exceptions.ProtocolError, http.client.HTTPException,
                    ConnectionError, TimeoutError) as exc:  # fmt: skip
                raise _Dropped(f"{_name(url)}: connection dropped after {received} bytes"
                               f" ({type(exc).__name__})") from exc  # fmt: skip
            except OSError as exc:  # a USB stick pulled out mid-file
                raise _Dropped(f"{_name(url)}: read failed after {received} bytes ({exc})") from exc
            if chunk is None:
                return
            received += len(chunk)
            self._check(url, received)
            yield chunk

    def _check(self, url: str, received: int) -> None:
        if self._cancelled():
            raise Cancelled()
        now = time.monotonic()
        if now > self._sync_deadline:
            raise FeedRefused(
                f"同步超时：超过 {self._deadline_s:.0f} 秒仍未下载完成（停在 {_name(url)}，已收到 {received}"
                " 字节），数据未改动，请检查网络后重试",
                f"sync timed out: not finished after {self._deadline_s:.0f} s (at {_name(url)},"
                f" {received} bytes received); nothing was changed, check the network and retry",
            )
        if now > self._file_deadline:
            raise FeedRefused(
                f"下载超时：{_name(url)} 在 {self._file_budget:.0f} 秒内只收到 {received} 字节"
                "（网络或服务器太慢），数据未改动，请稍后重试",
                f"download timed out: {_name(url)} sent only {received} bytes in"
                f" {self._file_budget:.0f} s (network or server too slow); nothing was changed",
            )

    def chunks(self, url: str, max_length: int) -> Iterator[bytes]:
        """The file at ``url`` in pieces, within the per-file deadline (its length at the
        minimum rate, plus slack) and never more than ``max_length`` bytes."""
        self._file_budget = self._file_slack_s + max_length / self._min_rate
        self._file_deadline = time.monotonic() + self._file_budget
        try:
            received = 0
            for chunk in self.fetch(url):
                received += len(chunk)
                if received > max_length:
                    raise exceptions.DownloadLengthMismatchError(
                        f"Downloaded {received} bytes exceeding the maximum allowed length of {max_length}")
                yield chunk
        finally:
            self._file_deadline = self._sync_deadline
            self._file_budget = self._deadline_s

    @contextmanager
    def download_file(self, url: str, max_length: int) -> Iterator[IO]:
        """As FetcherInterface's, through ``chunks``, with the temporary file in the cache
        folder (not the system's temp folder, which may be a small RAM disk)."""
        with tempfile.TemporaryFile(dir=self._scratch) as temp_file:
            for chunk in self.chunks(url, max_length):
                temp_file.write(chunk)
            if "/metadata/" in url:  # small (python-tuf caps them); kept for _clock_ahead
                temp_file.seek(0)
                self.metadata[_name(url)] = temp_file.read()
            temp_file.seek(0)
            yield temp_file


def _name(url: str) -> str:
    """How a person knows the file: ``payouts/2025/371522102.csv.gz``, ``timestamp.json``."""
    path = urllib.parse.unquote(urllib.parse.urlparse(url).path)
    for base in ("/targets/", "/metadata/"):
        if base in path:
            path = path.rsplit(base, 1)[1]
            break
    folder, _, name = path.rpartition("/")
    digest, dot, rest = name.partition(".")
    if dot and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest):
        name = rest  # consistent snapshot: <sha256>.<name>
    return f"{folder}/{name}" if folder else name


@dataclass
class FetchedFeed:
    """A verified feed: its version, its info file and every target with its local copy."""

    version: int
    data_as_of: str
    targets: dict[str, tuple[TargetFile, Path]]
    downloaded: int


def _base_urls(source: str) -> tuple[str, str, FetcherInterface | None]:
    if source.startswith(("http://", "https://")):
        base = source.rstrip("/") + "/"
        return base + "metadata/", base + "targets/", None
    folder = Path(source).resolve()
    if not (folder / "metadata").is_dir():
        raise FeedRefused(f"{folder} 不是县级数据源目录（缺少 metadata 文件夹）",
                          f"{folder} is not a feed folder (no metadata/ inside)")  # fmt: skip
    base = folder.as_uri() + "/"
    return base + "metadata/", base + "targets/", FolderFetcher()


def fetch(source: str, cache: Path, trusted_root: bytes, timeout_s: float = 30,
          progress: Callable[[int, int], None] | None = None,
          cancelled: Callable[[], bool] = lambda: False, deadline_s: float = SYNC_DEADLINE_S,
          min_rate: float = MIN_RATE, file_slack_s: float = FILE_SLACK_S) -> FetchedFeed:
    """Refresh the metadata and download every changed target into ``cache``.

    Args:
        trusted_root: the root.json that shipped with the terminal (used until the cache
            holds a verified, possibly newer, root).
        timeout_s: connect timeout and the longest silence between two reads.
        progress: called with (targets done, targets total).
        deadline_s: the longest the whole download may take.
        min_rate, file_slack_s: one file may take ``file_slack_s + length / min_rate``.

    Raises:
        FeedRefused: verification or download failed, a target is unknown or larger than
            the terminal accepts, a deadline passed, or the local clock is wrong
            (message in Chinese and English).
        Cancelled: ``cancelled()`` turned true (checked between chunks).
    """
    limits = Limits(timeout_s, deadline_s, min_rate, file_slack_s, cancelled)
    with opened(source, cache, trusted_root, limits) as updater:
        updater.refresh()
        targets_meta = Metadata[Targets].from_file(str(cache / "metadata" / "targets.json"))
        _check_targets(targets_meta.signed.targets)
        paths = sorted(targets_meta.signed.targets)
        found: dict[str, tuple[TargetFile, Path]] = {}
        downloaded = 0
        for done, path in enumerate(paths, start=1):
            if cancelled():
                raise Cancelled()
            info = updater.get_targetinfo(path)
            if info is None:  # pragma: no cover - listed paths always resolve
                raise FeedRefused(f"数据源缺少文件 {path}", f"feed lacks target {path}")
            local = updater.find_cached_target(info)
            if local is None:
                local = updater.download_target(info)
                downloaded += 1
            found[path] = (info, Path(local))
            if progress:
                progress(done, len(paths))
    data_as_of = _data_as_of(found)
    return FetchedFeed(targets_meta.signed.version, data_as_of, found, downloaded)


@dataclass(frozen=True)
class Limits:
    timeout_s: float
    deadline_s: float
    min_rate: float
    file_slack_s: float
    cancelled: Callable[[], bool]


def _guarded(folder_fetcher: FetcherInterface | None, scratch: Path, limits: Limits) -> GuardedFetcher:
    """The fetcher for a feed: the folder's, or HTTP with a socket timeout that never outlasts
    the guard's deadlines; spooling in ``scratch``."""
    inner = folder_fetcher or HttpFetcher(limits.timeout_s, lambda: guard.remaining())
    guard = GuardedFetcher(inner, scratch, limits.deadline_s, limits.min_rate, limits.file_slack_s,
                           limits.cancelled)  # fmt: skip
    return guard


@contextmanager
def opened(source: str, cache: Path, trusted_root: bytes, limits: Limits) -> Iterator[Updater]:
    """python-tuf's Updater on ``source`` with the metadata cache in ``cache``, fetching
    through a GuardedFetcher with ``limits``; its refusals come out as FeedRefused."""
    metadata_url, targets_url, folder_fetcher = _base_urls(source)
    meta_dir, target_dir = cache / "metadata", cache / "targets"
    meta_dir.mkdir(parents=True, exist_ok=True)
    target_dir.mkdir(parents=True, exist_ok=True)
    guard = _guarded(folder_fetcher, cache, limits)
    bootstrap = None if (meta_dir / "root.json").exists() else trusted_root
    try:
        updater = Updater(str(meta_dir), metadata_url, str(target_dir), targets_url, guard,
                          UpdaterConfig(), bootstrap=bootstrap)  # fmt: skip
        yield updater
    except (exceptions.RepositoryError, exceptions.DownloadError) as exc:
        raise _refusal(exc, guard.metadata, meta_dir) from exc


def download_verified(source: str, info: TargetFile, dest: Path, limits: Limits) -> None:
    """One target whose metadata is already verified, fetched with ``limits`` into a
    temporary file beside ``dest`` and hashed on the way, then put in place atomically only
    if its length and hash are the signed ones: a long download needs neither the metadata
    cache nor the sync lock, and the bytes are written once.

    Raises:
        FeedRefused: the download failed, a deadline passed, or the bytes do not match.
        Cancelled: ``limits.cancelled()`` turned true.
    """
    _, targets_url, folder_fetcher = _base_urls(source)
    guard = _guarded(folder_fetcher, dest.parent, limits)
    folder, _, name = info.path.rpartition("/")
    url = f"{targets_url}{folder}/{info.hashes['sha256']}.{name}"  # consistent snapshot names
    digest, received = hashlib.sha256(), 0
    try:
        with replacing(dest, 0o644) as out:
            for chunk in guard.chunks(url, info.length):
                digest.update(chunk)
                received += len(chunk)
                out.write(chunk)
            if received != info.length or digest.hexdigest() != info.hashes["sha256"]:
                raise exceptions.LengthOrHashMismatchError(
                    f"{_name(url)}: {received} bytes, sha256 {digest.hexdigest()}; signed: {info.length}"
                    f" bytes, {info.hashes['sha256']}")
    except (exceptions.RepositoryError, exceptions.DownloadError) as exc:
        raise _refusal(exc, {}, dest.parent) from exc


def _check_targets(targets: dict[str, TargetFile]) -> None:
    """Refuse, before anything is downloaded, a path the feed format does not define
    (``../``, unknown names) and a target larger than the terminal accepts or declares."""
    for path, info in sorted(targets.items()):
        feed_format.check_target_path(path)
        cap = feed_format.MAX_INFO if path == FEED_INFO else feed_format.MAX_PACKED
        if info.length > cap:
            raise FeedRefused(f"数据文件 {path} 的大小（{info.length} 字节）超出终端上限 {cap} 字节，已拒绝",
                              f"target {path} is {info.length} bytes, over the terminal's limit"
                              f" of {cap}; refused")  # fmt: skip
        if path != FEED_INFO:
            feed_format.declaration(path, info.custom)


def _data_as_of(found: dict[str, tuple[TargetFile, Path]]) -> str:
    """feed.json's data-as-of, refused when the local clock is well before it."""
    if FEED_INFO not in found:
        raise FeedRefused("数据源缺少 feed.json", "the feed has no feed.json")
    try:
        info = json.loads(found[FEED_INFO][1].read_bytes())
        as_of = dt.datetime.fromisoformat(info["data_as_of"])
        if as_of.tzinfo is None:
            raise ValueError("data_as_of has no time zone")
    except (ValueError, KeyError, TypeError) as exc:
        raise FeedRefused("数据源的 feed.json 无效，已拒绝",
                          f"the feed's feed.json is invalid ({exc}); refused") from exc  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    if now < as_of - CLOCK_BEHIND_SLACK:
        local, data = now.astimezone(), as_of.astimezone()
        raise FeedRefused(
            f"终端日期时间早于数据日期（本机时间 {local:%Y-%m-%d %H:%M}，数据日期 {data:%Y-%m-%d %H:%M}），"
            "请校准终端日期时间后重试",
            f"the terminal's clock ({local:%Y-%m-%d %H:%M}) is before the data's date"
            f" ({data:%Y-%m-%d %H:%M}); set the terminal's date and time and retry",
        )
    return info["data_as_of"]


_REASONS = (
    (exceptions.ExpiredMetadataError, "数据源已过期，请向县里获取最新的数据源",
     "the feed has expired; fetch a new one from the county"),
    (exceptions.BadVersionNumberError, "数据源版本比本机已有的旧（可能是回滚攻击），已拒绝",
     "the feed is older than what this terminal already has (rollback); refused"),
    (exceptions.UnsignedMetadataError, "数据源签名无效或不是本县的数据源，已拒绝",
     "the feed's signatures are invalid or it is not this county's feed; refused"),
    (exceptions.LengthOrHashMismatchError, "数据文件与签名记录不符（被篡改或不完整），已拒绝",
     "a data file does not match its signed hash or length (tampered or truncated); refused"),
    (exceptions.DownloadLengthMismatchError, "下载的文件超出声明的长度，已拒绝",
     "a download was longer than its declared length; refused"),
    (exceptions.SlowRetrievalError, "数据源服务器无响应（超时），请稍后重试",
     "the feed server stopped answering (timeout); try again later"),
    (_Dropped, "下载中途连接中断，数据未改动，请检查网络或 U 盘后重试",
     "the connection dropped in the middle of a file; nothing was changed, check the network"
     " or USB stick and retry"),
    (exceptions.DownloadHTTPError, "数据源服务器返回错误，请检查地址或稍后重试",
     "the feed server answered with an error; check the address or try later"),
    (exceptions.DownloadError, "无法下载数据源，请检查网络或 U 盘",
     "the feed could not be downloaded; check the network or the USB stick"),
    (exceptions.RepositoryError, "数据源校验失败，已拒绝", "the feed failed verification; refused"),
)  # fmt: skip


def _refusal(exc: Exception, downloaded: dict[str, bytes], meta_dir: Path) -> FeedRefused:
    if isinstance(exc, exceptions.ExpiredMetadataError):
        clock = _clock_ahead(str(exc), downloaded, meta_dir)
        if clock:
            return clock
    for kind, zh, en in _REASONS:
        if isinstance(exc, kind):
            detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            return FeedRefused(f"{zh}（{detail}）", f"{en} ({detail})")
    return FeedRefused("数据源校验失败，已拒绝", f"the feed failed verification ({exc})")


def _clock_ahead(message: str, downloaded: dict[str, bytes],
                 meta_dir: Path) -> FeedRefused | None:  # fmt: skip
    """The refusal for a terminal whose clock is far ahead, or None if the feed is just old.

    python-tuf names the expired role in its message and checks expiry only after the
    signatures, so the expired metadata is the one last downloaded for that role (or, for
    the root, the trusted root in the cache). It only chooses the words of a refusal.
    """
    role = next((r for r in ("root", "timestamp", "snapshot", "targets") if r in message), None)
    if role is None:
        return None
    names = sorted((n for n in downloaded if n == f"{role}.json" or n.endswith(f".{role}.json")),
                   key=lambda n: int(n.split(".")[0]) if n[0].isdigit() else 0)  # fmt: skip
    try:
        data = downloaded[names[-1]] if names else (meta_dir / f"{role}.json").read_bytes()
        expires = Metadata.from_bytes(data).signed.expires
    except Exception:  # unreadable: fall back to the plain "expired" words
        return None
    now = dt.datetime.now(dt.UTC)
    if now - expires <= EXPIRED_PLAUSIBLE:
        return None
    local = now.astimezone()
    return FeedRefused(
        f"终端日期时间可能不正确（本机时间 {local:%Y-%m-%d}），请校准终端日期时间后重试"
        f"（数据源 {role}.json 的有效期至 {expires:%Y-%m-%d}）",
        f"the terminal's date and time may be wrong (it reads {local:%Y-%m-%d}); set them and"
        f" retry (the feed's {role}.json is valid until {expires:%Y-%m-%d})",
    )
