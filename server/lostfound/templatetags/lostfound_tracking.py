"""For the visitor's tracking page: a lost report whose match staff confirmed asks the visitor
to come to the desk with identification. It never says what was found."""
from django import template

register = template.Library()


@register.inclusion_tag("lostfound/match_waiting.html")
def match_waiting_notice(case):
    from server.lostfound.suggestions import has_confirmed_match

    return {"waiting": case.kind == "lost_report" and has_confirmed_match(case)}
