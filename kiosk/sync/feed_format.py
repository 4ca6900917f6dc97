"""The county feed's data files: one gzip CSV per dataset and scope.

A partition is what one TUF target holds: ``payouts/2025/371522102.csv.gz`` (one town's
results for a year) or ``qa.csv.gz`` (a whole small dataset). The CSV inside has the
dataset's canonical Chinese headers and canonical cell text, so the terminal reads it with
the same validator as a county spreadsheet. Files are written byte-for-byte
deterministically (gzip mtime 0, fixed row order), so an unchanged partition keeps its
hash and terminals skip it.
"""

import csv
import gzip
import io
import re
from dataclasses import dataclass

from kiosk import fmt
from kiosk.sync import cells
from kiosk.sync.datasets import BY_NAME, PAYOUTS, Dataset
from kiosk.sync.validate import Row

_PAYOUT_TARGET = re.compile(r"^payouts/(\d{4})/(\d{9})\.csv\.gz$")
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
    """Rows (as read by kiosk.sync.validate) -> deterministic gzip CSV bytes."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([c.header for c in dataset.columns])
    for row in rows:
        writer.writerow([_cell(c.parse, row[c.key]) for c in dataset.columns])
    return gzip.compress(text.getvalue().encode("utf-8"), compresslevel=6, mtime=0)


def decode(data: bytes) -> str:
    """Gzip CSV bytes -> CSV text (raises on a corrupt or truncated stream)."""
    return gzip.decompress(data).decode("utf-8")
