"""The mall boundary everywhere at once: staff of mall A never see, reach or change mall B.

Two malls, each with a row of every mall-owned model the admin registers and something behind
every console route, each mall's words marked with its name ("Alpha", "Bravo"; its id is another). The checks are
built from the registries, not from lists written here: the admin's `site._registry` names the
models (those with a path to a mall, `server.malls.boundary.mall_path`) and the URL resolver the
console routes (every pattern under /console/, its arguments filled with mall B's objects). A
model or route added later is checked without touching this file, or fails it when the world
below has no row of it. "No B data" is read from what is shown: the admin's result lists and
form choices, and every page's and export's text searched for "bravo".
"""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin import RelatedFieldListFilter
from django.contrib.admin.utils import quote
from django.core.exceptions import ValidationError
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from lostfound_helpers import file_kiosk_case, signature_data_url
from openpyxl import load_workbook
from PIL import Image
from server_helpers import make_bundle, png_bytes
from test_cases_support import new_case

from server.accounts.roles import Role
from server.accounts.services import create_staff_user, record_audit
from server.broadcasts import services as broadcasts
from server.broadcasts.models import ShownReceipt
from server.cases.models import CannedReply, CaseAttachment, CategoryRule, Holiday
from server.content import services as content
from server.content.models import Promotion
from server.desk import first_aid, handovers, incidents, luggage, meetings
from server.fleet import services as fleet
from server.fleet.models import EnrollmentCode
from server.lostfound import claims, intake, suggestions
from server.lostfound.models import LostReport
from server.malls.admin import MallScopedAdmin
from server.malls.boundary import mall_path
from server.malls.models import Mall
from sync.protocol import CommandResult, I18nText

pytestmark = pytest.mark.django_db

#: Every role a staff member of mall A can have (an administrator is a superuser of every mall).
STAFF_ROLES = [Role.MANAGER, Role.AGENT, Role.DEPARTMENT_HANDLER, Role.CONTENT_EDITOR]
NOT_REACHED = (403, 404, 405)


@dataclass
class MallWorld:
    mall: Mall
    mark: str
    staff: dict[str, object] = field(default_factory=dict)
    route_args: dict[str, object] = field(default_factory=dict)
    """Console URL argument name -> this mall's object behind it."""


def marked(mark: str, text: I18nText) -> I18nText:
    return I18nText(zh_CN=f"{mark} {text.zh_CN}", en=f"{mark} {text.en}", zh_TW=f"{mark} {text.zh_TW}")


