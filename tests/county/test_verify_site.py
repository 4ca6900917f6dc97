"""The notice verification site end to end: county build writes verify/, a real static
server on loopback serves it, a terminal syncs and prints, the QR is read back with
zbarimg and its address fetched; then one row changes and the old 校验码 reports 已更新."""

import csv
import datetime as dt
import hashlib
import html.parser
import json
import os
import re
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

from kiosk import fmt
from kiosk.county.feed import publisher, verify_site
from kiosk.errors import KnownError
from kiosk.formats import feed_format, notice_digest
from kiosk.services import notices, payouts, sync
from kiosk.store.db import close_database, open_database
from tests.helpers.feeds import FeedServer
from tests.helpers.spreadsheets import add_one_yuan

YEAR = 2025
TOWN = "371522102"  # 朝城镇


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


def _first_village(input_dir: Path) -> tuple[Path, str]:
    """The payout file of TOWN's YEAR and the village of its first row."""
    (path,) = (input_dir / "payouts").glob(f"{YEAR}_{TOWN}_*.csv")
    with path.open(encoding="utf-8-sig") as f:
        return path, next(csv.DictReader(f))["村代码"]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def _qr_of(pdf: Path, pages: int, scratch: Path) -> str:
    subprocess.run(["pdftoppm", "-png", "-r", "200", "-f", str(pages), "-l", str(pages), str(pdf),
                    str(scratch / "qr")], check=True)  # fmt: skip
    (png,) = scratch.glob("qr*.png")
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True,
                             check=True).stdout.strip()  # fmt: skip
    png.unlink()
    return decoded


class _Items(html.parser.HTMLParser):
    """The digest list of a page: (digest, status, until) per <li data-d>, and the script."""

    def __init__(self, text: str):
        super().__init__()
        self.items: list[dict[str, str]] = []
        self.script = ""
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li" and "data-d" in attrs:
            self.items.append(attrs)
        self._in_script = tag == "script"

    def handle_data(self, data):
        if self._in_script:
            self.script += data

    def handle_endtag(self, tag):
        self._in_script = False


def _script_says(page: str, digest: str) -> str | None:
    """What the page's own inline script shows for ?d=<digest>, run in node with the page's
    list as its DOM (None without node)."""
    node = shutil.which("node")
    if node is None:
        return None
    parsed = _Items(page)
    harness = "".join((
        "var items=", json.dumps(parsed.items),
        ".map(function(a){return {a:a,className:'',getAttribute:function(k){return this.a[k];}}});",
        "var r={hidden:true,className:'',textContent:''};",
        "var document={getElementById:function(){return r;},",
        "querySelectorAll:function(){return items;}};",
        "var location={search:", json.dumps(f"?d={digest}"), "};", parsed.script,
        "\nconsole.log(r.hidden?'':r.textContent);",
    ))  # fmt: skip
    return subprocess.run([node, "-e", harness], capture_output=True, text=True,
                          check=True).stdout.strip()  # fmt: skip


@pytest.fixture
def county(county_input, county_keys, tmp_path):
    """The demo county's input, a feed built from it, served on loopback."""
    feed = tmp_path / "feed"
    publisher.build_feed(county_input, county_keys, feed)
    server = FeedServer(feed)
    yield county_input, feed, server
    server.close()


def _sync_and_print(server: FeedServer, keydir: Path, db: Path, village: str, out: Path,
                    item_code: str | None = None):
    open_database(db)
    try:
        sync.sync(server.url, db, keydir / "root.json")
        options = notices.NoticeOptions(verify_base_url=f"{server.url}/verify",
                                        start=dt.date.today() + dt.timedelta(days=1))  # fmt: skip
        return notices.print_notice(village, YEAR, out, item_code, options)
    finally:
        close_database()


