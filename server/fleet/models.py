"""Kiosks, the one-time codes that enroll them, every kiosk code ever issued, the kiosks' usage
events and the proof-of-play counts made from them.

Secrets are stored only as SHA-256 hashes: the device key (256 random bits) and the
enrollment code (60 random bits, short-lived, single-use). Both have far too much entropy for
a stolen hash to be reversed by guessing, so a plain hash is enough (no slow password hash).
"""
from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ulid import ULID

kiosk_code_validator = RegexValidator(r"^[0-9A-HJKMNP-TV-Z]{3}$", _("Three Crockford base32 characters."))


def new_kiosk_id() -> str:
    return str(ULID())


def empty_list() -> list:
    return []


class Kiosk(models.Model):
    id = models.CharField(_("id"), max_length=26, primary_key=True, default=new_kiosk_id, editable=False)
    mall = models.ForeignKey("malls.Mall", on_delete=models.PROTECT, related_name="kiosks", verbose_name=_("mall"))
    code = models.CharField(
        _("kiosk code"), max_length=3, unique=True, editable=False, validators=[kiosk_code_validator],
        help_text=_("The first part of every case reference this kiosk makes."),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    location_id = models.CharField(
        _("kiosk point"), max_length=64, blank=True, help_text=_("The kiosk point (map position) it stands at.")
    )
    device_key_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    hostname = models.CharField(_("host name"), max_length=128, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(
        _("revoked at"), null=True, blank=True, help_text=_("A revoked kiosk's key no longer opens the API.")
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True, editable=False)
    # The latest heartbeat, as the kiosk reported it.
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True, editable=False)
    heartbeat_sent_at = models.DateTimeField(_("heartbeat sent at (kiosk clock)"), null=True, blank=True,
                                             editable=False)
    app_version = models.CharField(_("app version"), max_length=64, blank=True, editable=False)
    content_version = models.PositiveIntegerField(_("content version shown"), null=True, blank=True, editable=False)
    outbox_depth = models.PositiveIntegerField(_("cases waiting to upload"), default=0, editable=False)
    last_errors = models.JSONField(_("last errors"), default=empty_list, blank=True, editable=False)
    uptime_s = models.FloatField(_("uptime (s)"), null=True, blank=True, editable=False)
    disk_free_bytes = models.PositiveBigIntegerField(_("free disk (bytes)"), null=True, blank=True, editable=False)
    pending_commands = models.JSONField(
        _("commands to deliver"), default=empty_list, blank=True,
        help_text=_("Sent with the reply to the next heartbeat, then cleared."),
    )
    approved_at = models.DateTimeField(
        _("approved at"), null=True, blank=True, editable=False,
        help_text=_("Empty while the kiosk waits for approval: it gets no content until approved."),
    )
    new_device_key_sha256 = models.CharField(
        max_length=64, blank=True, editable=False,
        help_text="A key being rotated in: it replaces the current one at its first use by the kiosk.",
    )
    # What the kiosk reported of its screen and sound (written only when it changes).
    screen_on = models.BooleanField(_("screen on"), null=True, blank=True, editable=False)
    orientation = models.CharField(_("orientation"), max_length=16, blank=True, editable=False)
    speech_volume = models.PositiveSmallIntegerField(_("read-aloud volume"), null=True, blank=True, editable=False)
    brightness = models.PositiveSmallIntegerField(_("brightness"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")
        ordering = ["mall", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    def save(self, *args, **kwargs) -> None:
        """A new kiosk is approved as it enrolls, unless its mall asks staff to approve new kiosks."""
        if self._state.adding and self.approved_at is None and not FleetSettings.objects.filter(
                mall_id=self.mall_id, approval_required=True).exists():
            self.approved_at = self.enrolled_at
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def is_pending(self) -> bool:
        """Enrolled but not yet approved by staff (only where the mall wants approval)."""
        return self.approved_at is None


class IssuedKioskCode(models.Model):
    """Every kiosk code ever handed out, kept even after its kiosk is deleted: codes are never reused,
    because case references made with them live on in the case history."""

    code = models.CharField(max_length=3, primary_key=True, validators=[kiosk_code_validator])
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("issued kiosk code")
        verbose_name_plural = _("issued kiosk codes")

    def __str__(self) -> str:
        return self.code


class EnrollmentCode(models.Model):
    """A one-time code an operator types into a new kiosk to enroll it at a mall (and kiosk point)."""

    mall = models.ForeignKey(
        "malls.Mall", on_delete=models.CASCADE, related_name="enrollment_codes", verbose_name=_("mall")
    )
    location_id = models.CharField(_("kiosk point"), max_length=64, blank=True)
    code_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )
    used_at = models.DateTimeField(_("used at"), null=True, blank=True, editable=False)
    kiosk = models.ForeignKey(
        Kiosk, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("enrolled kiosk"), editable=False,
    )

    class Meta:
        verbose_name = _("enrollment code")
        verbose_name_plural = _("enrollment codes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        state = "used" if self.used_at else "open"
        return f"{self.mall_id} {self.location_id or '-'} ({state})"


class KioskEventBatch(models.Model):
    """One uploaded batch of usage events; its id (made by the kiosk) makes uploads idempotent."""

    kiosk = models.ForeignKey(Kiosk, on_delete=models.CASCADE, related_name="event_batches", verbose_name=_("kiosk"))
    batch_id = models.CharField(_("batch id"), max_length=26)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, editable=False)
    event_count = models.PositiveIntegerField(_("events"), default=0)

    class Meta:
        verbose_name = _("event batch")
        verbose_name_plural = _("event batches")
        constraints = [models.UniqueConstraint(fields=["kiosk", "batch_id"], name="fleet_event_batch_once")]


class KioskEvent(models.Model):
    """An anonymous usage event from a kiosk: a promotion shown or touched, a screen opened,
    a satisfaction tap. Counted by proof-of-play and the reports; never tied to a visitor."""

    batch = models.ForeignKey(KioskEventBatch, on_delete=models.CASCADE, related_name="events")
    kiosk = models.ForeignKey(Kiosk, on_delete=models.CASCADE, related_name="events", verbose_name=_("kiosk"))
    mall = models.ForeignKey("malls.Mall", on_delete=models.CASCADE, related_name="kiosk_events")
    kind = models.CharField(_("kind"), max_length=32)
    at = models.DateTimeField(_("at (kiosk clock)"))
    subject_id = models.CharField(_("subject"), max_length=64, blank=True)
    value = models.CharField(_("value"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("kiosk event")
        verbose_name_plural = _("kiosk events")
        indexes = [
            models.Index(fields=["mall", "kind", "at"], name="fleet_event_mall_kind_at"),
            models.Index(fields=["kind", "subject_id", "at"], name="fleet_event_subject_at"),
        ]


class PlayCount(models.Model):
    """Proof of play, counted as the kiosks' events arrive: how often a kiosk showed a promotion
    (impressions) and visitors touched it (touches) on one day of the mall's calendar.

    A fleet shows a slide every few seconds on every screen (about a million impressions a day
    for 200 kiosks): the console's figures are sums over these rows, not over the raw events.
    Rows are added to in the same transaction that stores an event batch once, so a retried
    batch counts nothing twice. The table keeps the name it had when content owned it."""

    mall = models.ForeignKey("malls.Mall", on_delete=models.CASCADE, related_name="play_counts", verbose_name=_("mall"))
    kiosk = models.ForeignKey(Kiosk, on_delete=models.CASCADE, related_name="play_counts", verbose_name=_("kiosk"))
    promotion_id = models.CharField(_("promotion"), max_length=64)
    day = models.DateField(_("day (mall time, kiosk clock)"))
    impressions = models.PositiveIntegerField(_("impressions"), default=0)
    touches = models.PositiveIntegerField(_("touches"), default=0)

    class Meta:
        db_table = "content_playcount"
        verbose_name = _("play count")
        verbose_name_plural = _("play counts")
        constraints = [
            models.UniqueConstraint(fields=["kiosk", "promotion_id", "day"], name="content_play_count_once"),
        ]
        indexes = [models.Index(fields=["mall", "day"], name="content_play_count_mall_day")]

    def __str__(self) -> str:
        return f"{self.promotion_id} {self.kiosk_id} {self.day}: {self.impressions}/{self.touches}"


class FleetSettings(models.Model):
    """A mall's rules for its kiosks, set in the fleet console."""

    mall = models.OneToOneField("malls.Mall", on_delete=models.CASCADE, primary_key=True,
                                related_name="fleet_settings", verbose_name=_("mall"))
    approval_required = models.BooleanField(
        _("new kiosks wait for approval"), default=False,
        help_text=_("A kiosk enrolled with a code gets no content until staff approve it."))
    offline_after_minutes = models.PositiveIntegerField(
        _("offline alarm after (minutes)"), default=10,
        help_text=_("A kiosk silent this long raises an alarm; 0 turns the alarms off."))
    alarm_department = models.CharField(
        _("department told of alarms"), max_length=20, blank=True,
        help_text=_("Its group robot and mailbox hear of offline kiosks, besides the mall's managers."))

    class Meta:
        verbose_name = _("fleet settings")
        verbose_name_plural = _("fleet settings")

    def __str__(self) -> str:
        return str(self.mall_id)


class CommandState(models.TextChoices):
    QUEUED = "queued", _("Waiting for the kiosk")
    DELIVERED = "delivered", _("Delivered, no answer yet")
    SUCCEEDED = "succeeded", _("Done")
    FAILED = "failed", _("Failed")


class KioskCommand(models.Model):
    """A command staff sent a kiosk from the fleet console, with what came of it.

    It is handed to the kiosk with every heartbeat reply until the kiosk reports a result, so a
    reply lost on the way never strands it; the kiosk runs each command once."""

    id = models.CharField(max_length=26, primary_key=True, default=new_kiosk_id, editable=False)
    kiosk = models.ForeignKey(Kiosk, on_delete=models.CASCADE, related_name="commands", verbose_name=_("kiosk"))
    mall = models.ForeignKey("malls.Mall", on_delete=models.CASCADE, related_name="kiosk_commands",
                             verbose_name=_("mall"))
    kind = models.CharField(_("command"), max_length=20)
    payload = models.JSONField(default=dict, blank=True, editable=False)
    state = models.CharField(_("state"), max_length=10, choices=CommandState.choices, default=CommandState.QUEUED)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("sent by"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    result = models.TextField(_("result"), blank=True, editable=False,
                              help_text="The kiosk's own words, or one of remote.SERVER_RESULTS.")
    unsupported = models.BooleanField(_("not supported on the kiosk"), default=False, editable=False)
    screenshot = models.BinaryField(_("screenshot (JPEG)"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("kiosk command")
        verbose_name_plural = _("kiosk commands")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kiosk", "state"], name="fleet_command_kiosk_state")]

    def __str__(self) -> str:
        return f"{self.kiosk_id} {self.kind} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in (CommandState.QUEUED, CommandState.DELIVERED)


class KioskAlarm(models.Model):
    """A kiosk that went silent for longer than its mall allows; cleared when it is heard again."""

    kiosk = models.ForeignKey(Kiosk, on_delete=models.CASCADE, related_name="alarms", verbose_name=_("kiosk"))
    mall = models.ForeignKey("malls.Mall", on_delete=models.CASCADE, related_name="kiosk_alarms",
                             verbose_name=_("mall"))
    silent_since = models.DateTimeField(_("silent since"), null=True, blank=True)
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)

    class Meta:
        verbose_name = _("offline alarm")
        verbose_name_plural = _("offline alarms")
        ordering = ["-raised_at"]
        constraints = [models.UniqueConstraint(fields=["kiosk"], condition=models.Q(cleared_at__isnull=True),
                                               name="fleet_one_open_alarm")]
