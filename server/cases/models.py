"""Cases filed at kiosks and the events of their lifecycle.

A case keeps the kiosk's own id (a ULID) as its primary key, so a retried upload can never
make a second row. The raw tracking token is never stored: only its SHA-256, which is what
the phone page looks up (DESIGN decision 3).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from server.malls.models import Department
from sync.protocol import CaseKind, CaseStatus, ComplaintCategory
from venue.languages import LANGUAGE_NAMES

KIND_LABELS = {
    CaseKind.ENQUIRY: _("Enquiry"),
    CaseKind.COMPLAINT: _("Complaint"),
    CaseKind.PRAISE: _("Praise"),
    CaseKind.SUGGESTION: _("Suggestion"),
    CaseKind.LOST_REPORT: _("Lost item report"),
    CaseKind.FOUND_ITEM: _("Found item"),
}

CATEGORY_LABELS = {
    ComplaintCategory.PRODUCT_QUALITY: _("Product quality"),
    ComplaintCategory.SERVICE_ATTITUDE: _("Service attitude"),
    ComplaintCategory.ENVIRONMENT_FACILITIES: _("Environment and facilities"),
    ComplaintCategory.SAFETY: _("Safety"),
    ComplaintCategory.TENANT_DISPUTE: _("Dispute with a store"),
    ComplaintCategory.PRICE_QUESTION: _("Price question"),
    ComplaintCategory.OTHER: _("Other"),
}

# Staff words for the console.
STATUS_LABELS = {
    CaseStatus.NEW: pgettext_lazy("case status", "New"),
    CaseStatus.ACCEPTED: pgettext_lazy("case status", "Accepted"),
    CaseStatus.IN_PROGRESS: pgettext_lazy("case status", "In progress"),
    CaseStatus.WAITING_ON_VISITOR: pgettext_lazy("case status", "Waiting on visitor"),
    CaseStatus.RESOLVED: pgettext_lazy("case status", "Resolved"),
    CaseStatus.FOLLOWED_UP: pgettext_lazy("case status", "Followed up"),
    CaseStatus.CLOSED: pgettext_lazy("case status", "Closed"),
    CaseStatus.WITHDRAWN: pgettext_lazy("case status", "Withdrawn"),
    CaseStatus.DUPLICATE: pgettext_lazy("case status", "Duplicate"),
}

# The visitor's words for the same statuses, on the phone page.
VISITOR_STATUS_LABELS = {
    CaseStatus.NEW: pgettext_lazy("visitor status", "Received"),
    CaseStatus.ACCEPTED: pgettext_lazy("visitor status", "Accepted"),
    CaseStatus.IN_PROGRESS: pgettext_lazy("visitor status", "Being handled"),
    CaseStatus.WAITING_ON_VISITOR: pgettext_lazy("visitor status", "Waiting for your reply"),
    CaseStatus.RESOLVED: pgettext_lazy("visitor status", "Resolved"),
    CaseStatus.FOLLOWED_UP: pgettext_lazy("visitor status", "Resolved, and we called you back"),
    CaseStatus.CLOSED: pgettext_lazy("visitor status", "Closed"),
    CaseStatus.WITHDRAWN: pgettext_lazy("visitor status", "Withdrawn"),
    CaseStatus.DUPLICATE: pgettext_lazy("visitor status", "Merged with another case"),
}


"""The kiosk's languages, each in its own words."""


class Visibility(models.TextChoices):
    """Public events appear on the visitor's tracking page; internal ones only in the console."""

    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS = "status", _("Status change")
    NOTE = "note", _("Note")
    ASSIGN = "assign", _("Handed over")
    ESCALATE = "escalate", _("Escalated")
    CALLBACK = "callback", _("Call-back")
    VISITOR = "visitor", _("Visitor added information")
    RATING = "rating", _("Visitor's rating")
    ATTACHMENT = "attachment", _("Photo attached")
    PRIORITY = "priority", _("Priority changed")
    QUEUE = "queue", _("Handed to a department")
    TAKE = "take", _("Taken from the queue")
    TEAM = "team", _("Added to the team")
    REVEAL = "reveal", _("Phone number shown")
    MERGE = "merge", _("Merged")


