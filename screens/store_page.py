"""One store: its names, where it is, its hours and whether it is open now, its phone,
description and current promotions; from here the visitor starts the route there or gives
feedback about it. Its QR code hands the page to the visitor's phone (server/directory serves
`<public base>/s/<mall>/<store>`, with this kiosk's point so the phone can open the route)."""
from __future__ import annotations

from urllib.parse import quote

from babel.dates import format_date
from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import N_
from screens import theme
from screens.base import KioskScreen
from screens.places import facility_labels, level_label, unit_label
from screens.widgets.floor_plan import MapMarker
from sync.protocol import LANGUAGES
from venue.hours import describe_hours, open_status
from venue.languages import BABEL_LOCALES
from venue.paths import store_url
from venue.schedule import is_on, playing_order


class StorePageScreen(KioskScreen):
    refreshes_each_minute = True

    store_id = StringProperty("")
    name_text = StringProperty("")
    other_names = StringProperty("")
    category_text = StringProperty("")
    place_text = StringProperty("")
    hours_text = StringProperty("")
    status_text = StringProperty("")
    is_open = BooleanProperty(False)
    phone_text = StringProperty("")
    description_text = StringProperty("")
    promotions_text = StringProperty("")
    phone_url = StringProperty("")
    """The phone store page; empty on a kiosk that is not enrolled (no public address known)."""
    logo_sha256 = StringProperty("")
    monogram = StringProperty("")
    narrow = BooleanProperty(False)
    """The right card is too narrow for the description beside the logo (a portrait panel's reach
    band): it goes under the category, across the store's card (set in store_page.kv)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title_message = N_("Store")

    def prepare(self, store_id: str | None = None, **params) -> None:
        if store_id is not None:
            self.store_id = store_id
        self.refresh()

    def reset(self) -> None:
        self.store_id = ""

    def refresh(self) -> None:
        app = self.app
        index = app.index
        store = index.store(self.store_id) if (index is not None and self.store_id) else None
        if store is None:
            if self.store_id and app.screen_name == self.name:
                app.go_home()  # the store left the mall in a content update
            return
        language = app.language
        self.name_text = app.text(store.name)
        others = []
        for other in LANGUAGES:
            name = getattr(store.name, other, "") or ""
            if other != language and name and name != self.name_text and name not in others:
                others.append(name)
        self.other_names = "  ·  ".join(others)
        category = index.category(store.category_id)
        self.category_text = app.text(category.name) if category else ""
        level = index.level(store.level_id)
        self.place_text = app.tr("Unit {unit}").format(unit=unit_label(level, store.unit))
        if level is not None:
            self.place_text += "\n" + level_label(level, app)
        self.hours_text = describe_hours(index.hours_of(store), language, app.tr)
        self.is_open, self.status_text = open_status(index, store, app.now(), language, app.tr)
        self.phone_text = store.phone
        self.description_text = app.text(store.description)
        self.promotions_text = self._promotions(index, store)
        self.phone_url = self._phone_url(index, store)
        self.logo_sha256 = store.logo_sha256 or ""
        self.monogram = self.name_text[:1].upper()
        self._show_plan(index, store, level)

    def _show_plan(self, index, store, level) -> None:
        """The store's floor, the store highlighted, and "you are here" if it is this floor."""
        app = self.app
        plan = self.ids.plan
        plan.language = app.language
        plan.font_name = app.font_name
        plan.label_scale = app.u * 0.8
        kiosk = app.kiosk_point()
        node = index.node(kiosk.node_id) if kiosk else None
        plan.heading_deg = kiosk.heading_deg if kiosk else 0.0
        store_node = index.node(store.node_id)
        focus = [(store_node.x, store_node.y)] if store_node is not None else []
        if kiosk is not None and node is not None:
            plan.here = MapMarker(node.x, node.y, app.tr("You are here"), theme.MAP_YOU_ARE_HERE)
            plan.here_level_id = kiosk.level_id
            if kiosk.level_id == store.level_id and focus:
                focus.append((node.x, node.y))
        else:
            plan.here = None
        plan.focus = focus
        plan.highlight_refs = [store.id]
        plan.label_overrides = facility_labels(index, level, app) if level is not None else {}
        plan.level = level

    def _promotions(self, index, store) -> str:
        """The store's promotions on now, one per line, with their last day (wherever in the
        mall their signage plays: a visitor asking about the store wants all of them)."""
        app = self.app
        local = index.local_time(app.now())
        current = sorted((p for p in index.content.promotions if p.store_id == store.id and is_on(p, local)),
                         key=playing_order)
        pattern = "d MMM" if app.language == "en" else "M月d日"
        lines = []
        for promotion in current:
            day = format_date(promotion.ends_on, pattern, locale=BABEL_LOCALES.get(app.language, "en"))
            lines.append(app.tr("{title} (until {day})").format(title=app.text(promotion.title), day=day))
        return "\n".join(lines)

    def _phone_url(self, index, store) -> str:
        identity = self.app.identity
        if identity is None or not identity.public_base_url:
            return ""
        url = store_url(identity.public_base_url, index.mall.id, store.id)
        kiosk = self.app.kiosk_point()
        return f"{url}?from={quote(kiosk.id)}" if kiosk is not None else url

    def show_on_map(self) -> None:
        self.app.show("map", store_id=self.store_id)

    def give_feedback(self) -> None:
        self.app.show("feedback", store_id=self.store_id)
