"""A notice banner over the header never covers the home screen's mall name: a lost child's
panel reaches well into the screen, in every language and on either panel orientation."""
from __future__ import annotations

from datetime import timedelta

import pytest
from ulid import ULID

from kiosk import broadcasts
from sync.protocol import Broadcast, I18nText

pytestmark = pytest.mark.ui

LOST_CHILD = {
    "reason": "lost_child",
    "title": I18nText(zh_CN="寻找走失儿童：5岁男孩，穿红色外套", en="Lost child: a boy of 5 in a red coat",
                      zh_TW="尋找走失兒童：5歲男孩，穿紅色外套"),
    "text": I18nText(zh_CN="如见到请带到一楼服务台。",
                     en="If you see him, please bring him to the service desk on 1F.",
                     zh_TW="如見到請帶到一樓服務台。"),
}
CLOSING = {
    "reason": "closing_time",
    "title": I18nText(zh_CN="今晚提前打烊", en="Closing early tonight", zh_TW="今晚提前打烊"),
    "text": I18nText(zh_CN="今晚 20:00 打烊", en="The mall closes at 20:00 tonight", zh_TW="今晚 20:00 打烊"),
}


def show_notice(kiosk, fields: dict) -> None:
    now = kiosk.app.now()
    received = [] if not fields else [Broadcast(
        id=str(ULID()), kind="notice", starts_at=now - timedelta(minutes=1), expires_at=now + timedelta(hours=1),
        **fields)]
    broadcasts.save_state(kiosk.store, received, '"test"')
    kiosk.app.broadcast_overlay.update(received)
    kiosk.settle()


@pytest.fixture
def home(kiosk):
    from kivy.core.window import Window

    original = tuple(Window.size)
    kiosk.app.show("home")
    yield kiosk
    show_notice(kiosk, {})
    kiosk.app.set_language("zh_CN")
    Window.size = original
    kiosk.settle()


def window_box(widget) -> tuple[float, float]:
    """(bottom, top) of `widget` in window coordinates."""
    _x, bottom = widget.to_window(widget.x, widget.y)
    return bottom, bottom + widget.height


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)], ids=["landscape", "portrait"])
@pytest.mark.parametrize("language", ["zh_CN", "en", "zh_TW"])
@pytest.mark.parametrize("notice", [LOST_CHILD, CLOSING], ids=["lost_child", "closing_time"])
def test_a_notice_banner_leaves_the_mall_name_in_sight(home, size, language, notice):
    from kivy.core.window import Window

    kiosk = home
    Window.size = size
    kiosk.app.set_language(language)
    show_notice(kiosk, notice)
    banner = kiosk.app.broadcast_overlay.ids.notice_banner
    screen = kiosk.screen("home")
    name, hours, search = screen.ids.mall_name, screen.ids.hours, screen.ids.search_field
    assert banner.opacity > 0 and banner.height > 0
    assert name.text == kiosk.app.mall_name != ""

    name_bottom, name_top = window_box(name)
    banner_bottom, _ = window_box(banner)
    assert name_top <= banner_bottom + 1, "the banner covers the mall's name"
    assert name.texture_size[1] <= name.height + 1, "the name is drawn whole"
    hours_bottom, hours_top = window_box(hours)
    _, search_top = window_box(search)
    assert hours_top <= name_bottom + 1 and search_top <= hours_bottom + 1, "the welcome runs into the search"
