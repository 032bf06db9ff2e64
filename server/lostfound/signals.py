"""Kiosk cases of the lost-property kinds enter the register as they arrive."""
from __future__ import annotations

from sync.protocol import CaseKind

LOST_PROPERTY_KINDS = frozenset({CaseKind.FOUND_ITEM.value, CaseKind.LOST_REPORT.value})


def case_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """Inside the upload's transaction: the case and its register row are stored together."""
    if created and not raw and instance.kind in LOST_PROPERTY_KINDS:
        from .intake import record_from_case

        record_from_case(instance)
