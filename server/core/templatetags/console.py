"""Template filters shared by every console page."""
from django import template
from django.utils.safestring import mark_safe

from server.core.console import panels_for
from server.malls.models import person_name

register = template.Library()


@register.filter
def person(user) -> str:
    """A staff member's display name (profile, full name or user name)."""
    return person_name(user)


@register.simple_tag(takes_context=True)
def console_panels(context, slot: str, record) -> str:
    """The panels other apps registered for `slot` (server.core.console.register_panel)."""
    return mark_safe("".join(panels_for(slot, context["request"], record)))
