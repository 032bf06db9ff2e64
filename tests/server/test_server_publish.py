"""Importing bundles into the draft, validating it, and publishing versions."""
from __future__ import annotations

import threading

import pytest
from django.db import connection
from server_helpers import make_bundle, png_bytes

from server.content import services
from server.content.models import (
    Blob,
    Category,
    ContentVersion,
    Facility,
    KioskPoint,
    Level,
    PathGraph,
    Promotion,
    Store,
)
from server.malls.models import Mall
from sync.protocol import ContentManifest, Edge, MallContent, sha256_hex

DRAFT_MODELS = (Mall, Level, Category, Store, Facility, Promotion, KioskPoint, PathGraph, Blob)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in DRAFT_MODELS}


def publish_problems(mall) -> list[str]:
    with pytest.raises(services.PublishError) as refused:
        services.publish(mall)
    assert ContentVersion.objects.count() == 0  # nothing of a refused publish is stored
    return refused.value.problems


# ---------------------------------------------------------------- import
def test_import_creates_the_draft_rows(imported_mall, bundle):
    assert imported_mall.name_en == "Test Plaza" and imported_mall.service_desk_id == "f-desk"
    assert row_counts() == {"Mall": 1, "Level": 2, "Category": 2, "Store": 2, "Facility": 2, "Promotion": 1,
                            "KioskPoint": 1, "PathGraph": 1, "Blob": 2}
    tea = Store.objects.get(content_id="s-tea")
    assert (tea.name_zh_cn, tea.name_en, tea.level.content_id, tea.category.content_id) == (
        "茶馆", "Tea House", "L1", "food")
    assert tea.logo_sha256 == bundle.logo_sha256
    assert Promotion.objects.get().store == tea


def test_import_twice_changes_nothing(imported_mall, bundle):
    before = {model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in DRAFT_MODELS}
    again = services.import_mall_content(bundle.content, bundle.blobs)
    after = {model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in DRAFT_MODELS}
    assert before == after
    assert again.removed == {key: 0 for key in again.removed}


def test_a_changed_bundle_updates_rows_in_place_and_drops_what_it_no_longer_has(imported_mall, bundle):
    tea_pk = Store.objects.get(content_id="s-tea").pk
    content = bundle.content.model_copy(deep=True)
    content.stores[0].name.en = "Tea Room"
    content.stores = content.stores[:1]
    content.categories = content.categories[:1]

    result = services.import_mall_content(content, bundle.blobs)

    assert Store.objects.get(content_id="s-tea").pk == tea_pk
    assert Store.objects.get().name_en == "Tea Room"
    assert not Category.objects.filter(content_id="fashion").exists()
    assert result.removed["stores"] == 1 and result.removed["categories"] == 1


def test_import_refuses_a_blob_whose_bytes_do_not_match_its_hash(db, bundle):
    wrong = {sha: (data + b"x", media) for sha, (data, media) in bundle.blobs.items()}
    with pytest.raises(services.ContentError, match="does not match"):
        services.import_mall_content(bundle.content, wrong)
    assert row_counts()["Mall"] == 0 and row_counts()["Blob"] == 0


def test_import_refuses_html_blobs(db):
    with pytest.raises(services.ContentError, match="not allowed"):
        services.store_blob(b"<script>alert(1)</script>", "text/html")


def test_import_refuses_references_to_missing_rows(db, bundle):
    content = bundle.content.model_copy(deep=True)
    content.stores[0].level_id = "L9"
    content.promotions[0].store_id = "s-gone"
    with pytest.raises(services.ContentError) as refused:
        services.import_mall_content(content, bundle.blobs)
    assert refused.value.problems == ["store s-tea: unknown level L9", "promotion p-tea: unknown store s-gone"]
    assert Mall.objects.count() == 0


# ---------------------------------------------------------------- publish
def test_publish_makes_version_1_then_2(imported_mall, django_user_model):
    editor = django_user_model.objects.create_user("editor", password="x" * 12)
    first = services.publish(imported_mall, editor)
    second = services.publish(imported_mall, editor)

    assert (first.created, first.version.version, second.version.version) == (True, 1, 2)
    assert first.version.published_by == editor
    manifest = ContentManifest.model_validate(second.version.manifest)
    assert manifest.version == 2 and second.version.etag == manifest.etag()
    # The same draft gives the same document: both versions share one document blob.
    assert first.version.document_sha256 == second.version.document_sha256 == manifest.document.sha256


def test_publish_only_if_changed(imported_mall):
    first = services.publish(imported_mall, only_if_changed=True)
    unchanged = services.publish(imported_mall, only_if_changed=True)
    Store.objects.filter(content_id="s-tea").update(unit="1F-02")
    changed = services.publish(imported_mall, only_if_changed=True)

    assert (first.created, unchanged.created, changed.created) == (True, False, True)
    assert unchanged.version.pk == first.version.pk
    assert changed.version.version == 2


