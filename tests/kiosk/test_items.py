"""Kiosk-side lost property: item drafts become cases the server accepts, with the details
under the protocol's keys, and a useful description even when the visitor types nothing."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.cases import CaseDraft, validate_draft
from kiosk.items import (
    ItemDraft,
    ItemErrorCode,
    item_summary,
    occurred_at_for,
    to_case_draft,
    validate_item,
)
from sync.protocol import CaseKind

SHANGHAI = ZoneInfo("Asia/Shanghai")


def codes(draft: ItemDraft) -> list[str]:
    return [error.code for error in validate_item(draft)]


def test_a_category_is_required_and_the_brand_is_limited():
    assert codes(ItemDraft(kind="found_item")) == [ItemErrorCode.CATEGORY_MISSING]
    assert codes(ItemDraft(kind="lost_report", category="bag", brand="x" * 61)) == [ItemErrorCode.BRAND_INVALID]
    assert codes(ItemDraft(kind="lost_report", category="bag", brand="Lo\x07ngchamp")) == [ItemErrorCode.BRAND_INVALID]
    assert codes(ItemDraft(kind="lost_report", category="bag", brand="珑骧 Longchamp")) == []


def test_unknown_codes_are_programming_errors():
    with pytest.raises(ValueError):
        validate_item(ItemDraft(kind="complaint", category="bag"))
    with pytest.raises(ValueError):
        validate_item(ItemDraft(kind="found_item", category="spaceship"))
    with pytest.raises(ValueError):
        validate_item(ItemDraft(kind="found_item", category="bag", colour="ultraviolet"))


def test_the_case_carries_the_details_under_the_protocol_keys():
    draft = ItemDraft(kind="found_item", category="wallet", colour="brown", brand=" Coach ", features="拉链坏了",
                      level_id="2f", store_id="cloud-coffee", contact_phone="13812345678", contact_consent=True,
                      extra_details={"occurred_when": "today"})
    case = to_case_draft(draft)
    assert case.kind == CaseKind.FOUND_ITEM and case.description == "拉链坏了" and case.store_id == "cloud-coffee"
    assert case.details == {"item_category": "wallet", "item_colour": "brown", "item_brand": "Coach",
                            "place_level_id": "2f", "occurred_when": "today"}
    assert case.contact_phone == "" and not case.contact_consent, "a finder is not asked for a phone"
    assert validate_draft(case) == []


def test_a_lost_report_keeps_the_phone_and_its_consent():
    case = to_case_draft(ItemDraft(kind="lost_report", category="keys", contact_phone="138 1234 5678",
                                   contact_consent=True, language="en"))
    assert (case.contact_phone, case.contact_consent, case.description) == ("138 1234 5678", True, "Keys")
    assert validate_draft(case) == []


@pytest.mark.parametrize("language, expected", [
    ("zh_CN", "钱包 · 黑色 · Coach"), ("en", "Wallet · Black · Coach"), ("zh_TW", "錢包 · 黑色 · Coach"),
])
def test_the_summary_is_in_the_visitors_language(language, expected):
    assert item_summary(ItemDraft(kind="lost_report", category="wallet", colour="black", brand="Coach",
                                  language=language)) == expected


def test_touch_time_choices():
    now = datetime(2026, 11, 23, 15, 20, 33, tzinfo=SHANGHAI)
    assert occurred_at_for("just_now", now) == datetime(2026, 11, 23, 15, 20, tzinfo=SHANGHAI)
    assert occurred_at_for("today", now) == datetime(2026, 11, 23, 13, 20, tzinfo=SHANGHAI)
    assert occurred_at_for("today", now.replace(hour=1)) == datetime(2026, 11, 23, 0, 0, tzinfo=SHANGHAI)
    assert occurred_at_for("yesterday", now) == datetime(2026, 11, 22, 15, 0, tzinfo=SHANGHAI)
    assert occurred_at_for("earlier", now) is None
    with pytest.raises(ValueError):
        occurred_at_for("next week", now)


def test_an_item_case_passes_the_server_schema():
    from datetime import UTC

    from kiosk.cases import build_case_upload

    case = to_case_draft(ItemDraft(kind="lost_report", category="documents", features="护照 passport"))
    upload = build_case_upload(case, case_id="01JD0000000000000000000000", reference="ABC-1234",
                               tracking_token_sha256="a" * 64, created_at=datetime.now(UTC), location_id=None)
    assert upload.details["item_category"] == "documents"
    assert isinstance(case, CaseDraft)


def test_a_spot_on_the_plan_goes_with_its_floor():
    case = to_case_draft(ItemDraft(kind="found_item", category="umbrella", level_id="1f", point=(112.46, 37.04),
                                   place_note="1F · 云朵咖啡"))
    assert case.details["place_point"] == "112.5,37.0" and case.details["place_note"] == "1F · 云朵咖啡"
    assert validate_draft(case) == []
    no_floor = to_case_draft(ItemDraft(kind="found_item", category="umbrella", point=(1.0, 2.0), place_note="x"))
    assert "place_point" not in no_floor.details, "a spot means nothing without its floor"
