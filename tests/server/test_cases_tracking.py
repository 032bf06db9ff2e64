"""GET /t/<token>: the visitor's phone page. Asserts on what a visitor reads, in three languages."""
from __future__ import annotations

import re
import secrets

import pytest
from test_cases_support import new_case, visible_text

from server.cases import flows, notes
from sync.protocol import CaseStatus

pytestmark = pytest.mark.django_db
S = CaseStatus


@pytest.fixture
def token() -> str:
    return secrets.token_urlsafe(32)


@pytest.fixture
def handled_case(kiosk, agent, token):
    """A case in progress with a public and an internal note and a phone number."""
    case = new_case(
        kiosk, token=token, kind="complaint", category="service_attitude",
        description="收银员态度不好", contact_phone="13812345678",
    )
    flows.transition(case, S.ACCEPTED, agent, note="您好，我们已受理，今天内回复您。")
    notes.add_note(case, agent, "内部：该店本月第三次被投诉", "internal")
    flows.transition(case, S.IN_PROGRESS, agent, note="内部：已转楼层经理", visibility="internal")
    return case


def test_the_page_shows_the_case_and_its_public_updates(client, handled_case, token):
    response = client.get(f"/t/{token}", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")

    assert response.status_code == 200
    text = visible_text(response)
    assert handled_case.reference in text
    assert "星光广场" in text  # the mall
    assert "投诉" in text and "服务态度" in text  # kind and category
    assert "收银员态度不好" in text  # what the visitor told us
    assert "处理中" in text  # the status, in plain words
    assert "您好，我们已受理，今天内回复您。" in text  # the public note
    assert "我们已收到您的工单。" in text  # the created event


def test_the_page_never_shows_internal_notes_or_the_phone(client, handled_case, token):
    page = client.get(f"/t/{token}").content.decode()

    assert "内部" not in page.replace("内部备注", "")
    assert "第三次被投诉" not in page and "已转楼层经理" not in page
    assert "13812345678" not in page and "5678" not in page
    assert "agent-li" not in page  # staff names are not for visitors


def test_the_step_indicator_marks_where_the_case_is(client, handled_case, token):
    page = client.get(f"/t/{token}", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    steps = re.findall(r'<li class="(done|current|todo)"[^>]*>([^<]+)', page)
    assert steps == [
        ("done", "Received"), ("done", "Accepted"), ("current", "Being handled"),
        ("todo", "Resolved"), ("todo", "Closed"),
    ]
    assert 'aria-current="step"' in page


def test_a_case_waiting_on_the_visitor_says_so(client, handled_case, agent, token):
    flows.transition(handled_case, S.WAITING_ON_VISITOR, agent, note="Which counter was it?")

    text = visible_text(client.get(f"/t/{token}", HTTP_ACCEPT_LANGUAGE="en"))

    assert "Waiting for your reply" in text
    assert "The service desk needs something from you" in text
    assert "Which counter was it?" in text


def test_a_withdrawn_case_has_no_steps_but_a_notice(client, handled_case, agent, token):
    flows.transition(handled_case, S.WITHDRAWN, agent)

    response = client.get(f"/t/{token}", HTTP_ACCEPT_LANGUAGE="en")

    assert 'class="steps"' not in response.content.decode()
    assert "This case was withdrawn" in visible_text(response)


def test_the_page_never_shows_another_case(client, kiosk, other_kiosk, token):
    mine = new_case(kiosk, token=token, description="我的雨伞丢了")
    other = new_case(other_kiosk, description="别人的投诉内容")

    page = client.get(f"/t/{token}").content.decode()

    assert mine.reference in page
    assert other.reference not in page and "别人的投诉内容" not in page


@pytest.mark.parametrize(
    "path",
    [
        "/t/" + secrets.token_urlsafe(32),  # well-formed, unknown
        "/t/abc",  # too short
        "/t/" + "x" * 300,  # too long
        "/t/%3Cscript%3E",  # not URL-safe base64
        "/t/%E4%BB%A4%E7%89%8C%E4%BB%A4%E7%89%8C%E4%BB%A4%E7%89%8C%E4%BB%A4%E7%89%8C",  # 令牌…
    ],
    ids=["unknown", "short", "long", "markup", "chinese"],
)
def test_unknown_and_malformed_tokens_get_the_same_friendly_404(client, handled_case, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    text = visible_text(response)
    assert "We could not find this case" in text
    assert "scan the QR code on your receipt again" in text
    assert "Traceback" not in text and "Page not found" not in text
    reference_page = client.get("/t/" + handled_case.reference)  # the reference alone opens nothing
    assert reference_page.status_code == 404
    assert visible_text(reference_page) == visible_text(client.get(path))


def test_the_reference_alone_never_opens_a_case(client, handled_case):
    assert client.get(f"/t/{handled_case.reference}").status_code == 404
    assert client.get(f"/t/{handled_case.tracking_token_sha256}").status_code == 404


@pytest.mark.parametrize(
    ("accept_language", "expected", "html_lang"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "您的工单", "zh-Hans"),
        ("zh-TW,zh;q=0.9", "您的工單", "zh-Hant"),
        ("zh-HK", "您的工單", "zh-Hant"),
        ("en-GB,en;q=0.9", "Your case", "en"),
        ("fr-FR,fr;q=0.9,en;q=0.5", "Your case", "en"),
        ("", "您的工单", "zh-Hans"),
    ],
)
def test_the_language_follows_the_browser(client, handled_case, token, accept_language, expected, html_lang):
    response = client.get(f"/t/{token}", HTTP_ACCEPT_LANGUAGE=accept_language)

    assert expected in visible_text(response)
    assert f'<html lang="{html_lang}">' in response.content.decode()


def test_the_language_toggle_wins_and_is_remembered(client, handled_case, token):
    chosen = client.get(f"/t/{token}?lang=zh-hant", HTTP_ACCEPT_LANGUAGE="en")
    assert "您的工單" in visible_text(chosen) and "星光廣場" in visible_text(chosen)
    assert chosen.cookies["django_language"].value == "zh-hant"

    later = client.get(f"/t/{token}", HTTP_ACCEPT_LANGUAGE="en")
    assert "您的工單" in visible_text(later)

    english = client.get(f"/t/{token}?lang=en")
    assert "Your case" in visible_text(english) and "Starlight Plaza" in visible_text(english)
    links = re.findall(r'<a href="\?lang=([a-z-]+)"[^>]*>([^<]+)</a>', english.content.decode())
    assert links == [("zh-hans", "简"), ("en", "EN"), ("zh-hant", "繁")]


def test_an_unknown_lang_parameter_is_ignored(client, handled_case, token):
    response = client.get(f"/t/{token}?lang=klingon", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200 and "Your case" in visible_text(response)
    assert "django_language" not in response.cookies


def test_markup_in_a_description_and_notes_is_shown_as_text(client, kiosk, agent, token):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    case = new_case(kiosk, token=token, description=attack)
    flows.transition(case, S.ACCEPTED, agent, note='<b onclick="steal()">ok</b>')

    response = client.get(f"/t/{token}")

    page = response.content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page and "<b onclick" not in page
    text = visible_text(response)
    assert attack in text and '<b onclick="steal()">ok</b>' in text


def test_the_page_is_self_contained_and_kept_private(client, handled_case, token):
    response = client.get(f"/t/{token}")

    page = response.content.decode()
    # Works without JavaScript (tests/web opens it with JavaScript off); the one script is our
    # own static file, which only brings updates in without a reload.
    assert page.count("<script") == 1
    assert re.findall(r'<script src="([^"]+)"', page) == ["/static/cases/live_tracking.js"]
    assert not re.search(r'(src|href)="(https?:)?//', page)  # no third-party assets
    assert "@import" not in page and "url(" not in page
    assert len(response.content) < 20_000  # small enough for a weak mobile connection
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"  # never to another site
    assert "noindex" in response["X-Robots-Tag"]
    assert 'name="viewport"' in page


def test_the_timeline_shows_times_in_the_malls_time_zone(client, kiosk, token):
    new_case(kiosk, token=token, created_at="2026-11-20T23:30:00+00:00")

    text = visible_text(client.get(f"/t/{token}", HTTP_ACCEPT_LANGUAGE="en"))

    assert "2026-11-21 07:30" in text  # Asia/Shanghai, the mall's zone


def test_only_get_and_head_are_served(client, handled_case, token):
    assert client.head(f"/t/{token}").status_code == 200
    assert client.post(f"/t/{token}").status_code == 405
