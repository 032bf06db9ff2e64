"""A route in words, in the visitor's language: direction cards, closure notes, walking time.

Message ids are in the venue catalog (venue/locale/*/LC_MESSAGES/venue.po), so the kiosk and the
phone page say the same; the id tables here are translated where they are shown.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from sync.protocol import I18nText, MallContent
from venue.i18n import load_translations
from venue.routing.route import Route, Step

Gettext = Callable[[str], str]
"""A catalog's gettext: the kiosk screens pass the app's; without one, the venue catalog's."""

PROFILE_LABELS = {"standard": "Fastest", "step_free": "Step-free", "pram": "With a pram"}
"""Message ids (the wayfinding catalog) of the profiles, as the route screen and page name them."""
UNREACHABLE_MESSAGES = {
    "standard": "There is no way to {place} from here.",
    "step_free": "There is no step-free way to {place} from here.",
    "pram": "There is no way to {place} with a pram from here.",
}
"""Message ids for "this profile cannot get there", with the place's name as {place}."""

GENERIC_CONNECTOR_NAMES = {
    "lift": I18nText(zh_CN="电梯", en="the lift", zh_TW="電梯"),
    "escalator": I18nText(zh_CN="扶梯", en="the escalator", zh_TW="扶梯"),
    "stairs": I18nText(zh_CN="楼梯", en="the stairs", zh_TW="樓梯"),
    "ramp": I18nText(zh_CN="坡道", en="the ramp", zh_TW="坡道"),
}
"""Connectors without a facility of their own are named by their kind."""


def short_connector_name(name: I18nText) -> I18nText:
    """"Lift A (all floors)" → "Lift A": the bracketed part helps a list, not a sentence."""
    def strip(text: str) -> str:
        return re.sub(r"\s*[（(][^）)]*[）)]\s*$", "", text).strip() or text

    return I18nText(zh_CN=strip(name.zh_CN), en=strip(name.en), zh_TW=strip(name.zh_TW))


def describe_step(step: Step, language: str, gettext: Gettext | None = None) -> tuple[str, str]:
    """(title, detail) of a card in `language`: "Take Lift B to 3F", "then turn left at the
    fountain. Walk 45 m to Cloud Coffee." `gettext` defaults to the venue catalog."""
    _ = gettext or _venue_gettext(language)
    walk_to = step.walk_to.get(language)
    metres = max(1, round(step.walk_m))
    walk = _("Walk {metres} m to {place}.").format(metres=metres, place=walk_to)
    turn = ""
    if step.landmark is not None:
        name = step.landmark.get(language)
        turn = {
            "left": _("then turn left at {landmark}"),
            "right": _("then turn right at {landmark}"),
        }.get(step.turn, _("then go straight on past {landmark}")).format(landmark=name)
    if step.kind == "start":
        title = _("Walk {metres} m to {place}").format(metres=metres, place=walk_to)
        start = {
            "ahead": _("Start off straight ahead"),
            "left": _("Start off to your left"),
            "right": _("Start off to your right"),
            "behind": _("Start off behind you"),
        }.get(step.start_direction, "")
        parts = [part for part in (start, turn) if part]
        detail = (_("{first}, {then}").format(first=parts[0], then=parts[1]) if len(parts) == 2
                  else (parts[0] if parts else ""))
        if detail:
            detail = _("{sentence}.").format(sentence=detail)
        return title, detail
    connector = step.connector_name.get(language) if step.connector_name else ""
    if step.connector_kind == "lift":
        title = _("Take {connector} to {floor}").format(connector=connector, floor=step.to_floor)
    elif step.connector_kind == "escalator":
        title = (_("Take the escalator up to {floor}") if step.going == "up"
                 else _("Take the escalator down to {floor}")).format(floor=step.to_floor)
    elif step.connector_kind == "stairs":
        title = (_("Take {connector} up to {floor}") if step.going == "up"
                 else _("Take {connector} down to {floor}")).format(connector=connector, floor=step.to_floor)
    else:
        title = _("Take the ramp to {floor}").format(floor=step.to_floor)
    if turn:
        title = _("{first}, {then}").format(first=title, then=turn)
    return title, walk


def closure_reason(route: Route, content: MallContent, language: str, gettext: Gettext | None = None) -> str:
    """"Lift B is closed: this route goes another way." — or "" when no closure mattered."""
    _ = gettext or _venue_gettext(language)
    closed = route.avoids_closed or route.blocked_by_closed
    if not closed:
        return ""
    facilities = {facility.id: facility for facility in content.facilities}
    separator = ", " if language == "en" else "、"
    names = separator.join(
        short_connector_name(facilities[c].name).get(language) if c in facilities else c for c in closed)
    if len(closed) == 1:
        message = (_("{connector} is closed: this route goes another way.") if route.reachable
                   else _("{connector} is closed."))
        return message.format(connector=names)
    message = (_("{connectors} are closed: this route goes another way.") if route.reachable
               else _("{connectors} are closed."))
    return message.format(connectors=names)


def walking_time_text(route: Route, language: str, gettext: Gettext | None = None) -> str:
    _ = gettext or _venue_gettext(language)
    return _("About {minutes} min · {metres} m").format(minutes=route.minutes, metres=round(route.metres))


def _venue_gettext(language: str) -> Gettext:
    return load_translations(language).gettext
