"""Who hears of what: the case desk's events turned into queued messages.

The cases app does not know this app. It records every change as a CaseEvent and announces a
few more things by signal (server/cases/signals.py); this module listens to both. Messages from
an event are queued in the event's own transaction (a rolled-back click sends nothing).

- a new case, or a case put in a department's queue: the department's staff and its group robot;
- a hand-over to a person: that person and the department's robot;
- an escalation (overdue, or "escalate now"): the mall's managers and the department's robot;
- a visitor's reply: the case's owner (the department's staff while nobody owns it) and the robot;
- a low score: the managers (the follow-up task is opened by the cases app);
- a staff member added to a case's team: that person;
- the end-of-day list of what will not be settled today: the managers, in one e-mail;
- a deadline near: see jobs.announce_deadlines_near;
- progress the visitor should know (waiting on them, resolved, merged): an SMS to the visitor
  who left a phone number and agreed to be contacted.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from server.accounts.roles import Role
from server.cases import signals as case_signals
from server.cases.models import VISITOR_STATUS_LABELS, Case, CaseEvent, EventKind
from server.cases.presentation import mall_name
from server.malls.models import Department
from sync.protocol import CaseStatus
from venue.languages import PAGE_LANGUAGE_OF_KIOSK

from . import channels
from .models import STAFF_TRIGGERS, Channel, DepartmentChannel, StaffPreference, Trigger
from .outbox import queue

STAFF_LANGUAGE = settings.LANGUAGE_CODE
"""Staff messages are written in the console's default language."""

VISITOR_NEWS = frozenset({CaseStatus.WAITING_ON_VISITOR, CaseStatus.RESOLVED, CaseStatus.DUPLICATE})
"""Status moves worth an SMS: the desk needs the visitor, or the matter is settled."""


def connect() -> None:
    post_save.connect(_event_recorded, sender=CaseEvent, dispatch_uid="notifications.case_event")
    case_signals.follow_up_opened.connect(_follow_up_opened, dispatch_uid="notifications.follow_up")
    case_signals.collaborator_added.connect(_collaborator_added, dispatch_uid="notifications.team")
    case_signals.same_day_reported.connect(_same_day_reported, dispatch_uid="notifications.same_day")


