"""Home: the large tiles and the town → village chooser, all touch grids."""

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.services import divisions
from kiosk.ui import icons
from kiosk.ui.widgets import FlowGrid, button_grid, clear_layout, may_grow

TILES = ("补贴公示", "政策找人", "政务公开目录", "政策咨询", "规范性文件", "意见征集", "核验公示单",
         "我要申请·咨询")
# Long labels on two lines: six one-line tiles did not fit one row of a 1366 px screen, and a
# second row of tiles pushed the town grid below the fold.
TILE_TEXT = {"政务公开目录": "政务公开\n目录", "规范性文件": "规范性\n文件", "核验公示单": "核验\n公示单",
             "我要申请·咨询": "我要申请\n咨询", "意见征集": "意见\n征集",
             "政策找人": "政策找人\n查补贴"}  # fmt: skip
TILE_ICON = QSize(40, 40)
# How much taller than their words the tiles and the town and village buttons may grow on a
# screen with height to spare (portrait): the tiles and the towns share it.
GROW = 2.4
PORTRAIT_COLUMNS = (4, 4, 4)  # tiles, towns, villages
CONSULTATION = "意见征集"
_PROMPT = "请选择您所在的乡镇(街道)"


class HomePage(QWidget):
    """Emits ``village_chosen(code)`` when a villager taps their village."""

    village_chosen = Signal(str)
    tile_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._icons_wanted = False  # the tiles' icons come once the page is on screen (show_icons)
        layout = QVBoxLayout(self)
        tiles = self.tile_grid = FlowGrid(max_columns=len(TILES), balanced=True, grow=GROW)
        self.tiles: dict[str, QPushButton] = {}
        for name in TILES:
            tile = QPushButton(TILE_TEXT.get(name, name))
            tile.setObjectName("tile")
            tile.setAccessibleName(name)
            tile.setMinimumHeight(120)
            may_grow(tile)
            tile.clicked.connect(lambda _=False, n=name: self.tile_chosen.emit(n))
            tiles.addWidget(tile)
            self.tiles[name] = tile
        layout.addLayout(tiles, stretch=1)
        self.prompt = QLabel(_PROMPT)
        self.prompt.setObjectName("heading")
        layout.addWidget(self.prompt)
        # Two steps, so each fits a 1280 x 800 screen: the town grid, then that town's
        # villages (with a button back to the towns).
        self.town_panel = QWidget()
        self.town_grid = FlowGrid(self.town_panel, max_columns=6, grow=GROW)
        self.town_buttons: dict[str, QPushButton] = {}
        self.reload_towns()
        layout.addWidget(self.town_panel, stretch=2)
        self.village_panel = QWidget()
        village_layout = QVBoxLayout(self.village_panel)
        village_layout.setContentsMargins(0, 0, 0, 0)
        # Jump by the first letter of the village's pinyin (only letters that occur).
        self.initials = FlowGrid(max_columns=24)
        self.change_town = QPushButton("更换乡镇(街道)")
        self.change_town.setAccessibleName("更换乡镇(街道)")
        self.change_town.clicked.connect(self.show_towns)
        jump_row = QHBoxLayout()
        jump_row.addWidget(self.change_town)
        jump_row.addLayout(self.initials, stretch=1)
        village_layout.addLayout(jump_row)
        self.initial_buttons: dict[str, QPushButton] = {}
        self.village_area = QScrollArea()
        self.village_area.setWidgetResizable(True)
        self.village_area.setFrameShape(QScrollArea.Shape.NoFrame)  # no empty box under a short list
        holder = QWidget()
        self.village_grid = FlowGrid(holder, max_columns=5, grow=GROW)
        self.village_area.setWidget(holder)
        village_layout.addWidget(self.village_area, stretch=1)
        layout.addWidget(self.village_panel, stretch=2)
        self.village_panel.setVisible(False)
        layout.addStretch(0)  # what the grids cannot use, under them
        self.village_buttons: dict[str, QPushButton] = {}
        self.town_code: str | None = None

    def reload_towns(self) -> None:
        """The town grid from the store (again after a sync or a repair changed it)."""
        clear_layout(self.town_grid)
        towns = {town.code: town.name for town in divisions.list_towns()}
        self.town_buttons = button_grid(self.town_grid, towns, self.choose_town)
        for button in self.town_buttons.values():
            button.setCheckable(True)  # the chosen town stays marked
            may_grow(button)

    def show_consultations(self, count: int) -> None:
        """While drafts are out for comment, their tile says how many (a line of its own took
        a row a 768 px screen does not have in 长辈模式)."""
        tile = self.tiles[CONSULTATION]
        # Two short lines: a number on the tile widened it, and seven tiles no longer fitted
        # one row of a 1366 px screen. The catalogue says how many.
        tile.setText("意见征集\n正在征求" if count else TILE_TEXT[CONSULTATION])
        tile.setAccessibleName(f"{CONSULTATION}，{count} 项草案正在征求意见" if count else CONSULTATION)

    def show_icons(self) -> None:
        """The tiles' icons, once the page is on screen (the SVG plug-in loads in ~20 ms)."""
        self._icons_wanted = True
        self.fit_icons()

    def fit_icons(self) -> None:
        """Icons beside the tiles' words while all the tiles fit one row with them; words alone
        when not (长辈模式, a 1280 px screen): a second row of tiles pushed the towns below the
        bottom of the screen."""
        if not self._icons_wanted:
            return
        shown = not self.tiles[TILES[0]].icon().isNull()
        extra = TILE_ICON.width() + 8  # the icon and its gap
        plain = max(t.sizeHint().width() for t in self.tiles.values()) - (extra if shown else 0)
        columns = min(len(TILES), self.tile_grid.max_columns)
        spacing = self.tile_grid.spacing() * (columns - 1)
        margins = self.layout().contentsMargins()
        room = self.width() - margins.left() - margins.right()
        wanted = columns * (plain + extra) + spacing <= room
        if wanted != shown:
            for name, tile in self.tiles.items():
                tile.setIcon(icons.icon(name) if wanted else QIcon())
                tile.setIconSize(TILE_ICON)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_columns()
        self.fit_icons()
        if event.size().width() != event.oldSize().width():
            # The town panel no taller than its grid grown to the full (the rest stays under
            # it); the tile grid says so itself (FlowGrid.maximumSize), both by the width.
            width = self.town_panel.contentsRect().width() or self.contentsRect().width()
            self.town_panel.setMaximumHeight(int(self.town_grid.heightForWidth(width) * GROW))
            self.layout().invalidate()

    def fit_columns(self) -> None:
        """On a portrait screen the tiles in two rows and the towns and villages in fewer
        columns: bigger buttons, and together they take the screen's height."""
        portrait = self.height() > self.width()
        wanted = PORTRAIT_COLUMNS if portrait else (len(TILES), 6, 5)
        for grid, columns in zip((self.tile_grid, self.town_grid, self.village_grid), wanted, strict=True):
            if grid.max_columns != columns:
                grid.max_columns = columns
                grid.invalidate()

    def event(self, event) -> bool:
        # A new style (长辈模式) or text changes the tiles' size without resizing the page.
        if event.type() == event.Type.LayoutRequest:
            self.fit_icons()
        return super().event(event)

    def choose_town(self, town_code: str) -> None:
        self.town_code = town_code
        for code, button in self.town_buttons.items():
            button.setChecked(code == town_code)
        clear_layout(self.village_grid)
        self.village_buttons = {}
        villages = divisions.list_villages(town_code)
        clear_layout(self.initials)
        self.initial_buttons = {}
        for village in villages:  # already sorted by pinyin
            button = QPushButton(village.name + ("\n演示数据" if village.is_demo else ""))
            button.setAccessibleName(village.name)
            may_grow(button)
            button.clicked.connect(lambda _=False, c=village.code: self.village_chosen.emit(c))
            self.village_grid.addWidget(button)
            self.village_buttons[village.code] = button
            letter = (village.initials[:1] or "#").upper()
            if letter not in self.initial_buttons:
                jump = QPushButton(letter)
                jump.setAccessibleName(f"跳到拼音 {letter} 开头的村")
                jump.clicked.connect(lambda _=False, b=button: self.village_area.ensureWidgetVisible(b))
                self.initials.addWidget(jump)
                self.initial_buttons[letter] = jump
        name = self.town_buttons[town_code].accessibleName()
        self.prompt.setText(f"{name}：请选择您所在的村(社区)，共 {len(villages)} 个")
        self.town_panel.setVisible(False)
        self.village_panel.setVisible(True)

    def show_towns(self) -> None:
        """Back to the town grid (the chosen town stays marked)."""
        self.prompt.setText(_PROMPT)
        self.village_panel.setVisible(False)
        self.town_panel.setVisible(True)

    def clear(self) -> None:
        """Back to the initial state (idle timeout)."""
        self.town_code = None
        for button in self.town_buttons.values():
            button.setChecked(False)
        clear_layout(self.village_grid)
        clear_layout(self.initials)
        self.village_buttons = {}
        self.initial_buttons = {}
        self.show_towns()

