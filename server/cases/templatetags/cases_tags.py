"""Template filters for case pages."""
from django import template

from ..presentation import mask_phone

register = template.Library()


@register.filter
def masked_phone(phone: str | None) -> str:
    """138****1234 in lists: staff recognise a caller without seeing the whole number."""
    return mask_phone(phone)
