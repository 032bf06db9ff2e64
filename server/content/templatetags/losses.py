"""The publish guard's losses in words: ids named in the page's language."""
from django import template
from django.utils.translation import get_language

from server.content.guard import Losses
from venue.languages import kiosk_code

register = template.Library()


@register.filter
def named_by(ids: str | tuple[str, ...], losses: Losses) -> str:
    """`{{ l.stores|named_by:l }}`: "Blue Bottle (B1-12), …" rather than the ids; one id alone too."""
    language = kiosk_code(get_language() or "")
    if isinstance(ids, str):
        return losses.name_of(ids, language)
    return ", ".join(losses.name_of(item_id, language) for item_id in ids)
