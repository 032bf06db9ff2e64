"""What's on now: the promotions whose dates, weekdays and hours cover this moment at this
kiosk, grouped by category (a store's promotion under its store's category, mall-wide ones
last). Each card leads on: a store's promotion to its store page and to the route there; a
category's promotion to the directory of that category. A description longer than its card
ends in "…" where it is cut, never mid-sentence with nothing to say so."""
from __future__ import annotations

from babel.dates import format_skeleton
from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.properties import (
    BooleanProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk.i18n import N_
from screens.base import KioskScreen
from screens.places import unit_label
from screens.widgets.common import TappableCard, discard_children
from venue.languages import BABEL_LOCALES
from venue.schedule import by_category, promotions_on
from venue.typesetting import clamp_lines

NO_BREAK_SPACE = "\u00a0"
FIT_MARGIN = 2
"""Pixels of slack, so that Kivy finds each clamped line fits and does not break it again."""


def wrappable(text: str, language: str) -> str:
    """Kivy breaks lines only at spaces (and inside a word too long for a line). Chinese has no
    spaces but between Latin and Han ("1F 美妆专柜…"), where a break would strand "1F" on a
    line of its own: there the spaces become no-break spaces, and the text wraps by character,
    as Chinese does."""
    return text.replace(" ", NO_BREAK_SPACE) if language.startswith("zh") else text


class ClampedLabel(Label):
    """`full_text` in as many lines as the label's box holds, the last ending in "…" when it is
    cut (Kivy's own clipping drops the rest silently). Any script: Latin breaks between words,
    Chinese by the line-breaking rules (venue.typesetting)."""

    full_text = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._clamp_soon = Clock.create_trigger(self._clamp)
        self.bind(full_text=self._clamp_soon, text_size=self._clamp_soon, font_size=self._clamp_soon,
                  font_name=self._clamp_soon, line_height=self._clamp_soon)

    def _clamp(self, *args) -> None:
        width, height = self.text_size
        if not self.full_text or not width or not height:
            self.text = self.full_text
            return
        measure = CoreLabel(font_size=self.font_size, font_name=self.font_name, bold=self.bold).get_extents
        room = width - FIT_MARGIN
        line = measure("Ag…")[1] * self.line_height
        lines = max(1, int(height // max(1.0, line)))
        self.text = "\n".join(clamp_lines(self.full_text, lambda text: measure(text)[0] <= room, lines))


class PromotionCard(TappableCard):
    promotion_id = StringProperty("")
    image_sha256 = StringProperty("")
    title = StringProperty("")
    body = StringProperty("")
    when = StringProperty("")
    where = StringProperty("")
    store_id = StringProperty("")
    """Set when the promotion is a store's: the card shows "Store page" and "Route"."""
    category_id = StringProperty("")
    """Set when it is a whole category's: the card shows "Find the stores"."""


class PromotionGroup(BoxLayout):
    """One category's name and cards (see promotions.kv)."""

    title = StringProperty("")
    columns = NumericProperty(1)
    card_width = NumericProperty(0)
    screen = ObjectProperty(None, rebind=True)
    """The promotions screen, whose card width (the window's third or half) the cards take."""


class PromotionsScreen(KioskScreen):
    columns = NumericProperty(3)
    card_width = NumericProperty(100)
    count = NumericProperty(0)
    has_promotions = BooleanProperty(False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title_message = N_("What's on")
        self._promotions = {}

    def prepare(self, returning: bool = False, **params) -> None:
        if returning:
            return  # back from a store: the same cards, scrolled where the visitor left them
        self.refresh()
        self.ids.scroller.scroll_y = 1

    def refresh(self) -> None:
        app = self.app
        sections = self.ids.sections
        discard_children(sections)
        self._promotions = {}
        promotions = promotions_on(app.index, app.now(), app.kiosk_point()) if app.index is not None else []
        self.count = len(promotions)
        self.has_promotions = bool(promotions)
        if not promotions:
            return
        for group in by_category(app.index, promotions):
            section = PromotionGroup(title=self._group_title(group.category_id), screen=self,
                                     columns=min(len(group.promotions), self.columns))
            for promotion in group.promotions:
                self._promotions[promotion.id] = promotion
                section.ids.grid.add_widget(self._card(promotion))
            sections.add_widget(section)

    def _card(self, promotion) -> PromotionCard:
        app = self.app
        index = app.index
        store = index.store(promotion.store_id) if promotion.store_id else None
        category = index.category(promotion.category_id) if promotion.category_id else None
        card = PromotionCard(
            promotion_id=promotion.id,
            image_sha256=promotion.image_sha256,
            title=app.text(promotion.title),
            body=wrappable(app.text(promotion.text), app.language),
            when=self._when(promotion),
            where=self._where(store, category),
            store_id=store.id if store is not None else "",
            category_id=category.id if store is None and category is not None else "",
        )
        card.bind(on_release=lambda card: self.open_store(card.promotion_id) if card.store_id
                  else self.open_category(card.promotion_id))
        return card

    def _group_title(self, category_id: str | None) -> str:
        category = self.app.index.category(category_id) if category_id else None
        return self.app.text(category.name) if category is not None else self.app.tr("Around the mall")

    def _when(self, promotion) -> str:
        app = self.app
        date_text = format_skeleton("MMMd", promotion.ends_on, locale=BABEL_LOCALES[app.language])
        text = app.tr("Until {date}").format(date=date_text)
        if (promotion.hours_from, promotion.hours_to) != ("00:00", "24:00"):
            text += f"  ·  {promotion.hours_from}–{promotion.hours_to}"
        return text

    def _where(self, store, category) -> str:
        app = self.app
        if store is not None:
            level = app.index.level(store.level_id)
            return f"{app.text(store.name)} · {unit_label(level, store.unit)}"
        if category is not None:
            return app.tr("All {category} stores").format(category=app.text(category.name))
        return ""

    def _touched(self, promotion_id: str):
        promotion = self._promotions.get(promotion_id)
        if promotion is not None:
            self.app.record_event("promotion_touched", subject_id=promotion.id)
        return promotion

    def open_store(self, promotion_id: str) -> None:
        """The store page of the promotion's store."""
        promotion = self._touched(promotion_id)
        if promotion is not None and promotion.store_id and self.app.index.store(promotion.store_id):
            self.app.show("store", store_id=promotion.store_id)

    def open_route(self, promotion_id: str) -> None:
        """The map with the route from this kiosk to the promotion's store."""
        promotion = self._touched(promotion_id)
        if promotion is not None and promotion.store_id and self.app.index.store(promotion.store_id):
            self.app.show("map", store_id=promotion.store_id)

    def open_category(self, promotion_id: str) -> None:
        """The directory, showing the stores of the promotion's category."""
        promotion = self._touched(promotion_id)
        if promotion is not None and promotion.category_id and self.app.index.category(promotion.category_id):
            self.app.show("directory", category_id=promotion.category_id)