def _event_recorded(sender, instance: CaseEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw:
        return
    announce(instance)


def _follow_up_opened(sender, follow_up, case: Case, **kwargs) -> None:
    case = Case.objects.select_related("mall").get(pk=case.pk)
    tell_staff(case, Trigger.LOW_RATING, managers_of(case), None,
               gettext("Score %(score)s of 5; a follow-up task is open.") % {"score": follow_up.low_score})


def _collaborator_added(sender, case: Case, collaborator, actor, **kwargs) -> None:
    case = Case.objects.select_related("mall").get(pk=case.pk)
    tell_staff(case, Trigger.TEAM, get_user_model().objects.filter(pk=collaborator.pk), actor, case.description)


def _same_day_reported(sender, report, mall, cases, **kwargs) -> None:
    """One e-mail per manager with the day's list (cases of several departments: no robot)."""
    if not cases:
        return
    with translation.override(STAFF_LANGUAGE):
        subject = f"{Trigger.END_OF_DAY.label} · {report.day.isoformat()} · {mall}"
        lines = [f"{case.reference} · {case.kind_label} · {case.description[:80]}" for case in cases]
        body = "\n".join([*lines, settings.PUBLIC_BASE_URL + reverse("cases:case_list")])
    for manager in (get_user_model().objects.filter(is_active=True, staff_profile__mall_id=mall.pk,
                                                     groups__name=Role.MANAGER.value).exclude(email="").distinct()):
        if wants(manager, Trigger.END_OF_DAY):
            queue(None, Trigger.END_OF_DAY, Channel.EMAIL, manager.email, str(subject), body, mall=mall,
                  once_key=f"same-day:{report.pk}:{manager.pk}")


def announce(event: CaseEvent) -> None:
    """Queue the messages `event` calls for (none for most events)."""
    kind = event.kind
    if kind not in {EventKind.CREATED, EventKind.QUEUE, EventKind.ASSIGN, EventKind.ESCALATE,
                    EventKind.VISITOR, EventKind.STATUS}:
        return
    # Read afresh: the flow updated the row in this transaction; its object may be stale.
    case = Case.objects.select_related("mall", "owner").get(pk=event.case_id)
    actor = event.actor
    if kind == EventKind.CREATED:
        tell_staff(case, Trigger.NEW_CASE, department_staff(case), actor, case.description)
    elif kind == EventKind.QUEUE:
        tell_staff(case, Trigger.HAND_OVER, department_staff(case), actor, event.note)
    elif kind == EventKind.ASSIGN:
        owner = get_user_model().objects.filter(pk=case.owner_id)
        tell_staff(case, Trigger.HAND_OVER, owner, actor, event.note)
    elif kind == EventKind.ESCALATE:
        tell_staff(case, Trigger.ESCALATION, managers_of(case), actor, event.note)
    elif kind == EventKind.VISITOR:
        handlers = (get_user_model().objects.filter(pk=case.owner_id) if case.owner_id
                    else department_staff(case))
        tell_staff(case, Trigger.VISITOR_REPLY, handlers, actor, event.note)
    elif kind == EventKind.STATUS and event.is_public and event.to_status in VISITOR_NEWS:
        tell_visitor(case, event)


# ---------------------------------------------------------------- who
def staff_of(case: Case) -> QuerySet:
    return get_user_model().objects.filter(is_active=True, staff_profile__mall_id=case.mall_id)


def department_staff(case: Case) -> QuerySet:
    if not case.department:
        return get_user_model().objects.none()
    return staff_of(case).filter(staff_profile__department=case.department)


def managers_of(case: Case) -> QuerySet:
    return staff_of(case).filter(groups__name=Role.MANAGER.value)


def wants(user, trigger: str) -> bool:
    """A staff member's choice; without one, everything that concerns them."""
    preference = StaffPreference.objects.filter(user=user).values_list("email_triggers", flat=True).first()
    return trigger in (preference if preference is not None else [t.value for t in STAFF_TRIGGERS])


# ---------------------------------------------------------------- what
def staff_message(case: Case, trigger: str, detail: str) -> tuple[str, str]:
    """Subject and text of a staff message, in the console's language."""
    with translation.override(STAFF_LANGUAGE):
        department = Department(case.department).label if case.department else "—"
        subject = f"[{case.reference}] {Trigger(trigger).label} · {department}"
        what = case.kind_label + (f" · {case.category_label}" if case.category else "")
        lines = [what, str(case.mall)]
        if detail:
            lines.append(detail.strip()[:500])
        lines.append(settings.PUBLIC_BASE_URL + reverse("cases:case_detail", args=[case.pk]))
        return str(subject), "\n".join(str(line) for line in lines)


def tell_staff(case: Case, trigger: str, people: QuerySet, actor, detail: str, *,
               once_key: str | None = None) -> None:
    """E-mail each of `people` who wants it (not the one who acted) and post to the robot of
    the case's department if it is set to hear of `trigger`; `once_key`: never twice."""
    subject, body = staff_message(case, trigger, detail)
    for person in people.exclude(email="").distinct():
        if actor is not None and person.pk == actor.pk:
            continue
        if wants(person, trigger):
            queue(case, trigger, Channel.EMAIL, person.email, subject, body, department=case.department,
                  once_key=f"{once_key}:{person.pk}" if once_key else None)
    tell_department(case, trigger, subject, body, once_key=once_key)


def tell_department(case: Case, trigger: str, subject: str, body: str, *, once_key: str | None = None) -> None:
    """The department's robot and shared mailbox, each if set and set to hear of `trigger`."""
    channel = DepartmentChannel.objects.filter(mall_id=case.mall_id, department=case.department).first()
    if channel is None or trigger not in channel.triggers:
        return
    if channel.webhook_url:
        queue(case, trigger, Channel.WEBHOOK, channel.webhook_url, subject, body, department=case.department,
              once_key=f"{once_key}:robot" if once_key else None)
    if channel.mailbox:
        queue(case, trigger, Channel.EMAIL, channel.mailbox, subject, body, department=case.department,
              once_key=f"{once_key}:mailbox" if once_key else None)


def visitor_message(case: Case, status: str) -> str:
    """The SMS text, in the visitor's language: the mall, the reference, what happened."""
    language = PAGE_LANGUAGE_OF_KIOSK.get(case.language, STAFF_LANGUAGE)
    with translation.override(language):
        return gettext("%(mall)s: your case %(reference)s — %(status)s. Open the page of your receipt's "
                       "QR code for the details.") % {
            "mall": mall_name(case.mall, language), "reference": case.reference,
            "status": VISITOR_STATUS_LABELS.get(status, status)}


def tell_visitor(case: Case, event: CaseEvent) -> None:
    if not (case.contact_phone and case.contact_consent and channels.sms_gateway_configured()):
        return
    queue(case, Trigger.VISITOR_PROGRESS, Channel.SMS, case.contact_phone,
          "", visitor_message(case, event.to_status))
