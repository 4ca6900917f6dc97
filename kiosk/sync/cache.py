"""Terminal side: the last verified feed, read back from the local cache without a network.

Everything in a terminal's database came from the feed, so a damaged database can be
rebuilt from the cache that the last sync left: its metadata was verified before python-tuf
stored it, and every target file is checked again against its signed length and hashes.
"""

import json
from pathlib import Path
from urllib import parse

from tuf.api import exceptions
from tuf.api.metadata import Metadata, Targets

from kiosk.errors import KnownError
from kiosk.formats.feed_format import FEED_INFO
from kiosk.sync.client import FetchedFeed


def cached_feed(cache: Path) -> FetchedFeed:
    """The feed held in ``cache`` (``<terminal>/feed-cache``), every file verified.

    Raises:
        KnownError: there is no complete cached feed (staff must sync from the county).
    """
    missing = KnownError("本机没有完整的县级数据缓存，请工作人员立即同步县级数据",
                         f"no complete feed in the local cache {cache}; sync from the county")  # fmt: skip
    try:
        targets = Metadata[Targets].from_bytes((cache / "metadata" / "targets.json").read_bytes())
    except (OSError, ValueError) as exc:  # missing, or not valid metadata
        raise missing from exc
    found = {}
    for path, info in targets.signed.targets.items():
        # python-tuf names a cached target by its URL-quoted path (Updater._generate_target_file_path).
        local = cache / "targets" / parse.quote(path, "")
        try:
            with local.open("rb") as data:
                info.verify_length_and_hashes(data)
        except (OSError, exceptions.LengthOrHashMismatchError) as exc:
            raise missing from exc
        found[path] = (info, local)
    if FEED_INFO not in found:
        raise missing
    info = json.loads(found[FEED_INFO][1].read_bytes())
    return FetchedFeed(targets.signed.version, info["data_as_of"], found, downloaded=0)