def build_mall(mall_id: str, mark: str, number: int) -> MallWorld:
    """A published mall with its own words and ids, staff in every role, a kiosk with a case,
    lost property, a notice, case rules, a holiday, a canned reply and an audit entry."""
    bundle = make_bundle(mall_id)
    document = bundle.content
    document.mall.name = marked(mark, document.mall.name)
    for row in [*document.levels, *document.categories, *document.stores, *document.facilities, *document.kiosks]:
        row.name = marked(mark, row.name)
    promotion = document.promotions[0]
    promotion.id = f"p-{mall_id}"  # an id no other mall has, so reaching it across malls is a leak
    promotion.title, promotion.text = marked(mark, promotion.title), marked(mark, promotion.text)
    mall = content.import_mall_content(document, bundle.blobs).mall
    content.publish(mall)

    world = MallWorld(mall=mall, mark=mark)
    for role in STAFF_ROLES:
        world.staff[role.value] = create_staff_user(
            f"{role.value}-{number}", role, "unused", mall=mall, check_password=False,
            display_name=f"{mark} {role.value}",
            department="engineering" if role == Role.DEPARTMENT_HANDLER else "")
    agent = world.staff[Role.AGENT.value]

    kiosk = fleet.enroll_kiosk(fleet.create_enrollment_code(mall, "k-lobby").code).kiosk
    kiosk.name = f"{mark} lobby kiosk"
    kiosk.save(update_fields=["name"])
    fleet.create_enrollment_code(mall, "k-lobby")  # one not used yet
    case = new_case(kiosk, description=f"{mark}: 二楼洗手间没有纸巾", contact_phone=f"1390000{number:04d}")
    picture = png_bytes((10 * number, 60, 30))
    attachment = CaseAttachment.objects.create(case=case, uploaded_by=agent, filename=f"{mark}.png",
                                               media_type="image/png", size=len(picture), data=picture)
    CategoryRule.objects.get_or_create(mall=mall, category="environment_facilities",
                                       defaults={"department": "engineering", "working_days": 2})
    Holiday.objects.create(mall=mall, day=date(2026, 10, 1), name=f"{mark} National Day")
    CannedReply.objects.create(mall=mall, title=f"{mark} reply", text_zh_cn=f"{mark} 已处理",
                               text_en=f"{mark} done", text_zh_tw=f"{mark} 已處理")
    record_audit(agent, "content.publish", mall=mall, subject=f"{mark}-v1")

    item = intake.register_found_item(
        mall, agent, category="phone", description=f"{mark} 黑色手机", found_at=timezone.now(), colour="black",
        brand="华为", storage_place=f"{mark} safe", hidden_details="壁纸是一只猫")
    item_photo = intake.add_photo(item, png_bytes((8, 8, 8)))
    lost_case, _token = file_kiosk_case(kiosk, "lost_report", f"{mark} black Huawei phone", category="phone",
                                        colour="black", brand="Huawei", language="en")
    report = LostReport.objects.get(case=lost_case)
    suggestions.rematch_report(report)
    returned = intake.register_found_item(
        mall, agent, category="umbrella", description=f"{mark} 蓝伞", found_at=timezone.now(), colour="blue",
        storage_place=f"{mark} shelf", hidden_details="伞柄有划痕")
    claim = claims.start_claim(returned, agent, claimant_name=f"{mark} Li", questions="handle?",
                                  answers="scratched", answers_match=True, id_kind="passport", id_last_digits="1234")
    claims.hand_over(claim, agent, signature_data_url=signature_data_url())

    broadcast = broadcasts.send_broadcast(
        mall, kind="notice", reason="lost_child", title=marked(mark, I18nText(zh_CN="寻人", en="Lost child",
                                                                               zh_TW="尋人")),
        text=marked(mark, I18nText(zh_CN="请到服务台", en="Come to the desk", zh_TW="請到服務臺")),
        duration=timedelta(hours=1), user=agent)
    ShownReceipt.objects.create(broadcast=broadcast, kiosk=kiosk, shown_at=timezone.now())

    from server.notifications.models import DepartmentChannel, Message

    DepartmentChannel.objects.create(mall=mall, department="engineering", webhook_url=f"https://{mark}.example/robot",
                                     triggers=["new_case"])
    Message.objects.create(mall=mall, case_id=case.pk, case_reference=case.reference, trigger="new_case",
                           channel="email", recipient=f"{mark}@example.com", subject=mark, body=f"{mark} 新工单")

    from server.loans import lending

    lendable = lending.register_item(mall, kind="wheelchair", tag=f"{mark}-LY-01", kept_at="f-desk",
                                     note=f"{mark} wheelchair", actor=world.staff[Role.MANAGER.value])
    loan = lending.lend(mall, lending.LoanRequest(surname=f"{mark}", phone=f"1390000{number:04d}",
                                                  security="id_card_sighted", kind="wheelchair"), agent)

    bags = luggage.check_in(mall, agent, description=f"{mark} 行李箱", pieces=1, surname=f"{mark} 王",
                            phone=f"1380000{number:04d}")
    incident = incidents.record_incident(mall, agent, kind="injury", occurred_at=timezone.now(),
                                         what=f"{mark} 顾客滑倒", level_id=document.levels[0].id)
    first_aid.record_use(mall, agent, used_at=timezone.now(), supplies=f"{mark} 创可贴", used_for=f"{mark} 儿童",
                         given_by=f"{mark} 王", incident=incident)
    handover = handovers.write_handover(mall, agent, open_matters=f"{mark} 电梯维修", cases=[case],
                                        found_items=[item], luggage=[bags])
    meeting = meetings.record_meeting(mall, agent, day=date(2026, 12, 4), attendees=f"{mark} 王",
                                      notes=f"{mark} 晨会")
    from ulid import ULID

    from server.desk import help as assistance
    from sync.protocol import AssistanceRequest

    asked, _ = assistance.receive(kiosk, AssistanceRequest(id=str(ULID()), requested_at=timezone.now()))
    from server.cases.models import FollowUp
    from server.reports.models import ReportAnalysis

    follow_up = FollowUp.objects.create(case=case, low_score=1)
    this_month = timezone.localdate(timezone=mall.zone).replace(day=1)
    ReportAnalysis.objects.create(mall=mall, period="month", first_day=this_month, text=f"{mark} 月度分析")
    from server.fleet import remote

    screenshot = remote.send_command(kiosk, "screenshot", world.staff[Role.MANAGER.value])
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), (10 * number, 60, 30)).save(picture, format="JPEG")
    remote.record_result(kiosk, screenshot.pk, CommandResult(
        ok=True, message=f"{mark} screen", screenshot_jpeg_b64=base64.b64encode(picture.getvalue()).decode()))
    world.route_args = {
        "case_id": case.pk, "attachment_id": attachment.pk, "item_id": item.pk, "photo_id": item_photo.pk,
        "token": item.label_token, "report_id": report.pk, "suggestion_id": report.suggestions.get(item=item).pk,
        "claim_id": claim.pk, "broadcast_id": broadcast.id, "content_id": promotion.id,
        "loan_id": loan.pk, "lendable_id": lendable.pk,
        "luggage_id": bags.pk, "incident_id": incident.pk, "handover_id": handover.pk, "meeting_id": meeting.pk,
        "follow_up_id": follow_up.pk, "help_request_id": asked.pk,
        "kiosk_id": kiosk.pk, "command_id": screenshot.pk,
    }
    return world


