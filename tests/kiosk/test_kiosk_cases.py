"""Case drafts: every visitor mistake has a stable code; what passes, the server accepts."""
from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from kiosk import outbox
from kiosk.cases import (
    ALL_DRAFT_ERROR_CODES,
    CaseDraft,
    DraftInvalid,
    build_case_upload,
    submit_case,
    validate_draft,
)
from sync.protocol import (
    MAX_DESCRIPTION_CHARS,
    MAX_DETAIL_VALUE_CHARS,
    MIN_TRACKING_TOKEN_BYTES,
    CaseKind,
    CaseUpload,
    ComplaintCategory,
    sha256_hex,
)

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
HTML = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SQL = "Robert'); DROP TABLE outbox;-- \" OR 1=1 /*"
EMOJI = "咖啡太烫了😡🔥 but the staff were kind 👍🏽👨‍👩‍👧"


def codes(draft: CaseDraft) -> list[str]:
    return [error.code for error in validate_draft(draft, now=NOW)]


def complaint(**changes) -> CaseDraft:
    fields = dict(kind="complaint", category="product_quality", description="奶茶里有异物")
    fields.update(changes)
    return CaseDraft(**fields)


def test_a_good_draft_has_no_errors():
    assert codes(complaint()) == []
    assert codes(CaseDraft(kind="praise", description="服务很好")) == []


@pytest.mark.parametrize("description", ["", "   ", "\n\t \n"])
def test_empty_description(description):
    assert codes(complaint(description=description)) == ["description_empty"]


def test_ten_thousand_characters_are_too_long_and_the_numbers_are_given():
    errors = validate_draft(complaint(description="好" * 10_000), now=NOW)
    assert [e.code for e in errors] == ["description_too_long"]
    assert errors[0].params == {"length": 10_000, "limit": MAX_DESCRIPTION_CHARS}
    assert codes(complaint(description="好" * MAX_DESCRIPTION_CHARS)) == []


@pytest.mark.parametrize("text", [EMOJI, HTML, SQL, "多行\n描述\t带制表符"])
def test_emoji_html_and_sql_are_accepted_and_stored_verbatim(store, identity, text):
    assert codes(complaint(description=text)) == []
    receipt = submit_case(store, identity, complaint(description=text), NOW)
    payload = json.loads(outbox.get(store, receipt.case_id).payload)
    assert payload["description"] == text
    assert CaseUpload.model_validate(payload).description == text


@pytest.mark.parametrize(
    "text", ["abc\x00def", "bell\x07", "esc\x1b[31m", "c1\x85", "bidi\u202eevil", "zero\u200bwidth"]
)
def test_control_characters_are_refused(text):
    assert "description_control_chars" in codes(complaint(description=text))


def test_category_is_required_for_complaints_only():
    assert codes(complaint(category=None)) == ["category_missing"]
    assert codes(CaseDraft(kind="suggestion", description="多放些座椅")) == []


@pytest.mark.parametrize(
    "phone",
    ["123", "12812345678", "1381234567", "138123456789", "+0123456789", "phone", "13812345678x", "++8613812345678",
     "+1234567"],
)
def test_malformed_phones(phone):
    assert codes(complaint(contact_phone=phone, contact_consent=True)) == ["phone_invalid"]


