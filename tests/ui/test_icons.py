"""Button icons: every label the kiosk shows has a bundled picture that really draws."""

import csv

import pytest
from PySide6.QtGui import QImage, QImageReader

from kiosk.paths import resource, resources_dir
from kiosk.services import catalogue, consult
from kiosk.ui import icons
from kiosk.ui.home import TILES
from tests.helpers.paths import REPO

CONSULT_FIXED = ("办事指南", "咨询电话")


def _reference_column(name: str, column: str) -> set[str]:
    with resource("county", name).open(encoding="utf-8-sig") as f:
        return {row[column] for row in csv.DictReader(f)}


def _coverage(image: QImage) -> tuple[int, int, set[int]]:
    """(fully opaque, partly transparent) pixel counts, and the colours of the opaque ones."""
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    opaque = partial = 0
    colours = set()
    for y in range(image.height()):
        for x in range(image.width()):
            colour = image.pixelColor(x, y)
            if colour.alpha() == 255:
                opaque += 1
                colours.add(colour.rgb())
            elif colour.alpha():
                partial += 1
    return opaque, partial, colours


def _assert_draws(label: str) -> None:
    image = icons.icon(label).pixmap(96, 96).toImage()
    assert image.width() == 96, label
    opaque, partial, colours = _coverage(image)
    assert opaque > 200, f"{label}: icon draws (almost) nothing"
    # Drawn by the SVG icon engine at 96 px, strokes are solid with thin edges; a 24 px
    # bitmap scaled up (engine plugin missing) would be mostly blur.
    assert opaque > partial, f"{label}: icon is blurred, not drawn as a vector"
    assert colours == {0xFFFFFFFF}, f"{label}: strokes are not white"


def _assert_mapped(label: str) -> None:
    assert icons.icon_name(label) != icons.FALLBACK, f"{label} has no icon of its own"
    assert icons.icon_path(label).is_file()
    _assert_draws(label)


def test_svg_plugin_available(qapp):
    assert b"svg" in QImageReader.supportedImageFormats()


@pytest.mark.parametrize("label", TILES)
def test_home_tiles(qapp, label):
    _assert_mapped(label)


def test_domains_of_reference_data(qapp):
    names = _reference_column("catalogue_domains.csv", "领域名称")
    assert len(names) == 26
    for name in sorted(names):
        _assert_mapped(name)


def test_domains_of_demo_database(qapp, demo_db):
    domains = catalogue.list_domains()
    assert len(domains) == 26
    for domain in domains:
        _assert_mapped(domain.name)


def test_consult_categories(qapp, demo_db):
    categories = [*consult.qa_categories(), *CONSULT_FIXED]
    assert len(categories) > len(CONSULT_FIXED)
    # Guide categories too (社会保险), so a category page of guides gets a picture as well.
    categories += sorted(_reference_column("guides.csv", "类别") | _reference_column("qa.csv", "类别"))
    for category in categories:
        _assert_mapped(category)


def test_unknown_label_gets_fallback(qapp):
    assert icons.icon_name("某个新的类别") == icons.FALLBACK
    assert icons.icon_name("") == icons.FALLBACK
    _assert_draws("某个新的类别")


def test_new_label_containing_a_known_one():
    assert icons.icon_name(" 城乡居民养老保险 ") == icons.ICONS["养老"]
    assert icons.icon_name("养老服务") == icons.ICONS["养老服务"]


def test_bundle_has_exactly_the_icons_used_all_white():
    folder = resources_dir() / "icons"
    used = {*icons.ICONS.values(), icons.FALLBACK}
    assert {p.stem for p in folder.glob("*.svg")} == used
    for name in used:
        text = (folder / f"{name}.svg").read_text(encoding="utf-8")
        assert "currentColor" not in text, name
        assert 'stroke="#ffffff"' in text, name


def test_licence_shipped():
    licence = resource("icons", "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in licence and "Paweł Kuna" in licence
    readme = resource("icons", "README.md").read_text(encoding="utf-8")
    assert "Tabler Icons" in readme and "MIT" in readme
    spec = (REPO / "build_spec" / "kiosk.spec").read_text(encoding="utf-8")
    assert '"resources" / "icons"' in spec


def test_icon_size_follows_theme():
    from kiosk.ui.theme import ELDERLY, NORMAL

    assert icons.icon_size(NORMAL.touch_px).width() == 40
    assert icons.icon_size(ELDERLY.touch_px).height() == 48
