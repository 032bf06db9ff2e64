"""Photos staff attach to a case, accepted by server.core.uploads (bounded, re-encoded without
metadata); shown only in the console."""
from __future__ import annotations

import re

from django.db import transaction

from server.core.uploads import ImageRefused, accept_image

from .audit import audit, label_of
from .errors import InvalidAttachment
from .models import Case, CaseAttachment, CaseEvent, EventKind, Visibility

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024


def attach_photo(case: Case, actor, filename: str, data: bytes) -> CaseAttachment:
    """Keep a photo (JPEG, PNG or WebP) on the case, upright and stripped of its metadata."""
    try:
        photo = accept_image(data, max_bytes=MAX_ATTACHMENT_BYTES)
    except ImageRefused as refused:
        raise InvalidAttachment(refused.message) from None
    data = photo.data
    name = re.sub(r"[^\w.\-]+", "_", (filename or "photo").rsplit("/", 1)[-1])[:200] or "photo"
    with transaction.atomic():
        attachment = CaseAttachment.objects.create(
            case=case, uploaded_by=actor, filename=name, media_type=photo.media_type, size=len(data),
            data=data,
        )
        CaseEvent.objects.create(
            case=case, actor=actor, actor_label=label_of(actor), kind=EventKind.ATTACHMENT,
            note=name, visibility=Visibility.INTERNAL,
        )
        audit(actor, "case.attachment", case, f"{case.reference} {name} ({len(data)} bytes)")
    return attachment
