"""Seeding the demo: the demo mall from `assets/demo/`, published, with staff logins and a
kiosk enrollment code. Idempotent: running it again changes nothing that is already right.

The demo's passwords and its open enrollment code are generated once and kept in
`<data dir>/demo-credentials.json` (mode 0600), so every run prints the same working login.
"""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from server.accounts import services as accounts
from server.accounts.roles import Role
from server.content import services as content
from server.content.models import KioskPoint
from server.fleet import services as fleet
from server.loans import lending
from server.loans.models import LendableItem
from server.malls.models import Mall

DEMO_BUNDLE_DIR = settings.REPO_DIR / "assets" / "demo"
DEMO_AGENT = "demo-agent"
DEMO_ADMIN = "demo-admin"
DEMO_LENDABLES = {"wheelchair": "LY", "pram": "YC", "umbrella": "YS", "power_bank": "CD"}
"""What the demo's service desk lends, by kind and tag prefix: three of each."""


def credentials_path() -> Path:
    return settings.DATA_DIR / "demo-credentials.json"


@dataclass
class DemoSummary:
    mall_id: str
    version: int
    published_now: bool
    agent_username: str
    agent_password: str
    admin_username: str
    admin_password: str
    enrollment_code: str
    location_id: str
    public_base_url: str

    @property
    def console_url(self) -> str:
        return f"{self.public_base_url}/console/"

    @property
    def admin_url(self) -> str:
        return f"{self.public_base_url}/admin/"


def _load_credentials() -> dict:
    try:
        return json.loads(credentials_path().read_text())
    except (FileNotFoundError, ValueError):
        return {}


def _save_credentials(credentials: dict) -> None:
    path = credentials_path()
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(credentials, handle, indent=2)
    os.replace(temporary, path)


def _ensure_user(username: str, role: Role, mall: Mall, credentials: dict) -> str:
    """The demo account exists with its role, mall and the remembered password; returns the password."""
    password = credentials.get(username) or secrets.token_urlsafe(9)
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        accounts.create_staff_user(username, role, password, mall=mall, check_password=False)
    else:
        if not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        if accounts.roles_of(user) != {role}:
            accounts.set_role(user, role)
    credentials[username] = password
    return password


def lobby_point(mall: Mall) -> KioskPoint | None:
    """The kiosk point the demo kiosk stands at: the one whose id (else English name) says lobby,
    else the first."""
    points = list(KioskPoint.objects.filter(mall=mall).order_by("position", "content_id"))
    for text_of in (lambda point: point.content_id, lambda point: point.name_en):
        for point in points:
            if "lobby" in text_of(point).lower():
                return point
    return points[0] if points else None


def _ensure_lendables(mall: Mall, admin) -> None:
    """The desk's wheelchairs, prams, umbrellas and power banks, once: a register staff have
    started is theirs."""
    if not mall.service_desk_id or LendableItem.objects.filter(mall=mall).exists():
        return
    for kind, prefix in DEMO_LENDABLES.items():
        for number in range(1, 4):
            lending.register_item(mall, kind=kind, tag=f"{prefix}-{number:02d}", kept_at=mall.service_desk_id,
                                  note="", actor=admin)


def seed_demo(bundle_dir: Path | None = None) -> DemoSummary:
    """Import the demo mall, publish it when new or changed, and make the demo logins and code."""
    from sync.bundle import load_source_bundle

    mall_content, blobs = load_source_bundle(Path(bundle_dir or DEMO_BUNDLE_DIR))
    credentials = _load_credentials()
    with transaction.atomic():
        mall = content.import_mall_content(mall_content, blobs).mall
        admin_password = _ensure_user(DEMO_ADMIN, Role.ADMINISTRATOR, mall, credentials)
        agent_password = _ensure_user(DEMO_AGENT, Role.AGENT, mall, credentials)
    admin = get_user_model().objects.get(username=DEMO_ADMIN)
    published = content.publish(mall, admin, only_if_changed=True)
    _ensure_lendables(mall, admin)

    point = lobby_point(mall)
    location_id = point.content_id if point else ""
    remembered = credentials.get("enrollment") or {}
    if (
        remembered.get("mall") == mall.id
        and remembered.get("location") == location_id
        and fleet.is_enrollment_code_open(remembered.get("code", ""))
    ):
        code = remembered["code"]
    else:
        code = fleet.create_enrollment_code(mall, location_id).code
        credentials["enrollment"] = {"mall": mall.id, "location": location_id, "code": code}
    _save_credentials(credentials)
    return DemoSummary(
        mall_id=mall.id,
        version=published.version.version,
        published_now=published.created,
        agent_username=DEMO_AGENT,
        agent_password=agent_password,
        admin_username=DEMO_ADMIN,
        admin_password=admin_password,
        enrollment_code=code,
        location_id=location_id,
        public_base_url=settings.PUBLIC_BASE_URL,
    )


def describe(summary: DemoSummary) -> str:
    state = "published now" if summary.published_now else "already published, unchanged"
    return "\n".join([
        f"Demo mall {summary.mall_id}: content version {summary.version} ({state}).",
        f"Staff console: {summary.console_url}",
        f"  service-desk agent: {summary.agent_username} / {summary.agent_password}",
        f"  administrator:      {summary.admin_username} / {summary.admin_password}   (admin: {summary.admin_url})",
        f"Kiosk enrollment code ({summary.location_id or 'no kiosk point'}, one-time): {summary.enrollment_code}",
        f"  python -m kiosk enroll --server {summary.public_base_url} --code {summary.enrollment_code}",
    ])
