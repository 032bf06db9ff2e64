"""Small display helpers shared by the tracking page and the console."""
from __future__ import annotations

from functools import lru_cache

from venue.languages import DEFAULT, FIELD_SUFFIX_OF_PAGE

# The console and phone pages use Django language codes; content fields use the protocol's
# languages (zh_CN / en / zh_TW), stored as name_zh_cn / name_en / name_zh_tw.


def mall_name(mall, language: str) -> str:
    """The mall's name in `language`, falling back to Simplified Chinese, then the id."""
    suffix = FIELD_SUFFIX_OF_PAGE.get(language, DEFAULT.field_suffix)
    return getattr(mall, f"name_{suffix}", "") or mall.name_zh_cn or mall.name_en or str(mall.pk)




def store_choices(mall_ids, language: str) -> list[tuple[str, str]]:
    """(store id, "name · unit") of the malls' draft stores, for filters and forms."""
    from server.content.models import Store

    suffix = FIELD_SUFFIX_OF_PAGE.get(language, DEFAULT.field_suffix)
    rows = Store.objects.filter(mall_id__in=mall_ids).order_by("mall_id", "unit", "content_id")
    return [(row.content_id, f"{getattr(row, f'name_{suffix}', '') or row.name_zh_cn} · {row.unit}")
            for row in rows]


def floor_choices(mall_ids) -> list[tuple[str, str]]:
    """(level id, short name) of the malls' floors, bottom up."""
    from server.content.models import Level

    return list(Level.objects.filter(mall_id__in=mall_ids).order_by("ordinal")
                .values_list("content_id", "short_name"))


def published_places(mall, page_language: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(floors, stores) as the kiosks show them: from the mall's published content, so the desk
    records places the visitor can see; the draft's when nothing is published yet."""
    from server.content.services import current_version
    from venue.languages import kiosk_code

    version = current_version(mall.pk) if mall is not None else None
    index = _published_index(version.document_sha256) if version is not None else None
    if index is None:
        ids = [mall.pk] if mall is not None else []
        return floor_choices(ids), store_choices(ids, page_language)
    language = kiosk_code(page_language)
    levels = sorted(index.content.levels, key=lambda level: level.ordinal)
    floor_names = {level.id: level.short_name for level in levels}
    stores = sorted(index.content.stores, key=lambda store: (store.unit, store.id))
    return ([(level.id, level.short_name) for level in levels],
            [(store.id, f"{store.name.get(language)} · {floor_names.get(store.level_id, '')} {store.unit}".strip())
             for store in stores])


@lru_cache(maxsize=8)
def _published_index(document_sha256: str):
    """A published document, parsed once per process (a published version never changes)."""
    from server.content.services import read_blob
    from sync.protocol import MallContent
    from venue.index import ContentIndex

    found = read_blob(document_sha256)
    return None if found is None else ContentIndex(MallContent.model_validate_json(found[0]))


def qr_svg(text: str) -> str:
    """An inline SVG QR code (with its quiet zone) for the printed ticket."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=4, box_size=8)
    return image.to_string(encoding="unicode")


def mask_phone(phone: str | None) -> str:
    """138****1234: enough for staff to recognise a caller in a list, not to copy the number."""
    if not phone:
        return ""
    digits = phone.lstrip("+")
    prefix = "+" if phone.startswith("+") else ""
    if digits.startswith("86") and len(digits) == 13:
        prefix, digits = "+86 ", digits[2:]
    if len(digits) <= 7:
        return prefix + "*" * len(digits)
    return f"{prefix}{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"

