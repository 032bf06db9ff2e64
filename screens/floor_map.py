"""The mall map: the floor plan drawn from the content, a floor switcher laid out like a lift
panel (top floor at the top), "you are here" at this kiosk's point, and a tapped store's
name with a way to its page. Routing comes later; this screen only shows places."""
from __future__ import annotations

from kivy.properties import BooleanProperty, ColorProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import N_
from screens import theme
from screens.base import KioskScreen
from screens.places import facility_labels, level_label, unit_label
from screens.widgets.common import ChoiceButton
from screens.widgets.floor_plan import MapMarker


class LegendDot(BoxLayout):
    dot_colour = ColorProperty(theme.MAP_YOU_ARE_HERE)
    text = StringProperty("")


class FloorMapScreen(KioskScreen):
    level_id = StringProperty("")
    store_id = StringProperty("")
    """The store shown highlighted (from a store page, or tapped on the plan)."""
    level_title = StringProperty("")
    here_text = StringProperty("")
    selected_name = StringProperty("")
    selected_place = StringProperty("")
    has_selection = BooleanProperty(False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title_message = N_("Mall map")

    def prepare(self, store_id: str | None = None, level_id: str | None = None, returning: bool = False,
                **params) -> None:
        index = self.app.index
        if store_id is not None:
            store = index.store(store_id) if index else None
            self.store_id = store.id if store else ""
            if store is not None:
                self.level_id = store.level_id
        elif level_id is not None:
            self.level_id = level_id
        elif not returning:
            # Opened from home: the kiosk's own floor, nothing selected.
            self.store_id = ""
            kiosk = self.app.kiosk_point()
            self.level_id = kiosk.level_id if kiosk else ""
        self.refresh()

    def reset(self) -> None:
        self.store_id = ""
        self.level_id = ""

    def refresh(self) -> None:
        app = self.app
        index = app.index
        if index is None or not index.levels():
            return
        if not self.level_id or index.level(self.level_id) is None:
            kiosk = app.kiosk_point()
            self.level_id = kiosk.level_id if kiosk and index.level(kiosk.level_id) else index.levels()[0].id
        if self.store_id and index.store(self.store_id) is None:
            self.store_id = ""
        level = index.level(self.level_id)
        self.level_title = level_label(level, app)
        plan = self.ids.plan
        plan.language = app.language
        plan.font_name = app.font_name
        plan.label_scale = app.u
        kiosk = app.kiosk_point()
        node = index.node(kiosk.node_id) if kiosk else None
        plan.heading_deg = kiosk.heading_deg if kiosk else 0.0
        if kiosk is not None and node is not None:
            plan.here = MapMarker(node.x, node.y, app.tr("You are here"), theme.MAP_YOU_ARE_HERE)
            plan.here_level_id = kiosk.level_id
            here_level = index.level(kiosk.level_id)
            self.here_text = (
                "" if kiosk.level_id == self.level_id or here_level is None
                else app.tr("You are on {floor}").format(floor=here_level.short_name)
            )
        else:
            plan.here = None
            self.here_text = ""
        plan.highlight_refs = [self.store_id] if self.store_id else []
        plan.label_overrides = facility_labels(index, level, app)
        plan.level = level
        self._build_levels()
        self._describe_selection()

    def _build_levels(self) -> None:
        app = self.app
        box = self.ids.levels
        box.clear_widgets()
        for level in reversed(app.index.levels()):
            button = ChoiceButton(text=level.short_name, value=level.id, selected=level.id == self.level_id,
                                  design_size=theme.TEXT_LARGE, size_hint_y=None if app.landscape else 1,
                                  height=app.u * 104)
            button.bind(on_release=self._choose_level)
            box.add_widget(button)

    def _choose_level(self, button: ChoiceButton) -> None:
        self.level_id = button.value
        self.refresh()

    def _describe_selection(self) -> None:
        app = self.app
        store = app.index.store(self.store_id) if self.store_id else None
        self.has_selection = store is not None
        if store is None:
            self.selected_name = ""
            self.selected_place = ""
            return
        level = app.index.level(store.level_id)
        self.selected_name = app.text(store.name)
        self.selected_place = unit_label(level, store.unit)

    def on_shape_tapped(self, shape) -> None:
        index = self.app.index
        if shape.ref and index.store(shape.ref) is not None:
            self.store_id = shape.ref
            self.ids.plan.highlight_refs = [shape.ref]
            self._describe_selection()

    def open_selected(self) -> None:
        if self.store_id:
            self.app.show("store", store_id=self.store_id)
