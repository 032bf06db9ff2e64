"""Lost property: the found-item register, lost reports, match suggestions, claims with a
signed hand-over, and the disposal log (DESIGN decision 5).

Kiosk cases of kind found_item and lost_report become a FoundItem (waiting to be handed in)
and a LostReport, linked to their Case so the visitor's tracking page follows them. Match
suggestions are for staff only; a claimant is never shown what was found.
"""
from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sync.protocol import ItemCategory, ItemColour

CATEGORY_LABELS = {
    ItemCategory.PHONE: pgettext_lazy("item category", "Phone"),
    ItemCategory.WALLET: _("Wallet"),
    ItemCategory.KEYS: _("Keys"),
    ItemCategory.BAG: _("Bag"),
    ItemCategory.CARD: _("Card"),
    ItemCategory.UMBRELLA: _("Umbrella"),
    ItemCategory.CLOTHING: _("Clothing"),
    ItemCategory.TOY: _("Toy"),
    ItemCategory.JEWELLERY: _("Jewellery"),
    ItemCategory.DOCUMENTS: _("Documents"),
    ItemCategory.OTHER: _("Other"),
}
COLOUR_LABELS = {
    ItemColour.BLACK: _("Black"), ItemColour.WHITE: _("White"), ItemColour.GREY: _("Grey"),
    ItemColour.RED: _("Red"), ItemColour.PINK: _("Pink"), ItemColour.ORANGE: _("Orange"),
    ItemColour.YELLOW: _("Yellow"), ItemColour.GREEN: _("Green"), ItemColour.BLUE: _("Blue"),
    ItemColour.PURPLE: _("Purple"), ItemColour.BROWN: _("Brown"), ItemColour.BEIGE: _("Beige"),
    ItemColour.GOLD: _("Gold"), ItemColour.SILVER: _("Silver"), ItemColour.MULTI: _("Several colours"),
}
CATEGORY_CHOICES = [(c.value, label) for c, label in CATEGORY_LABELS.items()]
COLOUR_CHOICES = [(c.value, label) for c, label in COLOUR_LABELS.items()]


class ItemStatus(models.TextChoices):
    ANNOUNCED = "announced", pgettext_lazy("found item", "Announced at a kiosk")
    STORED = "stored", pgettext_lazy("found item", "In storage")
    DUE = "due", pgettext_lazy("found item", "Due for disposal")
    RETURNED = "returned", pgettext_lazy("found item", "Returned")
    DISPOSED = "disposed", pgettext_lazy("found item", "Disposed of")


class ReportStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("lost report", "Searching")
    MATCHED = "matched", pgettext_lazy("lost report", "Match confirmed")
    RETURNED = "returned", pgettext_lazy("lost report", "Returned")
    CLOSED = "closed", pgettext_lazy("lost report", "Closed")


class ClaimStatus(models.TextChoices):
    STARTED = "started", pgettext_lazy("claim", "Checks done")
    HANDED_OVER = "handed_over", pgettext_lazy("claim", "Handed over")


class SuggestionStatus(models.TextChoices):
    SUGGESTED = "suggested", _("Possible match")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class DisposalAction(models.TextChoices):
    DONATED = "donated", _("Donated")
    DESTROYED = "destroyed", _("Destroyed")
    POLICE = "police", _("Handed to the police")


