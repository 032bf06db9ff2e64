"""The phone store page (/s/<mall>/<store>) a kiosk hands over by QR code: the published store
in the visitor's language, its hours, open state and promotions, its logo from the blob store,
the way there from the kiosk it came from; unknown or hostile addresses get a 404 page."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.content import services as content_services
from sync.bundle import load_source_bundle

DEMO = Path(__file__).resolve().parents[2] / "assets" / "demo"
MALL = "galaxy-harbour"


@pytest.fixture
def demo_mall(db):
    bundle = load_source_bundle(DEMO)
    mall = content_services.import_mall_content(bundle.content, bundle.blobs).mall
    content_services.publish(mall)
    return mall


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'").replace("&amp;", "&")


def test_the_phone_page_shows_the_published_store_in_english(client, demo_mall):
    response = client.get(f"/s/{MALL}/cloud-coffee?lang=en")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    for expected in ("Cloud Coffee", "云朵咖啡", "Cafés & Desserts", "Unit 1F-19", "Every day 10:00–22:00",
                     "021-68288512", "Cloud Coffee: Second Cup Half Price (until 31 Dec)"):
        assert expected in text, expected
    assert ("Open now" in text) or ("Closed now" in text)
    assert 'href="tel:021-68288512"' in response.content.decode()


def test_the_logo_comes_from_our_own_blob_store(client, demo_mall):
    html = client.get(f"/s/{MALL}/cloud-coffee?lang=en").content.decode()
    logo = re.search(r'<img src="([^"]+)"', html).group(1)
    assert logo.startswith("/api/v1/blobs/")
    blob = client.get(logo)
    assert blob.status_code == 200 and blob.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert "http://" not in html and "https://" not in html, "no third-party requests from a phone page"


def test_the_page_speaks_the_visitors_language(client, demo_mall):
    simplified = visible_text(client.get(f"/s/{MALL}/cloud-coffee",
                                         HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode())
    assert "云朵咖啡" in simplified and "铺位 1F-19" in simplified and "每天" in simplified
    assert ("营业中" in simplified) or ("休息中" in simplified)
    traditional = visible_text(client.get(f"/s/{MALL}/cloud-coffee?lang=zh-hant").content.decode())
    assert "雲朵咖啡" in traditional and "營業時間" in traditional


def test_the_kiosk_it_came_from_gives_the_way_there(client, demo_mall):
    html = client.get(f"/s/{MALL}/cloud-coffee?lang=en&from=lobby-1f").content.decode()
    assert f'href="/r/{MALL}/lobby-1f/cloud-coffee?lang=en"' in html
    route = client.get(f"/r/{MALL}/lobby-1f/cloud-coffee?lang=en")
    assert route.status_code == 200
    for bogus in ("nowhere", "<script>", ""):
        html = client.get(f"/s/{MALL}/cloud-coffee", {"lang": "en", "from": bogus}).content.decode()
        assert "/r/" not in html


@pytest.mark.parametrize("path", [
    f"/s/{MALL}/no-such-store", "/s/no-such-mall/cloud-coffee", f"/s/{MALL}/" + "x" * 600,
    f"/s/{MALL}/%3Cscript%3Ealert(1)%3C%2Fscript%3E", f"/s/{MALL}/%F0%9F%98%80",
])
def test_unknown_or_hostile_addresses_get_a_404_page_not_an_error(client, demo_mall, path):
    response = client.get(path + "?lang=en")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<script>alert" not in html
    if "%2F" not in path:  # an encoded slash is another path: the site's own 404 page answers
        assert "This store is not in the directory" in html


def test_nothing_published_yet_is_a_404(client, db):
    assert client.get(f"/s/{MALL}/cloud-coffee").status_code == 404


def test_only_reading_is_allowed(client, demo_mall):
    assert client.head(f"/s/{MALL}/cloud-coffee").status_code == 200
    assert client.post(f"/s/{MALL}/cloud-coffee").status_code == 405
