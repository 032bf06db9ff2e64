"""Facilities: restrooms, accessible restrooms, nursing rooms, the service desk, ATMs, parking
pay stations, charging, wheelchair and stroller lending — nearest first from this kiosk by
walking distance (venue.routing.router), or by floor (this floor first) when no route can be measured.
A tap shows the way there on the map. Where the service desk lends wheelchairs, prams,
umbrellas or power banks, its row says how many are available now (screens/availability.py).
"""
from __future__ import annotations

import logging
import math

from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import N_
from screens import theme
from screens.availability import availability_text
from screens.base import KioskScreen
from screens.places import FACILITY_SHORT_LABELS, nearest_landmark, unit_label
from screens.widgets.common import ChoiceButton, discard_children, text_width

log = logging.getLogger(__name__)

VISITOR_KINDS = (
    "restroom", "accessible_restroom", "nursing_room", "service_desk", "atm", "parking_pay",
    "charging", "wheelchair_lending", "stroller_lending", "first_aid",
)
"""What visitors look for, in this order; lifts, stairs and exits belong to the map."""
STEP_FREE_KINDS = frozenset({"accessible_restroom", "wheelchair_lending"})
"""Their visitors may not take stairs or escalators: measured on step-free routes."""


class FacilityRow(ButtonBehavior, BoxLayout):
    facility_id = StringProperty("")
    name = StringProperty("")
    detail = StringProperty("")
    distance = StringProperty("")
    availability = StringProperty("")
    """What can be borrowed here now; empty when nothing fresh is known."""
    here = BooleanProperty(False)

    def on_release(self) -> None:
        screen = self.parent
        while screen is not None and not isinstance(screen, FacilitiesScreen):
            screen = screen.parent
        if screen is not None:
            screen.open_facility(self.facility_id)


class FacilitiesScreen(KioskScreen):
    kind = StringProperty("")
    result_count = NumericProperty(0)
    order_text = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title_message = N_("Facilities")

    def prepare(self, kind: str | None = None, **params) -> None:
        if kind is not None:
            self.kind = kind if kind in VISITOR_KINDS else ""
        self.refresh()

    def reset(self) -> None:
        self.kind = ""
        self.ids.facilities.scroll_y = 1

    def refresh(self) -> None:
        if self.app.index is None:
            return
        self._build_kinds()
        self._fill()

    def _build_kinds(self) -> None:
        app, index = self.app, self.app.index
        box = self.ids.kinds
        discard_children(box)
        present = [kind for kind in VISITOR_KINDS if index.facilities_of_kind(kind)]
        for value, label in [("", app.tr("All"))] + [(k, app.tr(FACILITY_SHORT_LABELS[k])) for k in present]:
            width = text_width(label, app.u * theme.TEXT_BODY) + app.u * 56
            button = ChoiceButton(text=label, value=value, selected=value == self.kind, design_size=theme.TEXT_BODY,
                                  size_hint_x=None, width=max(app.u * 110, width))
            button.bind(on_release=self._choose_kind)
            box.add_widget(button)

    def _choose_kind(self, button: ChoiceButton) -> None:
        self.kind = button.value
        for other in self.ids.kinds.children:
            other.selected = other.value == self.kind
        self._fill()
        self.ids.facilities.scroll_y = 1

    # ---------------------------------------------------------------- ordering
    def _distances(self) -> dict[str, dict[str, float]] | None:
        """Metres from this kiosk to every node, per profile; None when they cannot be measured
        (no kiosk point, or a path graph routing cannot use)."""
        app = self.app
        kiosk = app.kiosk_point()
        if kiosk is None:
            return None
        try:
            from venue.routing.router import walking_distances_from

            return {profile: walking_distances_from(app.content, kiosk.node_id, profile)
                    for profile in ("standard", "step_free")}
        except Exception:
            log.exception("walking distances from %s cannot be measured; listing by floor", kiosk.node_id)
            return None

    def _fill(self) -> None:
        app, index = self.app, self.app.index
        kinds = [self.kind] if self.kind else list(VISITOR_KINDS)
        facilities = [f for kind in kinds for f in index.facilities_of_kind(kind)]
        kiosk = app.kiosk_point()
        here_level = index.level(kiosk.level_id) if kiosk else None
        distances = self._distances()

        def metres(facility) -> float:
            if distances is None:
                return math.inf
            profile = "step_free" if facility.kind in STEP_FREE_KINDS else "standard"
            return distances[profile].get(facility.node_id, math.inf)

        def floors_away(facility) -> int:
            level = index.level(facility.level_id)
            if level is None or here_level is None:
                return 99
            return abs(level.ordinal - here_level.ordinal)

        if distances is not None:
            facilities.sort(key=lambda f: (metres(f), f.id))
            self.order_text = app.tr("Nearest first: walking distance from this kiosk")
        else:
            facilities.sort(key=lambda f: (floors_away(f), VISITOR_KINDS.index(f.kind), f.id))
            self.order_text = app.tr("Listed by floor: this floor first")
        rows = []
        for facility in facilities:
            level = index.level(facility.level_id)
            place = unit_label(level, facility.unit) if facility.unit else (level.short_name if level else "")
            landmark = nearest_landmark(index, index.node(facility.node_id), app.language)
            detail = app.tr(FACILITY_SHORT_LABELS[facility.kind]) + " · " + place
            if landmark:
                detail += " · " + app.tr("near {place}").format(place=landmark)
            availability = availability_text(app, facility.id)
            rows.append({
                "facility_id": facility.id,
                "availability": availability,
                "height": self._row_height(availability),
                "name": app.text(facility.name),
                "detail": detail,
                "distance": self._distance_text(metres(facility), floors_away(facility)),
                "here": floors_away(facility) == 0,
            })
        self.ids.facilities.data = rows
        self.result_count = len(rows)

    def update_availability(self) -> None:
        """New numbers from the desk (or old ones gone stale): rewrite the rows' availability."""
        rows = self.ids.facilities.data
        for row in rows:
            row["availability"] = availability_text(self.app, row["facility_id"])
            row["height"] = self._row_height(row["availability"])
        self.ids.facilities.refresh_from_data()

    def _row_height(self, availability: str) -> float:
        """A row grows by one line for each kind lent there (facilities.kv draws them)."""
        return self.app.u * (118 + 52 * len(availability.splitlines()))

    def _distance_text(self, metres: float, floors: int) -> str:
        app = self.app
        if math.isfinite(metres):
            return app.tr("{metres} m").format(metres=max(5, int(round(metres / 5.0)) * 5))
        if floors == 0:
            return app.tr("This floor")
        return app.trn("{count} floor away", "{count} floors away", floors).format(count=floors)

    def open_facility(self, facility_id: str) -> None:
        self.app.show("map", facility_id=facility_id)