class IdKind(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO_TAIWAN = "hmt_permit", _("Hong Kong, Macao or Taiwan permit")
    DRIVING_LICENCE = "driving_licence", _("Driving licence")
    OTHER = "other", _("Other photo ID")


class FoundItem(models.Model):
    mall = models.ForeignKey("malls.Mall", on_delete=models.PROTECT, related_name="found_items",
                             verbose_name=_("mall"))
    number = models.CharField(_("item number"), max_length=16, unique=True,
                              help_text=_("Written on the bag label: LF-2611-0007."))
    case = models.OneToOneField("cases.Case", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="found_item", verbose_name=_("kiosk case"))
    category = models.CharField(_("category"), max_length=16, choices=CATEGORY_CHOICES)
    colour = models.CharField(_("colour"), max_length=16, choices=COLOUR_CHOICES, blank=True)
    brand = models.CharField(_("brand"), max_length=60, blank=True)
    description = models.TextField(_("features"), max_length=2000)
    hidden_details = models.TextField(
        _("hidden details"), max_length=1000, blank=True,
        help_text=_("Details only the owner would know (contents, wallpaper, engraving): ask the claimant; "
                    "never read them out."),
    )
    found_at = models.DateTimeField(_("found at"))
    level_id = models.CharField(_("floor"), max_length=64, blank=True)
    store_id = models.CharField(_("store"), max_length=64, blank=True)
    place = models.CharField(_("where exactly"), max_length=200, blank=True)
    storage_place = models.CharField(_("storage place"), max_length=100, blank=True,
                                     help_text=_("Shelf or safe, e.g. Safe A, shelf 3."))
    status = models.CharField(_("status"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.STORED)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    registered_by = models.CharField(_("registered by"), max_length=150, blank=True)
    keep_until = models.DateField(_("keep until"))
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    label_token = models.CharField(max_length=32, unique=True, editable=False)
    """In the label's QR code: scanning the bag opens the item in the console (staff login)."""

    class Meta:
        verbose_name = _("found item")
        verbose_name_plural = _("found items")
        ordering = ["-registered_at", "-id"]
        indexes = [models.Index(fields=["mall", "category", "status", "found_at"], name="found_item_match_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def category_label(self) -> str:
        return str(CATEGORY_LABELS.get(self.category, self.category))

    @property
    def colour_label(self) -> str:
        return str(COLOUR_LABELS.get(self.colour, self.colour)) if self.colour else ""


class ItemPhoto(models.Model):
    """A photo of a found item, re-encoded as JPEG (metadata stripped). Never of IDs or bank cards."""

    item = models.ForeignKey(FoundItem, on_delete=models.CASCADE, related_name="photos")
    jpeg = models.BinaryField()
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]


class LostReport(models.Model):
    mall = models.ForeignKey("malls.Mall", on_delete=models.PROTECT, related_name="lost_reports",
                             verbose_name=_("mall"))
    case = models.OneToOneField("cases.Case", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="lost_report", verbose_name=_("kiosk case"))
    category = models.CharField(_("category"), max_length=16, choices=CATEGORY_CHOICES)
    colour = models.CharField(_("colour"), max_length=16, choices=COLOUR_CHOICES, blank=True)
    brand = models.CharField(_("brand"), max_length=60, blank=True)
    description = models.TextField(_("description"), max_length=2000)
    lost_at = models.DateTimeField(_("lost at"), null=True, blank=True)
    level_id = models.CharField(_("floor"), max_length=64, blank=True)
    store_id = models.CharField(_("store"), max_length=64, blank=True)
    contact_name = models.CharField(
        _("visitor's surname"), max_length=40, blank=True,
        help_text=_("Taken at the desk, to greet the visitor when they come back; their phone is on the case."))
    status = models.CharField(_("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    matched_at = models.DateTimeField(_("match confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lost report")
        verbose_name_plural = _("lost reports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["mall", "category", "status"], name="lost_report_match_idx")]

    def __str__(self) -> str:
        return self.case.reference if self.case_id else f"LR-{self.pk}"

    @property
    def reference(self) -> str:
        return str(self)

    @property
    def category_label(self) -> str:
        return str(CATEGORY_LABELS.get(self.category, self.category))

    @property
    def colour_label(self) -> str:
        return str(COLOUR_LABELS.get(self.colour, self.colour)) if self.colour else ""


class MatchSuggestion(models.Model):
    report = models.ForeignKey(LostReport, on_delete=models.CASCADE, related_name="suggestions")
    item = models.ForeignKey(FoundItem, on_delete=models.CASCADE, related_name="suggestions")
    score = models.FloatField()
    status = models.CharField(max_length=12, choices=SuggestionStatus.choices, default=SuggestionStatus.SUGGESTED)
    computed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "item"], name="one_suggestion_per_pair")]


class Claim(models.Model):
    """An owner claiming a found item at the desk: hidden details asked, identity checked (a
    record of the check, never an image of the document), then a signed hand-over."""

    item = models.ForeignKey(FoundItem, on_delete=models.PROTECT, related_name="claims")
    report = models.ForeignKey(LostReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="claims")
    claimant_name = models.CharField(_("claimant's name"), max_length=100)
    claimant_phone = models.CharField(_("claimant's phone"), max_length=20, blank=True)
    questions = models.TextField(_("questions asked"), max_length=1000)
    answers = models.TextField(_("claimant's answers"), max_length=1000)
    answers_match = models.BooleanField(_("answers match the hidden details"), default=False)
    id_kind = models.CharField(_("identity document"), max_length=20, choices=IdKind.choices)
    id_last_digits = models.CharField(_("last 4 characters of the document number"), max_length=4)
    id_checked_by = models.CharField(max_length=150)
    status = models.CharField(_("status"), max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.STARTED)
    started_at = models.DateTimeField(default=timezone.now)
    signature_png = models.BinaryField(null=True, blank=True)
    staff_confirmed_by = models.CharField(max_length=150, blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    handed_over_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]


class Disposal(models.Model):
    """The disposal log: where an unclaimed item went, when, and who recorded it."""

    item = models.OneToOneField(FoundItem, on_delete=models.PROTECT, related_name="disposal")
    action = models.CharField(pgettext_lazy("disposal", "action"), max_length=12, choices=DisposalAction.choices)
    recipient = models.CharField(_("handed to"), max_length=150, blank=True,
                                 help_text=_("Police station or charity, with a receipt number if any."))
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)
    recorded_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["-at", "-id"]


class DisposalApproval(models.Model):
    """The manager's sign-off that an unclaimed valuable (phone, ID papers, bank card, wallet
    with money) may be disposed of: an agent requests it with the intended disposal, the
    manager approves it, and only then may the item move to disposed (flows.move checks)."""

    item = models.OneToOneField(FoundItem, on_delete=models.CASCADE, related_name="disposal_approval")
    action = models.CharField(pgettext_lazy("disposal", "action"), max_length=12, choices=DisposalAction.choices)
    recipient = models.CharField(_("handed to"), max_length=150, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    requested_by = models.CharField(max_length=150)
    requested_at = models.DateTimeField(default=timezone.now)
    approved_by = models.CharField(max_length=150, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    @property
    def approved(self) -> bool:
        return self.approved_at is not None


class Announcement(models.Model):
    """A found item announced so its owner comes to claim it: the kiosk notice sent on chosen
    floors and the text read out on the public-address system. Neither carries the item's
    hidden details (server/lostfound/announcements.py composes both)."""

    item = models.ForeignKey(FoundItem, on_delete=models.CASCADE, related_name="announcements")
    broadcast = models.OneToOneField("broadcasts.Broadcast", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="announcement")
    level_ids = models.JSONField(default=list, blank=True)
    public_address_zh = models.TextField(max_length=600)
    public_address_en = models.TextField(max_length=600)
    announced_by = models.CharField(max_length=150)
    announced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-announced_at", "-id"]
