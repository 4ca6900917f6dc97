"""The county reference data shipped in resources/county."""

import csv

from kiosk.formats.datasets import BY_NAME
from kiosk.formats.validate import DuplicateFinder, Problems, read_rows
from kiosk.paths import resource


def _rows(name: str) -> list[dict]:
    problems = Problems()
    rows = list(read_rows(BY_NAME[name], resource("county", f"{name}.csv"), problems,
                          DuplicateFinder()))  # fmt: skip
    assert not problems, problems.lines
    return rows


def test_the_24_towns_with_official_codes():
    towns = {r["code"]: r["name"] for r in _rows("towns")}
    assert len(towns) == 24
    assert sum(1 for n in towns.values() if n.endswith("街道")) == 4
    assert towns["371522102"] == "朝城镇" and towns["371522104"] == "古城镇"
    assert "371522108" not in towns  # there is no 108 in the NBS list


def test_26_domains_each_with_catalogue_entries():
    domains = {r["code"] for r in _rows("catalogue_domains")}
    assert len(domains) == 26
    per_domain = {}
    for entry in _rows("catalogue_entries"):
        per_domain[entry["domain_code"]] = per_domain.get(entry["domain_code"], 0) + 1
    assert set(per_domain) == domains
    assert min(per_domain.values()) >= 3


def test_every_reference_file_validates():
    for name in ("subsidy_items", "qa", "documents", "guides", "contacts", "work_calendar"):
        assert _rows(name), name


def test_font_is_bundled_with_its_licence():
    assert resource("fonts", "wqy-microhei.ttc").stat().st_size > 1_000_000
    assert "Apache" in resource("fonts", "LICENSE-wqy-microhei.txt").read_text(encoding="utf-8")


def test_reference_csvs_are_utf8_with_exact_headers():
    for name in ("towns", "catalogue_domains", "catalogue_entries", "qa", "documents"):
        with resource("county", f"{name}.csv").open(encoding="utf-8") as f:
            header = next(csv.reader(f))
        assert header[:2] == [c.header for c in BY_NAME[name].columns][:2]
