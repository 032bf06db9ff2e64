"""What's on now: the promotions whose dates, weekdays and hours cover this moment at this
kiosk, as cards with picture and text; a tap leads to the store (or category) they are for."""
from __future__ import annotations

from babel.dates import format_skeleton
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.i18n import N_
from screens.base import KioskScreen
from screens.places import unit_label
from kiosk.schedule import promotions_on
from screens.store_page import BABEL_LOCALES
from screens.widgets.common import TappableCard


class PromotionCard(TappableCard):
    promotion_id = StringProperty("")
    image_sha256 = StringProperty("")
    title = StringProperty("")
    body = StringProperty("")
    when = StringProperty("")
    where = StringProperty("")
    has_link = BooleanProperty(False)


class PromotionsScreen(KioskScreen):
    count = NumericProperty(0)

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
        grid = self.ids.cards
        grid.clear_widgets()
        self._promotions = {}
        if app.index is None:
            self.count = 0
            return
        promotions = promotions_on(app.index, app.now(), app.kiosk_point())
        for promotion in promotions:
            self._promotions[promotion.id] = promotion
            card = PromotionCard(
                promotion_id=promotion.id,
                image_sha256=promotion.image_sha256,
                title=app.text(promotion.title),
                body=app.text(promotion.text),
                when=self._when(promotion),
                where=self._where(promotion),
                has_link=bool(promotion.store_id or promotion.category_id),
            )
            card.bind(on_release=self.open_promotion)
            grid.add_widget(card)
        self.count = len(promotions)

    def _when(self, promotion) -> str:
        app = self.app
        date_text = format_skeleton("MMMd", promotion.ends_on, locale=BABEL_LOCALES[app.language])
        text = app.tr("Until {date}").format(date=date_text)
        if (promotion.hours_from, promotion.hours_to) != ("00:00", "24:00"):
            text += f"  ·  {promotion.hours_from}–{promotion.hours_to}"
        return text

    def _where(self, promotion) -> str:
        app = self.app
        index = app.index
        store = index.store(promotion.store_id) if promotion.store_id else None
        if store is not None:
            level = index.level(store.level_id)
            return f"{app.text(store.name)} · {unit_label(level, store.unit)}"
        category = index.category(promotion.category_id) if promotion.category_id else None
        if category is not None:
            return app.tr("All {category} stores").format(category=app.text(category.name))
        return ""

    def open_promotion(self, card: PromotionCard) -> None:
        promotion = self._promotions.get(card.promotion_id)
        if promotion is None:
            return
        self.app.record_event("promotion_touched", subject_id=promotion.id)
        index = self.app.index
        if promotion.store_id and index.store(promotion.store_id) is not None:
            self.app.show("store", store_id=promotion.store_id)
        elif promotion.category_id and index.category(promotion.category_id) is not None:
            self.app.show("directory", category_id=promotion.category_id)
