"""Found something: where the service desk is (floor, unit, what it is next to, on a plan)
and what happens to the item there, following the manuals' lost-property practice: register
it, keep it safe, return it only to an owner who proves it is theirs.

After the item form this is also the finder's receipt: the reference and the QR code of the
tracking URL (dropped on Done or when the visitor leaves), and a button for the route to the
desk."""
from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import N_
from screens import theme
from screens.base import KioskScreen
from screens.places import facility_labels, level_label, nearest_landmark
from screens.widgets.floor_plan import MapMarker


class FoundItemScreen(KioskScreen):
    has_desk = BooleanProperty(False)
    desk_name = StringProperty("")
    desk_place = StringProperty("")
    desk_landmark = StringProperty("")
    call_text = StringProperty("")
    map_caption = StringProperty("")
    desk_id = StringProperty("")
    reference = StringProperty("")
    tracking_url = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title_message = N_("Found something?")

    def prepare(self, receipt=None, returning: bool = False, **params) -> None:
        if receipt is not None:
            self.reference = receipt.reference
            self.tracking_url = receipt.tracking_url
        elif not returning:
            self.reset()
        self.shows_back = not self.reference
        self.refresh()

    def reset(self) -> None:
        """Drop the receipt: the tracking token must not outlive the finder's visit."""
        self.reference = ""
        self.tracking_url = ""

    def show_route(self) -> None:
        if self.desk_id:
            self.app.show("map", facility_id=self.desk_id)

    def done(self) -> None:
        self.app.finish_case()

    def refresh(self) -> None:
        app = self.app
        index = app.index
        desk = index.service_desk() if index else None
        self.has_desk = desk is not None
        phone = index.mall.phone if index else ""
        self.call_text = (
            app.tr("Can't carry it, or need help? Call the service desk on {phone}.").format(phone=phone)
            if phone else ""
        )
        plan = self.ids.plan
        self.desk_id = desk.id if desk is not None else ""
        if desk is None:
            self.desk_name = self.desk_place = self.desk_landmark = self.map_caption = ""
            plan.level = None
            return
        level = index.level(desk.level_id)
        self.desk_name = app.text(desk.name)
        floor = level.short_name if level else ""
        place = level_label(level, app) if level else ""
        if desk.unit:
            place += app.tr(", unit {unit}").format(unit=desk.unit)
        self.desk_place = place
        node = index.node(desk.node_id)
        landmark = nearest_landmark(index, node, app.language)
        self.desk_landmark = app.tr("Next to {landmark}").format(landmark=landmark) if landmark else ""
        self.map_caption = app.tr("The service desk on {floor}").format(floor=floor)
        plan.language = app.language
        plan.font_name = app.font_name
        plan.label_scale = app.u * 0.9
        kiosk = app.kiosk_point()
        plan.heading_deg = kiosk.heading_deg if kiosk else 0.0
        here_node = index.node(kiosk.node_id) if kiosk else None
        focus = [(node.x, node.y)] if node is not None else []
        if kiosk is not None and here_node is not None:
            plan.here = MapMarker(here_node.x, here_node.y, app.tr("You are here"), theme.MAP_YOU_ARE_HERE)
            plan.here_level_id = kiosk.level_id
            if kiosk.level_id == desk.level_id:
                focus.append((here_node.x, here_node.y))
        else:
            plan.here = None
        plan.highlight_refs = [desk.id]
        plan.label_overrides = facility_labels(index, level, app) if level is not None else {}
        plan.focus = focus
        plan.level = level
