"""A complaint's first step: what it is about, as the manuals categorise complaints. The
category decides who handles the case and how fast it must be answered."""
from __future__ import annotations

from kivy.properties import StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import CATEGORY_LABELS, N_
from screens.base import KioskScreen
from screens.widgets.accessibility import visible_texts
from sync.protocol import ComplaintCategory

CATEGORY_HINTS = {
    ComplaintCategory.PRODUCT_QUALITY: N_("Faulty, fake, or not as described"),
    ComplaintCategory.SERVICE_ATTITUDE: N_("Staff were rude or unhelpful"),
    ComplaintCategory.ENVIRONMENT_FACILITIES: N_("Cleanliness, toilets, lifts, temperature, noise"),
    ComplaintCategory.SAFETY: N_("Something dangerous, an accident, security"),
    ComplaintCategory.TENANT_DISPUTE: N_("A disagreement with a store: refund, exchange, repair"),
    ComplaintCategory.PRICE_QUESTION: N_("Wrong price, unclear discount, overcharged"),
    ComplaintCategory.OTHER: N_("Anything else"),
}
QUESTION = N_("What is your complaint about?")
INSTRUCTION = N_("Choose the closest one. You can describe it in your own words next.")


class CategoryButton(ButtonBehavior, BoxLayout):
    """The category's name with a hint of what belongs in it, as one touch target."""

    category = StringProperty("")
    text = StringProperty("")
    hint = StringProperty("")


class ComplaintCategoryScreen(KioskScreen):
    store_id = StringProperty("")
    selected = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title_message = N_("Complaint")
        self._build()

    def prepare(self, store_id: str | None = None, returning: bool = False, **params) -> None:
        if not returning and store_id is not None:
            self.store_id = store_id
        self.refresh()

    def reset(self) -> None:
        self.store_id = ""
        self.selected = ""

    def _build(self) -> None:
        grid = self.ids.categories
        for category in ComplaintCategory:
            button = CategoryButton(category=category.value)
            button.bind(on_release=lambda b: self.choose(b.category))
            grid.add_widget(button)

    def refresh(self) -> None:
        for button in self.ids.categories.children:
            category = ComplaintCategory(button.category)
            button.text = self.tr(CATEGORY_LABELS[category])
            button.hint = self.tr(CATEGORY_HINTS[category])

    def spoken_words(self) -> list[str]:
        """What read-aloud and the reading panel give: the question and how to answer it (folded
        away in the accessibility mode's reach band, where the reading panel shows them), then
        the categories as shown."""
        return [self.tr(QUESTION), self.tr(INSTRUCTION), *visible_texts(self)]

    def button_for(self, category: str) -> CategoryButton:
        return next(b for b in self.ids.categories.children if b.category == category)

    def choose(self, category: str) -> None:
        self.selected = category
        self.app.show("case_form", kind="complaint", category=category, store_id=self.store_id or None)
