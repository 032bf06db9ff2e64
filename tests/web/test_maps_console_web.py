"""Maps in the console, in a real Chromium: a manager uploads an IMDF archive that drops three
shops, sees the diff, the losses and the floors, is refused until they confirm, then publishes;
a content editor sees the same losses but cannot confirm them.

Screenshots go to $CONCIERGE_SCREENSHOTS (or the test's tmp dir) for people to look at.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect
from web_helpers import signed_in_page

from server.accounts.models import AuditEntry
from server.accounts.services import create_staff_user
from server.content.models import ContentVersion
from server.malls.models import Mall
from server.wayfinding.services import published

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
from map_archives import plaza_archives, tower_archives  # noqa: E402  (tests/server's archive builder)

pytestmark = [pytest.mark.web, pytest.mark.django_db(transaction=True)]

PASSWORD = "Maps-desk-2026!"


@pytest.fixture
def plaza(tmp_path):
    mall = Mall.objects.create(id="plaza", name_zh_cn="测试广场")
    whole, fewer = plaza_archives(tmp_path)
    (tmp_path / "whole.zip").write_bytes(whole)
    (tmp_path / "fewer.zip").write_bytes(fewer)
    return mall


def console(chromium, live_server, username: str, role: str, mall):
    create_staff_user(username, role, PASSWORD, mall=mall, check_password=False)
    return signed_in_page(chromium, f"{live_server.url}/console/wayfinding/", username, PASSWORD,
                          "**/console/wayfinding/", viewport={"width": 1366, "height": 900})


def upload(page, archive: Path):
    page.set_input_files('#maps input[type="file"]', str(archive))
    page.get_by_role("button", name="上传并审核").click()
    page.wait_for_url("**/console/wayfinding/maps/review*")


def versions(mall) -> int:
    return ContentVersion.objects.filter(mall=mall).count()


def test_a_manager_reviews_a_map_that_drops_shops_and_confirms_the_loss(chromium, live_server, plaza, tmp_path,
                                                                       screenshots):
    page = console(chromium, live_server, "manager-he", "manager", plaza)
    upload(page, tmp_path / "whole.zip")
    assert "本商场尚未发布任何内容：不会丢失任何东西。" in page.locator("#summary").inner_text()
    assert page.locator("#floors svg").count() == 1
    page.get_by_role("button", name="发布此地图").click()
    page.wait_for_url("**/console/wayfinding/?mall=plaza")
    assert "新地图已发布为版本 1" in page.locator("[role=status]").first.inner_text()
    expect(page.get_by_role("link", name="下载版本 1（IMDF）")).to_be_visible()
    page.screenshot(path=str(screenshots / "maps-1-console.png"), full_page=True)

    upload(page, tmp_path / "fewer.zip")
    stores = page.locator('.diff tr[data-kind="stores"]')
    assert stores.locator("td").nth(1).locator("b").inner_text() == "3", "three shops removed"
    assert "此地图会让自助机失去店铺、楼层或路线：发布需要经理确认。" in page.locator("#summary").inner_text()
    assert page.locator("#floors svg polygon").count() > 5
    page.screenshot(path=str(screenshots / "maps-2-review.png"), full_page=True)

    page.get_by_role("button", name="发布此地图").click()
    losses = page.locator("#losses")
    assert "删除了 3 家店铺" in losses.inner_text()
    assert versions(plaza) == 1, "refused until a manager confirms"
    page.screenshot(path=str(screenshots / "maps-3-refused.png"), full_page=True)

    losses.locator('input[name="understood"]').check()
    losses.get_by_role("button", name="确认并发布").click()
    page.wait_for_url("**/console/wayfinding/?mall=plaza")
    assert "新地图已发布为版本 2" in page.locator("[role=status]").first.inner_text()
    assert versions(plaza) == 2
    entry = AuditEntry.objects.get(action="content.publish_confirmed_loss")
    assert entry.actor.username == "manager-he" and "3 stores removed" in entry.detail


def test_a_content_editor_sees_the_losses_but_cannot_confirm(chromium, live_server, plaza, tmp_path, screenshots):
    page = console(chromium, live_server, "editor-qian", "content_editor", plaza)
    upload(page, tmp_path / "whole.zip")
    page.get_by_role("button", name="发布此地图").click()
    page.wait_for_url("**/console/wayfinding/?mall=plaza")
    upload(page, tmp_path / "fewer.zip")
    page.get_by_role("button", name="发布此地图").click()
    losses = page.locator("#losses")
    assert "删除了 3 家店铺" in losses.inner_text()
    assert "只有本商场的经理可以确认这些损失" in losses.inner_text()
    assert losses.get_by_role("button", name="确认并发布").count() == 0
    page.screenshot(path=str(screenshots / "maps-4-editor-refused.png"), full_page=True)
    assert versions(plaza) == 1


def test_a_three_level_map_with_escalators_lift_and_stairs_publishes_and_its_losses_are_named(
        chromium, live_server, tmp_path, screenshots):
    """A real multi-level archive (directed escalators, a lift and a staircase through every
    level, no path graph of its own) passes the checks and publishes from the console; when a
    later upload drops two shops, the refusal names them as the kiosks do, not by UUID."""
    tower = Mall.objects.create(id="tower", name_zh_cn="三层广场")
    whole, fewer = tower_archives(tmp_path)
    (tmp_path / "tower.zip").write_bytes(whole)
    (tmp_path / "tower-fewer.zip").write_bytes(fewer)
    page = console(chromium, live_server, "manager-lu", "manager", tower)
    upload(page, tmp_path / "tower.zip")
    assert page.locator("#problems").count() == 0, page.locator("#problems").inner_text()
    assert page.locator("#floors svg").count() == 3
    page.get_by_role("button", name="发布此地图").click()
    page.wait_for_url("**/console/wayfinding/?mall=tower")
    assert "新地图已发布为版本 1" in page.locator("[role=status]").first.inner_text()
    live = published("tower")[1]
    kinds = {edge.kind for edge in live.graph.edges}
    assert {"escalator", "lift", "stairs"} <= kinds
    assert all(edge.directed for edge in live.graph.edges if edge.kind == "escalator")

    upload(page, tmp_path / "tower-fewer.zip")
    page.get_by_role("button", name="发布此地图").click()
    losses = page.locator("#losses").inner_text()
    assert "删除了 2 家店铺" in losses
    assert "店2F1 (2F-01)" in losses and "店2F2 (2F-02)" in losses
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", losses), "stores are named, not shown by UUID"
    page.screenshot(path=str(screenshots / "maps-5-three-levels-refused.png"), full_page=True)
    assert ContentVersion.objects.filter(mall=tower).count() == 1
