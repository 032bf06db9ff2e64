"""The service desk's everyday ledgers, kept on paper beside the counter until now: left luggage
(寄存), the first-aid kit (医药箱), incidents (事件), the shift handover book (交接班本) and the
morning meeting record (晨会记录). Every row belongs to one mall."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LuggageStatus(models.TextChoices):
    STORED = "stored", pgettext_lazy("left luggage", "Stored")
    PICKED_UP = "picked_up", pgettext_lazy("left luggage", "Picked up")


class LeftLuggage(models.Model):
    """One visitor's bags at the desk, under one claim ticket."""

    mall = models.ForeignKey("malls.Mall", on_delete=models.PROTECT, related_name="left_luggage",
                             verbose_name=_("mall"))
    ticket = models.CharField(_("claim ticket"), max_length=16, unique=True)
    description = models.CharField(_("what was left"), max_length=200)
    pieces = models.PositiveSmallIntegerField(_("pieces"), default=1)
    storage_place = models.CharField(_("storage place"), max_length=60, blank=True)
    surname = models.CharField(_("visitor's surname"), max_length=40)
    phone = models.CharField(_("visitor's phone"), max_length=20)
    status = models.CharField(_("status"), max_length=12, choices=LuggageStatus.choices,
                              default=LuggageStatus.STORED)
    checked_in_at = models.DateTimeField(_("checked in at"), default=timezone.now)
    checked_in_by = models.CharField(_("checked in by"), max_length=150, blank=True)
    picked_up_at = models.DateTimeField(_("picked up at"), null=True, blank=True)
    picked_up_by = models.CharField(_("handed back by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("left luggage")
        verbose_name_plural = _("left luggage")
        ordering = ["-checked_in_at", "-id"]
        indexes = [models.Index(fields=["mall", "status", "checked_in_at"], name="desk_luggage_open")]

    def __str__(self) -> str:
        return self.ticket


class ClosingRecord(models.Model):
    """What was still in left luggage when the mall closed on `day`, written by the closing job
    so the next shift's handover shows it even after the bags are collected."""

    mall = models.ForeignKey("malls.Mall", on_delete=models.CASCADE, related_name="+", verbose_name=_("mall"))
    day = models.DateField(_("day"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    luggage = models.ManyToManyField(LeftLuggage, related_name="closing_records", blank=True,
                                     verbose_name=_("left luggage still open"))

    class Meta:
        verbose_name = _("closing record")
        verbose_name_plural = _("closing records")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["mall", "day"], name="desk_one_closing_record_a_day")]

    def __str__(self) -> str:
        return f"{self.mall_id} {self.day}"


class IncidentKind(models.TextChoices):
    """The manuals' emergencies and the everyday incidents the desk is called to."""

    INJURY = "injury", _("Injury or illness")
    LOST_CHILD = "lost_child", _("Lost child")
    FIRE = "fire", _("Fire")
    POWER_CUT = "power_cut", _("Power cut")
    SEVERE_WEATHER = "severe_weather", _("Severe weather")
    EVACUATION = "evacuation", _("Evacuation")
    THEFT = "theft", _("Theft or dispute")
    FACILITY = "facility", _("Facility fault")
    OTHER = "other", _("Other")


class IncidentStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("incident", "Open")
    CLOSED = "closed", pgettext_lazy("incident", "Closed")


class Incident(models.Model):
    mall = models.ForeignKey("malls.Mall", on_delete=models.PROTECT, related_name="incidents",
                             verbose_name=_("mall"))
    number = models.CharField(_("incident number"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=IncidentKind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    what = models.TextField(_("what happened"), max_length=2000)
    level_id = models.CharField(_("floor"), max_length=64, blank=True)
    store_id = models.CharField(_("store"), max_length=64, blank=True)
    place = models.CharField(_("where exactly"), max_length=200, blank=True)
    helpers = models.CharField(_("who helped"), max_length=300, blank=True)
    follow_up = models.TextField(_("follow-up"), max_length=2000, blank=True)
    report = models.TextField(_("incident report"), max_length=4000, blank=True)
    report_written_at = models.DateTimeField(_("report written at"), null=True, blank=True)
    report_written_by = models.CharField(_("report written by"), max_length=150, blank=True)
    broadcast = models.OneToOneField("broadcasts.Broadcast", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="incident", verbose_name=_("emergency broadcast"))
    status = models.CharField(_("status"), max_length=8, choices=IncidentStatus.choices,
                              default=IncidentStatus.OPEN)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.CharField(_("recorded by"), max_length=150, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return self.number


class FirstAidUse(models.Model):
    """One use of the first-aid kit: what was used, for whom, by whom, when."""

    mall = models.ForeignKey("malls.Mall", on_delete=models.PROTECT, related_name="first_aid_uses",
                             verbose_name=_("mall"))
    used_at = models.DateTimeField(_("used at"))
    supplies = models.CharField(_("what was used"), max_length=300)
    used_for = models.CharField(_("for whom"), max_length=200,
                                help_text=_("Who was helped and why, e.g. a child with a grazed knee."))
    given_by = models.CharField(_("given by"), max_length=150)
    incident = models.ForeignKey(Incident, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="first_aid_uses", verbose_name=_("incident"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.CharField(_("recorded by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("first-aid use")
        verbose_name_plural = _("first-aid uses")
        ordering = ["-used_at", "-id"]

    def __str__(self) -> str:
        return f"{self.used_at:%Y-%m-%d %H:%M} {self.supplies}"


class HandoverStatus(models.TextChoices):
    WRITTEN = "written", _("Waiting for acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


class Handover(models.Model):
    """One page of the shift handover book: what the outgoing agent hands to the incoming one."""

    mall = models.ForeignKey("malls.Mall", on_delete=models.PROTECT, related_name="handovers",
                             verbose_name=_("mall"))
    written_at = models.DateTimeField(_("written at"), default=timezone.now)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name=_("outgoing agent"))
    written_by_name = models.CharField(_("outgoing agent"), max_length=150, blank=True)
    open_matters = models.TextField(_("open matters"), max_length=4000, blank=True)
    cases = models.ManyToManyField("cases.Case", related_name="+", blank=True, verbose_name=_("open cases"))
    found_items = models.ManyToManyField("lostfound.FoundItem", related_name="+", blank=True,
                                         verbose_name=_("found items"))
    luggage = models.ManyToManyField(LeftLuggage, related_name="handovers", blank=True,
                                     verbose_name=_("left luggage"))
    status = models.CharField(_("status"), max_length=16, choices=HandoverStatus.choices,
                              default=HandoverStatus.WRITTEN)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="+", verbose_name=_("incoming agent"))
    acknowledged_by_name = models.CharField(_("incoming agent"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("shift handover")
        verbose_name_plural = _("shift handovers")
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return f"{self.mall_id} {self.written_at:%Y-%m-%d %H:%M}"


class MorningMeeting(models.Model):
    mall = models.ForeignKey("malls.Mall", on_delete=models.PROTECT, related_name="morning_meetings",
                             verbose_name=_("mall"))
    day = models.DateField(_("date"))
    attendees = models.CharField(_("attendees"), max_length=500)
    notes = models.TextField(_("notes"), max_length=4000)
    actions = models.TextField(_("actions"), max_length=2000, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.CharField(_("recorded by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("morning meeting")
        verbose_name_plural = _("morning meetings")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["mall", "day"], name="desk_one_morning_meeting_a_day")]

    def __str__(self) -> str:
        return f"{self.mall_id} {self.day}"


class HelpRequest(models.Model):
    """A visitor at a kiosk pressed "Ask for help": the desk is asked to send someone there.

    The id is the kiosk's (a retry from its outbox is the same request). `place` is where the
    kiosk stood when it asked, written then, so the record still says so after the map changes.
    """

    id = models.CharField(_("id"), max_length=26, primary_key=True)
    mall = models.ForeignKey("malls.Mall", on_delete=models.PROTECT, related_name="help_requests",
                             verbose_name=_("mall"))
    kiosk = models.ForeignKey("fleet.Kiosk", on_delete=models.PROTECT, related_name="help_requests",
                              verbose_name=_("kiosk"))
    place = models.CharField(_("kiosk's place"), max_length=300)
    language = models.CharField(_("visitor's language"), max_length=8)
    requested_at = models.DateTimeField(_("asked at (kiosk clock)"))
    received_at = models.DateTimeField(_("reached the desk at"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("on the way since"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="+", verbose_name=_("on the way"))
    acknowledged_by_name = models.CharField(_("on the way"), max_length=150, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by_name = models.CharField(_("resolved by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["mall", "resolved_at"], name="desk_help_open")]
        constraints = [models.UniqueConstraint(fields=["kiosk"], condition=models.Q(resolved_at__isnull=True),
                                               name="desk_one_open_help_request_a_kiosk")]

    def __str__(self) -> str:
        return f"{self.place} {self.received_at:%Y-%m-%d %H:%M}"
