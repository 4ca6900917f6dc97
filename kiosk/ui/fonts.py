"""Load the bundled CJK font so Chinese never falls back to boxes on a bare terminal."""

from PySide6.QtGui import QFont, QFontDatabase

from kiosk import log
from kiosk.paths import cjk_font


def install_app_font(base_pt: int = 16) -> QFont:
    """Register the bundled font and return it as the application font.

    Returns:
        the font to pass to ``QApplication.setFont``.
    """
    font_id = QFontDatabase.addApplicationFont(str(cjk_font()))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.get("kiosk.ui").error("bundled font %s could not be loaded", cjk_font())
        return QFont()
    return QFont(families[0], base_pt)