@dataclass
class Worlds:
    a: MallWorld
    b: MallWorld
    root: object


@pytest.fixture
def worlds(settings) -> Worlds:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    a = build_mall("north", "Alpha", 1)
    b = build_mall("south", "Bravo", 2)
    root = create_staff_user("root", Role.ADMINISTRATOR, "unused", check_password=False)
    return Worlds(a=a, b=b, root=root)


def mall_owned_admins() -> list[tuple[type, admin.ModelAdmin, str]]:
    """(model, its ModelAdmin, path to its mall) for every admin-registered model a mall owns."""
    found = [(model, model_admin, mall_path(model)) for model, model_admin in admin.site._registry.items()]
    return sorted([entry for entry in found if entry[2] is not None], key=lambda entry: entry[0]._meta.label)


def console_routes() -> list[tuple[str, list[str]]]:
    """(name, argument names) of every URL pattern under /console/, from the resolver itself."""

    def walk(patterns, prefix: str, namespace: str | None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield prefix + str(pattern.pattern), name, list(pattern.pattern.regex.groupindex)

    return sorted((name, arguments) for route, name, arguments in walk(get_resolver().url_patterns, "", None)
                  if route.lstrip("^").startswith("console/"))


def shown_text(response) -> str:
    """What a person gets from the response, lower-cased: the page, the CSV, or every cell of
    an Excel workbook, without the name of the person signed in (shown on every page)."""
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        text = " ".join(str(cell) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
                        for cell in row if cell is not None)
    elif getattr(response, "streaming", False):
        text = b"".join(response.streaming_content).decode("utf-8", "ignore")
    else:
        text = response.content.decode("utf-8", "ignore")
    user = response.wsgi_request.user
    profile = getattr(user, "staff_profile", None) if user.is_authenticated else None
    return text.replace(profile.display_name if profile else "\0", "").lower()


def rows_of(mall: Mall) -> dict[str, list[str]]:
    """Every row of every model that belongs to `mall`, as text, to see that nothing changed."""
    rows = {}
    for model in apps.get_models():
        path = mall_path(model)
        if path is None:
            continue
        values = model.objects.filter(**{path: mall.pk}).order_by("pk").values()
        rows[model._meta.label] = [repr({key: bytes(value) if isinstance(value, memoryview) else value
                                         for key, value in row.items()}) for row in values]
    return rows


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=[quote(a) for a in args])


def test_every_admin_of_a_mall_owned_model_keeps_to_the_mall_boundary():
    owned = mall_owned_admins()
    labels = {model._meta.label for model, _admin, _path in owned}
    assert {"malls.Mall", "content.Promotion", "cases.Case", "fleet.Kiosk", "accounts.AuditEntry",
            "malls.StaffProfile", "broadcasts.ShownReceipt"} <= labels, labels
    assert [model._meta.label for model, model_admin, _path in owned
            if not isinstance(model_admin, MallScopedAdmin)] == []
    for model, model_admin, _path in owned:
        assert all(issubclass(inline, MallScopedAdmin) for inline in model_admin.inlines
                   if mall_path(inline.model) is not None), model._meta.label