@pytest.mark.slow
def test_printed_qr_verifies_then_reports_the_update(county, county_keys, tmp_path):
    county_input, feed, server = county
    path, village = _first_village(county_input)
    db = tmp_path / "terminal" / "kiosk.sqlite3"
    db.parent.mkdir()
    first = _sync_and_print(server, county_keys, db, village, tmp_path / "a.pdf")

    url = _qr_of(tmp_path / "a.pdf", first.pages, tmp_path)
    assert url == first.verify_url == f"{server.url}/verify/{village}-{YEAR}/?d={first.digest}"
    page = _get(url)
    index = json.loads(_get(f"{server.url}/verify/{village}-{YEAR}/index.json"))
    assert index["village"] == village and index["year"] == YEAR and index["town"] == TOWN
    assert index["village_name"] in page and index["town_name"] == "朝城镇" in page
    current = index["current"]
    assert current["version"] == 1
    assert fmt.money(current["amount_fen"]) in page
    assert current["amount_fen"] == sum(i["amount_fen"] for i in current["items"])
    entry = {e["digest"]: e for e in index["digests"]}[first.digest]
    assert (entry["status"], entry["scope"], entry["until"]) == ("现行", "*", None)
    assert verify_site.status_of(index, first.digest) == "此公示单与县级现行数据一致"
    assert f'data-d="{first.digest}" data-s="现行"' in page
    made_up = "0123456789abcdef"
    assert verify_site.status_of(index, made_up) == "未找到：请向镇(街道)核实"
    if shutil.which("node"):
        assert _script_says(page, first.digest) == "此公示单与县级现行数据一致"
        assert _script_says(page, made_up) == "未找到：请向镇(街道)核实"

    # A one-item sheet: its own digest, listed on the same page.
    item = current["items"][0]["code"]
    one = _sync_and_print(server, county_keys, db, village, tmp_path / "item.pdf", item)
    assert one.verify_url == f"{server.url}/verify/{village}-{YEAR}/?d={one.digest}&i={item}"
    assert _script_says(_get(one.verify_url), one.digest) in (None, "此公示单与县级现行数据一致")
    assert {e["digest"]: e["scope"] for e in index["digests"]}[one.digest] == item

    add_one_yuan(path)  # its village's totals and digests change
    rebuilt = publisher.build_feed(county_input, county_keys, feed)
    second = _sync_and_print(server, county_keys, db, village, tmp_path / "b.pdf")
    assert second.digest != first.digest
    url = _qr_of(tmp_path / "b.pdf", second.pages, tmp_path)
    page = _get(url)
    index = json.loads(_get(f"{server.url}/verify/{village}-{YEAR}/index.json"))
    as_of = index["current"]["data_as_of"]
    assert index["current"]["version"] == rebuilt.version == 2
    by_digest = {e["digest"]: e for e in index["digests"]}
    assert by_digest[first.digest]["status"] == "已更新" and by_digest[first.digest]["until"] == as_of
    assert by_digest[second.digest]["status"] == "现行"
    assert verify_site.status_of(index, first.digest) == f"此公示单数据已于 {as_of} 更新，请以现行公示为准"
    assert verify_site.status_of(index, second.digest) == "此公示单与县级现行数据一致"
    assert verify_site.status_of(index, made_up) == "未找到：请向镇(街道)核实"
    assert f'data-d="{first.digest}" data-s="已更新" data-u="{as_of}"' in page
    assert page.index(second.digest) < page.index("已更新的校验码") < page.index(first.digest)
    if shutil.which("node"):
        assert _script_says(page, first.digest) == f"此公示单数据已于 {as_of} 更新，请以现行公示为准"
        assert _script_says(page, second.digest) == "此公示单与县级现行数据一致"


def test_county_and_terminal_compute_the_same_digests(county, county_keys, tmp_path):
    _, feed, server = county
    db = tmp_path / "kiosk.sqlite3"
    open_database(db)
    try:
        sync.sync(server.url, db, county_keys / "root.json")
        folders = sorted(f for f in (feed / "verify").iterdir() if f.name != verify_site.CONSULTATIONS_DIR)
        assert folders and all(f.name.count("-") == 1 for f in folders)
        for folder in folders[::40]:
            index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
            result = payouts.village_payouts(index["village"], index["year"])
            county_side = {e["scope"]: e["digest"] for e in index["digests"] if e["status"] == "现行"}
            terminal = {notice_digest.ALL_ITEMS: notice_digest.digest_of_records(
                index["village"], index["year"], None, result.rows)}  # fmt: skip
            for code in {r.item_code for r in result.rows}:
                terminal[code] = notice_digest.digest_of_records(index["village"], index["year"], code,
                                                                 result.rows)  # fmt: skip
            assert county_side == terminal, folder.name
            totals = index["current"]
            assert (totals["households"], totals["persons"], totals["amount_fen"]) == (
                result.totals.households, result.totals.persons, result.totals.amount_fen)
    finally:
        close_database()


