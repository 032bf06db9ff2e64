"""Merging a duplicate into the case that carries on: the duplicate's visitor details,
photos and timeline move over (its events labelled with where they came from), and its
tracking page shows the surviving case from then on (tracking.surviving_case)."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from sync.protocol import REFERENCE_RE, CaseStatus

from . import signals
from .audit import audit, label_of
from .errors import InvalidMerge
from .flows import FINAL_STATUSES, transition
from .models import Case, CaseAttachment, CaseCollaborator, CaseEvent, EventKind, Visibility

S = CaseStatus


def find_survivor(duplicate: Case, reference: str) -> Case:
    """The case of the duplicate's mall with this reference (never another mall's)."""
    reference = (reference or "").strip().upper()
    if not REFERENCE_RE.match(reference):
        raise InvalidMerge(gettext("Give the reference of the case that carries on, e.g. C7K-3QX9."))
    survivor = Case.objects.filter(mall_id=duplicate.mall_id, reference=reference).first()
    if survivor is None:
        raise InvalidMerge(gettext("There is no case %(reference)s in this mall.") % {"reference": reference})
    return survivor


def merge_into(duplicate: Case, survivor: Case, actor, note: str = "") -> CaseEvent:
    """Mark `duplicate` as a duplicate of `survivor` and move what it holds onto `survivor`.

    The visitor's phone moves when the survivor has none; photos and events move, each event
    remembering its case (`merged_from`); cases merged earlier into the duplicate now point at
    the survivor, and its team joins the survivor's. The status move is `transition`'s, so a
    case the lifecycle does not let become a duplicate is refused there. Returns the
    survivor's merge event.
    """
    if survivor.pk == duplicate.pk:
        raise InvalidMerge(gettext("A case cannot be merged into itself."))
    if survivor.mall_id != duplicate.mall_id:
        raise InvalidMerge(gettext("Only cases of the same mall can be merged."))
    if CaseStatus(survivor.status) in FINAL_STATUSES:
        raise InvalidMerge(gettext("Case %(reference)s is finished: merge into a case that is still open.")
                           % {"reference": survivor.reference})
    with transaction.atomic():
        survivor_changes: dict = {}
        duplicate_changes: dict = {"merged_into": survivor}
        if duplicate.contact_phone and not survivor.contact_phone:
            survivor_changes = {"contact_phone": duplicate.contact_phone,
                                "contact_consent": duplicate.contact_consent}
            duplicate_changes.update(contact_phone=None, contact_consent=False)
        survivor_row = Case.objects.filter(pk=survivor.pk, status=survivor.status)
        if survivor_changes:
            still_open = survivor_row.update(**survivor_changes)
        else:
            still_open = survivor_row.exists()
        if not still_open:
            raise InvalidMerge(gettext("Someone else changed case %(reference)s meanwhile. Reload and try again.")
                               % {"reference": survivor.reference})
        transition(duplicate, S.DUPLICATE, actor, note, Visibility.PUBLIC, extra_changes=duplicate_changes)
        moved = CaseEvent.objects.filter(case=duplicate)
        moved.filter(merged_from__isnull=True).update(case=survivor, merged_from=duplicate)
        moved.update(case=survivor)  # events merged into the duplicate earlier keep their label
        CaseAttachment.objects.filter(case=duplicate).update(case=survivor)
        Case.objects.filter(merged_into=duplicate).update(merged_into=survivor)
        joined = set(CaseCollaborator.objects.filter(case=survivor).values_list("user_id", flat=True))
        joined.add(survivor.owner_id)
        CaseCollaborator.objects.bulk_create(
            CaseCollaborator(case=survivor, user_id=user_id, added_by=actor)
            for user_id in CaseCollaborator.objects.filter(case=duplicate).values_list("user_id", flat=True)
            if user_id not in joined)
        label = label_of(actor)
        CaseEvent.objects.create(case=duplicate, actor=actor, actor_label=label, kind=EventKind.MERGE,
                                 note=f"→ {survivor.reference}", visibility=Visibility.INTERNAL)
        event = CaseEvent.objects.create(
            case=survivor, actor=actor, actor_label=label, kind=EventKind.MERGE, merged_from=duplicate,
            visibility=Visibility.PUBLIC,
        )
        audit(actor, "case.merge", survivor, f"{duplicate.reference} → {survivor.reference}")
        transaction.on_commit(lambda: signals.case_merged.send(
            Case, case=survivor, merged=duplicate, actor=actor))
    for field, value in survivor_changes.items():
        setattr(survivor, field, value)
    return event
