"""A program update of the real bundle (make dist), each step against a raw baseline measured in
the same run:

    county:   kiosk feed release (pack and sign)   vs  tarfile + gzip of the same folder
    terminal: download over loopback HTTP, checked  vs  urllib reading the same file to disk
              unpack beside (checked, fsynced)      vs  tarfile.extractall(filter="data")
              the switch (one state.json replace)   vs  os.replace of a small file

Run:  python tests/benchmarks/bench_update.py [--bundle dist/kiosk] [--work DIR]
"""

import argparse
import os
import resource
import shutil
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo, for tests.*

os.environ.setdefault("KIOSK_KEY_PASSPHRASE", "bench")  # the county's keys are encrypted

from kiosk.county.feed import demo_county, keys, publisher, releases
from kiosk.formats import releases as rel
from kiosk.sync import releases as terminal_releases
from kiosk.update import install
from kiosk.update.state import AppRoot
from tests.helpers.feeds import FeedServer


def _timed(step):
    started = time.perf_counter()
    result = step()
    return result, time.perf_counter() - started


def _raw_pack(bundle: Path, out: Path) -> None:
    with tarfile.open(out, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=".")


def _raw_download(url: str, out: Path) -> None:
    with urllib.request.urlopen(url) as response, out.open("wb") as dest:
        shutil.copyfileobj(response, dest, 1024 * 1024)


def _raw_extract(archive: Path, dest: Path) -> None:
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", default="dist/kiosk")
    parser.add_argument("--work", help="scratch folder (default: a temporary one)")
    args = parser.parse_args()
    bundle = Path(args.bundle).resolve()
    version = (bundle / "_internal" / "kiosk" / "VERSION").read_text().strip()
    next_version = ".".join([*version.split(".")[:2], str(int(version.split(".")[2]) + 1)])
    work = Path(args.work or tempfile.mkdtemp(prefix="bench-update-"))
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    # The county: keys, a small data feed, the release key; the bundle labelled as the next version.
    keydir, app_keys, feed = work / "keys", work / "app-keys", work / "feed"
    keys.init_keys(keydir)
    releases.create_release_key(app_keys, keydir)
    demo_county.generate(work / "input", households=200, seed=1, fmt="csv")
    publisher.build_feed(work / "input", keydir, feed, verify=False)
    labelled = work / "next"
    shutil.copytree(bundle, labelled, symlinks=True)
    (labelled / "_internal" / "kiosk" / "VERSION").write_text(next_version + "\n")

    published, pack_s = _timed(lambda: releases.release(labelled, next_version, app_keys, keydir, feed))
    _, raw_pack_s = _timed(lambda: _raw_pack(labelled, work / "raw.tar.gz"))

    # The terminal: the running version installed, then the release fetched, unpacked, switched.
    root = AppRoot(work / "app")
    install.install(root, bundle, version)
    server = FeedServer(feed)
    try:
        offers, offers_s = _timed(lambda: terminal_releases.offers(
            server.url, work / "cache", (keydir / "root.json").read_bytes(), rel.this_platform(), ""))
        (offer,) = offers
        root.downloads.mkdir()
        archive = root.downloads / "release.tar.gz"
        _, download_s = _timed(lambda: terminal_releases.download(offer, server.url, archive))
        folder, _, name = published.target.rpartition("/")
        url = f"{server.url}/targets/{folder}/{published.sha256}.{name}"
        _, raw_download_s = _timed(lambda: _raw_download(url, work / "raw-download.tar.gz"))
    finally:
        server.close()
    _, stage_s = _timed(lambda: install.stage(root, archive, offer.declared))
    _, raw_extract_s = _timed(lambda: _raw_extract(archive, work / "raw-extract"))
    switched, switch_s = _timed(lambda: install.switch(root))
    small = work / "small"
    small.write_text("x")
    _, raw_replace_s = _timed(lambda: os.replace(small, work / "small-moved"))
    assert switched == next_version

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mb = 1024 * 1024
    print(f"release {next_version}: archive {published.length / mb:.1f} MB, unpacked"
          f" {published.unpacked / mb:.1f} MB in {published.files} entries")  # fmt: skip
    rows = [
        ("county: pack and sign (kiosk feed release)", pack_s, "tarfile + gzip", raw_pack_s),
        ("terminal: find the release (TUF refresh)", offers_s, "", 0.0),
        ("terminal: download, checked", download_s, "urllib to disk", raw_download_s),
        ("terminal: unpack beside, checked, fsynced", stage_s, "tarfile.extractall", raw_extract_s),
        ("terminal: switch (state.json)", switch_s, "os.replace", raw_replace_s),
    ]
    for label, ours, raw_label, raw in rows:
        ratio = f"{ours / raw:6.2f}x {raw_label} ({raw:.3f} s)" if raw else ""
        print(f"{label:45s} {ours:8.3f} s  {ratio}")
    print(f"peak RSS of this process: {peak_mb:.0f} MB")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
