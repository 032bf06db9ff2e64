"""A visitor files a complaint by touch, from the home screen to the receipt."""
from __future__ import annotations

import hashlib
import json
from urllib.parse import urlsplit

import pytest
import zxingcpp
from ui_helpers import (
    footer_switch,
    home_tile,
    kind_choice,
    open_complaint_form,
    outbox_rows,
    type_in_english,
    type_on_keyboard,
)

from kiosk.cases import DraftError, DraftErrorCode
from kiosk.i18n import Translator, message_for

pytestmark = pytest.mark.ui


def test_complaint_by_touch_reaches_the_outbox_and_the_receipt_shows_it(kiosk):
    before = len(outbox_rows(kiosk))
    wakes = kiosk.agent.wakes
    form = open_complaint_form(kiosk)
    assert form.heading.endswith(kiosk.app.tr("Service attitude"))
    type_in_english(kiosk, form.ids.keyboard, "rude staff at the till")
    assert form.ids.description.value == "rude staff at the till"

    kiosk.tap(form.ids.send_button)
    kiosk.settle()

    assert kiosk.current == "receipt"
    rows = outbox_rows(kiosk)
    assert len(rows) == before + 1
    case_id, reference, payload = rows[-1]
    receipt = kiosk.screen("receipt")
    assert receipt.ids.reference.text == reference
    assert receipt.reference == reference
    upload = json.loads(payload)
    assert upload["kind"] == "complaint"
    assert upload["category"] == "service_attitude"
    assert upload["description"] == "rude staff at the till"
    assert upload["language"] == "zh_CN"
    assert kiosk.agent.wakes == wakes + 1, "the sync agent is woken once the case is filed"
    # The form is empty again: the next visitor must not see this one's words.
    assert form.ids.description.value == ""


def test_receipt_qr_code_decodes_to_the_tracking_url(kiosk):
    form = open_complaint_form(kiosk, "environment_facilities")
    type_in_english(kiosk, form.ids.keyboard, "toilets dirty")
    kiosk.tap(form.ids.send_button)
    kiosk.settle()
    receipt = kiosk.screen("receipt")
    assert kiosk.current == "receipt"

    decoded = [result.text for result in zxingcpp.read_barcodes(kiosk.image())]

    assert decoded == [receipt.tracking_url]
    assert receipt.tracking_url.startswith("http://127.0.0.1:8000/t/")
    assert receipt.ids.qr.module_pixels >= 8, "each QR module needs enough pixels to scan from a phone"
    token = urlsplit(receipt.tracking_url).path.rsplit("/", 1)[1]
    payload = json.loads(outbox_rows(kiosk)[-1][2])
    assert payload["tracking_token_sha256"] == hashlib.sha256(token.encode("ascii")).hexdigest()
    assert token not in outbox_rows(kiosk)[-1][2], "the raw token is never stored"


def test_done_on_the_receipt_forgets_the_tracking_url_and_goes_home(kiosk):
    form = open_complaint_form(kiosk)
    type_in_english(kiosk, form.ids.keyboard, "queue")
    kiosk.tap(form.ids.send_button)
    receipt = kiosk.screen("receipt")
    kiosk.tap(receipt.ids.done_button)
    assert kiosk.current == "home"
    assert receipt.tracking_url == ""
    assert receipt.ids.qr.texture is None