def test_the_published_document_is_the_draft(imported_mall, bundle):
    version = services.publish(imported_mall).version
    document = Blob.objects.get(pk=version.document_sha256)
    assert sha256_hex(bytes(document.data)) == version.document_sha256
    assert MallContent.model_validate_json(bytes(document.data)) == bundle.content


def test_a_store_on_a_node_that_does_not_exist(imported_mall):
    Store.objects.filter(content_id="s-tea").update(node_id="n-missing")
    assert "store s-tea: unknown node 'n-missing'" in publish_problems(imported_mall)


def test_a_store_whose_node_is_on_another_level(imported_mall):
    Store.objects.filter(content_id="s-tea").update(node_id="n2-b")
    assert "store s-tea is on 1F but its node n2-b is on 2F" in publish_problems(imported_mall)


def test_a_store_on_a_level_of_another_mall(imported_mall):
    other = make_bundle("other-mall")
    services.import_mall_content(other.content, other.blobs)
    foreign_level = Level.objects.get(mall_id="other-mall", content_id="L2")
    Store.objects.filter(mall=imported_mall, content_id="s-coat").update(level=foreign_level)
    problems = publish_problems(imported_mall)
    assert any(p.startswith("store s-coat: its level") and "another mall" in p for p in problems)


def test_a_missing_image(imported_mall, bundle):
    Blob.objects.filter(pk=bundle.promotion_sha256).delete()
    problems = publish_problems(imported_mall)
    assert f"promotion p-tea: image {bundle.promotion_sha256} is not in the blob store" in problems


def test_a_missing_logo(imported_mall, bundle):
    Store.objects.filter(content_id="s-coat").update(logo_sha256="f" * 64)
    assert f"store s-coat: logo {'f' * 64} is not in the blob store" in publish_problems(imported_mall)


def test_graph_edges_must_name_existing_nodes_and_connectors(imported_mall):
    graph = PathGraph.objects.get()
    graph.edges = [*graph.edges, Edge(a="n1-a", b="n-ghost", length_m=3, connector_id="f-ghost").model_dump()]
    graph.save()
    problems = publish_problems(imported_mall)
    assert any("n-ghost" in p and "unknown node" in p for p in problems)
    assert any("f-ghost" in p and "unknown connector" in p for p in problems)


def test_disconnected_places_are_refused(imported_mall):
    graph = PathGraph.objects.get()
    graph.edges = [edge for edge in graph.edges if edge.get("kind") != "lift"]
    graph.save()
    problems = publish_problems(imported_mall)
    assert any("s-coat" in p and "cannot be reached step-free from kiosk point k-lobby" in p for p in problems)


def test_malformed_json_fields_are_reported_not_crashed_on(imported_mall):
    Level.objects.filter(content_id="L1").update(plan=[{"kind": "spaceship", "polygon": []}])
    Mall.objects.filter(pk=imported_mall.pk).update(hours=[{"weekdays": [9], "open": "25:00", "close": "x"}])
    problems = publish_problems(imported_mall)
    assert any(p.startswith("level L1: plan.0.kind") for p in problems)
    assert any(p.startswith("mall test-mall: hours.0") for p in problems)


def test_promotion_rules(imported_mall):
    from datetime import date

    Promotion.objects.update(starts_on=date(2026, 5, 1), ends_on=date(2026, 4, 1), target_level_ids=["L7"],
                             target_kiosk_ids=["k-roof"])
    problems = publish_problems(imported_mall)
    assert any(p.startswith("promotion p-tea: ends on 2026-04-01 before") for p in problems)
    assert "promotion p-tea: targets unknown level 'L7'" in problems
    assert "promotion p-tea: targets unknown kiosk point 'k-roof'" in problems


def test_a_mall_without_levels(db):
    mall = Mall.objects.create(id="empty", name_zh_cn="空")
    assert "the mall has no levels" in publish_problems(mall)


def test_the_service_desk_must_be_a_facility(imported_mall):
    Mall.objects.filter(pk=imported_mall.pk).update(service_desk_id="f-nowhere")
    assert "mall service desk 'f-nowhere' is not a facility" in publish_problems(imported_mall)


@pytest.mark.django_db(transaction=True)
def test_concurrent_publishes_get_distinct_versions():
    bundle = make_bundle()
    mall = services.import_mall_content(bundle.content, bundle.blobs).mall
    publishers = 4
    barrier = threading.Barrier(publishers)
    versions: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def publish() -> None:
        try:
            barrier.wait()
            result = services.publish(Mall.objects.get(pk=mall.pk))
            with lock:
                versions.append(result.version.version)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish) for _ in range(publishers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(versions) == [1, 2, 3, 4]
    assert sorted(ContentVersion.objects.values_list("version", flat=True)) == [1, 2, 3, 4]


def test_images_are_referenced_in_the_manifest(imported_mall, bundle):
    extra = png_bytes((1, 2, 3))
    services.store_blob(extra, "image/png")  # stored but unused: not part of the version
    manifest = ContentManifest.model_validate(services.publish(imported_mall).version.manifest)
    assert {ref.sha256 for ref in manifest.blobs} == set(bundle.blobs)
