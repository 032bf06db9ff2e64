"""A small mall in code for the kiosk core's tests (imported by name: `conftest` is not unique)."""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from PIL import Image

from sync.protocol import (
    Category,
    Edge,
    Facility,
    I18nText,
    KioskPoint,
    Level,
    Mall,
    MallContent,
    Node,
    PathGraph,
    Promotion,
    Store,
    TimeRange,
    sha256_hex,
)

EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]


def png_bytes(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Bundle:
    """The shape of sync.bundle.SourceBundle: content plus its blobs by hash."""

    content: MallContent
    blobs: dict[str, tuple[bytes, str]] = field(default_factory=dict)


def make_bundle(mall_name: str = "星光广场", timezone: str = "Asia/Shanghai") -> Bundle:
    logo = png_bytes((200, 30, 30))
    poster = png_bytes((30, 30, 200))
    logo_sha, poster_sha = sha256_hex(logo), sha256_hex(poster)
    content = MallContent(
        mall=Mall(
            id="mall-1",
            name=I18nText(zh_CN=mall_name, en="Starlight Plaza", zh_TW="星光廣場"),
            timezone=timezone,
            hours=[TimeRange(weekdays=EVERY_DAY, open="10:00", close="22:00")],
            service_desk_id="desk-1",
        ),
        levels=[
            Level(id="L2", short_name="2F", ordinal=1, name=I18nText(zh_CN="二楼"), width_m=100, height_m=60),
            Level(id="B1", short_name="B1", ordinal=-1, name=I18nText(zh_CN="地下一层"), width_m=100, height_m=60),
            Level(id="L1", short_name="1F", ordinal=0, name=I18nText(zh_CN="一楼"), width_m=100, height_m=60),
        ],
        categories=[
            Category(id="food", name=I18nText(zh_CN="餐饮", en="Food")),
            Category(id="fashion", name=I18nText(zh_CN="服饰", en="Fashion")),
        ],
        stores=[
            Store(id="s-coffee", name=I18nText(zh_CN="星巴克", en="Starbucks"), category_id="food",
                  level_id="L1", unit="1F-01", node_id="n1", logo_sha256=logo_sha),
            Store(id="s-bar", name=I18nText(zh_CN="夜猫酒吧", en="Night Owl Bar"), category_id="food",
                  level_id="L2", unit="2F-08", node_id="n2",
                  hours=[TimeRange(weekdays=[4, 5], open="18:00", close="02:00")]),
            Store(id="s-shoes", name=I18nText(zh_CN="鞋店", en="Shoes"), category_id="fashion",
                  level_id="L1", unit="1F-02", node_id="n1"),
        ],
        facilities=[
            Facility(id="desk-1", kind="service_desk", name=I18nText(zh_CN="服务台"), level_id="L1", node_id="n1"),
            Facility(id="wc-1", kind="restroom", name=I18nText(zh_CN="洗手间"), level_id="L1", node_id="n1"),
            Facility(id="wc-2", kind="restroom", name=I18nText(zh_CN="洗手间"), level_id="L2", node_id="n2"),
        ],
        promotions=[
            Promotion(id="p1", title=I18nText(zh_CN="买一送一"), text=I18nText(zh_CN="咖啡"),
                      image_sha256=poster_sha, starts_on="2026-01-01", ends_on="2026-12-31"),
        ],
        graph=PathGraph(
            nodes=[Node(id="n1", level_id="L1", x=1, y=1), Node(id="n2", level_id="L2", x=1, y=1)],
            edges=[Edge(a="n1", b="n2", kind="lift", length_m=5, seconds=120)],
        ),
        kiosks=[
            KioskPoint(id="kp-north", name=I18nText(zh_CN="北门"), level_id="L1", node_id="n1"),
            KioskPoint(id="kp-south", name=I18nText(zh_CN="南门"), level_id="L1", node_id="n1"),
        ],
    )
    return Bundle(content, {logo_sha: (logo, "image/png"), poster_sha: (poster, "image/png")})
