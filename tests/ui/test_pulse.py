"""The satisfaction pulse at the end of a journey: on the receipt (here) and once a route has
been handed over and closed (tests/ui/test_route.py), never in the middle of finding the way.
Four drawn faces, one vote per visitor, recorded in the kiosk's durable event queue for the
reports; a screenshot of it to look at."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from ui_helpers import open_complaint_form, type_in_english

pytestmark = pytest.mark.ui


def satisfaction_events(kiosk) -> list[tuple[str, str]]:
    connection = sqlite3.connect(kiosk.store_path)
    try:
        return connection.execute(
            "SELECT subject_id, value FROM events WHERE kind = 'satisfaction' ORDER BY id").fetchall()
    finally:
        connection.close()


def file_a_complaint(kiosk, words: str = "queue"):
    form = open_complaint_form(kiosk)
    type_in_english(kiosk, form.ids.keyboard, words)
    kiosk.tap(form.ids.send_button)
    kiosk.settle()
    assert kiosk.current == "receipt"
    return kiosk.screen("receipt").ids.pulse


def faces(pulse):
    from screens.satisfaction_pulse import Face

    return {face.value: face for face in pulse.walk() if isinstance(face, Face)}


def test_the_map_asks_nothing_while_a_route_is_being_read(kiosk):
    kiosk.app.set_language("en")
    kiosk.app.show("map", store_id="gale-sports")
    kiosk.settle()
    screen = kiosk.screen("map")
    while screen.step_index < screen.step_count - 1:
        screen.next_step()
        kiosk.settle()
        assert screen.ids.pulse.height == 0 and screen.ids.pulse.disabled
    assert screen.step_count > 1 and screen.ids.pulse.height == 0


def test_one_tap_records_one_vote_and_repeated_presses_are_ignored(kiosk):
    before = satisfaction_events(kiosk)
    pulse = file_a_complaint(kiosk)
    assert pulse.children[-1].text == kiosk.app.tr("How did this kiosk do for you?")

    kiosk.tap(faces(pulse)["4"])
    kiosk.tap(faces(pulse)["4"])
    kiosk.tap(faces(pulse)["1"])

    assert satisfaction_events(kiosk) == before + [("receipt", "4")]
    assert pulse.voted and pulse.chosen_value == "4"
    assert pulse.children[-1].text == kiosk.app.tr("Thank you for telling us!")
    folder = Path(os.environ.get("CONCIERGE_SCREENSHOTS") or kiosk.store_path.parent)
    kiosk.driver.capture(folder / "pulse-receipt-zh_CN.png")


def test_the_next_visitor_gets_a_fresh_vote(kiosk):
    before = satisfaction_events(kiosk)
    pulse = file_a_complaint(kiosk)
    kiosk.tap(faces(pulse)["2"])
    kiosk.tap(kiosk.screen("receipt").ids.done_button)
    assert kiosk.current == "home" and not pulse.voted

    pulse = file_a_complaint(kiosk, "lift")
    kiosk.tap(faces(pulse)["3"])

    assert satisfaction_events(kiosk) == before + [("receipt", "2"), ("receipt", "3")]


def test_the_faces_are_large_touch_targets_in_the_lower_screen(kiosk):
    from screens import theme

    pulse = file_a_complaint(kiosk)
    for face in faces(pulse).values():
        assert min(face.size) >= theme.TOUCH_MIN * kiosk.app.u
        # ADA reach range: the faces sit in the lower part of the screen.
        assert face.to_window(*face.pos)[1] < kiosk.app.root.height * 0.6


@pytest.mark.parametrize("language", ["en", "zh_TW"])
def test_the_pulse_speaks_the_visitors_language(kiosk, language):
    pulse = file_a_complaint(kiosk)
    kiosk.app.set_language(language)
    kiosk.settle()

    texts = [w.text for w in pulse.walk() if hasattr(w, "text")]
    assert kiosk.app.tr("How did this kiosk do for you?") in texts
    assert {kiosk.app.tr(label) for label in ("Poor", "Fair", "Good", "Great")} <= set(texts)
    if language == "zh_TW":
        assert "非常滿意" in texts
    folder = Path(os.environ.get("CONCIERGE_SCREENSHOTS") or kiosk.store_path.parent)
    kiosk.driver.capture(folder / f"pulse-receipt-{language}.png")