class Priority(models.IntegerChoices):
    """How urgently a case is handled; a number so the inbox sorts the most urgent first."""

    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class Source(models.TextChoices):
    """Where a case came in: a kiosk upload, or staff registering a walk-in or a phone call."""

    KIOSK = "kiosk", _("Kiosk")
    DESK = "desk", _("Service desk")
    PHONE = "phone", _("Phone call")


class RootCause(models.TextChoices):
    """Why the matter arose, recorded on resolution for the monthly analysis (原因分析)."""

    PRODUCT = "product", pgettext_lazy("root cause", "Goods or product")
    STAFF_SERVICE = "staff_service", pgettext_lazy("root cause", "Staff service")
    FACILITIES = "facilities", pgettext_lazy("root cause", "Facilities and equipment")
    PROCEDURE = "procedure", pgettext_lazy("root cause", "Rules and procedures")
    TENANT = "tenant", pgettext_lazy("root cause", "Store's business practice")
    MISUNDERSTANDING = "misunderstanding", pgettext_lazy("root cause", "Visitor's misunderstanding")
    OTHER = "other", pgettext_lazy("root cause", "Other")


class Case(models.Model):
    id = models.CharField(_("id"), max_length=26, primary_key=True)
    mall = models.ForeignKey(
        "malls.Mall", on_delete=models.PROTECT, related_name="cases", verbose_name=_("mall")
    )
    kiosk = models.ForeignKey(
        "fleet.Kiosk", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="cases", verbose_name=_("kiosk"),
    )
    reference = models.CharField(_("reference"), max_length=8, unique=True)
    tracking_token_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    kind = models.CharField(
        _("kind"), max_length=16, choices=[(k.value, label) for k, label in KIND_LABELS.items()]
    )
    category = models.CharField(
        _("category"), max_length=32, blank=True,
        choices=[(c.value, label) for c, label in CATEGORY_LABELS.items()],
    )
    store_id = models.CharField(_("store"), max_length=64, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    description = models.TextField(_("description"))
    contact_phone = models.CharField(_("contact phone"), max_length=20, null=True, blank=True)
    contact_consent = models.BooleanField(_("consent to be contacted"), default=False)
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(
        _("status"), max_length=20, default=CaseStatus.NEW.value,
        choices=[(s.value, label) for s, label in STATUS_LABELS.items()],
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="owned_cases", verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("filed at (kiosk clock)"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    finished_at = models.DateTimeField(
        _("finished at"), null=True, blank=True,
        help_text=_("When the case was closed, withdrawn or marked as a duplicate."),
    )
    location_id = models.CharField(_("kiosk location"), max_length=64, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.KIOSK)
    department = models.CharField(
        _("department"), max_length=20, blank=True, choices=Department.choices,
        help_text=_("Set by the routing rules from the category; follows a hand-over."),
    )
    level_id = models.CharField(_("floor"), max_length=64, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL,
        help_text=_("Set by the category rule when the case comes in; staff may change it."),
    )
    visitor_surname = models.CharField(_("visitor's surname"), max_length=20, blank=True)
    people_involved = models.CharField(
        _("people or tenant involved"), max_length=200, blank=True,
        help_text=_("Staff, a store's employee or a tenant the visitor names."),
    )
    visitor_request = models.TextField(_("what the visitor asks for"), blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    paused_at = models.DateTimeField(
        _("deadline paused since"), null=True, blank=True,
        help_text=_("While the desk waits on the visitor the deadline does not run."),
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    callback_due_at = models.DateTimeField(_("call-back due"), null=True, blank=True)
    callback_done_at = models.DateTimeField(_("call-back done"), null=True, blank=True)
    callback_outcome = models.TextField(_("call-back outcome"), blank=True)
    callback_satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction at call-back"), null=True, blank=True
    )
    rating = models.PositiveSmallIntegerField(_("visitor's rating"), null=True, blank=True)
    rating_comment = models.TextField(_("visitor's comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    contact_erased_at = models.DateTimeField(_("contact details erased at"), null=True, blank=True)
    root_cause = models.CharField(_("root cause"), max_length=20, blank=True, choices=RootCause.choices)
    root_cause_note = models.TextField(_("root cause in words"), blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_cases",
        verbose_name=_("merged into"),
        help_text=_("The case that carries on this one's matter; its tracking page leads there."),
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at"]
        permissions = [
            ("reveal_contact", _("Can reveal a visitor's contact details")),
            ("view_reports", _("Can see the case reports")),
        ]
        # The inbox shows one mall's cases newest first under one filter: one index per filter
        # column, each ending in the inbox's order (received_at, id), so the first page is an
        # index range scan with no sort, even at millions of cases.
        indexes = [
            models.Index(fields=["mall", "status", "-received_at", "-id"], name="case_inbox_idx"),
            models.Index(fields=["mall", "-received_at", "-id"], name="case_mall_recent_idx"),
            models.Index(fields=["mall", "kind", "-received_at", "-id"], name="case_kind_idx"),
            models.Index(fields=["mall", "category", "-received_at", "-id"], name="case_category_idx"),
            models.Index(fields=["mall", "department", "-received_at", "-id"], name="case_department_idx"),
            models.Index(fields=["mall", "owner", "-received_at", "-id"], name="case_owner_idx"),
            models.Index(fields=["mall", "level_id", "-received_at", "-id"], name="case_floor_idx"),
            models.Index(fields=["mall", "store_id", "-received_at", "-id"], name="case_store_idx"),
            models.Index(fields=["status", "due_at"], name="case_due_idx"),
            models.Index(fields=["status", "finished_at"], name="case_retention_idx"),
            models.Index(fields=["mall", "-priority", "-received_at", "-id"], name="case_priority_idx"),
            # The escalated block atop the inbox (inbox.escalated_open) reads only the open
            # escalated cases, already most urgent first within a status; without it a planner
            # walks case_priority_idx through the whole mall to find them.
            models.Index(fields=["mall", "status", "-priority", "escalated_at", "id"],
                         condition=models.Q(escalated_at__isnull=False), name="case_escalated_idx"),
            # The inbox's "mine" and "my department's queue" counts (queues.owned_by,
            # department_queue): a few index ranges, not every case an agent ever owned.
            models.Index(fields=["mall", "owner", "status", "department"], name="case_owner_status_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def priority_label(self) -> str:
        return str(Priority(self.priority).label) if self.priority in Priority.values else ""

    @property
    def category_label(self) -> str:
        return str(CATEGORY_LABELS.get(self.category, self.category)) if self.category else ""

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def visitor_status_label(self) -> str:
        return str(VISITOR_STATUS_LABELS.get(self.status, self.status))

    @property
    def language_label(self) -> str:
        """The visitor's language in its own name (staff of any language recognise it so)."""
        return LANGUAGE_NAMES.get(self.language, self.language)


class CaseEvent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="case_events", verbose_name=_("by"),
    )
    actor_label = models.CharField(
        _("by"), max_length=150, blank=True,
        help_text=_("Who acted, kept as text so the record survives the account."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    merged_from = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("from the merged case"),
        help_text=_("Set on events that came over from a case merged into this one."),
    )

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_timeline_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def to_status_label(self) -> str:
        return str(STATUS_LABELS.get(self.to_status, self.to_status)) if self.to_status else ""

    @property
    def visitor_status_label(self) -> str:
        return str(VISITOR_STATUS_LABELS.get(self.to_status, self.to_status)) if self.to_status else ""

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC


class CaseCollaborator(models.Model):
    """A staff member of any department working on a case beside its owner: the temporary
    team (临时处理小组) the complaint flow forms for a matter no one department can settle."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="collaborators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="collaborating_cases", verbose_name=_("staff member"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 related_name="+", verbose_name=_("added by"))
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("collaborator")
        verbose_name_plural = _("collaborators")
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_collaborator_once")]

    def __str__(self) -> str:
        return f"{self.case_id} + {self.user_id}"


class CategoryRule(models.Model):
    """How a mall handles one complaint category: which department it goes to and how long
    the desk promises to take. Categories without a rule use routing.DEFAULT_RULES."""

    mall = models.ForeignKey("malls.Mall", on_delete=models.CASCADE, related_name="case_rules",
                             verbose_name=_("mall"))
    category = models.CharField(_("category"), max_length=32,
                                choices=[(c.value, label) for c, label in CATEGORY_LABELS.items()])
    department = models.CharField(_("department"), max_length=20, choices=Department.choices)
    working_days = models.PositiveSmallIntegerField(
        _("working days promised"), default=0,
        help_text=_("0 = a simple case, answered the same day; more = a complex case."),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL,
        help_text=_("The priority a new case of this category starts with."),
    )

    class Meta:
        verbose_name = _("category rule")
        verbose_name_plural = _("category rules")
        constraints = [models.UniqueConstraint(fields=["mall", "category"], name="case_rule_once")]

    def __str__(self) -> str:
        return f"{self.mall_id} {self.category} → {self.department}"


class Holiday(models.Model):
    """A day the mall's deadlines do not count (a public holiday or a closing day)."""

    mall = models.ForeignKey("malls.Mall", on_delete=models.CASCADE, related_name="holidays",
                             verbose_name=_("mall"))
    day = models.DateField(_("day"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["mall", "day"]
        constraints = [models.UniqueConstraint(fields=["mall", "day"], name="holiday_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.name}".strip()


class CannedReply(models.Model):
    """A public reply the desk sends often, in the three languages visitors read."""

    mall = models.ForeignKey("malls.Mall", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="canned_replies", verbose_name=_("mall"),
                             help_text=_("Empty: offered in every mall."))
    title = models.CharField(_("title"), max_length=100)
    text_zh_cn = models.TextField(_("text (Simplified Chinese)"))
    text_en = models.TextField(_("text (English)"))
    text_zh_tw = models.TextField(_("text (Traditional Chinese)"))
    # A macro: what else the one click does besides posting the reply. Empty = leave as is.
    sets_status = models.CharField(
        _("then set status"), max_length=20, blank=True,
        choices=[(s.value, label) for s, label in STATUS_LABELS.items()],
    )
    sets_priority = models.PositiveSmallIntegerField(
        _("then set priority"), choices=Priority.choices, null=True, blank=True)
    sets_department = models.CharField(
        _("then hand to department"), max_length=20, blank=True, choices=Department.choices)
    sets_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("then hand over to"),
    )

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def text_for(self, language: str) -> str:
        """The reply in the visitor's language (kiosk codes zh_CN / en / zh_TW)."""
        return {"en": self.text_en, "zh_TW": self.text_zh_tw}.get(language) or self.text_zh_cn


class CaseAttachment(models.Model):
    """A photo attached to a case by staff. Kept in the database, like content blobs, so any
    server behind the load balancer can serve it; shown only in the console."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+", verbose_name=_("uploaded by"))
    filename = models.CharField(_("file name"), max_length=200)
    media_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    data = models.BinaryField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.filename


class DeskReferencePrefix(models.Model):
    """A kiosk code issued to a mall's service desk, so references of cases registered at the
    desk never collide with any kiosk's, even ones made offline."""

    code = models.CharField(max_length=3, primary_key=True)
    mall = models.ForeignKey("malls.Mall", on_delete=models.CASCADE, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("desk reference prefix")
        verbose_name_plural = _("desk reference prefixes")


class SameDayReport(models.Model):
    """The end-of-day list, made at the mall's closing time, of open cases due that day or
    already late: what the desk cannot settle today, reported to the manager the same day."""

    mall = models.ForeignKey("malls.Mall", on_delete=models.CASCADE, related_name="same_day_reports",
                             verbose_name=_("mall"))
    day = models.DateField(_("day"))
    made_at = models.DateTimeField(_("made at"), default=timezone.now)
    cases = models.ManyToManyField(Case, related_name="same_day_reports", verbose_name=_("cases"))

    class Meta:
        verbose_name = _("same-day report")
        verbose_name_plural = _("same-day reports")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["mall", "day"], name="same_day_report_once")]

    def __str__(self) -> str:
        return f"{self.mall_id} {self.day}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("follow-up status", "Open")
    CLOSED = "closed", pgettext_lazy("follow-up status", "Closed")


class FollowUp(models.Model):
    """A manager's task opened by a low score (1 or 2 of 5), kept open until a better score
    arrives or a manager closes it with a note: the manuals' "直至合格为止"."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("case"))
    status = models.CharField(_("status"), max_length=8, choices=FollowUpStatus.choices,
                              default=FollowUpStatus.OPEN)
    low_score = models.PositiveSmallIntegerField(_("low score"))
    opened_by_callback = models.BooleanField(
        _("opened by the call-back"), default=False,
        help_text=_("False: the visitor's rating on the tracking page opened it."))
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(pgettext_lazy("follow-up", "closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("closed by"))
    better_score = models.PositiveSmallIntegerField(_("better score"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["opened_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case"], condition=models.Q(status="open"),
                                               name="follow_up_one_open_per_case")]
        indexes = [models.Index(fields=["status", "opened_at"], name="follow_up_open_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.low_score}/5 {self.status}"