def test_digest_ignores_row_order_and_covers_every_field():
    rows = [["A01", "张三", "371522********1234", 520, "亩", 12500, 65000, dt.date(2025, 5, 1), None],
            ["B02", "李四", "371522********5678", 100, "人", 10000, 10000, "2025-06-01", "补发"]]
    base = notice_digest.digest("371522102201", 2025, None, rows)
    assert len(base) == 16 and re.fullmatch(r"[0-9a-f]{16}", base)
    assert notice_digest.digest("371522102201", 2025, None, rows[::-1]) == base
    assert notice_digest.digest("371522102201", 2025, "A01", rows) == notice_digest.digest(
        "371522102201", 2025, "A01", rows[:1])
    assert notice_digest.digest("371522102201", 2025, "A01", rows) != base
    assert notice_digest.digest("371522102201", 2024, None, rows) != base
    for i in range(9):
        changed = [list(rows[0]), rows[1]]
        changed[0][i] = changed[0][i] + 1 if isinstance(changed[0][i], int) else f"{changed[0][i]}x"
        assert notice_digest.digest("371522102201", 2025, None, changed) != base, i


def _people(feed: Path) -> tuple[set[str], set[str]]:
    """Every name and masked ID the feed's payout partitions hold."""
    names, ids = set(), set()
    for path in (feed / "targets" / "payouts").rglob("*.csv.gz"):
        for row in csv.DictReader(feed_format.decode(path.read_bytes()).splitlines()):
            names.add(row["户主姓名"])
            ids.add(row["身份证号"])
    return names, ids


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


@pytest.mark.slow
def test_no_name_or_id_fragment_on_any_page(county):
    _, feed, _ = county
    names, ids = _people(feed)
    assert len(names) > 100 and len(ids) > 100
    tails = {i[-4:] for i in ids if i.endswith("X")}  # digits could be an amount; X cannot
    allowed = {"*", "现行", "已更新", "全部项目", "户", "人", ""}
    for folder in sorted(f for f in (feed / "verify").iterdir() if f.name != verify_site.CONSULTATIONS_DIR):
        index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        allowed_here = allowed | {index["village"], index["village_name"], index["town"],
                                  index["town_name"], index.get("withdrawn_reason", "")}  # fmt: skip
        for value in _strings(index):
            ok = (value in allowed_here or re.fullmatch(r"[0-9a-f]{16}|\d{4}-\d{2}-\d{2}|[A-Z]\d{2}", value)
                  or value in {i["name"] for i in index["current"]["items"]})  # fmt: skip
            assert ok, f"{folder.name}: unexpected text {value!r}"
        for file in ("index.html", "index.json"):
            text = (folder / file).read_text(encoding="utf-8")
            for place in (index["village_name"], index["town_name"]):  # 南马宝屯村 holds 马宝
                text = text.replace(place, "")
            assert "*" not in text.replace('"*"', "")  # the all-items scope, not a mask
            assert not re.search(r"\d{6}\*|\*{2,}", text)
            found = [n for n in names if n in text] + [i for i in ids if i in text]
            found += [t for t in tails if t in text]
            assert not found, f"{folder.name}/{file}: {found[:5]}"


def test_unchanged_village_years_are_byte_identical(county, county_keys, tmp_path):
    county_input, feed, _ = county
    site = feed / "verify"
    before = _tree(site)
    again = publisher.build_feed(county_input, county_keys, feed)
    assert again.verify.written == 0 and _tree(site) == before

    path, village = _first_village(county_input)
    add_one_yuan(path)
    changed = publisher.build_feed(county_input, county_keys, feed)
    after = _tree(site)
    differ = {name.split("/")[0] for name in before if after[name] != before[name]}
    assert differ == {f"{village}-{YEAR}"}
    village_years = {name.split("/")[0] for name in before} - {verify_site.CONSULTATIONS_DIR}
    assert changed.verify.written == 1 and changed.verify.pages == len(village_years)
    assert set(after) == set(before)


