"""Template filters shared by every console page."""
from django import template

from server.malls.models import person_name

register = template.Library()


@register.filter
def person(user) -> str:
    """A staff member's display name (profile, full name or user name)."""
    return person_name(user)
