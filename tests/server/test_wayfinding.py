"""Wayfinding on the server, on the demo mall: the phone route page, closures published as a
content version, the map check that refuses a broken map, and the IMDF import command."""
from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from server.accounts.services import create_staff_user
from server.content import services as content_services
from server.content.models import ContentVersion, PathGraph
from server.malls.models import Mall
from server.wayfinding import services
from sync.bundle import load_source_bundle
from sync.protocol import MallContent
from venue.routing.router import router_for
from venue.routing.wording import describe_step

REPOSITORY = Path(__file__).resolve().parents[2]
DEMO = REPOSITORY / "assets" / "demo"
IMDF_SAMPLE = REPOSITORY.parent / "shared" / "data" / "imdf-polymap"
MALL = "galaxy-harbour"


@pytest.fixture
def demo_mall(db):
    bundle = load_source_bundle(DEMO)
    mall = content_services.import_mall_content(bundle.content, bundle.blobs).mall
    content_services.publish(mall)
    return mall


def staff(username: str, role: str, mall):
    return create_staff_user(username, role, "unused-password", mall=mall, check_password=False)


def newest_document(mall_id: str = MALL) -> MallContent:
    return services.published(mall_id)[1]


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'").replace("&amp;", "&")


# ---------------------------------------------------------------- the phone page
def test_the_phone_page_shows_the_kiosks_route_steps_and_a_map_per_floor(client, demo_mall):
    response = client.get(f"/r/{MALL}/lobby-1f/gale-sports?profile=standard&lang=en")
    assert response.status_code == 200
    html = response.content.decode()
    route = router_for(newest_document()).route("lobby-1f", "gale-sports", "standard")
    text = visible_text(html)
    for step in route.steps:
        title, detail = describe_step(step, "en")
        assert title in text
    assert "Your route to Gale Sports" in text and "From 1F main lobby" in text
    assert html.count("<svg") == len(route.levels()) == 3
    assert html.count('class="route"') == len(route.legs)
    assert "<script" not in html