def test_the_site_is_built_the_same_from_scratch(county, county_keys, tmp_path):
    """Two fresh feeds from the same input: the same verify bytes (no build clock in them)."""
    county_input, feed, _ = county
    other = tmp_path / "other"
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    publisher.build_feed(county_input, county_keys, other, now=later)
    assert _tree(other / "verify") == _tree(feed / "verify")


def test_a_feed_without_a_site_seeds_its_history(county, county_keys):
    """Upgrading a county whose feed predates the site: notices printed from the feed it
    already published stay listed (as 已更新 once the data changes)."""
    county_input, feed, _ = county
    path, village = _first_village(county_input)
    old = json.loads((feed / "verify" / f"{village}-{YEAR}" / "index.json").read_text(encoding="utf-8"))
    old_digest = old["digests"][0]["digest"]
    shutil.rmtree(feed / "verify")
    add_one_yuan(path)
    publisher.build_feed(county_input, county_keys, feed)
    index = json.loads((feed / "verify" / f"{village}-{YEAR}" / "index.json").read_text(encoding="utf-8"))
    assert {e["digest"]: e["status"] for e in index["digests"]}[old_digest] == "已更新"
    assert index["current"]["version"] == 2


def test_a_dry_run_writes_no_site(county_input, county_keys, tmp_path):
    out = tmp_path / "feed"
    publisher.build_feed(county_input, county_keys, out, dry_run=True)
    assert not (out / "verify").exists()


def _one_history(feed: Path) -> tuple[Path, dict]:
    page = sorted((feed / verify_site.VERIFY_DIR).glob("*/index.json"))[0]
    return page, json.loads(page.read_text(encoding="utf-8"))


@pytest.mark.parametrize("change", [
    {"village": "../../../tmp/elsewhere"},  # choosing where pages are written
    {"year": "2025\"><script>"},
    {"digests": [{"digest": '"><script>alert(1)</script>', "scope": "*", "scope_name": "x", "status": "现行",
                  "since": "2026-01-01", "since_version": 1, "until": None}]},
    {"digests": [{"digest": "0" * 16}]},
    {"town_name": "古城镇\x1b[2J"},
    {"digests": "[" * 10},
])  # fmt: skip
def test_a_planted_history_file_stops_the_build_before_anything_is_signed(county, county_keys, change):
    source, feed, _ = county
    page, history = _one_history(feed)
    page.write_text(json.dumps({**history, **change}, ensure_ascii=False), encoding="utf-8")
    versions = sorted(p.name for p in (feed / "metadata").iterdir())
    with pytest.raises(KnownError, match="不是本程序写的") as refused:
        publisher.build_feed(source, county_keys, feed)
    assert str(page) in str(refused.value)
    assert sorted(p.name for p in (feed / "metadata").iterdir()) == versions  # nothing new signed


def test_a_history_file_that_is_a_link_or_a_fifo_is_refused(county, county_keys, tmp_path):
    source, feed, _ = county
    page, _ = _one_history(feed)
    secret = tmp_path / "secret.json"
    secret.write_text("{}", encoding="utf-8")
    page.unlink()
    page.symlink_to(secret)
    with pytest.raises(KnownError, match="不是本程序写的"):
        publisher.build_feed(source, county_keys, feed)
    page.unlink()
    os.mkfifo(page)
    with pytest.raises(KnownError, match="不是本程序写的"):
        publisher.build_feed(source, county_keys, feed)


def test_names_read_back_from_the_history_are_shown_as_text(county, county_keys):
    """A village the county no longer lists keeps its page, named from the history: as text."""
    source, feed, _ = county
    _, history = _one_history(feed)
    gone = feed / verify_site.VERIFY_DIR / "371522102999-2025"
    gone.mkdir()
    (gone / "index.json").write_text(json.dumps(
        {**history, "village": "371522102999", "year": 2025, "village_name": "<script>alert(1)</script>"},
        ensure_ascii=False), encoding="utf-8")  # fmt: skip
    publisher.build_feed(source, county_keys, feed)
    shown = (gone / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "<script>alert" not in shown
