"""The mall map with wayfinding: the floor plan (pan, pinch-zoom, heading-up), a floor switcher
like a lift panel, "you are here", and — once a place is chosen — the route to it.

The route is drawn on each floor it passes (the drawing animates), with one direction card
for the start and one per floor change ("Take Lift B to 3F, then turn left at the fountain");
stepping through the cards switches the map to that card's floor. The route profile (standard,
step-free, with a pram) is chosen right here. A place the profile cannot reach is said so, with
a route to the nearest place that can help. A QR code hands the same route to a phone.

Open it with `app.show("map", store_id=…)`, `facility_id=…` (the service desk, a restroom),
`place_id=…` (either), or `nearest="restroom"` (nearest of a kind from this kiosk).
"""
from __future__ import annotations

import logging
from urllib.parse import urlencode

from kivy.animation import Animation
from kivy.clock import Clock
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    NumericProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import N_
from screens import theme
from screens.availability import availability_text
from screens.base import KioskScreen
from screens.places import (
    FACILITY_SHORT_LABELS,
    facility_labels,
    level_label,
    unit_label,
)
from screens.satisfaction_pulse import SatisfactionPulse  # noqa: F401 - its kv rule, used in floor_map.kv
from screens.widgets.common import ChoiceButton, TappableCard, discard_children
from screens.widgets.floor_plan import ROUTE_COLOUR, MapMarker, PlanSymbol
from venue.languages import page_code
from venue.paths import route_url
from venue.plan_geometry import polygon_centroid
from venue.routing.graph import VISITOR_PROFILES
from venue.routing.router import RoutingError, find_place, router_for
from venue.routing.wording import (
    GENERIC_CONNECTOR_NAMES,
    PROFILE_LABELS,
    UNREACHABLE_MESSAGES,
    closure_reason,
    describe_step,
    walking_time_text,
)

log = logging.getLogger(__name__)

NEAREST_CHOICES = (("restroom", N_("Toilets")), ("nursing_room", N_("Nursing room")),
                   ("exit", N_("Exit")), ("atm", N_("ATM")))
DRAW_SECONDS = 1.2
LEGEND_HEIGHT = 124
ZOOM_BUTTONS_WIDTH = 206
"""Design pixels of the legend and of the zoom buttons (floor_map.kv), which the floor
switcher keeps clear of."""
ZOOM_STEP = 1.5
"""One press of + or − zooms by this much."""
CARD_LAYOUT_SECONDS = 0.15
"""Step cards take a few frames to find their height (wrapped text); scroll after that."""
"""The phone page's language codes (server.core.language), so it opens in the kiosk's language."""


class LegendDot(BoxLayout):
    dot_colour = ColorProperty(theme.MAP_YOU_ARE_HERE)
    text = StringProperty("")


class StepCard(TappableCard):
    number = NumericProperty(0)
    floor = StringProperty("")
    title = StringProperty("")
    detail = StringProperty("")
    active = BooleanProperty(False)
    shown = BooleanProperty(True)
    """One card at a time on a route of several floors: the one being read."""