def _form_choices_in(response, mall: Mall) -> list[str]:
    """Fields of the page's forms (inlines too) that offer a row of `mall` or accept one."""
    forms = [(response.context["adminform"].form, None)]
    for inline in response.context.get("inline_admin_formsets", []):
        # An inline row's own hidden id is looked up among the parent's rows, not offered.
        own_id = inline.formset.model._meta.pk.name
        forms += [(form, own_id) for form in [*inline.formset.forms, inline.formset.empty_form]]
    wrong = []
    for form, own_id in forms:
        for name, form_field in form.fields.items():
            queryset = getattr(form_field, "queryset", None) if name != own_id else None
            related_path = mall_path(queryset.model) if queryset is not None else None
            if related_path is None:
                continue
            theirs = queryset.model.objects.filter(**{related_path: mall.pk}).values_list("pk", flat=True)
            if queryset.filter(pk__in=list(theirs)).exists():
                wrong.append(f"{name} offers {mall.pk}'s rows")
            for pk in theirs:
                try:
                    form_field.clean(pk)
                except ValidationError:
                    continue
                wrong.append(f"{name} accepts {mall.pk}'s row {pk}")
    return wrong


def test_the_admin_shows_and_changes_only_the_staff_members_mall(client, worlds):
    a, b = worlds.a, worlds.b
    b_before = rows_of(b.mall)
    wrong = []
    for model, model_admin, path in mall_owned_admins():
        label = model._meta.label
        a_rows = list(model.objects.filter(**{path: a.mall.pk}).values_list("pk", flat=True))
        b_rows = list(model.objects.filter(**{path: b.mall.pk}).values_list("pk", flat=True))
        assert a_rows and b_rows, f"the world lacks a {label} row in each mall: add one in build_mall"
        changelist_url = admin_url(model, "changelist")
        for role, user in a.staff.items():
            client.force_login(user)
            where = f"{label} as {role}"
            changelist = client.get(changelist_url)
            if changelist.status_code == 200:
                shown = {row.pk for row in changelist.context["cl"].result_list}
                if shown - set(a_rows):
                    wrong.append(f"{where}: changelist shows {sorted(map(str, shown - set(a_rows)))}")
                if "bravo" in shown_text(changelist):
                    wrong.append(f"{where}: changelist mentions Bravo")
                for spec in changelist.context["cl"].filter_specs:
                    related = getattr(spec, "field", None) and spec.field.related_model
                    if isinstance(spec, RelatedFieldListFilter) and mall_path(related):
                        theirs = set(related.objects.filter(**{mall_path(related): b.mall.pk})
                                     .values_list("pk", flat=True))
                        if theirs & {pk for pk, _label in spec.lookup_choices}:
                            wrong.append(f"{where}: the {spec.field_path} filter offers Bravo's rows")
                action_form = changelist.context["action_form"]
                actions = [name for name, _text in action_form.fields["action"].choices if name] if action_form else []
                for action in actions:
                    response = client.post(changelist_url, {"action": action, "_selected_action": b_rows,
                                                            "post": "yes", "index": 0})
                    if response.status_code >= 500:
                        wrong.append(f"{where}: action {action} on Bravo's rows: {response.status_code}")
            elif not (changelist.status_code == 403
                      or (changelist.status_code == 302 and changelist.url.startswith("/admin/login/"))):
                wrong.append(f"{where}: changelist {changelist.status_code}")
            for view in ("change", "delete", "history"):
                response = client.get(admin_url(model, view, b_rows[0]))
                if response.status_code not in (302, 403, 404) or (
                        response.status_code == 302 and response.url not in ("/admin/", )
                        and not response.url.startswith("/admin/login/")):
                    wrong.append(f"{where}: {view} view of Bravo's row: {response.status_code}")
            pages = [admin_url(model, "change", a_rows[0])]
            if model_admin.has_add_permission(changelist.wsgi_request):
                pages.append(admin_url(model, "add"))
            for url in pages:
                response = client.get(url)
                if response.status_code == 200:
                    wrong += [f"{where} {url}: {problem}" for problem in _form_choices_in(response, b.mall)]
                    if "bravo" in shown_text(response):
                        wrong.append(f"{where}: {url} mentions Bravo")
        client.force_login(worlds.root)
        changelist = client.get(changelist_url)
        shown = {row.pk for row in changelist.context["cl"].result_list}
        if not (shown & set(a_rows) and shown & set(b_rows)):
            wrong.append(f"{label}: a superuser's changelist lacks a mall")
        if client.get(admin_url(model, "change", b_rows[0])).status_code != 200:
            wrong.append(f"{label}: a superuser cannot open Bravo's row")
    assert rows_of(b.mall) == b_before, "Alpha's staff changed Bravo's rows through the admin"
    assert not wrong, "\n".join(wrong)