def test_the_phone_page_speaks_the_visitors_language(client, demo_mall):
    html = client.get(f"/r/{MALL}/lobby-1f/gale-sports?lang=zh-hant").content.decode()
    assert "去疾風運動的路線" in html and "步行" in html and "公尺" in html
    client.cookies.clear()  # the toggle is remembered; a stranger's phone has only its browser language
    html = client.get(f"/r/{MALL}/lobby-1f/gale-sports", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "去疾风运动的路线" in html and "米" in html


@pytest.mark.parametrize("path", [
    f"/r/{MALL}/lobby-1f/no-such-store", f"/r/{MALL}/nowhere/gale-sports", "/r/no-mall/lobby-1f/gale-sports",
])
def test_an_unknown_route_is_a_clear_page_not_an_error(client, demo_mall, path):
    response = client.get(path + "?lang=en")
    assert response.status_code == 404
    assert "Please ask at the service desk" in response.content.decode()


def test_a_bad_profile_falls_back_to_the_fastest_route(client, demo_mall):
    response = client.get(f"/r/{MALL}/lobby-1f/cloud-coffee?profile=%3Cscript%3E&lang=en")
    assert response.status_code == 200
    assert 'aria-current="true">Fastest' in response.content.decode()


# ---------------------------------------------------------------- closures
def test_closing_a_lift_publishes_a_version_that_only_changes_the_closures(client, demo_mall):
    editor = staff("editor-wu", "content_editor", demo_mall)
    client.force_login(editor)
    before = ContentVersion.objects.get(mall=demo_mall)
    response = client.post("/console/wayfinding/closures", {"connector": "lift-a-1f", "closed": "1",
                                                            "mall": MALL})
    assert response.status_code == 302
    after = ContentVersion.objects.filter(mall=demo_mall).order_by("-version").first()
    assert after.version == before.version + 1
    old, new = services._document(before.document_sha256), newest_document()
    assert new.closed_connectors == ["lift-a-1f"]
    assert new.model_copy(update={"closed_connectors": []}) == old
    assert after.manifest["blobs"] == before.manifest["blobs"]
    assert Mall.objects.get(pk=MALL).closed_connectors == ["lift-a-1f"]  # the next publish keeps it
    page = client.get("/console/wayfinding/?lang=en").content.decode()
    assert re.search(r'data-connector="lift-a-1f">.*?Closed', page, re.S)
    # the phone page of a route that needed the lift says why it goes another way
    text = visible_text(client.get(f"/r/{MALL}/lobby-1f/gale-sports?profile=step_free&lang=en").content.decode())
    assert "Lift A is closed: this route goes another way." in text
    # reopening publishes again
    client.post("/console/wayfinding/closures", {"connector": "lift-a-1f", "closed": "0", "mall": MALL})
    assert newest_document().closed_connectors == []
    assert ContentVersion.objects.filter(mall=demo_mall).count() == 3


def test_closures_refuse_what_is_not_a_connector(client, demo_mall):
    client.force_login(staff("editor-wu", "content_editor", demo_mall))
    client.post("/console/wayfinding/closures", {"connector": "cloud-coffee", "closed": "1", "mall": MALL})
    assert ContentVersion.objects.filter(mall=demo_mall).count() == 1
    with pytest.raises(services.ClosureError):
        services.set_connector_closed(demo_mall, "no-such-lift", True)


def test_the_console_section_is_for_content_staff_only(client, demo_mall):
    assert client.get("/console/wayfinding/").status_code == 302  # sign in first
    client.force_login(staff("agent-li", "agent", demo_mall))
    assert client.get("/console/wayfinding/").status_code == 403
    response = client.post("/console/wayfinding/closures", {"connector": "lift-a-1f", "closed": "1"})
    assert response.status_code == 403
    assert newest_document().closed_connectors == []
    client.force_login(staff("manager-he", "manager", demo_mall))
    page = client.get("/console/wayfinding/?lang=en").content.decode()
    assert "Maps and closures" in page and "Lift A" in page and 'data-connector="esc-1f-2f-up"' in page


# ---------------------------------------------------------------- the map check
def test_a_map_without_a_way_back_is_not_published_and_the_console_says_why(client, demo_mall):
    """Remove every way down from 4F but an escalator up: 4F is reachable, nobody gets back."""
    graph = PathGraph.objects.get(mall=demo_mall)
    level_of = {node["id"]: node["level_id"] for node in graph.nodes}
    levels = lambda edge: (level_of[edge["a"]], level_of[edge["b"]])  # noqa: E731
    graph.edges = [edge for edge in graph.edges
                   if "4f" not in levels(edge)
                   or (levels(edge) in (("4f", "4f"), ("3f", "4f")) and edge["kind"] in ("walk", "escalator"))]
    graph.save()
    client.force_login(staff("editor-wu", "content_editor", demo_mall))
    response = client.post("/console/wayfinding/publish?lang=en", {"mall": MALL})
    assert response.status_code == 409
    text = visible_text(response.content.decode())
    assert "Not published" in text
    assert re.search(r"on foot: from \d+ places there is no way back to kiosk point lobby-1f", text)
    assert "cannot be reached step-free" in text
    assert ContentVersion.objects.filter(mall=demo_mall).count() == 1


def test_the_map_check_passes_the_demo_mall_and_publish_works_from_the_console(client, demo_mall):
    assert services.map_check(demo_mall) == []
    client.force_login(staff("editor-wu", "content_editor", demo_mall))
    page = client.get("/console/wayfinding/?check=1&lang=en").content.decode()
    assert "The draft passes every check." in page
    Mall.objects.filter(pk=MALL).update(phone="021-00000000")
    assert client.post("/console/wayfinding/publish", {"mall": MALL}).status_code == 302
    assert ContentVersion.objects.filter(mall=demo_mall).count() == 2


# ---------------------------------------------------------------- import
@pytest.mark.imdf
@pytest.mark.skipif(not IMDF_SAMPLE.is_dir(), reason=f"the IMDF sample is absent ({IMDF_SAMPLE}); it sits beside "
                                                     "the repository in CI, not in a clone")
def test_import_imdf_command_loads_the_sample_and_reports_its_problems(db):
    out = StringIO()
    call_command("import_imdf", str(IMDF_SAMPLE), "--mall", "polytech", "--publish", stdout=out)
    report = out.getvalue()
    assert "264 stores" in report
    assert "the path graph falls into 19 disconnected pieces" in report
    assert "52 path nodes in 18 pieces that serve no store, facility or kiosk point" in report
    assert "3 lifts, escalators, stairs and ramps are listed as facilities of their own" in report
    assert "Published as version 1." in report
    mall = Mall.objects.get(pk="polytech")
    content, problems = content_services.build_mall_content(mall)
    assert problems == [] and len(content.graph.nodes) == 2726 - 52
    facilities = {facility.id for facility in content.facilities}
    assert {edge.connector_id for edge in content.graph.edges if edge.connector_id} <= facilities
    assert ContentVersion.objects.filter(mall=mall).count() == 1
