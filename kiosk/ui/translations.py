"""Qt's own words in Chinese: whatever stock Qt text is left on staff screens (a context
menu's 复制/粘贴, a dialog's 取消) comes from Qt's zh_CN catalogue (qtbase_zh_CN.qm, shipped
with PySide6 in QLibraryInfo's translations folder)."""

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

_NAME = "kiosk-qt-zh_CN"


def install_qt_translations(app: QCoreApplication) -> bool:
    """Install Qt's zh_CN translations on ``app`` (once); False if the catalogue is missing."""
    if app.findChild(QTranslator, _NAME) is not None:
        return True
    translator = QTranslator(app)  # the app owns it, so it lives as long as the app
    translator.setObjectName(_NAME)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    locale = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    if not translator.load(locale, "qtbase", "_", folder):
        translator.deleteLater()
        return False
    return app.installTranslator(translator)
