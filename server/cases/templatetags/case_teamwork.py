"""The case desk's teamwork blocks: the inbox's "my department's queue" and "mine" links, and
the case page's queue, team and merge actions (each a small block in the page's layout)."""
from django import template

from server.accounts.services import department_of
from server.malls.models import Department
from sync.protocol import CaseStatus

from .. import collaborators, queues
from ..access import can_change_case, cases_visible_to, may_take
from ..flows import ALLOWED_TRANSITIONS, FINAL_STATUSES
from ..team_forms import CollaboratorForm, DepartmentQueueForm, MergeForm

register = template.Library()


@register.inclusion_tag("cases/console/_inbox_queues.html", takes_context=True)
def personal_inbox_links(context):
    request = context["request"]
    user = request.user
    visible = cases_visible_to(user)
    department = department_of(user)
    links = []
    if department:
        links.append({
            "label": Department(department).label, "kind": "queue",
            "query": f"status=open&department={department}&owner=none",
            "count": queues.department_queue(visible, department).count(),
        })
    links.append({"kind": "mine", "query": f"status=open&owner={user.pk}",
                  "count": queues.owned_by(visible, user).count()})
    current = request.GET.urlencode()
    for link in links:
        link["current"] = current == link["query"]
    return {"links": links}


@register.inclusion_tag("cases/console/_teamwork.html", takes_context=True)
def teamwork_panel(context):
    case = context["case"]
    user = context["request"].user
    status = CaseStatus(case.status)
    finished = status in FINAL_STATUSES
    can_change = can_change_case(user, case)
    return {
        "case": case,
        "csrf_token": context.get("csrf_token"),
        "finished": finished,
        "in_queue": bool(case.department) and case.owner_id is None and not finished,
        "department_label": Department(case.department).label if case.department else "",
        "can_queue": can_change and not finished,
        "queue_form": DepartmentQueueForm(initial={"department": case.department}),
        "can_take": not finished and case.owner_id is None and may_take(user, case),
        "team": collaborators.team_of(case),
        "team_form": (CollaboratorForm(candidates=collaborators.candidates_for(case))
                      if can_change and not finished else None),
        "can_merge": can_change and CaseStatus.DUPLICATE in ALLOWED_TRANSITIONS[status],
        "merge_form": MergeForm(),
        "merged_cases": case.merged_cases.order_by("received_at").only("id", "reference", "description"),
    }
