"""Loans at the service desk (轮椅借用, 婴儿车, 雨伞, 充电宝): the register of what a mall lends,
and each loan from the desk until it comes back.

A loan records who borrowed (surname), a phone to call if it is late, and what security was
taken, as a kind only ("ID card sighted", "cash deposit ¥200"): ID numbers are never stored.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LendableKind(models.TextChoices):
    WHEELCHAIR = "wheelchair", _("Wheelchair")
    PRAM = "pram", _("Pram")
    UMBRELLA = "umbrella", _("Umbrella")
    POWER_BANK = "power_bank", _("Power bank")


class ItemState(models.TextChoices):
    AVAILABLE = "available", pgettext_lazy("lendable item", "Available")
    ON_LOAN = "on_loan", pgettext_lazy("lendable item", "On loan")
    OUT_OF_SERVICE = "out_of_service", pgettext_lazy("lendable item", "Out of service")


class LoanStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("loan", "Lent out")
    RETURNED = "returned", pgettext_lazy("loan", "Returned")


class Security(models.TextChoices):
    """What the desk holds or has seen while something is out: a kind, never a number."""

    ID_CARD_SIGHTED = "id_card_sighted", _("ID card sighted")
    PASSPORT_SIGHTED = "passport_sighted", _("Passport sighted")
    OTHER_ID_SIGHTED = "other_id_sighted", _("Other ID sighted")
    ID_HELD = "id_held", _("ID document held at the desk")
    CASH_DEPOSIT = "cash_deposit", _("Cash deposit")
    NONE = "none", _("No deposit")


class LendableItem(models.Model):
    """One thing the desk lends, known by the tag on it."""

    mall = models.ForeignKey("malls.Mall", on_delete=models.CASCADE, related_name="+", verbose_name=_("mall"))
    kind = models.CharField(_("kind"), max_length=16, choices=LendableKind.choices)
    tag = models.CharField(_("tag"), max_length=32, help_text=_("The label on the item, e.g. LY-03."))
    state = models.CharField(_("state"), max_length=16, choices=ItemState.choices, default=ItemState.AVAILABLE)
    kept_at = models.CharField(
        _("kept at"), max_length=64,
        help_text=_("The facility of the published content where it is lent from, e.g. the service desk."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    state_changed_at = models.DateTimeField(_("state changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("lendable item")
        verbose_name_plural = _("lendable items")
        ordering = ["mall", "kind", "tag"]
        constraints = [models.UniqueConstraint(fields=["mall", "tag"], name="loans_item_unique_tag")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.tag}"


class Loan(models.Model):
    """One loan, from the desk handing the item over until it comes back."""

    mall = models.ForeignKey("malls.Mall", on_delete=models.CASCADE, related_name="+", verbose_name=_("mall"))
    item = models.ForeignKey(LendableItem, on_delete=models.PROTECT, related_name="loans", verbose_name=_("item"))
    kind = models.CharField(_("kind"), max_length=16, choices=LendableKind.choices)
    """The item's kind when lent: the day's figures count by it."""
    surname = models.CharField(_("surname"), max_length=40)
    phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    security = models.CharField(_("deposit or ID"), max_length=20, choices=Security.choices)
    deposit_yuan = models.PositiveIntegerField(_("deposit (¥)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=LoanStatus.choices, default=LoanStatus.OPEN)
    lent_at = models.DateTimeField(_("lent at"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(_("due back"))
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True, db_index=True)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    lent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("lent by"))
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("returned to"))
    contact_erased_at = models.DateTimeField(_("contact erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["-lent_at", "-id"]
        indexes = [models.Index(fields=["mall", "status", "due_at"], name="loans_open_due")]

    def __str__(self) -> str:
        return f"{self.reference} {self.item.tag}"

    @property
    def reference(self) -> str:
        """What the desk writes on the slip and reads in the audit log."""
        return f"L{self.pk:06d}" if self.pk else "L-new"

    @property
    def is_overdue(self) -> bool:
        return self.status == LoanStatus.OPEN and self.due_at < timezone.now()

    @property
    def security_text(self) -> str:
        if self.security == Security.CASH_DEPOSIT and self.deposit_yuan:
            return f"{self.get_security_display()} ¥{self.deposit_yuan}"
        return str(self.get_security_display())
