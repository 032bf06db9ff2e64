"""The publish guard (design decision 10): a version that loses stores, levels or routes, or
strands a kiosk point, reaches the kiosks only after a manager confirms exactly that loss, and
the confirmation is in the audit log. On every path: the service, the console, the admin, the
import command and closures."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from map_archives import plaza_archives
from test_cases_support import make_staff

from server.accounts.models import AuditEntry
from server.content import services
from server.content.guard import losses_between
from server.content.models import ContentVersion, KioskPoint, Level, Store
from server.wayfinding import services as wayfinding
from server.wayfinding.management.commands import import_imdf as import_command

LOSS_ACTION = "content.publish_confirmed_loss"


@pytest.fixture
def live(published):
    return published.mall


@pytest.fixture
def manager(live):
    return make_staff("manager-wang", "manager", live)


@pytest.fixture
def editor(live):
    return make_staff("editor-zhao", "content_editor", live)


def live_document(mall):
    return wayfinding.published(mall.id)[1]


def without_level_2(content):
    """The live document with its second level gone, and everything on it."""
    nodes = [node for node in content.graph.nodes if node.level_id != "L2"]
    kept = {node.id for node in nodes}
    return content.model_copy(update={
        "levels": [level for level in content.levels if level.id != "L2"],
        "stores": [store for store in content.stores if store.level_id != "L2"],
        "graph": content.graph.model_copy(update={
            "nodes": nodes, "edges": [e for e in content.graph.edges if e.a in kept and e.b in kept]}),
    })


def versions(mall) -> int:
    return ContentVersion.objects.filter(mall=mall).count()


# ---------------------------------------------------------------- the service
def test_a_draft_that_drops_a_store_is_refused_naming_it(live):
    Store.objects.filter(mall=live, content_id="s-coat").delete()
    with pytest.raises(services.UnconfirmedLosses) as refused:
        services.publish(live)
    assert refused.value.losses.stores == ("s-coat",)
    assert "1 stores removed: s-coat" in refused.value.problems
    assert versions(live) == 1


def test_a_version_that_drops_a_level_is_refused(live):
    with pytest.raises(services.UnconfirmedLosses) as refused:
        services.publish(live, content=without_level_2(live_document(live)))
    assert refused.value.losses.levels == ("L2",)
    assert refused.value.losses.stores == ("s-coat",)
    assert versions(live) == 1


def test_a_manager_confirms_the_loss_and_the_audit_log_says_what_was_lost(live, manager):
    candidate = without_level_2(live_document(live))
    with pytest.raises(services.UnconfirmedLosses) as refused:
        services.publish(live, manager, content=candidate)
    result = services.publish(live, manager, content=candidate, confirm_losses=refused.value.fingerprint)
    assert result.version.version == 2
    entry = AuditEntry.objects.get(action=LOSS_ACTION)
    assert entry.actor == manager and entry.mall_id == live.pk and entry.subject == "v2"
    assert "1 levels removed: L2" in entry.detail and refused.value.fingerprint in entry.detail


def test_a_content_editors_confirmation_is_refused(live, editor):
    candidate = without_level_2(live_document(live))
    with pytest.raises(services.UnconfirmedLosses) as first:
        services.publish(live, editor, content=candidate)
    with pytest.raises(services.UnconfirmedLosses) as second:
        services.publish(live, editor, content=candidate, confirm_losses=first.value.fingerprint)
    assert second.value.needs_manager
    assert versions(live) == 1 and not AuditEntry.objects.filter(action=LOSS_ACTION).exists()


def test_a_manager_of_another_mall_cannot_confirm(live, other_mall):
    outsider = make_staff("manager-other", "manager", other_mall)
    candidate = without_level_2(live_document(live))
    with pytest.raises(services.UnconfirmedLosses) as first:
        services.publish(live, outsider, content=candidate)
    with pytest.raises(services.UnconfirmedLosses, match="L2"):
        services.publish(live, outsider, content=candidate, confirm_losses=first.value.fingerprint)


def test_a_confirmation_names_one_loss_and_goes_stale(live, manager):
    """Confirming one loss does not publish another, nor the same one once the live version moved on."""
    Store.objects.filter(mall=live, content_id="s-coat").delete()
    with pytest.raises(services.UnconfirmedLosses) as store_only:
        services.publish(live, manager)
    with pytest.raises(services.UnconfirmedLosses):  # another loss: the level too
        services.publish(live, manager, content=without_level_2(live_document(live)),
                         confirm_losses=store_only.value.fingerprint)
    wayfinding.set_connector_closed(live, "f-lift", False, manager)  # nothing changes: still v1
    services.publish(live, manager, content=live_document(live).model_copy(update={"closed_connectors": []}),
                     only_if_changed=True)
    assert versions(live) == 1
    mall = live
    content = live_document(mall)
    services.publish(mall, manager, content=content.model_copy(update={"mall": content.mall.model_copy(
        update={"phone": "021-87654321"})}))  # the live version moves on to v2
    with pytest.raises(services.UnconfirmedLosses):
        services.publish(live, manager, confirm_losses=store_only.value.fingerprint)
    assert versions(live) == 2


def test_the_first_publish_loses_nothing(imported_mall):
    assert services.publish(imported_mall).version.version == 1
    assert not AuditEntry.objects.filter(action=LOSS_ACTION).exists()


def test_a_kiosk_point_that_reaches_no_store_is_stranded():
    from server_helpers import make_bundle

    content = make_bundle().content
    moved = content.model_copy(update={"kiosks": [content.kiosks[0].model_copy(update={"node_id": "nowhere"})]})
    losses = losses_between(content, moved)
    assert losses.stranded == ("k-lobby",)
    assert "kiosk point k-lobby is stranded: it reaches no store" in losses.lines()
    assert {lost.profile for lost in losses.routes} == {"standard", "step_free"}


# ---------------------------------------------------------------- closures
def test_a_closure_that_cuts_a_kiosk_point_off_a_store_needs_a_manager(live, manager, editor):
    with pytest.raises(services.UnconfirmedLosses) as refused:
        wayfinding.set_connector_closed(live, "f-lift", True, editor)
    assert refused.value.losses.routes[0].stores == ("s-coat",)
    assert live_document(live).closed_connectors == []
    with pytest.raises(services.UnconfirmedLosses):
        wayfinding.set_connector_closed(live, "f-lift", True, editor, confirm_losses=refused.value.fingerprint)
    version = wayfinding.set_connector_closed(live, "f-lift", True, manager,
                                              confirm_losses=refused.value.fingerprint)
    assert version.version == 2 and live_document(live).closed_connectors == ["f-lift"]
    assert "can no longer reach 1 stores" in AuditEntry.objects.get(action=LOSS_ACTION).detail


def test_the_closure_console_shows_the_losses_and_the_manager_confirms(client, live, manager, editor):
    client.force_login(editor)
    response = client.post(reverse("wayfinding:close_connector"), {"connector": "f-lift", "closed": "1"})
    assert response.status_code == 409
    assert "大衣店".encode() in response.content and b'name="confirm_losses"' not in response.content
    client.force_login(manager)
    response = client.post(reverse("wayfinding:close_connector"), {"connector": "f-lift", "closed": "1"})
    assert response.status_code == 409 and b'name="confirm_losses"' in response.content
    token = response.context["refused_losses"].fingerprint
    response = client.post(reverse("wayfinding:close_connector"),
                           {"connector": "f-lift", "closed": "1", "confirm_losses": token, "understood": "1"})
    assert response.status_code == 302
    assert live_document(live).closed_connectors == ["f-lift"]


# ---------------------------------------------------------------- the console's publish button
def test_the_promotions_console_refuses_then_a_manager_confirms(client, live, manager, editor):
    Store.objects.filter(mall=live, content_id="s-coat").delete()
    client.force_login(editor)
    response = client.post(reverse("content:publish"))
    assert response.status_code == 409
    assert "大衣店".encode() in response.content and b'name="confirm_losses"' not in response.content
    token = response.context["refused"].fingerprint
    response = client.post(reverse("content:publish"), {"confirm_losses": token})
    assert response.status_code == 409 and versions(live) == 1  # an editor's confirmation counts for nothing
    client.force_login(manager)
    response = client.post(reverse("content:publish"))
    assert response.status_code == 409 and b'name="confirm_losses"' in response.content
    response = client.post(reverse("content:publish"), {"confirm_losses": "0" * 16})
    assert response.status_code == 409 and versions(live) == 1  # a made-up token
    response = client.post(reverse("content:publish"), {"confirm_losses": token})
    assert response.status_code == 200 and versions(live) == 2
    assert AuditEntry.objects.get(action=LOSS_ACTION).actor == manager


def test_the_admin_action_refuses_with_the_losses(client, live, manager):
    Store.objects.filter(mall=live, content_id="s-coat").delete()
    client.force_login(manager)
    response = client.post(reverse("admin:malls_mall_changelist"),
                           {"action": "publish_selected", "_selected_action": [live.pk]}, follow=True)
    assert "s-coat" in response.content.decode() and versions(live) == 1


# ---------------------------------------------------------------- the import command
@pytest.fixture
def archive_without_a_store(live, monkeypatch, tmp_path):
    """The import command reads an archive whose map has the live stores but one."""
    content = live_document(live)
    candidate = content.model_copy(update={"stores": [s for s in content.stores if s.id != "s-coat"]})
    report = SimpleNamespace(lines=lambda: ["Imported 1 stores."])
    monkeypatch.setattr(import_command, "import_imdf",
                        lambda path, mall_id=None: SimpleNamespace(content=candidate, report=report))
    return tmp_path


def test_the_import_command_refuses_a_loss_and_publishes_once_a_manager_confirms(
        archive_without_a_store, live, manager, editor):
    with pytest.raises(CommandError, match="1 stores removed: s-coat") as refused:
        call_command("import_imdf", str(archive_without_a_store), "--mall", live.pk, "--publish")
    token = str(refused.value).split("--confirm-loss ")[1].split()[0]
    with pytest.raises(CommandError, match="not a manager"):
        call_command("import_imdf", str(archive_without_a_store), "--mall", live.pk, "--publish",
                     "--confirm-loss", token, "--user", editor.username)
    assert versions(live) == 1
    call_command("import_imdf", str(archive_without_a_store), "--mall", live.pk, "--publish",
                 "--confirm-loss", token, "--user", manager.username)
    assert versions(live) == 2
    assert AuditEntry.objects.get(action=LOSS_ACTION).actor == manager


# ---------------------------------------------------------------- the console's map upload
def upload(client, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("wayfinding:map_upload"),
                       {"archive": SimpleUploadedFile("plaza.zip", data, content_type="application/zip")})


def test_an_uploaded_map_is_reviewed_then_published_and_a_loss_needs_a_manager(client, db, tmp_path):
    from server.malls.models import Mall

    first, fewer = plaza_archives(tmp_path)
    mall = Mall.objects.create(id="plaza", name_zh_cn="广场")
    manager = make_staff("manager-plaza", "manager", mall)
    editor = make_staff("editor-plaza", "content_editor", mall)
    client.force_login(editor)
    assert upload(client, first).status_code == 302
    review = client.get(reverse("wayfinding:map_review"))
    assert review.status_code == 200 and not review.context["losses"] and review.context["drawings"]
    response = client.post(reverse("wayfinding:map_publish"))
    assert response.status_code == 302, response.context["problems"]
    assert versions(mall) == 1 and len(live_document(mall).stores) == 6

    document = live_document(mall)
    KioskPoint.objects.create(mall=mall, content_id="k-new", name_zh_cn="新", node_id=document.stores[-1].node_id,
                              level=Level.objects.get(mall=mall, content_id=document.levels[0].id))
    assert upload(client, fewer).status_code == 302
    review = client.get(reverse("wayfinding:map_review"))
    removed = {change.kind: change.removed for change in review.context["changes"]}
    assert len(removed["stores"]) == 3 and review.context["losses"].stores
    response = client.post(reverse("wayfinding:map_publish"))
    assert response.status_code == 409 and b'name="confirm_losses"' not in response.content
    token = response.context["refused"].fingerprint
    assert client.post(reverse("wayfinding:map_publish"), {"confirm_losses": token}).status_code == 409
    client.force_login(manager)
    assert upload(client, fewer).status_code == 302  # the candidate is kept per session
    response = client.post(reverse("wayfinding:map_publish"), {"confirm_losses": token})
    assert response.status_code == 302 and versions(mall) == 2
    assert len(live_document(mall).stores) == 3 and Store.objects.filter(mall=mall).count() == 3
    assert KioskPoint.objects.filter(mall=mall, content_id="k-new").exists(), "unpublished draft work stays"
    assert AuditEntry.objects.filter(action=LOSS_ACTION, actor=manager).exists()
    exported = client.get(reverse("wayfinding:map_export"))
    assert exported.status_code == 200 and exported["Content-Type"] == "application/zip"


def test_a_discarded_upload_publishes_nothing(client, db, tmp_path):
    from server.malls.models import Mall

    mall = Mall.objects.create(id="plaza", name_zh_cn="广场")
    client.force_login(make_staff("manager-plaza", "manager", mall))
    upload(client, plaza_archives(tmp_path)[0])
    assert client.post(reverse("wayfinding:map_discard")).status_code == 302
    assert client.post(reverse("wayfinding:map_publish")).status_code == 302
    assert versions(mall) == 0


def test_an_unreadable_archive_is_refused_with_the_importers_reasons(client, db):
    from server.malls.models import Mall

    mall = Mall.objects.create(id="plaza", name_zh_cn="广场")
    client.force_login(make_staff("manager-plaza", "manager", mall))
    response = upload(client, b"not a zip archive")
    assert response.status_code == 400 and response.context["unreadable"]
    assert client.get(reverse("wayfinding:map_review")).status_code == 302  # nothing kept
