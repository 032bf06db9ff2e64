"""The mall, its time zone and hours, and the people who work for it.

This app sits at the bottom of the server: it depends on no other app, and every app that keeps
rows of a mall points here. Which malls a request may see is decided in `boundary`.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from sync.protocol import DEFAULT_TIMEZONE
from venue.timezones import is_known_zone, zone_named


def empty_list() -> list:
    return []


def validate_timezone(value: str) -> None:
    if not is_known_zone(value):
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value})


class Mall(models.Model):
    id = models.SlugField(_("id"), max_length=64, primary_key=True)
    name_zh_cn = models.CharField(_("name (Simplified Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_zh_tw = models.CharField(_("name (Traditional Chinese)"), max_length=200, blank=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default=DEFAULT_TIMEZONE, validators=[validate_timezone]
    )
    hours = models.JSONField(
        _("opening hours"), default=empty_list, blank=True,
        help_text=_('A list of {"weekdays": [0..6], "open": "10:00", "close": "22:00"}; 0 is Monday.'),
    )
    service_desk_id = models.CharField(
        _("service desk facility id"), max_length=64, blank=True,
        help_text=_("The facility where visitors hand in found items and ask for help."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    closed_connectors = models.JSONField(
        _("closed connectors"), default=empty_list, blank=True,
        help_text=_("Facility ids of lifts, escalators or stairs that are out of service."),
    )
    content_versions_kept = models.PositiveSmallIntegerField(
        _("content versions kept"), default=20, validators=[MinValueValidator(2), MaxValueValidator(1000)],
        help_text=_("Older published versions, and the pictures only they use, are removed every night, "
                    "unless a kiosk still shows them."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mall")
        verbose_name_plural = _("malls")
        ordering = ["id"]
        db_table = "content_mall"  # created by the content app before the mall had an app of its own

    def __str__(self) -> str:
        return self.name_zh_cn or self.id

    @property
    def zone(self) -> ZoneInfo:
        """The mall's time zone, for reading kiosk times and showing times to people."""
        return zone_named(self.timezone)



class Department(models.TextChoices):
    """The mall's departments that cases are routed to (the manuals' division of work)."""

    SERVICE_DESK = "service_desk", _("Service desk")
    SECURITY = "security", _("Security")
    ENGINEERING = "engineering", _("Engineering")
    FLOOR = "floor", _("Floor management")
    MARKETING = "marketing", _("Marketing")
    CLEANING = "cleaning", _("Cleaning")


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile", verbose_name=_("user")
    )
    mall = models.ForeignKey(
        Mall, on_delete=models.PROTECT, null=True, blank=True, related_name="staff",
        verbose_name=_("mall"), help_text=_("Empty only for administrators who work across all malls."),
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    department = models.CharField(
        _("department"), max_length=20, blank=True, choices=Department.choices,
        help_text=_("For department handlers: they see only the cases routed to this department."),
    )

    class Meta:
        db_table = "accounts_staffprofile"  # created by the accounts app before malls had an app
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} @ {self.mall_id or '*'}"


def person_name(user) -> str:
    """How staff are named in the console: their profile's display name, full name or user name."""
    if user is None:
        return ""
    profile = getattr(user, "staff_profile", None)  # missing profile: RelatedObjectDoesNotExist
    return (profile.display_name if profile else "") or user.get_full_name() or user.get_username()
