"""One store: its names, where it is, its hours and whether it is open now, its phone and
description; from here the visitor can see it on the map or give feedback about it."""
from __future__ import annotations

from datetime import timedelta

from babel.dates import get_day_names
from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import N_
from screens import theme
from screens.base import KioskScreen
from screens.places import facility_labels, level_label, unit_label
from screens.widgets.floor_plan import MapMarker
from sync.protocol import LANGUAGES, TimeRange

BABEL_LOCALES = {"zh_CN": "zh_Hans_CN", "en": "en", "zh_TW": "zh_Hant_TW"}


def weekday_names(language: str) -> dict[int, str]:
    """Short weekday names, Monday = 0 (周一 / Mon / 週一)."""
    return get_day_names("abbreviated", locale=BABEL_LOCALES.get(language, language))


def describe_weekdays(weekdays: list[int], app) -> str:
    days = sorted(set(weekdays))
    if days == list(range(7)):
        return app.tr("Every day")
    names = weekday_names(app.language)
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return app.tr("{first}–{last}").format(first=names[days[0]], last=names[days[-1]])
    return app.tr(", ").join(names[day] for day in days)


def describe_hours(hours: list[TimeRange], app) -> str:
    """One line per opening range: "Mon–Fri 10:00–22:00"."""
    return "\n".join(f"{describe_weekdays(r.weekdays, app)}  {r.open}–{r.close}" for r in hours)


def open_status(index, store, app) -> tuple[bool, str]:
    """(open now?, "Open now · closes at 22:00" / "Closed now · opens tomorrow at 10:00")."""
    now = app.now()
    if index.is_open(store, now):
        closes = index.closes_at(store, now)
        if closes is None:
            return True, app.tr("Open now")
        return True, app.tr("Open now · closes at {time}").format(time=app.format_time(closes))
    opens = index.opens_at(store, now)
    if opens is None:
        return False, app.tr("Closed now")
    today = index.local_time(now).date()
    opens_local = index.local_time(opens)
    time_text = opens_local.strftime("%H:%M")
    if opens_local.date() == today:
        return False, app.tr("Closed now · opens at {time}").format(time=time_text)
    if opens_local.date() == today + timedelta(days=1):
        return False, app.tr("Closed now · opens tomorrow at {time}").format(time=time_text)
    day = weekday_names(app.language)[opens_local.weekday()]
    return False, app.tr("Closed now · opens {day} at {time}").format(day=day, time=time_text)


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
    logo_sha256 = StringProperty("")
    monogram = StringProperty("")

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
        self.hours_text = describe_hours(index.hours_of(store), app)
        self.is_open, self.status_text = open_status(index, store, app)
        self.phone_text = store.phone
        self.description_text = app.text(store.description)
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

    def show_on_map(self) -> None:
        self.app.show("map", store_id=self.store_id)

    def give_feedback(self) -> None:
        self.app.show("feedback", store_id=self.store_id)
