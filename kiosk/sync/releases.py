"""Terminal side: the program releases the verified feed offers this terminal, and their
download, through the same TUF client and fetch limits as the data (kiosk.sync.client).

A release counts only when all of these hold (kiosk.formats.releases):
- the root (offline key) names a release key, and the top-level delegation to ``app`` uses
  exactly that key: a data clerk's targets key can neither sign a release nor swap the key;
- no release sits among the top-level (data) targets;
- ``app.json`` verifies with python-tuf (signature, version never lower, expiry, length);
- the release is for this platform, declares itself within bounds, and names this terminal
  in its pilot list if it has one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tuf.api import exceptions
from tuf.api.metadata import Metadata, Root, TargetFile, Targets
from tuf.ngclient import Updater

from kiosk.formats import releases as rel
from kiosk.sync import client

# A ~110 MB release over a poor link (16 kB/s) takes two hours; the data's one-hour
# deadline would never let it finish.
RELEASE_DEADLINE_S = 6 * 3600.0


@dataclass(frozen=True)
class Offer:
    declared: rel.Declaration
    info: TargetFile

    @property
    def version(self) -> str:
        return self.declared.version


def offers(source: str, cache: Path, trusted_root: bytes, platform: str, fingerprint: str,
           timeout_s: float = 30, cancelled: Callable[[], bool] = lambda: False) -> list[Offer]:
    """The releases offered to this terminal, oldest first.

    Raises:
        FeedRefused / ReleaseRefused: the feed or its release metadata failed verification.
    """
    limits = client.Limits(timeout_s, client.SYNC_DEADLINE_S, client.MIN_RATE, client.FILE_SLACK_S, cancelled)
    with client.opened(source, cache, trusted_root, limits) as updater:
        updater.refresh()
        return _offers(updater, cache / "metadata", platform, fingerprint)


def download(offer: Offer, source: str, dest: Path, timeout_s: float = 30,
             cancelled: Callable[[], bool] = lambda: False, deadline_s: float = RELEASE_DEADLINE_S,
             min_rate: float = client.MIN_RATE, file_slack_s: float = client.FILE_SLACK_S) -> Path:
    """Download ``offer``'s archive to ``dest``, checked against its signed length and hash.

    Raises:
        FeedRefused: the download failed, a deadline passed, or the bytes do not match.
    """
    limits = client.Limits(timeout_s, deadline_s, min_rate, file_slack_s, cancelled)
    client.download_verified(source, offer.info, dest, limits)
    return dest


def _offers(updater: Updater, meta_dir: Path, platform: str, fingerprint: str) -> list[Offer]:
    top = Metadata[Targets].from_file(str(meta_dir / "targets.json")).signed
    if any(t.startswith("app/") for t in top.targets):
        raise rel.ReleaseRefused("数据源把程序更新放在数据文件中（未用发布密钥签发），已拒绝",
                                 "a release sits among the data targets (not signed with the"
                                 " release key); refused")  # fmt: skip
    delegations = top.delegations
    if delegations is None or not delegations.roles or rel.ROLE not in delegations.roles:
        return []
    root = Metadata[Root].from_file(str(meta_dir / "root.json")).signed
    pin = rel.pin_of(root.unrecognized_fields)
    if pin is None:
        raise rel.ReleaseRefused("数据源含有程序更新，但根证书没有指定发布密钥，已拒绝",
                                 "the feed delegates releases but the root names no release key;"
                                 " refused")  # fmt: skip
    role = delegations.roles[rel.ROLE]
    keys = {k: delegations.keys[k].to_dict() for k in role.keyids if k in (delegations.keys or {})}
    rel.check_delegation(pin, list(role.keyids), role.threshold, keys, role.terminating, role.paths)
    # Looking a release path up makes python-tuf load and verify app.json (and persist it).
    try:
        updater.get_targetinfo(rel.target_path(platform, "0.0.0"))
    except exceptions.ExpiredMetadataError as exc:
        raise rel.ReleaseRefused("程序更新的签名已过期，请县里重新发布", "the release metadata has expired;"
                                 " the county must publish it again") from exc  # fmt: skip
    except exceptions.UnsignedMetadataError as exc:
        raise rel.ReleaseRefused("程序更新不是用发布密钥签发的，已拒绝",
                                 "the release metadata is not signed with the release key; refused") from exc
    app = Metadata[Targets].from_file(str(meta_dir / f"{rel.ROLE}.json")).signed
    found = []
    for target, info in app.targets.items():
        if not target.startswith(f"app/{platform}/"):
            continue  # another platform's: never this terminal's
        declared = rel.declaration(target, info.custom)
        if info.length > rel.MAX_ARCHIVE:
            raise rel.ReleaseRefused(f"程序更新 {target} 超出终端上限，已拒绝",
                                     f"release {target} is larger than a terminal accepts;"
                                     " refused")  # fmt: skip
        if not fingerprint or declared.offered_to(fingerprint):
            found.append(Offer(declared, info))
    return sorted(found, key=lambda o: rel.parse_version(o.version))
