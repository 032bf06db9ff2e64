"""Where exactly: the visitor taps the spot on the floor plan where they found the item (or
think they lost it). Drag to move the plan, pinch to zoom, tap to mark; a tap on a store marks
the store too. The answer goes back to the item form, which sends the point with the case.
"""
from __future__ import annotations

import math

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.i18n import N_
from screens import theme
from screens.base import KioskScreen
from screens.places import nearest_landmark
from screens.widgets.common import ChoiceButton, discard_children
from screens.widgets.floor_plan import FloorPlan, MapMarker


class PointPlan(FloorPlan):
    """A floor plan on which a tap anywhere marks a point (not only on a store)."""

    __events__ = ("on_point",)

    def _tapped(self, pos) -> bool:
        if self.level is None:
            return False
        x, y = self.to_level(*pos)
        self.dispatch("on_point", x, y, self.shape_at(*pos))
        return True

    def on_point(self, x: float, y: float, shape) -> None:
        pass


class ItemPlaceScreen(KioskScreen):
    level_id = StringProperty("")
    point_x = NumericProperty(0.0)
    point_y = NumericProperty(0.0)
    has_point = BooleanProperty(False)
    point_text = StringProperty("")
    store_id = StringProperty("")

    def __init__(self, **kwargs):
        self._facility_id = ""
        super().__init__(**kwargs)
        self.title_message = N_("Where exactly?")
        self.ids.plan.bind(on_point=lambda plan, x, y, shape: self.mark(x, y, shape))

    def prepare(self, level_id: str | None = None, point: tuple[float, float] | None = None,
                returning: bool = False, **params) -> None:
        index = self.app.index
        if not returning:
            self.reset()
            if level_id and index is not None and index.level(level_id) is not None:
                self.level_id = level_id
            if point is not None and self.level_id:
                self.mark(*point, shape=None)
        if not self.level_id and index is not None:
            here = self.app.kiosk_point()
            self.level_id = here.level_id if here is not None else index.levels()[0].id
        self.refresh()

    def reset(self) -> None:
        self.level_id = ""
        self._facility_id = ""
        self.has_point = False
        self.point_text = ""
        self.store_id = ""

    def choose_level(self, level_id: str) -> None:
        if level_id != self.level_id:
            self.level_id = level_id
            self.has_point = False
            self.point_text = ""
            self.store_id = self._facility_id = ""
        self.refresh()

    def mark(self, x: float, y: float, shape=None) -> None:
        """Mark the point; a tap on a store marks the store too."""
        index = self.app.index
        self.point_x, self.point_y, self.has_point = x, y, True
        ref = shape.ref if shape is not None else None
        self.store_id = ref if ref and index.store(ref) is not None else ""
        self._facility_id = ref if ref and not self.store_id and index.facility(ref) is not None else ""
        self._describe()
        self._draw()

    def _describe(self) -> None:
        """Name the point by its store or facility, else by the nearest landmark."""
        app, index = self.app, self.app.index
        name = ""
        if self.store_id:
            name = app.text(index.store(self.store_id).name)
        elif self._facility_id:
            name = app.text(index.facility(self._facility_id).name)
        if not name:
            landmark = nearest_landmark(index, self._nearest_node(self.point_x, self.point_y), app.language)
            name = app.tr("Near {landmark}").format(landmark=landmark) if landmark else ""
        level = index.level(self.level_id)
        floor = level.short_name if level is not None else ""
        self.point_text = f"{floor} · {name}" if name else app.tr("A spot on {floor}").format(floor=floor)

    def _nearest_node(self, x: float, y: float):
        nodes = [node for node in self.app.index.content.graph.nodes if node.level_id == self.level_id]
        return min(nodes, key=lambda node: math.hypot(node.x - x, node.y - y), default=None)

    def use(self) -> None:
        if not self.has_point:
            return
        self.app.screen("item_form").set_point(self.level_id, (self.point_x, self.point_y), self.point_text,
                                               self.store_id)
        self.app.go_back()

    def refresh(self) -> None:
        app, index = self.app, self.app.index
        row = self.ids.floors
        discard_children(row)
        if index is None:
            return
        for level in sorted(index.content.levels, key=lambda level: level.ordinal, reverse=True):
            button = ChoiceButton(value=level.id, text=level.short_name, design_size=theme.TEXT_SMALL,
                                  selected=level.id == self.level_id)
            button.bind(on_release=lambda button: self.choose_level(button.value))
            row.add_widget(button)
        plan = self.ids.plan
        plan.language = app.language
        plan.font_name = app.font_name
        plan.label_scale = app.u * 0.9
        here = app.kiosk_point()
        plan.heading_deg = here.heading_deg if here else 0.0
        here_node = index.node(here.node_id) if here is not None else None
        plan.here = (MapMarker(here_node.x, here_node.y, app.tr("You are here"), theme.MAP_YOU_ARE_HERE)
                     if here_node is not None else None)
        plan.here_level_id = here.level_id if here is not None else ""
        plan.level = index.level(self.level_id)
        if self.has_point:
            self._describe()
        self._draw()

    def _draw(self) -> None:
        plan = self.ids.plan
        plan.highlight_refs = [self.store_id] if self.store_id else []
        plan.markers = ([MapMarker(self.point_x, self.point_y, self.app.tr("Here"), theme.PRIMARY)]
                        if self.has_point else [])
