"""IMDF export of a published content version, for the command and the console."""
from __future__ import annotations

from server.content import services as content_services
from server.content.models import ContentVersion
from server.wayfinding.imdf_export import export_imdf_bytes
from sync.protocol import MallContent


class ExportError(Exception):
    """No such mall or version, or its document is missing."""


def export_version(mall_id: str, version: int | None = None) -> tuple[bytes, int]:
    """(the IMDF .zip, the version number) of a published version of `mall_id`: the newest
    when `version` is None."""
    versions = ContentVersion.objects.filter(mall_id=mall_id)
    found = versions.order_by("-version").first() if version is None else versions.filter(version=version).first()
    if found is None:
        raise ExportError(f"mall {mall_id!r} has no published version" + (f" {version}" if version else ""))
    document = content_services.read_blob(found.document_sha256)
    if document is None:
        raise ExportError(f"the document of {mall_id} v{found.version} is missing from the blob store")
    content = MallContent.model_validate_json(document[0])
    return export_imdf_bytes(content, generated_by=f"Concierge {mall_id} v{found.version}"), found.version
