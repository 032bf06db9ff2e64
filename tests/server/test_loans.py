"""Loans at the service desk: the register, lending and returning through the one move function,
bad input refused with words staff can act on, the day's figures, the kiosk's live availability,
and the mall boundary (another mall's staff and kiosks see nothing)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from server_helpers import make_bundle
from test_cases_support import make_staff

from server.accounts.models import AuditEntry
from server.content import services as content
from server.fleet import services as fleet
from server.loans import contacts, flows, lending
from server.loans.errors import IllegalMove, LoanError
from server.loans.figures import counts_for_day
from server.loans.models import ItemState, LendableItem, Loan, LoanStatus

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def desk(imported_mall, published):
    """The published test mall (open 10:00–22:00, service desk f-desk on 1F), its staff and
    two wheelchairs and an umbrella in the register."""
    mall = imported_mall
    manager = make_staff("boss", "manager", mall)
    agent = make_staff("desk", "agent", mall)
    items = [lending.register_item(mall, kind=kind, tag=tag, kept_at="f-desk", note="", actor=manager)
             for kind, tag in (("wheelchair", "ly-01"), ("wheelchair", "LY-02"), ("umbrella", "YS-01"))]
    return {"mall": mall, "manager": manager, "agent": agent, "items": items}


def request(**overrides) -> lending.LoanRequest:
    fields = {"surname": "王", "phone": "138 1234 5678", "security": "id_card_sighted", "kind": "wheelchair"}
    return lending.LoanRequest(**{**fields, **overrides})


def test_a_loan_by_kind_takes_the_first_available_until_closing_time(desk):
    noon = datetime(2026, 12, 5, 12, 0, tzinfo=SHANGHAI)
    loan = lending.lend(desk["mall"], request(), desk["agent"], now=noon)
    loan.refresh_from_db()
    assert loan.item.tag == "LY-01"  # tags are stored as printed: upper case
    assert loan.item.state == ItemState.ON_LOAN
    assert loan.phone == "13812345678"
    assert loan.due_at == datetime(2026, 12, 5, 22, 0, tzinfo=SHANGHAI)
    assert set(AuditEntry.objects.filter(mall=desk["mall"]).values_list("action", flat=True)) >= {
        "loans.item_registered", "loans.item_state", "loans.lent"}
    second = lending.lend(desk["mall"], request(surname="李"), desk["agent"], now=noon)
    assert second.item.tag == "LY-02"
    with pytest.raises(LoanError) as refused:
        lending.lend(desk["mall"], request(surname="张"), desk["agent"], now=noon)
    assert refused.value.code == "none_available"


def test_before_opening_a_wheelchair_is_due_at_todays_closing_after_closing_in_four_hours(desk):
    early = datetime(2026, 12, 5, 8, 13, tzinfo=SHANGHAI)
    assert lending.default_due(desk["mall"], "wheelchair", early) == datetime(2026, 12, 5, 22, 0, tzinfo=SHANGHAI)
    late = datetime(2026, 12, 5, 22, 30, tzinfo=SHANGHAI)
    assert lending.default_due(desk["mall"], "wheelchair", late) == late + lending.WITHOUT_HOURS


def test_an_umbrella_is_due_back_in_a_week_and_a_cash_deposit_keeps_its_amount(desk):
    noon = datetime(2026, 12, 5, 12, 0, tzinfo=SHANGHAI)
    loan = lending.lend(desk["mall"], request(kind="umbrella", security="cash_deposit", deposit_yuan=50),
                        desk["agent"], now=noon)
    assert loan.due_at == noon + timedelta(days=7)
    assert loan.security_text.endswith("¥50")


@pytest.mark.parametrize(("overrides", "code"), [
    ({"surname": "110101199003071234"}, "bad_surname"),  # an ID number typed as the name
    ({"surname": "   "}, "bad_surname"),
    ({"phone": "12345"}, "bad_phone"),
    ({"security": "fingerprint"}, "bad_security"),
    ({"security": "cash_deposit"}, "bad_deposit"),
    ({"security": "cash_deposit", "deposit_yuan": 0}, "bad_deposit"),
    ({"due_at": datetime(2020, 1, 1, tzinfo=SHANGHAI)}, "bad_due"),
    ({"due_at": timezone.now() + timedelta(days=90)}, "bad_due"),
])
def test_bad_input_is_refused_and_nothing_is_lent(desk, overrides, code):
    with pytest.raises(LoanError) as refused:
        lending.lend(desk["mall"], request(**overrides), desk["agent"])
    assert refused.value.code == code and refused.value.message
    assert not Loan.objects.exists()
    assert not LendableItem.objects.filter(state=ItemState.ON_LOAN).exists()


def test_the_table_of_moves_decides_every_state_change(desk):
    loan = lending.lend(desk["mall"], request(), desk["agent"])
    lending.return_loan(loan, desk["agent"])
    loan.refresh_from_db()
    assert loan.status == LoanStatus.RETURNED and loan.returned_at is not None
    assert loan.item.state == ItemState.AVAILABLE
    with pytest.raises(IllegalMove):
        lending.return_loan(loan, desk["agent"])
    stale = Loan.objects.get(pk=loan.pk)
    stale.status = LoanStatus.OPEN  # what a second browser tab still believes
    with pytest.raises(IllegalMove) as raced:
        flows.move(stale, LoanStatus.RETURNED, desk["agent"])
    assert raced.value.code == "changed_meanwhile"
    broken = desk["items"][1]
    flows.move(broken, ItemState.OUT_OF_SERVICE, desk["manager"])
    with pytest.raises(IllegalMove):
        flows.move(broken, ItemState.ON_LOAN, desk["manager"])
    with pytest.raises(IllegalMove):
        flows.move(broken, "lost_in_space", desk["manager"])


def test_a_damaged_return_takes_the_item_out_of_service(desk):
    loan = lending.lend(desk["mall"], request(), desk["agent"])
    lending.return_loan(loan, desk["agent"], damaged=True)
    assert LendableItem.objects.get(pk=loan.item_id).state == ItemState.OUT_OF_SERVICE


def test_the_register_refuses_a_tag_twice_and_a_bad_tag(desk):
    with pytest.raises(LoanError) as twice:
        lending.register_item(desk["mall"], kind="wheelchair", tag="LY-01", kept_at="f-desk", note="",
                              actor=desk["manager"])
    assert twice.value.code == "duplicate_tag"
    with pytest.raises(LoanError):
        lending.register_item(desk["mall"], kind="wheelchair", tag="<script>", kept_at="f-desk", note="",
                              actor=desk["manager"])


def test_counts_for_day_per_kind(desk):
    mall = desk["mall"]
    morning = datetime(2026, 11, 2, 10, 30, tzinfo=SHANGHAI)
    back_soon = lending.lend(mall, request(), desk["agent"], now=morning)
    kept_late = lending.lend(mall, request(surname="李"), desk["agent"], now=morning)
    lending.lend(mall, request(kind="umbrella"), desk["agent"], now=morning)
    lending.return_loan(back_soon, desk["agent"])
    Loan.objects.filter(pk=back_soon.pk).update(returned_at=morning + timedelta(hours=2))
    counts = counts_for_day(mall, date(2026, 11, 2))
    assert counts["wheelchair"] == {"lent": 2, "returned": 1, "overdue": 1}
    assert counts["umbrella"] == {"lent": 1, "returned": 0, "overdue": 0}  # due in a week
    assert counts["pram"] == counts["power_bank"] == {"lent": 0, "returned": 0, "overdue": 0}
    assert counts_for_day(mall, date(2026, 11, 1))["wheelchair"] == {"lent": 0, "returned": 0, "overdue": 0}
    assert kept_late.pk in set(lending.overdue_loans(Loan.objects.filter(mall=mall)).values_list("pk", flat=True))


def test_a_borrowers_phone_is_erased_a_month_after_the_return(desk):
    loan = lending.lend(desk["mall"], request(), desk["agent"])
    lending.return_loan(loan, desk["agent"])
    assert contacts.erase_old_contacts() == 0
    assert contacts.erase_old_contacts(now=timezone.now() + timedelta(days=31)) == 1
    assert Loan.objects.get(pk=loan.pk).phone == ""


# ---------------------------------------------------------------- console


def test_the_desk_lends_and_takes_back_through_the_console(client, desk):
    client.force_login(desk["agent"])
    refused = client.post(reverse("loans:loan_new"), {"kind": "wheelchair", "surname": "王", "phone": "123",
                                                       "security": "id_card_sighted"})
    assert refused.status_code == 400
    assert "13812345678" in refused.content.decode()  # the message shows a number that would do
    lent = client.post(reverse("loans:loan_new"), {"kind": "wheelchair", "surname": "王", "phone": "13812345678",
                                                    "security": "cash_deposit", "deposit_yuan": "200"})
    assert lent.status_code == 302
    loan = Loan.objects.get()
    page = client.get(lent["Location"]).content.decode()
    assert loan.reference in page and "138****5678" in page and "13812345678" not in page
    Loan.objects.filter(pk=loan.pk).update(due_at=timezone.now() - timedelta(minutes=5))
    overdue = client.get(reverse("loans:overdue")).content.decode()
    assert "13812345678" in overdue and loan.reference in overdue
    assert AuditEntry.objects.filter(action="loans.overdue_contacts_shown", detail__contains=loan.reference).exists()
    back = client.post(reverse("loans:loan_return", args=[loan.pk]), {})
    assert back.status_code == 302
    assert Loan.objects.get().status == LoanStatus.RETURNED
    assert client.post(reverse("loans:loan_return", args=[loan.pk]), {}).status_code == 409


def test_only_managers_keep_the_register(client, desk):
    client.force_login(desk["agent"])
    assert client.get(reverse("loans:register")).status_code == 200
    data = {"kind": "pram", "tag": "YC-01", "kept_at": "f-desk"}
    assert client.post(reverse("loans:register"), data).status_code == 403
    item = desk["items"][0]
    assert client.post(reverse("loans:item_state", args=[item.pk]), {"state": "out_of_service"}).status_code == 403
    client.force_login(desk["manager"])
    assert client.post(reverse("loans:register"), data).status_code == 302
    assert LendableItem.objects.filter(tag="YC-01", kind="pram").exists()
    assert client.post(reverse("loans:register"), {**data, "kept_at": "f-nowhere"}).status_code == 400
    assert client.post(reverse("loans:register"), {**data, "tag": "YC-02", "kept_at": "f-lift"}).status_code == 400
    assert client.post(reverse("loans:item_state", args=[item.pk]), {"state": "out_of_service"}).status_code == 302
    assert client.post(reverse("loans:item_state", args=[item.pk]), {"state": "on_loan"}).status_code == 409


def test_staff_of_another_mall_see_nothing(client, desk):
    loan = lending.lend(desk["mall"], request(surname="欧阳"), desk["agent"])
    far = content.import_mall_content(make_bundle("far-mall").content, make_bundle("far-mall").blobs).mall
    stranger = make_staff("far-desk", "manager", far)
    client.force_login(stranger)
    for name in ("loans:overview", "loans:overdue", "loans:register"):
        page = client.get(reverse(name)).content.decode()
        assert "欧阳" not in page and "LY-01" not in page and loan.reference not in page
    assert client.post(reverse("loans:loan_return", args=[loan.pk]), {}).status_code == 404
    assert client.post(reverse("loans:item_state", args=[loan.item_id]), {"state": "available"}).status_code == 404
    other = client.post(reverse("loans:loan_new"), {"item": str(desk["items"][1].pk), "surname": "李",
                                                     "phone": "13812345678", "security": "id_card_sighted"})
    assert other.status_code == 400  # not among this mall's items
    assert Loan.objects.count() == 1


# ---------------------------------------------------------------- the kiosk's live availability


def test_a_kiosk_reads_its_own_malls_availability(client, desk):
    kiosk_key = fleet.enroll_kiosk(fleet.create_enrollment_code(desk["mall"], "k-lobby").code).device_key
    before = client.get("/api/v1/kiosk/availability", headers={"Authorization": f"Bearer {kiosk_key}"})
    assert before.status_code == 200 and before["Cache-Control"] == "no-store"
    counts = {(row["kind"], row["facility_id"]): (row["available"], row["total"]) for row in before.json()["counts"]}
    assert counts == {("wheelchair", "f-desk"): (2, 2), ("umbrella", "f-desk"): (1, 1)}
    lending.lend(desk["mall"], request(), desk["agent"])
    after = client.get("/api/v1/kiosk/availability", headers={"Authorization": f"Bearer {kiosk_key}"}).json()
    assert {row["kind"]: row["available"] for row in after["counts"]}["wheelchair"] == 1

    far = content.import_mall_content(make_bundle("far-mall").content, make_bundle("far-mall").blobs).mall
    far_key = fleet.enroll_kiosk(fleet.create_enrollment_code(far, "k-lobby").code).device_key
    elsewhere = client.get("/api/v1/kiosk/availability", headers={"Authorization": f"Bearer {far_key}"})
    assert elsewhere.json()["counts"] == []
    assert client.get("/api/v1/kiosk/availability").status_code == 401
