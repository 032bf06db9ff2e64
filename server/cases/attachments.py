"""Photos staff attach to a case, checked by decoding them; shown only in the console."""
from __future__ import annotations

import io
import re

from django.db import transaction
from django.utils.translation import gettext

from .audit import audit, label_of
from .errors import InvalidAttachment
from .models import Case, CaseAttachment, CaseEvent, EventKind, Visibility

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ATTACHMENT_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def attach_photo(case: Case, actor, filename: str, data: bytes) -> CaseAttachment:
    """Keep a photo (JPEG, PNG or WebP, checked by decoding it) on the case."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise InvalidAttachment(gettext("The file is empty."))
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise InvalidAttachment(gettext("A photo can be at most 5 MB."))
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            media_type = ATTACHMENT_FORMATS.get(image.format or "")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        media_type = None
    if media_type is None:
        raise InvalidAttachment(gettext("Attach a photo (JPEG, PNG or WebP)."))
    name = re.sub(r"[^\w.\-]+", "_", (filename or "photo").rsplit("/", 1)[-1])[:200] or "photo"
    with transaction.atomic():
        attachment = CaseAttachment.objects.create(
            case=case, uploaded_by=actor, filename=name, media_type=media_type, size=len(data),
            data=data,
        )
        CaseEvent.objects.create(
            case=case, actor=actor, actor_label=label_of(actor), kind=EventKind.ATTACHMENT,
            note=name, visibility=Visibility.INTERNAL,
        )
        audit(actor, "case.attachment", case, f"{case.reference} {name} ({len(data)} bytes)")
    return attachment
