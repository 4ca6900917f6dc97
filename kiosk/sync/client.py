"""Terminal side: fetch and verify the county feed with python-tuf's ngclient.

The source is an HTTP(S) URL or a folder (a USB stick). Every file is checked against
signed metadata (signatures, versions, expiry, lengths, hashes) before it is used; only
targets whose hash is not already in the local cache are downloaded.
"""

import json
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tuf.api import exceptions
from tuf.api.metadata import Metadata, TargetFile, Targets
from tuf.ngclient import FetcherInterface, Updater, UpdaterConfig
from tuf.ngclient.urllib3_fetcher import Urllib3Fetcher

from kiosk.errors import KnownError
from kiosk.sync.publisher import FEED_INFO

CHUNK = 256 * 1024


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


def fetch(source: str, cache: Path, trusted_root: bytes, timeout_s: int = 30,
          progress: Callable[[int, int], None] | None = None,
          cancelled: Callable[[], bool] = lambda: False) -> FetchedFeed:
    """Refresh the metadata and download every changed target into ``cache``.

    Args:
        trusted_root: the root.json that shipped with the terminal (used until the cache
            holds a verified, possibly newer, root).
        progress: called with (targets done, targets total).

    Raises:
        FeedRefused: verification or download failed (message in Chinese and English).
        Cancelled: ``cancelled()`` turned true.
    """
    metadata_url, targets_url, fetcher = _base_urls(source)
    meta_dir, target_dir = cache / "metadata", cache / "targets"
    meta_dir.mkdir(parents=True, exist_ok=True)
    target_dir.mkdir(parents=True, exist_ok=True)
    fetcher = fetcher or Urllib3Fetcher(socket_timeout=timeout_s, app_user_agent="shenqing-kiosk")
    bootstrap = None if (meta_dir / "root.json").exists() else trusted_root
    try:
        updater = Updater(str(meta_dir), metadata_url, str(target_dir), targets_url, fetcher,
                          UpdaterConfig(), bootstrap=bootstrap)  # fmt: skip
        updater.refresh()
        targets_meta = Metadata[Targets].from_file(str(meta_dir / "targets.json"))
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
    except exceptions.RepositoryError as exc:
        raise _refusal(exc) from exc
    except exceptions.DownloadError as exc:
        raise _refusal(exc) from exc
    if FEED_INFO not in found:
        raise FeedRefused("数据源缺少 feed.json", "the feed has no feed.json")
    info = json.loads(found[FEED_INFO][1].read_bytes())
    return FetchedFeed(targets_meta.signed.version, info["data_as_of"], found, downloaded)


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
    (exceptions.DownloadHTTPError, "数据源服务器返回错误，请检查地址或稍后重试",
     "the feed server answered with an error; check the address or try later"),
    (exceptions.DownloadError, "无法下载数据源，请检查网络或 U 盘",
     "the feed could not be downloaded; check the network or the USB stick"),
    (exceptions.RepositoryError, "数据源校验失败，已拒绝", "the feed failed verification; refused"),
)  # fmt: skip


def _refusal(exc: Exception) -> FeedRefused:
    for kind, zh, en in _REASONS:
        if isinstance(exc, kind):
            detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            return FeedRefused(f"{zh}（{detail}）", f"{en} ({detail})")
    return FeedRefused("数据源校验失败，已拒绝", f"the feed failed verification ({exc})")
