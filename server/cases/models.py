"""Cases filed at kiosks and the events of their lifecycle.

A case keeps the kiosk's own id (a ULID) as its primary key, so a retried upload can never
make a second row. The raw tracking token is never stored: only its SHA-256, which is what
the phone page looks up (DESIGN decision 3).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from sync.protocol import CaseKind, CaseStatus, ComplaintCategory

KIND_LABELS = {
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


class Visibility(models.TextChoices):
    """Public events appear on the visitor's tracking page; internal ones only in the console."""

    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS = "status", _("Status change")
    NOTE = "note", _("Note")
    ASSIGN = "assign", _("Handed over")


class Case(models.Model):
    id = models.CharField(_("id"), max_length=26, primary_key=True)
    mall = models.ForeignKey(
        "content.Mall", on_delete=models.PROTECT, related_name="cases", verbose_name=_("mall")
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

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["mall", "status", "-received_at"], name="case_inbox_idx"),
            models.Index(fields=["mall", "-received_at"], name="case_mall_recent_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def category_label(self) -> str:
        return str(CATEGORY_LABELS.get(self.category, self.category)) if self.category else ""

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def visitor_status_label(self) -> str:
        return str(VISITOR_STATUS_LABELS.get(self.status, self.status))


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
