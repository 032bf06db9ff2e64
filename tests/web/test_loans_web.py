"""Loans at the desk in a real Chromium: a manager registers two wheelchairs, a desk agent lends
one in a few fields, takes it back, and finds a late one on the overdue list (逾期)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from web_helpers import signed_in_page

from server.accounts.services import create_staff_user
from server.loans.lending import default_due
from server.loans.models import ItemState, LendableItem, Loan, LoanStatus

pytestmark = [pytest.mark.web, pytest.mark.django_db(transaction=True)]

PASSWORD = "Wheelchair-loans-2026!"


@pytest.fixture
def staff(demo_mall):
    create_staff_user("boss-zhao", "manager", PASSWORD, mall=demo_mall, check_password=False)
    create_staff_user("desk-wang", "agent", PASSWORD, mall=demo_mall, check_password=False)
    return demo_mall


def test_register_lend_return_and_overdue(chromium, live_server, staff, screenshots):
    manager = signed_in_page(chromium, f"{live_server.url}/console/loans/register/", "boss-zhao", PASSWORD,
                             "**/console/loans/register/**")
    for tag in ("LY-01", "LY-02"):
        manager.select_option('select[name="kind"]', "wheelchair")
        manager.fill('input[name="tag"]', tag)
        assert manager.locator('select[name="kept_at"] option:checked').inner_text() == "服务台 · 1F"
        with manager.expect_navigation(url="**/console/loans/register/"):  # back to itself
            manager.get_by_role("button", name="登记", exact=True).click()
    manager.fill('input[name="tag"]', "LY-01")
    manager.get_by_role("button", name="登记", exact=True).click()
    assert "本商场已有编号为 LY-01 的物品" in manager.locator("ul.errorlist").inner_text()
    assert manager.locator("table.cases tbody tr").count() == 2
    manager.screenshot(path=str(screenshots / "loans-register-zh_CN.png"), full_page=True)

    desk = signed_in_page(chromium, f"{live_server.url}/console/loans/", "desk-wang", PASSWORD, "**/console/loans/")
    assert desk.locator('.count[data-kind="wheelchair"]').inner_text() == "2"
    assert desk.get_by_role("button", name="登记", exact=True).count() == 0
    desk.locator('section[aria-label="轮椅"]').get_by_role("link", name="借出一件").click()
    desk.fill('input[name="surname"]', "110101199003071234")  # an ID number where the name goes
    desk.fill('input[name="phone"]', "138 1234 5678")
    desk.select_option('select[name="security"]', "cash_deposit")
    desk.fill('input[name="deposit_yuan"]', "200")
    desk.get_by_role("button", name="借出", exact=True).click()
    assert "只填写借用人的姓氏（不要填写数字）" in desk.locator("ul.errorlist").inner_text()
    assert desk.input_value('input[name="surname"]') == "", "an ID number is not even shown back"
    desk.screenshot(path=str(screenshots / "loans-new-refused-zh_CN.png"), full_page=True)
    assert Loan.objects.count() == 0
    desk.fill('input[name="surname"]', "王")
    desk.get_by_role("button", name="借出", exact=True).click()
    desk.wait_for_url("**/console/loans/?lent=*")
    notice = desk.locator('[role="status"]').inner_text()
    lent = Loan.objects.get()
    assert lent.due_at == default_due(staff, "wheelchair", lent.lent_at)  # today's closing (4 h after it)
    assert "已借出轮椅 LY-01" in notice and f"{timezone.localtime(lent.due_at, staff.zone):%H:%M}" in notice
    row = desk.locator("table.cases tbody tr").first
    assert "王" in row.inner_text() and "138****5678" in row.inner_text() and "现金押金 ¥200" in row.inner_text()
    assert desk.locator('.count[data-kind="wheelchair"]').inner_text() == "1"
    assert LendableItem.objects.get(tag="LY-01").state == ItemState.ON_LOAN
    desk.screenshot(path=str(screenshots / "loans-desk-zh_CN.png"), full_page=True)

    row.get_by_role("button", name="归还").click()
    desk.wait_for_url("**/console/loans/?returned=*")
    assert "LY-01 已归还" in desk.locator('[role="status"]').inner_text()
    assert desk.locator('.count[data-kind="wheelchair"]').inner_text() == "2"
    assert Loan.objects.get().status == LoanStatus.RETURNED

    desk.goto(f"{live_server.url}/console/loans/new?kind=wheelchair")
    desk.fill('input[name="surname"]', "李")
    desk.fill('input[name="phone"]', "13900001111")
    desk.get_by_role("button", name="借出", exact=True).click()
    desk.wait_for_url("**/console/loans/?lent=*")
    Loan.objects.filter(status=LoanStatus.OPEN).update(due_at=timezone.now() - timedelta(hours=1))
    desk.get_by_role("link", name="逾期").click()
    late = desk.locator("table.cases tbody tr")
    assert late.count() == 1 and "李" in late.inner_text() and "13900001111" in late.inner_text()
    assert "逾期" in late.locator(".badge").inner_text()
    desk.screenshot(path=str(screenshots / "loans-overdue-zh_CN.png"), full_page=True)
