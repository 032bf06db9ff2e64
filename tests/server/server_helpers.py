"""Helpers of the server tests: a small mall built in code, JSON posts, error-body checks."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass

from django.test import Client
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
    PromotionTarget,
    Store,
    TimeRange,
    sha256_hex,
)


def png_bytes(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Bundle:
    content: MallContent
    blobs: dict[str, tuple[bytes, str]]

    @property
    def logo_sha256(self) -> str:
        return self.content.stores[0].logo_sha256

    @property
    def promotion_sha256(self) -> str:
        return self.content.promotions[0].image_sha256


def make_bundle(mall_id: str = "test-mall") -> Bundle:
    """A two-level mall: 2 stores, a lift between the levels, a lobby kiosk point, one promotion."""
    logo, poster = png_bytes((200, 30, 30)), png_bytes((30, 30, 200))
    blobs = {sha256_hex(logo): (logo, "image/png"), sha256_hex(poster): (poster, "image/png")}
    text = I18nText
    content = MallContent(
        mall=Mall(
            id=mall_id, name=text(zh_CN="测试广场", en="Test Plaza", zh_TW="測試廣場"),
            hours=[TimeRange(weekdays=[0, 1, 2, 3, 4, 5, 6], open="10:00", close="22:00")],
            service_desk_id="f-desk", phone="021-12345678",
        ),
        levels=[
            Level(id="L1", short_name="1F", ordinal=0, name=text(zh_CN="一层", en="Level 1"), width_m=100, height_m=60),
            Level(id="L2", short_name="2F", ordinal=1, name=text(zh_CN="二层", en="Level 2"), width_m=100, height_m=60),
        ],
        categories=[Category(id="food", name=text(zh_CN="餐饮", en="Food")),
                    Category(id="fashion", name=text(zh_CN="服饰", en="Fashion"))],
        stores=[
            Store(id="s-tea", name=text(zh_CN="茶馆", en="Tea House"), category_id="food", level_id="L1",
                  unit="1F-01", node_id="n1-b", logo_sha256=sha256_hex(logo), keywords=["tea", "chaguan"],
                  description=text(zh_CN="好茶", en="Good tea")),
            Store(id="s-coat", name=text(zh_CN="大衣店", en="Coats"), category_id="fashion", level_id="L2",
                  unit="2F-05", node_id="n2-b"),
        ],
        facilities=[
            Facility(id="f-desk", kind="service_desk", name=text(zh_CN="服务台", en="Service desk"),
                     level_id="L1", node_id="n1-a"),
            Facility(id="f-lift", kind="lift", name=text(zh_CN="电梯", en="Lift"), level_id="L1", node_id="n1-lift"),
        ],
        promotions=[
            Promotion(id="p-tea", title=text(zh_CN="买一送一", en="Two for one"),
                      text=text(zh_CN="仅限本周", en="This week"),
                      image_sha256=sha256_hex(poster), store_id="s-tea", starts_on="2025-01-01", ends_on="2030-12-31",
                      target=PromotionTarget(level_ids=["L1"], kiosk_ids=["k-lobby"])),
        ],
        graph=PathGraph(
            nodes=[
                Node(id="n1-a", level_id="L1", x=10, y=10), Node(id="n1-b", level_id="L1", x=30, y=10),
                Node(id="n1-lift", level_id="L1", x=50, y=10), Node(id="n2-lift", level_id="L2", x=50, y=10),
                Node(id="n2-b", level_id="L2", x=70, y=10),
            ],
            edges=[
                Edge(a="n1-a", b="n1-b", length_m=20), Edge(a="n1-b", b="n1-lift", length_m=20),
                Edge(a="n1-lift", b="n2-lift", kind="lift", length_m=5, seconds=120, connector_id="f-lift"),
                Edge(a="n2-lift", b="n2-b", length_m=20),
            ],
        ),
        kiosks=[KioskPoint(id="k-lobby", name=text(zh_CN="大堂", en="Lobby"), level_id="L1", node_id="n1-a")],
    )
    return Bundle(content=content, blobs=blobs)


@dataclass
class EnrolledKiosk:
    id: str
    code: str
    device_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.device_key}"}


def post_json(client: Client, path: str, payload, **headers):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return client.post(path, data=body, content_type="application/json", headers=headers)


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is the protocol's JSON error body with this status (and code)."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    if code is not None:
        assert body["error"]["code"] == code, body
    return body