@pytest.mark.parametrize(
    "phone", ["13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "+44 20 7946 0958"]
)
def test_good_phones_with_consent(phone):
    assert codes(complaint(contact_phone=phone, contact_consent=True)) == []


def test_phone_without_consent():
    assert codes(complaint(contact_phone="13812345678", contact_consent=False)) == ["consent_missing"]
    assert codes(complaint(contact_phone="", contact_consent=False)) == []
    assert codes(complaint(contact_phone="   ", contact_consent=False)) == []


def test_occurred_in_the_future():
    assert codes(complaint(occurred_at=NOW + timedelta(hours=2))) == ["occurred_in_future"]
    assert codes(complaint(occurred_at=NOW + timedelta(minutes=1))) == []  # clock drift
    assert codes(complaint(occurred_at=NOW - timedelta(days=3))) == []


def test_store_and_details_limits_match_the_server():
    assert codes(complaint(store_id="s" * 65)) == ["store_invalid"]
    assert codes(complaint(store_id="")) == ["store_invalid"]
    assert codes(complaint(details={"colour": "x" * (MAX_DETAIL_VALUE_CHARS + 1)})) == ["details_invalid"]
    assert codes(complaint(details={"colour": "红\x00"})) == ["details_invalid"]
    assert codes(complaint(details={f"k{i}": "v" for i in range(31)})) == ["details_invalid"]
    assert codes(CaseDraft(kind="found_item", description="黑色钱包", details={"colour": "黑", "brand": "Coach"})) == []


def test_every_code_is_reachable():
    seen = set()
    for draft in [
        complaint(category=None), complaint(description=""), complaint(description="x" * 3000),
        complaint(description="a\x00"), complaint(contact_phone="1"), complaint(contact_phone="13812345678"),
        complaint(occurred_at=NOW + timedelta(days=1)), complaint(store_id="x" * 100), complaint(details={"": "x"}),
        complaint(occurred_at=datetime(1960, 1, 1, tzinfo=UTC)),
    ]:
        seen.update(codes(draft))
    assert seen == set(ALL_DRAFT_ERROR_CODES)


def test_programming_errors_raise():
    with pytest.raises(ValueError):
        validate_draft(CaseDraft(kind="rant", description="x"))
    with pytest.raises(ValueError):
        validate_draft(complaint(category="bad_coffee"))
    with pytest.raises(ValueError):
        validate_draft(complaint(language="fr"))


def test_submit_refuses_an_invalid_draft_and_files_nothing(store, identity):
    with pytest.raises(DraftInvalid) as raised:
        submit_case(store, identity, complaint(description=""), NOW)
    assert [e.code for e in raised.value.errors] == ["description_empty"]
    assert outbox.depth(store) == 0


def test_tracking_token_has_at_least_128_bits_and_only_its_hash_is_stored(store, identity, disk_bytes):
    receipts = [submit_case(store, identity, complaint(), NOW) for _ in range(20)]
    tokens = [r.tracking_url.rsplit("/t/", 1)[1] for r in receipts]
    assert len(set(tokens)) == len(tokens)
    on_disk = disk_bytes(store)
    store.checkpoint_truncate()
    on_disk += disk_bytes(store)
    for receipt, token in zip(receipts, tokens, strict=True):
        assert receipt.tracking_url == f"https://concierge.example.com/t/{token}"
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) >= MIN_TRACKING_TOKEN_BYTES and len(raw) * 8 >= 128
        assert token.encode() not in on_disk
        assert raw not in on_disk
        payload = json.loads(outbox.get(store, receipt.case_id).payload)
        assert payload["tracking_token_sha256"] == hashlib.sha256(token.encode("ascii")).hexdigest()


def test_payload_is_a_valid_case_upload(store, identity):
    draft = complaint(store_id="s-coffee", occurred_at=datetime(2026, 5, 1, 10, 30), contact_phone="+86 138-1234-5678",
                      contact_consent=True, language="en")
    receipt = submit_case(store, identity, draft, NOW)
    upload = CaseUpload.model_validate_json(outbox.get(store, receipt.case_id).payload)
    assert upload.id == receipt.case_id and upload.reference == receipt.reference
    assert upload.contact_phone == "+8613812345678"
    assert upload.occurred_at.tzinfo is not None
    assert upload.location_id == "kp-north" and upload.language == "en"
    assert upload.created_at == NOW


# ---------------------------------------------------------------- properties
phones = st.one_of(
    st.just(""),
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    st.from_regex(r"\+861[3-9][0-9]{9}", fullmatch=True),
    st.from_regex(r"\+[1-9][0-9]{7,14}", fullmatch=True),
    st.text(alphabet="0123456789 -+()", max_size=20),
    st.text(max_size=20),
)
drafts = st.builds(
    CaseDraft,
    kind=st.sampled_from(list(CaseKind)),
    category=st.one_of(st.none(), st.sampled_from(list(ComplaintCategory))),
    store_id=st.one_of(st.none(), st.text(max_size=70)),
    occurred_at=st.one_of(st.none(), st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2300, 1, 1),
                                                    timezones=st.sampled_from([UTC, None]))),
    description=st.one_of(st.text(max_size=50), st.text(min_size=1990, max_size=2010), st.just(EMOJI), st.just(HTML)),
    contact_phone=phones,
    contact_consent=st.booleans(),
    language=st.sampled_from(["zh_CN", "en", "zh_TW"]),
    details=st.dictionaries(st.text(max_size=70), st.text(max_size=20), max_size=3),
)


def upload_of(draft: CaseDraft) -> CaseUpload:
    upload = build_case_upload(
        draft, case_id="01ARZ3NDEKTSV4RRFFQ69G5FAV", reference="C7K-3QX9",
        tracking_token_sha256=sha256_hex(b"token"), created_at=NOW, location_id="kp-north",
    )
    # The server parses the JSON the kiosk sends: validate that, not the Python object.
    return CaseUpload.model_validate_json(upload.model_dump_json())


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(drafts)
def test_a_draft_that_validates_is_accepted_by_case_upload(draft):
    if validate_draft(draft, now=NOW):
        return
    upload = upload_of(draft)
    assert upload.description == draft.description


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(drafts)
def test_text_and_phone_errors_are_exactly_what_case_upload_refuses(draft):
    wire_codes = {"description_empty", "description_too_long", "description_control_chars",
                  "phone_invalid", "consent_missing", "store_invalid", "details_invalid", "occurred_out_of_range"}
    found = set(codes(draft)) & wire_codes
    try:
        upload_of(draft)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == (not found), found