def test_saving_a_row_into_another_mall_is_a_form_error(client, worlds):
    a, b = worlds.a, worlds.b
    b_before = rows_of(b.mall)
    client.force_login(a.staff[Role.MANAGER.value])
    response = client.post(admin_url(Holiday, "add"), {"mall": b.mall.pk, "day": "2026-12-25", "name": "x"})
    assert response.status_code == 200 and response.context["adminform"].form.errors.get("mall")
    response = client.post(admin_url(CannedReply, "add"), {"mall": "", "title": "every mall", "text_zh_cn": "好",
                                                           "text_en": "ok", "text_zh_tw": "好"})
    assert response.status_code == 200 and response.context["adminform"].form.errors.get("mall")
    assert not CannedReply.objects.filter(title="every mall").exists()
    client.force_login(a.staff[Role.CONTENT_EDITOR.value])
    response = client.post(admin_url(EnrollmentCode, "add"),
                           {"mall": b.mall.pk, "location_id": "k-lobby", "valid_hours": 24})
    assert response.status_code == 200 and response.context["adminform"].form.errors.get("mall")
    promotion = Promotion.objects.get(mall=a.mall)
    page = client.get(admin_url(Promotion, "change", promotion.pk))
    data = {bound.name: bound.value() for bound in page.context["adminform"].form if bound.value() is not None}
    response = client.post(admin_url(Promotion, "change", promotion.pk), {**data, "mall": b.mall.pk})
    assert response.status_code == 200 and response.context["adminform"].form.errors.get("mall")
    assert Promotion.objects.get(pk=promotion.pk).mall_id == a.mall.pk
    assert rows_of(b.mall) == b_before


def test_console_routes_keep_to_the_staff_members_mall(client, worlds):
    a, b = worlds.a, worlds.b
    b_before = rows_of(b.mall)
    routes = console_routes()
    assert len(routes) > 40, routes  # the walk found the console
    wrong, shows_own = [], set()
    for name, arguments in routes:
        missing = set(arguments) - set(b.route_args)
        assert not missing, f"{name}: no Bravo object for {missing}: add one in build_mall"
        url = reverse(name, kwargs={argument: b.route_args[argument] for argument in arguments})
        for role, user in a.staff.items():
            client.force_login(user)
            where = f"{name} as {role}"
            if arguments:
                for method in ("get", "post"):
                    response = getattr(client, method)(url, {"mall": b.mall.pk})
                    if response.status_code not in NOT_REACHED:
                        wrong.append(f"{where}: {method} reached Bravo's object ({response.status_code})")
                continue
            for query in ({"mall": b.mall.pk}, {"mall": b.mall.pk, "format": "csv"},
                          {"mall": b.mall.pk, "format": "xlsx"}):
                response = client.get(url, query)
                text = shown_text(response)
                if response.status_code >= 500 or "bravo" in text:
                    wrong.append(f"{where}: GET {query} shows Bravo ({response.status_code})")
                if "alpha" in text:
                    shows_own.add(name)
            response = client.post(url + f"?mall={b.mall.pk}", {"mall": b.mall.pk})
            if response.status_code >= 500 or "bravo" in shown_text(response):
                wrong.append(f"{where}: POST shows Bravo ({response.status_code})")
    assert rows_of(b.mall) == b_before, "Alpha's staff changed Bravo's rows through the console"

    client.force_login(worlds.root)
    for name, arguments in routes:
        url = reverse(name, kwargs={argument: b.route_args[argument] for argument in arguments})
        response = client.get(url, {"mall": b.mall.pk})
        if arguments and response.status_code in (403, 404):
            wrong.append(f"{name}: a superuser cannot reach Bravo's object ({response.status_code})")
        if name in shows_own and "bravo" not in shown_text(response):
            wrong.append(f"{name}: a superuser asking for Bravo does not see it")
    assert shows_own, "no console page showed Alpha's own data to its staff: the check above proves nothing"
    assert not wrong, "\n".join(wrong)
