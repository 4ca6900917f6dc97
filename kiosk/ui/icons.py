"""Pictures on the big buttons (home tiles, catalogue domains, consult categories), for
villagers who read with difficulty.

The SVGs are Tabler Icons (MIT, resources/icons/LICENSE), recoloured white for the dark-blue
buttons. They are drawn by Qt's SVG icon engine plugin, so they stay sharp at any size.
"""

from functools import cache
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from kiosk.paths import resource

# Label -> SVG file (without .svg). A concept keeps one picture wherever it appears
# (户籍管理 and 户籍, 涉农补贴 as a domain and as a category) so villagers learn it once.
ICONS: dict[str, str] = {
    # home tiles
    "补贴公示": "coin-yuan",
    "政务公开目录": "list-details",
    "政策咨询": "message-question",
    "规范性文件": "file-certificate",
    "核验公示单": "qrcode",
    "我要申请·咨询": "clipboard-list",  # a form to fill in (shared with 办事指南 until it has its own)
    "意见征集": "messages",  # people talking it over
    "政策找人": "zoom-money",  # looking for money one may be owed
    # the 26 domains of the 基层政务公开标准目录
    "城乡规划": "map-2",
    "重大建设项目": "crane",
    "公共资源交易": "gavel",
    "财政预决算": "calculator",
    "安全生产": "alert-triangle",
    "税收管理": "receipt-tax",
    "征地补偿": "fence",
    "国有土地上房屋征收与补偿": "home-move",
    "农村危房改造": "home-cog",
    "生态环境": "leaf",
    "公共文化服务": "masks-theater",
    "公共法律服务": "scale",
    "乡村振兴": "seedling",
    "救灾": "lifebuoy",
    "食品药品监管": "bowl-chopsticks",
    "城市综合执法": "shield",
    "就业": "briefcase",
    "社会救助": "heart-handshake",
    "养老服务": "old",
    "户籍管理": "id",
    "涉农补贴": "wheat",
    "社会保险": "umbrella",
    "义务教育": "school",
    "卫生健康": "stethoscope",
    "市政服务": "building-community",
    "保障性住房": "home-heart",
    # consult categories (Q&A life events, service guides) and the two fixed buttons
    "养老": "old",
    "医疗": "stethoscope",
    "生育": "baby-carriage",
    "上学": "school",
    "创业": "building-store",
    "纳税": "receipt-tax",
    "住房": "home",
    "户籍": "id",
    "残疾人": "disabled",
    "退役军人": "medal",
    "办事指南": "clipboard-list",
    "咨询电话": "phone",
}

# For a label no one has mapped yet (a new category in a later county feed): neutral.
FALLBACK = "info-circle"

# Longest first, so a new label such as 城乡居民养老保险 takes 养老 rather than nothing.
_BY_LENGTH = sorted(ICONS, key=len, reverse=True)


def icon_name(label: str) -> str:
    """The SVG name for a button label: exact match, else the longest known label it
    contains, else ``FALLBACK``."""
    label = label.strip()
    if label in ICONS:
        return ICONS[label]
    for known in _BY_LENGTH:
        if known in label:
            return ICONS[known]
    return FALLBACK


def icon_path(label: str) -> Path:
    """Path of the bundled SVG for ``label`` (raises FileNotFoundError if not bundled)."""
    return resource("icons", f"{icon_name(label)}.svg")


# One QIcon per file: the SVG engine caches its drawings per icon, so pages share them.
@cache
def _icon_file(name: str) -> QIcon:
    return QIcon(str(resource("icons", f"{name}.svg")))


def icon(label: str) -> QIcon:
    """The white icon for a tile, domain or category label; never fails for an unknown
    label (it gets the fallback). Needs a QGuiApplication, like any QIcon that is drawn."""
    return _icon_file(icon_name(label))


def icon_size(touch_px: int) -> QSize:
    """Icon size for a button of the theme's touch size (half of it: 40 px normal, 48 px
    长辈 mode), leaving room for the text beside it."""
    side = touch_px // 2
    return QSize(side, side)
