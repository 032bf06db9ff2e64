"""What each person and department wants to hear about, and the queue of messages to send.

A message is queued in the same transaction as the case event that caused it, and sent later by
the courier (server/notifications/outbox.py), so a dead mail server or robot never fails a desk
agent's click, and a message is never lost when the server restarts in between.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from server.malls.models import Department


class Trigger(models.TextChoices):
    """What happened to a case that someone should hear of."""

    NEW_CASE = "new_case", _("New case for the department")
    HAND_OVER = "hand_over", _("Case handed over")
    ESCALATION = "escalation", _("Case escalated")
    DEADLINE_NEAR = "deadline_near", _("Deadline near")
    LOW_RATING = "low_rating", _("Low rating from a visitor")
    VISITOR_REPLY = "visitor_reply", _("Visitor replied")
    TEAM = "team", _("Added to a case's team")
    END_OF_DAY = "end_of_day", _("Not settled today")
    VISITOR_PROGRESS = "visitor_progress", _("Progress told to the visitor")


STAFF_TRIGGERS = [trigger for trigger in Trigger if trigger != Trigger.VISITOR_PROGRESS]
"""The triggers staff may choose from; the visitor's SMS follows the case's public progress."""
DEPARTMENT_TRIGGERS = [trigger for trigger in STAFF_TRIGGERS if trigger != Trigger.END_OF_DAY]
"""What a department's channels may hear of (the end-of-day list is the managers')."""


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Group robot")
    SMS = "sms", _("SMS")


class StaffPreference(models.Model):
    """Which triggers a staff member is e-mailed about. Without a row: all that concern them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference", verbose_name=_("user"))
    email_triggers = models.JSONField(_("e-mail me about"), default=list, blank=True)

    class Meta:
        verbose_name = _("staff notification preference")
        verbose_name_plural = _("staff notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class DepartmentChannel(models.Model):
    """A department's group robot (WeCom or DingTalk style) and shared mailbox, and what they
    are told."""

    mall = models.ForeignKey("malls.Mall", on_delete=models.CASCADE, related_name="department_channels",
                             verbose_name=_("mall"))
    department = models.CharField(_("department"), max_length=20, choices=Department.choices)
    webhook_url = models.URLField(_("group robot address"), max_length=500, blank=True,
                                  help_text=_("The robot's webhook address from the group's settings."))
    webhook_secret = models.CharField(
        _("signing secret"), max_length=200, blank=True,
        help_text=_("Only for robots that sign their calls (DingTalk “加签”); empty otherwise."))
    mailbox = models.EmailField(_("department mailbox"), blank=True,
                                help_text=_("A shared address of the department (e.g. its duty phone's mail); "
                                            "empty: none."))
    triggers = models.JSONField(_("tell the group about"), default=list, blank=True)

    class Meta:
        verbose_name = _("department channel")
        verbose_name_plural = _("department channels")
        constraints = [models.UniqueConstraint(fields=["mall", "department"], name="department_channel_once")]

    def __str__(self) -> str:
        return f"{self.mall_id} {self.department}"


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", pgettext_lazy("notification status", "Sent")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    """One message to one recipient through one channel, with its delivery attempts."""

    mall = models.ForeignKey("malls.Mall", on_delete=models.CASCADE, related_name="notification_messages",
                             verbose_name=_("mall"))
    case_id = models.CharField(_("case"), max_length=26, blank=True,
                               help_text=_("Empty for a message about several cases (the end-of-day list)."))
    case_reference = models.CharField(_("reference"), max_length=8, blank=True)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    department = models.CharField(_("department"), max_length=20, blank=True, choices=Department.choices)
    recipient = models.CharField(
        _("recipient"), max_length=500,
        help_text=_("An e-mail address, a robot's address or a phone number (masked once sent)."))
    subject = models.CharField(pgettext_lazy("notification", "subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices,
                              default=MessageStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    once_key = models.CharField(
        max_length=200, null=True, blank=True, unique=True, editable=False,
        help_text="Set for notices that must go out once only (a deadline near).")

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due_idx"),
            models.Index(fields=["mall", "-created_at"], name="notification_mall_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.case_reference} {self.trigger}"
