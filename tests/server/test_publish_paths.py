"""Every content version is made by `server.content.services.publish`, with its checks: the
console, the admin, imports, the demo and closures alike."""
from __future__ import annotations

from pathlib import Path

import pytest

from server.content import services as content_services
from server.content.models import ContentVersion
from server.malls.models import Mall
from server.wayfinding import services as wayfinding
from sync.bundle import load_source_bundle

DEMO = Path(__file__).resolve().parents[2] / "assets" / "demo"


@pytest.fixture
def demo_mall(db):
    bundle = load_source_bundle(DEMO)
    mall = content_services.import_mall_content(bundle.content, bundle.blobs).mall
    content_services.publish(mall)
    return mall


def test_a_closure_is_refused_when_its_version_would_not_pass_the_content_checks(demo_mall):
    """The newest version names a store that is not in it (as one made before the checks could):
    closing a lift republishes that document, so it must pass the same checks as a draft."""
    version = ContentVersion.objects.get(mall=demo_mall)
    document = wayfinding.published(demo_mall.id)[1]
    first = document.promotions[0].model_copy(update={"store_id": "no-such-store"})
    broken = document.model_copy(update={"promotions": [first, *document.promotions[1:]]})
    blob = content_services.store_blob(content_services.document_bytes(broken), content_services.DOCUMENT_MEDIA_TYPE)
    ContentVersion.objects.filter(pk=version.pk).update(document_sha256=blob.sha256)

    with pytest.raises(wayfinding.ClosureError, match="unknown store 'no-such-store'"):
        wayfinding.set_connector_closed(demo_mall, "lift-a-1f", True)
    assert ContentVersion.objects.filter(mall=demo_mall).count() == 1
    assert Mall.objects.get(pk=demo_mall.pk).closed_connectors == []  # the draft is left as it was


def test_a_closure_of_a_sound_version_publishes_through_the_same_path(demo_mall):
    version = wayfinding.set_connector_closed(demo_mall, "lift-a-1f", True)
    assert version.version == 2
    assert content_services.current_version(demo_mall.id) == version
    assert wayfinding.published(demo_mall.id)[1].closed_connectors == ["lift-a-1f"]
