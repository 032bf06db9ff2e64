"""Template filters for case pages."""
from django import template

from ..presentation import person_name
from ..services import mask_phone

register = template.Library()


@register.filter
def masked_phone(phone: str | None) -> str:
    """138****1234 in lists: staff recognise a caller without seeing the whole number."""
    return mask_phone(phone)


@register.filter
def person(user) -> str:
    """A staff member's display name (profile, full name or user name)."""
    return person_name(user)
