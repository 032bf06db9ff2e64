"""Shared helpers of the test_cases_* modules (no tests here); their fixtures (a mall with a
kiosk enrolled through the fleet's own services, an agent) live in tests/server/conftest.py.

Staff made through the accounts' own services, and cases received through the cases service,
as a kiosk sends them.
"""
from __future__ import annotations

import html
import re
import secrets

from ulid import ULID

from server.accounts.services import create_staff_user
from server.cases import intake
from server.cases.models import Case
from server.malls.models import Mall
from sync.protocol import CaseUpload, sha256_hex

STAFF_PASSWORD = "Guest-desk-2026!"


def make_staff(username: str, role: str, mall: Mall | None, *, hashed: bool = False,
               department: str = ""):
    """A staff account; hashing the password with Argon2 only for tests that sign in."""
    return create_staff_user(
        username, role, STAFF_PASSWORD if hashed else "unused", mall=mall, check_password=False,
        department=department,
    )


def upload_for(kiosk, *, token: str | None = None, **overrides) -> CaseUpload:
    """A case as the kiosk uploads it: its code starts the reference; only the token's hash."""
    token = token or secrets.token_urlsafe(32)
    fields = {
        "id": str(ULID()),
        "reference": f"{kiosk.code}-{''.join(secrets.choice('0123456789ABCDEFGH') for _ in range(4))}",
        "tracking_token_sha256": sha256_hex(token.encode("ascii")),
        "kind": "complaint",
        "category": "environment_facilities",
        "description": "二楼洗手间没有纸巾",
        "contact_phone": "13812345678",
        "contact_consent": True,
        "created_at": "2026-11-20T15:42:10+08:00",
    }
    fields.update(overrides)
    return CaseUpload(**fields)


def new_case(kiosk, *, token: str | None = None, **overrides) -> Case:
    return intake.receive_upload(kiosk, upload_for(kiosk, token=token, **overrides))[0]


def put_in(case: Case, status, owner=None) -> Case:
    """Place a case in `status` directly (a starting point for the test, not a transition)."""
    Case.objects.filter(pk=case.pk).update(status=str(status), owner=owner)
    return Case.objects.get(pk=case.pk)


def csrf_token_of(response) -> str:
    """The CSRF token of the first form of a page, as a browser would submit it."""
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert match, "the page has no CSRF-protected form"
    return match.group(1)


def visible_text(response) -> str:
    """The page's text without tags, whitespace collapsed: roughly what a person reads."""
    page = response.content.decode()
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))).strip()