def messages(code: str, **params) -> dict[str, str]:
    error = DraftError("field", code, params)
    return {language: message_for(error, Translator(language)) for language in ("zh_CN", "en")}


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_empty_description_shows_the_translated_error(kiosk, language):
    kiosk.app.set_language(language)
    form = open_complaint_form(kiosk)
    kiosk.tap(form.ids.send_button)
    kiosk.settle()
    expected = messages(DraftErrorCode.DESCRIPTION_EMPTY)[language]
    label = form.ids.description_error
    assert label.text == expected
    assert label.opacity == 1 and label.height > 0 and label.texture is not None
    assert kiosk.current == "case_form"


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_ten_thousand_characters_show_the_length_error(kiosk, language):
    kiosk.app.set_language(language)
    form = open_complaint_form(kiosk)
    form.ids.description.value = "很" * 10_000
    kiosk.tap(form.ids.send_button)
    kiosk.settle()
    expected = messages(DraftErrorCode.DESCRIPTION_TOO_LONG, length=10_000, limit=2000)[language]
    assert form.ids.description_error.text == expected
    assert "10,000" in expected and "2,000" in expected
    assert form.over_limit
    assert kiosk.current == "case_form"


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_bad_phone_number_shows_the_translated_error(kiosk, language):
    kiosk.app.set_language(language)
    form = open_complaint_form(kiosk)
    type_in_english(kiosk, form.ids.keyboard, "lost receipt")
    kiosk.tap(form.ids.phone)
    assert form.ids.keyboard.layout == "numeric"
    for digit in "12345":
        kiosk.tap(form.ids.keyboard.key_button(digit))
    kiosk.tap(form.ids.consent)
    kiosk.tap(form.ids.send_button)
    kiosk.settle()
    assert form.ids.phone_error.text == messages(DraftErrorCode.PHONE_INVALID)[language]
    assert form.ids.phone_error.opacity == 1
    assert form.ids.description_error.text == ""
    assert kiosk.current == "case_form"


def test_phone_without_consent_is_refused_until_the_box_is_ticked(kiosk):
    form = open_complaint_form(kiosk)
    type_in_english(kiosk, form.ids.keyboard, "broken lift")
    kiosk.tap(form.ids.phone)
    for digit in "13812345678":
        kiosk.tap(form.ids.keyboard.key_button(digit))
    kiosk.tap(form.ids.send_button)
    assert form.ids.consent_error.text == messages(DraftErrorCode.CONSENT_MISSING)["zh_CN"]
    kiosk.tap(form.ids.consent)
    assert form.ids.consent_error.text == "", "ticking the box clears its error"
    kiosk.tap(form.ids.send_button)
    kiosk.settle()
    assert kiosk.current == "receipt"
    payload = json.loads(outbox_rows(kiosk)[-1][2])
    assert payload["contact_phone"] == "13812345678" and payload["contact_consent"] is True


def test_errors_follow_a_language_switch(kiosk):
    form = open_complaint_form(kiosk)
    kiosk.tap(form.ids.send_button)
    switch = footer_switch(kiosk)
    kiosk.tap(switch.button_for("en"))
    kiosk.settle()
    assert form.ids.description_error.text == messages(DraftErrorCode.DESCRIPTION_EMPTY)["en"]


def test_praise_skips_the_category_step_and_files_praise(kiosk):
    kiosk.tap(home_tile(kiosk, "feedback"))
    kiosk.tap(kind_choice(kiosk, kiosk.app.tr("Praise")))
    assert kiosk.current == "case_form"
    form = kiosk.screen("case_form")
    assert form.kind == "praise"
    type_in_english(kiosk, form.ids.keyboard, "great help")
    kiosk.tap(form.ids.send_button)
    kiosk.settle()
    assert kiosk.current == "receipt"
    payload = json.loads(outbox_rows(kiosk)[-1][2])
    assert payload["kind"] == "praise" and payload["category"] is None


def test_store_picker_search_by_pinyin_initials_sets_the_store(kiosk):
    form = open_complaint_form(kiosk, "product_quality")
    kiosk.tap(form.ids.store_button)
    assert kiosk.current == "store_picker"
    picker = kiosk.screen("store_picker")
    type_on_keyboard(kiosk, picker.ids.keyboard, "ydkf")  # 云朵咖啡
    kiosk.settle()
    assert picker.result_count == 1
    row = picker.ids.stores.row_for("cloud-coffee")
    assert row is not None
    kiosk.tap(row)
    assert kiosk.current == "case_form"
    assert form.store_id == "cloud-coffee"
    assert form.store_text.startswith("云朵咖啡")


def test_when_choices_record_the_time_in_the_mall_timezone(kiosk):
    form = open_complaint_form(kiosk)
    slots = {button.value: button for button in form.when_buttons(form.ids.slots)}
    assert slots["evening"].disabled, "at 15:20 the evening has not begun"
    kiosk.tap(slots["morning"])
    occurred = form.occurred_at()
    assert (occurred.hour, occurred.minute) == (10, 0)
    assert occurred.tzinfo is not None and occurred.utcoffset().total_seconds() == 8 * 3600