class FloorMapScreen(KioskScreen):
    level_id = StringProperty("")
    store_id = StringProperty("")
    """The store tapped or routed to (for "Store details")."""
    destination_id = StringProperty("")
    """The store or facility the route goes to; empty: no route, the plan alone."""
    profile = StringProperty("standard")
    level_title = StringProperty("")
    here_text = StringProperty("")
    has_route = BooleanProperty(False)
    has_selection = BooleanProperty(False)
    """A place is chosen (a route, or why there is none, is shown)."""
    route_title = StringProperty("")
    route_place = StringProperty("")
    route_summary = StringProperty("")
    route_availability = StringProperty("")
    """What the chosen facility lends now ("轮椅：服务台（1F）可借 2 辆"); empty when unknown."""
    route_reason = StringProperty("")
    """Why the route is as it is: "Lift B is closed: this route goes another way."."""
    route_problem = StringProperty("")
    """The profile cannot reach the place: said plainly."""
    alternative_text = StringProperty("")
    route_url = StringProperty("")
    step_index = NumericProperty(0)
    step_count = NumericProperty(0)
    step_trail = StringProperty("")
    """The route's floors, the one being read in bold: "Step 2 of 3 · 1F › [b]2F[/b] › 3F"."""
    journey_done = BooleanProperty(False)
    """A route was handed over (shown, with its QR code) and the visitor closed it: the journey
    at the kiosk is over, and the satisfaction pulse asks how it went."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title_message = N_("Mall map")
        self.route = None
        self._alternative_id = ""
        self._cards: list[StepCard] = []
        self._nearest_missing = False
        """The visitor asked for the nearest of a kind, and none can be reached."""
        self.app.bind(landscape=self._resized)
        self.ids.plan.bind(size=self._resized)

    def _resized(self, *args) -> None:
        """The panel turned or the map changed size: the floor switcher goes from a column to a
        row (or back) and its buttons fit."""
        if self.level_id and self.app.index is not None:
            self._build_levels()

    # ---------------------------------------------------------------- navigation hooks
    def prepare(self, store_id: str | None = None, facility_id: str | None = None, place_id: str | None = None,
                level_id: str | None = None, nearest: str | None = None, profile: str | None = None,
                returning: bool = False, **params) -> None:
        if profile in VISITOR_PROFILES:
            self.profile = profile
        elif profile is None and self.profile == "standard" and getattr(self.app, "accessible", False):
            self.profile = "step_free"  # the accessibility mode's default; a visitor's choice stays
        self._nearest_missing = False
        destination = store_id or facility_id or place_id
        if nearest:
            destination = self._nearest(nearest)
            self._nearest_missing = destination is None
        if destination:
            self.journey_done = False  # a new route: the pulse waits for its end
            self.destination_id = destination
            self.step_index = 0
            self.level_id = ""
        elif nearest:
            self.destination_id = ""
            self.store_id = ""
        elif level_id is not None:
            self.level_id = level_id
        elif not returning:
            # Opened from home: the kiosk's own floor, no route.
            self.destination_id = ""
            self.store_id = ""
            self.level_id = ""
            self.step_index = 0
        self.refresh()

    def reset(self) -> None:
        self.destination_id = ""
        self.store_id = ""
        self.level_id = ""
        self.profile = "standard"
        self.step_index = 0
        self.route = None
        self._nearest_missing = False
        self.journey_done = False
        self.ids.pulse.reset()  # the next visitor gets their own vote

    def refresh(self) -> None:
        """Content (closures!) or language changed, or a new destination: route again and draw."""
        app = self.app
        index = app.index
        if index is None or not index.levels():
            return
        self._compute_route()
        if self.route is not None and self.route.reachable and self.route.steps:
            self.step_index = min(self.step_index, len(self.route.steps) - 1)
            if not self.level_id:
                self.level_id = self.route.steps[self.step_index].level_id
        if not self.level_id or index.level(self.level_id) is None:
            kiosk = app.kiosk_point()
            self.level_id = kiosk.level_id if kiosk and index.level(kiosk.level_id) else index.levels()[0].id
        self._build_profiles()
        self._build_nearest()
        self._build_steps()
        self._draw_level(animate=True)
        self._build_levels()

    # ---------------------------------------------------------------- routing
    def _origin_id(self) -> str | None:
        kiosk = self.app.kiosk_point()
        return kiosk.id if kiosk else None

    def _nearest(self, kind: str) -> str | None:
        origin = self._origin_id()
        if origin is None or self.app.content is None:
            return None
        try:
            route = router_for(self.app.content).nearest_of_kind(origin, kind, self.profile)
        except RoutingError:
            return None
        return route.destination.id if route is not None else None

    def _compute_route(self) -> None:
        app = self.app
        self.route = None
        self._alternative_id = ""
        self.route_problem = ""
        self.route_reason = ""
        self.alternative_text = ""
        self.route_url = ""
        self.route_availability = ""
        content = app.content
        place = find_place(content, self.destination_id) if (content and self.destination_id) else None
        origin = self._origin_id()
        self.has_selection = place is not None
        if place is None:
            self.destination_id = ""
            self.has_route = False
            self.step_count = 0
            if self._nearest_missing:
                self.route_problem = app.tr("None can be reached from here; please ask at the service desk.")
            return
        self.store_id = place.id if place.kind == "store" else ""
        self.update_availability()
        self.route_title = app.text(place.name)
        self.route_place = unit_label(app.index.level(place.level_id), place.unit)
        if origin is None:
            self.has_route = False
            self.route_problem = app.tr("This kiosk does not know where it stands; ask at the service desk.")
            return
        try:
            route = router_for(content).route(origin, place.id, self.profile)
        except RoutingError:
            log.exception("no route to %s", place.id)
            self.has_route = False
            self.route_problem = app.tr("This place is not on the map yet; ask at the service desk.")
            return
        self.route = route
        self.has_route = True
        self.route_reason = closure_reason(route, content, app.language, app.tr)
        if not route.reachable:
            self.step_count = 0
            self.route_problem = app.tr(UNREACHABLE_MESSAGES[self.profile]).format(place=app.text(place.name))
            if route.alternative is not None:
                self._alternative_id = route.alternative.destination.id
                self.alternative_text = app.tr("Show the way to {place}").format(
                    place=app.text(route.alternative.destination.name))
            return
        self.step_count = len(route.steps)
        self.route_summary = walking_time_text(route, app.language, app.tr)
        self.route_url = self._route_url(place.id)

    def update_availability(self) -> None:
        """New numbers from the desk (or old ones gone stale) for the chosen facility."""
        chosen = self.destination_id if self.has_selection and not self.store_id else ""
        self.route_availability = availability_text(self.app, chosen) if chosen else ""

    def _route_url(self, destination: str) -> str:
        identity = self.app.identity
        base = getattr(identity, "public_base_url", "") if identity is not None else ""
        origin = self._origin_id()
        if not base or origin is None or self.app.content is None:
            return ""
        query = urlencode({"profile": self.profile, "lang": page_code(self.app.language)})
        return route_url(base, self.app.content.mall.id, origin, destination) + "?" + query

    # ---------------------------------------------------------------- visitor actions
    def choose_profile(self, profile: str) -> None:
        if profile in VISITOR_PROFILES and profile != self.profile:
            self.profile = profile
            self.step_index = 0
            self.level_id = ""
            self.refresh()

    def choose_nearest(self, kind: str) -> None:
        self.prepare(nearest=kind)

    def take_alternative(self) -> None:
        if self._alternative_id:
            self.prepare(place_id=self._alternative_id)

    def clear_route(self) -> None:
        """Close the route. One that was handed over (a way found and shown, with its QR code)
        ends the journey: the pulse asks how the kiosk did."""
        handed_over = self.route is not None and self.route.reachable and bool(self.route_url)
        self.journey_done = self.journey_done or handed_over
        self.destination_id = ""
        self.store_id = ""
        self.step_index = 0
        self.refresh()

    def show_step(self, number: int) -> None:
        if self.route is None or not self.route.reachable or not self.route.steps:
            return
        self.step_index = max(0, min(number, len(self.route.steps) - 1))
        self.level_id = self.route.steps[self.step_index].level_id
        self._mark_active_step()
        self._draw_level(animate=True)
        self._build_levels()

    def next_step(self) -> None:
        self.show_step(self.step_index + 1)

    def previous_step(self) -> None:
        self.show_step(self.step_index - 1)

    def on_shape_tapped(self, shape) -> None:
        """Tap a store (or a facility) on the plan: route to it, staying on the floor the visitor
        is looking at (its step of the route is the one shown)."""
        if not (shape.ref and self.app.content is not None and find_place(self.app.content, shape.ref)):
            return
        floor = self.level_id
        self.prepare(place_id=shape.ref)
        route = self.route
        if route is not None and route.reachable:
            on_floor = [number for number, step in enumerate(route.steps) if step.level_id == floor]
            if on_floor:
                self.show_step(on_floor[-1])

    def open_selected(self) -> None:
        if self.store_id:
            self.app.show("store", store_id=self.store_id)

    # ---------------------------------------------------------------- drawing
    def _draw_level(self, animate: bool) -> None:
        app = self.app
        index = app.index
        level = index.level(self.level_id)
        self.level_title = level_label(level, app)
        plan = self.ids.plan
        plan.interactive = True
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
        route = self.route if (self.route is not None and self.route.reachable) else None
        legs: list[list[tuple[float, float]]] = []
        markers: list[MapMarker] = []
        active = -1
        if route is not None:
            active_leg = route.steps[self.step_index].leg if route.steps else -1
            for number, leg in enumerate(route.legs):
                if leg.level_id != self.level_id:
                    continue
                if number == active_leg:
                    active = len(legs)
                legs.append(leg.points)
                end_x, end_y = leg.points[-1]
                if number == len(route.legs) - 1:
                    markers.append(MapMarker(end_x, end_y, app.text(route.destination.name), theme.MAP_HIGHLIGHT))
                else:
                    following = route.steps[number + 1]
                    caption = "{name} → {floor}".format(name=self._connector_caption(following),
                                                        floor=following.to_floor)
                    markers.append(MapMarker(end_x, end_y, caption, ROUTE_COLOUR,
                                             symbol=following.connector_kind or ""))
        plan.highlight_refs = [self.destination_id] if self.destination_id else []
        plan.label_overrides = facility_labels(index, level, app)
        plan.symbols = self._symbols(level)
        plan.markers = markers
        plan.route_active = active
        if plan.level is not level or plan.focus:
            plan.reset_view()
        plan.level = level
        # A route: the view zooms to fit its walks on this floor (and the kiosk, when here).
        focus = [point for points in legs for point in points]
        if focus and node is not None and kiosk is not None and kiosk.level_id == level.id:
            focus.append((node.x, node.y))
        plan.focus = focus
        plan.route_legs = legs
        Animation.cancel_all(plan, "route_progress")
        if legs and animate:
            plan.route_progress = 0.0
            Animation(route_progress=1.0, duration=DRAW_SECONDS, transition="out_quad").start(plan)
        else:
            plan.route_progress = 1.0

    def _symbols(self, level) -> list[PlanSymbol]:
        """Every facility on the floor as its symbol: at its shape's middle, or at its door on
        the path graph when the plan has no shape for it."""
        app = self.app
        shapes = {shape.ref: shape for shape in level.plan if shape.ref and len(shape.polygon) >= 3}
        symbols = []
        for facility in app.content.facilities if app.content is not None else []:
            if facility.level_id != level.id:
                continue
            shape = shapes.get(facility.id)
            node = app.index.node(facility.node_id)
            if shape is not None:
                x, y = polygon_centroid(shape.polygon)
            elif node is not None:
                x, y = node.x, node.y
            else:
                continue
            symbols.append(PlanSymbol(facility.id, facility.kind, x, y))
        return symbols

    def zoom_in(self) -> None:
        self.ids.plan.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.ids.plan.zoom_by(1 / ZOOM_STEP)

    def _connector_caption(self, step) -> str:
        """The connector's name on the map's tag: "Lift B", or "Escalator" where the sentence
        form is generic ("the escalator" reads well in a card, not on a tag)."""
        app = self.app
        if step.connector_name == GENERIC_CONNECTOR_NAMES.get(step.connector_kind):
            return app.tr(FACILITY_SHORT_LABELS[step.connector_kind])
        return app.text(step.connector_name)

    def _build_levels(self) -> None:
        app = self.app
        box = self.ids.levels
        discard_children(box)
        on_route = set(self.route.levels()) if (self.route is not None and self.route.reachable) else set()
        # a lift panel (top floor on top); in portrait a row, lowest floor on the left; the
        # buttons shrink to keep a mall of many floors inside the map
        levels = app.index.levels()
        count = max(1, len(levels))
        plan = self.ids.plan
        if app.landscape:
            room = plan.height - app.u * (LEGEND_HEIGHT + 60) - app.u * 10 * (count - 1)
            size = (app.u * 110, min(app.u * 84, room / count))
        else:
            room = plan.width - app.u * (ZOOM_BUTTONS_WIDTH + 60) - app.u * 10 * (count - 1)
            size = (min(app.u * 110, room / count), app.u * 96)
        for level in (reversed(levels) if app.landscape else levels):
            text = level.short_name + (" •" if level.id in on_route and level.id != self.level_id else "")
            button = ChoiceButton(text=text, value=level.id, selected=level.id == self.level_id,
                                  design_size=theme.TEXT_BODY if size[1] >= app.u * 70 else theme.TEXT_SMALL,
                                  size_hint=(None, None), size=size)
            button.bind(on_release=self._choose_level)
            box.add_widget(button)

    def _choose_level(self, button: ChoiceButton) -> None:
        self.level_id = button.value
        route = self.route
        if route is not None and route.reachable:
            for number, step in enumerate(route.steps):
                if step.level_id == self.level_id:
                    self.step_index = number
                    self._mark_active_step()
                    break
        self._draw_level(animate=True)
        self._build_levels()

    def _build_profiles(self) -> None:
        app = self.app
        box = self.ids.profiles
        discard_children(box)
        for profile in VISITOR_PROFILES:
            button = ChoiceButton(text=app.tr(PROFILE_LABELS[profile]), value=profile,
                                  selected=profile == self.profile, design_size=theme.TEXT_BODY)
            button.bind(on_release=lambda b: self.choose_profile(b.value))
            box.add_widget(button)

    def _build_nearest(self) -> None:
        app = self.app
        box = self.ids.nearest
        discard_children(box)
        for kind, label in NEAREST_CHOICES:
            button = ChoiceButton(text=app.tr(label), value=kind, design_size=theme.TEXT_BODY,
                                  selected=self.route is not None and self.route.destination.kind == kind)
            button.bind(on_release=lambda b: self.choose_nearest(b.value))
            box.add_widget(button)

    def _build_steps(self) -> None:
        app = self.app
        box = self.ids.steps
        discard_children(box)
        self._cards = []
        self.step_trail = ""
        route = self.route
        if route is None or not route.reachable:
            return
        for number, step in enumerate(route.steps):
            title, detail = describe_step(step, app.language, app.tr)
            card = StepCard(number=number + 1, floor=app.index.level(step.level_id).short_name
                            if app.index.level(step.level_id) else step.level_id,
                            title=title, detail=detail, active=number == self.step_index)
            card.bind(on_release=lambda c, n=number: self.show_step(n))
            box.add_widget(card)
            self._cards.append(card)
        self._mark_active_step()
        self.ids.step_scroll.scroll_y = 1
        self.scroll_to_active_step_soon()

    def _mark_active_step(self) -> None:
        for number, card in enumerate(self._cards):
            card.active = number == self.step_index
            card.shown = card.active or len(self._cards) == 1
        self.step_trail = self._trail()
        self.scroll_to_active_step_soon()

    def _trail(self) -> str:
        """Where the visitor is in a route of several steps (empty for a walk on one floor)."""
        if len(self._cards) < 2:
            return ""
        floors = " › ".join(f"[b][u]{card.floor}[/u][/b]" if card.active else card.floor for card in self._cards)
        heading = self.app.tr("Step {number} of {count}").format(number=self.step_index + 1, count=len(self._cards))
        return f"{heading}  ·  {floors}"

    def scroll_to_active_step_soon(self) -> None:
        """Once the cards are laid out (their heights follow their wrapped text), show the active card."""
        Clock.schedule_once(self._scroll_to_active_step, CARD_LAYOUT_SECONDS)

    def _scroll_to_active_step(self, *args) -> None:
        """Once the card's height has settled: the first card at the top of the list, a later
        one (the only one shown) scrolled into view."""
        scroll = self.ids.step_scroll
        if self.step_index <= 0 or self.step_index >= len(self._cards) or self.ids.steps.height <= scroll.height:
            scroll.scroll_y = 1
        else:
            scroll.scroll_to(self._cards[self.step_index], padding=0, animate=False)
